// SourceFile: line index over a spec's text.
#include "mlarch/analyzer/source.hpp"

namespace mlarch {

SourceFile::SourceFile(std::string path, std::string text) : path_(std::move(path)), text_(std::move(text)) {
  line_starts_.push_back(0);
  for (std::size_t i = 0; i < text_.size(); ++i) {
    if (text_[i] == '\n') line_starts_.push_back(i + 1);
  }
}

std::string_view SourceFile::line(int number) const {
  if (number < 1 || number > line_count()) return {};
  std::size_t begin = line_starts_[static_cast<std::size_t>(number - 1)];
  std::size_t end = number < line_count() ? line_starts_[static_cast<std::size_t>(number)] : text_.size();
  std::string_view view(text_.data() + begin, end - begin);
  while (!view.empty() && (view.back() == '\n' || view.back() == '\r')) view.remove_suffix(1);
  return view;
}

}  // namespace mlarch
