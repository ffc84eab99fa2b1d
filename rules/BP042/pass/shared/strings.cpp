// Shared code, owned by component a too.
int shared_length(const char* s) { int n = 0; while (s[n]) ++n; return n; }
