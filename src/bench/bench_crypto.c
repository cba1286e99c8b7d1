/* bench_crypto.c — placeholder: cases added with the module. */
#include "bench/bench.h"
void bench_crypto(void) {}
