#pragma once
// Non-variadic wrappers around libmicrohttpd's variadic calls (filled in by the MicroHTTPServer work).
int lsc_mhd_shim_placeholder(void);
