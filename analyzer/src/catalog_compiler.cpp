// mlarch_catalog_compiler ROOT OUT.json RULE.yaml...: compiles the rule catalog into one JSON
// array of {"path", "rule"} at build time. mlarch_catalog_compiler --document IN.yaml OUT.json:
// one data file (the hardware catalog) into JSON, aliases and merge keys expanded. Errors
// (malformed YAML) fail the build with a file:line:col message; the schemas are enforced by tests.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <string_view>

#include "mlarch/analyzer/document.hpp"

namespace {

// The file's values, or nothing after printing why not.
std::optional<mlarch::Json> load(const char* file, const std::string& shown_as) {
  mlarch::LoadResult loaded = mlarch::load_document(file);
  if (loaded.document) return std::move(loaded.document->root);
  for (const auto& e : loaded.errors)
    std::cerr << shown_as << ":" << e.position.line << ":" << e.position.column << ": error: " << e.message << "\n";
  return std::nullopt;
}

int write(const char* file, const mlarch::Json& value) {
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out << value.dump() << "\n";
  return out ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 4 && std::string_view(argv[1]) == "--document") {
    auto value = load(argv[2], argv[2]);
    return value ? write(argv[3], *value) : 1;
  }
  if (argc < 3) {
    std::cerr << "usage: mlarch_catalog_compiler ROOT OUT.json RULE.yaml...\n"
                 "       mlarch_catalog_compiler --document IN.yaml OUT.json\n";
    return 2;
  }
  std::filesystem::path root = argv[1];
  mlarch::Json catalog = mlarch::Json::array();
  int status = 0;
  for (int i = 3; i < argc; ++i) {
    std::string path = std::filesystem::relative(argv[i], root).generic_string();
    auto rule = load(argv[i], path);
    if (!rule) {
      status = 1;
      continue;
    }
    catalog.push_back({{"path", path}, {"rule", std::move(*rule)}});
  }
  return status != 0 ? status : write(argv[2], catalog);
}
