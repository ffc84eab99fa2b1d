// The model server's artifact format, which the trainer writes.
#pragma once
#include <vector>
namespace scorer {
struct Artifact { std::vector<double> weights; };
}  // namespace scorer
