#pragma once
// Non-variadic wrappers around libmicrohttpd's variadic calls, which Swift cannot call.
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <microhttpd.h>

/// Starts a daemon with an internal polling thread pool of `threads` threads, bound to `address`
/// (a sockaddr_in or sockaddr_in6), with a per-request completion callback. Slow clients are
/// bounded by the idle timeout, the connection limits (all and per client IP, 0 = none) and the
/// memory limit of each connection's buffers (headers larger than it are refused). NULL on failure.
struct MHD_Daemon *lsc_mhd_start(const struct sockaddr *address, unsigned int threads,
                                 unsigned int connection_timeout_seconds, unsigned int connection_limit,
                                 unsigned int per_ip_connection_limit, size_t connection_memory_limit,
                                 MHD_AccessHandlerCallback handler, void *handler_context,
                                 MHD_RequestCompletedCallback completed, void *completed_context);

/// The port the daemon is bound to (useful after binding port 0); 0 if unknown.
uint16_t lsc_mhd_bound_port(struct MHD_Daemon *daemon);
