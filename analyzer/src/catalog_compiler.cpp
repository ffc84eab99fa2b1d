// mlarch_catalog_compiler ROOT OUT.json RULE.yaml...: compiles the rule catalog into one JSON
// array of {"path", "rule"} at build time. Errors (malformed YAML) fail the build with a
// file:line:col message; the metadata schema is enforced by the conformance test.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "mlarch/analyzer/document.hpp"

int main(int argc, char** argv) {
  if (argc < 3) {
    std::cerr << "usage: mlarch_catalog_compiler ROOT OUT.json RULE.yaml...\n";
    return 2;
  }
  std::filesystem::path root = argv[1];
  mlarch::Json catalog = mlarch::Json::array();
  int status = 0;
  for (int i = 3; i < argc; ++i) {
    std::string path = std::filesystem::relative(argv[i], root).generic_string();
    mlarch::LoadResult loaded = mlarch::load_document(argv[i]);
    if (!loaded.document) {
      for (const auto& e : loaded.errors)
        std::cerr << path << ":" << e.position.line << ":" << e.position.column << ": error: " << e.message << "\n";
      status = 1;
      continue;
    }
    catalog.push_back({{"path", path}, {"rule", loaded.document->root}});
  }
  if (status != 0) return status;
  std::ofstream out(argv[2], std::ios::binary | std::ios::trunc);
  out << catalog.dump() << "\n";
  return out ? 0 : 1;
}
