#include "CMicroHTTPDShim.h"
int lsc_mhd_shim_placeholder(void) { return 0; }
