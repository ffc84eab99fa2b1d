// Load, validate, build: the front end's three stages in order.
#include "mlarch/analyzer/spec.hpp"

#include "mlarch/analyzer/schema.hpp"

namespace mlarch {

LoadedSpec load_spec(const std::string& path) {
  LoadedSpec out;
  LoadResult loaded = load_document(path);
  out.source = loaded.source;
  if (!loaded.document) {
    out.errors = std::move(loaded.errors);
    return out;
  }
  out.document = std::make_shared<const Document>(std::move(*loaded.document));
  out.errors = SchemaValidator::spec_v1().validate(*out.document);
  if (!out.errors.empty()) return out;
  BuildResult built = build_system(*out.document);
  out.errors = std::move(built.errors);
  out.system = std::move(built.system);
  return out;
}

}  // namespace mlarch
