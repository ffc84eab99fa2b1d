// libFuzzer target for the spec front end: load, validate, build the model, run the rules.
// Any input must end in a document or input errors: never a crash, a hang or a leak.
#include <cstddef>
#include <cstdint>
#include <string>

#include "mlarch/analyzer/graph.hpp"
#include "mlarch/analyzer/model.hpp"
#include "mlarch/analyzer/rules.hpp"
#include "mlarch/analyzer/schema.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  mlarch::LoadLimits limits;
  limits.max_bytes = 1u << 20;
  // Inputs that start like JSON go through the JSON parser, the rest through yaml-cpp.
  const char* name = !text.empty() && (text[0] == '{' || text[0] == '[') ? "fuzz.json" : "fuzz.yaml";
  mlarch::LoadResult loaded = mlarch::load_document_from_text(name, std::move(text), limits);
  if (!loaded.document) return 0;
  if (!mlarch::SchemaValidator::spec_v1().validate(*loaded.document).empty()) return 0;
  mlarch::BuildResult built = mlarch::build_system(*loaded.document);
  if (!built.system) return 0;
  mlarch::SystemGraph graph(*built.system);
  (void)mlarch::run_rules(mlarch::Catalog::builtin(), *loaded.document, *built.system, graph, mlarch::RuleSelection{});
  return 0;
}
