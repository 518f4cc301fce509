#include <stdio.h>
int main(void) { puts("acidbase: under construction"); return 0; }
