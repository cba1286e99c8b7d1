/* bench_rlp.c — placeholder: cases added with the module. */
#include "bench/bench.h"
void bench_rlp(void) {}
