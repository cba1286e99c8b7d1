/* bench_trie.c — placeholder: cases added with the module. */
#include "bench/bench.h"
void bench_trie(void) {}
