// A spec file's text, kept so that diagnostics can show the offending line.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace mlarch {

class SourceFile {
 public:
  SourceFile(std::string path, std::string text);

  const std::string& path() const { return path_; }
  const std::string& text() const { return text_; }
  int line_count() const { return static_cast<int>(line_starts_.size()); }
  // The text of a 1-based line without its line break; empty when out of range.
  std::string_view line(int number) const;

 private:
  std::string path_;
  std::string text_;
  std::vector<std::size_t> line_starts_;
};

using SourceFilePtr = std::shared_ptr<const SourceFile>;

}  // namespace mlarch
