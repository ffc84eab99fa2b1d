// Data files compiled into the binary: the rule catalog, the hardware catalog and the JSON Schemas.
#pragma once

#include <span>
#include <string_view>

namespace mlarch {

struct EmbeddedFile {
  std::string_view path;  // relative to the source tree, e.g. "rules/SEC001/rule.yaml"
  std::string_view content;
};

std::span<const EmbeddedFile> embedded_files();

// The content of an embedded file, or an empty view when there is none.
std::string_view embedded_file(std::string_view path);

}  // namespace mlarch
