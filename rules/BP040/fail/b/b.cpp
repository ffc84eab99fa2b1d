#include "b/b.hpp"
namespace b {
int handle(const Request& r) { return r.id; }
}  // namespace b
