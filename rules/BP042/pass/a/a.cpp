// Component a.
int a_main() { return 0; }
