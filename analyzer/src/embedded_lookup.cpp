// Lookup of files compiled into the binary.
#include "mlarch/analyzer/embedded.hpp"

namespace mlarch {

std::string_view embedded_file(std::string_view path) {
  for (const auto& f : embedded_files())
    if (f.path == path) return f.content;
  return {};
}

}  // namespace mlarch
