/* bench_main.c — placeholder until benchmarks land. */
int main(void) { return 0; }
