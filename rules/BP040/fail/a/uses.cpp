// Uses of b are the dependency; the include that brings them is not reported again.
#include "b/b.hpp"
int uses() {
  b::Request r;  // expect: BP040
  return b::handle(r);  // expect: BP040
}
