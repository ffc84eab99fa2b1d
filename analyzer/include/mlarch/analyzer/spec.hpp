// A spec file, loaded, validated against the schema and built into the typed model: what every
// command that reads one spec starts with.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "mlarch/analyzer/diagnostic.hpp"
#include "mlarch/analyzer/document.hpp"
#include "mlarch/analyzer/model.hpp"

namespace mlarch {

struct LoadedSpec {
  SourceFilePtr source;                      // set whenever the file could be read
  std::shared_ptr<const Document> document;  // set once it parsed
  std::optional<System> system;              // set once it validated and its references resolved
  std::vector<Finding> errors;               // why there is no system
};

LoadedSpec load_spec(const std::string& path);

}  // namespace mlarch
