// Component a calls b, which realises the flow a -> b; the reply flow b -> a is realised by the same call.
#include "b/b.hpp"
int a_main() { return b_main(); }
