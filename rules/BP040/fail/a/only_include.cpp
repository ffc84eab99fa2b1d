// The include alone is the dependency: nothing of b is used here.
#include "b/b.hpp"  // expect: BP040
int only_include() { return 0; }
