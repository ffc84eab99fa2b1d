// Uses of b along the declared flow.
#include "b/b.hpp"
int uses() {
  b::Request r;
  return b::handle(r);
}
