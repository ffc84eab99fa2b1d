// mlarch_gen_spec N: prints a generated spec with N components and 3N flows.
#include <cstdio>
#include <cstdlib>

#include "generate_spec.hpp"

int main(int argc, char** argv) {
  int n = argc > 1 ? std::atoi(argv[1]) : 10000;
  std::string spec = mlarch::bench::generate_spec(n);
  std::fwrite(spec.data(), 1, spec.size(), stdout);
  return 0;
}
