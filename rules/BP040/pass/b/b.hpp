// Component b's interface.
#pragma once
namespace b {
struct Request { int id = 0; };
int handle(const Request& r);
}  // namespace b
