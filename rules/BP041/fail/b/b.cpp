// Component b.
int b_main() { return 1; }
