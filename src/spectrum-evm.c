/* spectrum-evm — placeholder entry point until the program module lands. */
#include <stdio.h>
int main(void) { fputs("spectrum-evm: not built yet\n", stderr); return 1; }
