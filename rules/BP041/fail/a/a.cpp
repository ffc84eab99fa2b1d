// Component a talks to nobody in code.
int a_main() { return 0; }
