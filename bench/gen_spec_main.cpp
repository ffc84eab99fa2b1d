// mlarch_gen_spec N [--json]: prints a generated spec with N components and 3N flows, as YAML
// or as JSON.
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "generate_spec.hpp"
#include "mlarch/analyzer/document.hpp"

int main(int argc, char** argv) {
  int n = argc > 1 ? std::atoi(argv[1]) : 10000;
  std::string spec = mlarch::bench::generate_spec(n);
  if (argc > 2 && std::string_view(argv[2]) == "--json")
    spec = mlarch::load_document_from_text("gen.yaml", spec).document->root.dump(2) + "\n";
  std::fwrite(spec.data(), 1, spec.size(), stdout);
  return 0;
}
