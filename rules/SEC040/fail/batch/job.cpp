// A batch job may run other programs.
#include <cstdlib>
int nightly() { return std::system("gzip -9 export.csv"); }
