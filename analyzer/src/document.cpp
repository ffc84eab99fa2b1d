// The spec loader: YAML or JSON text to a Document whose every value keeps its source position.
// yaml-cpp's event API is used rather than YAML::Node so that positions, duplicate keys, alias
// expansion and nesting depth are all under our control (yaml-cpp accepts duplicates silently
// and shares aliased nodes, which hides alias bombs until something walks them).
#include "mlarch/analyzer/document.hpp"

#include <cctype>
#include <charconv>
#include <iterator>
#include <optional>
#include <filesystem>
#include <cmath>
#include <fstream>
#include <limits>
#include <memory>
#include <sstream>
#include <system_error>
#include <unordered_set>

#include <fmt/format.h>
#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/mark.h>
#include <yaml-cpp/parser.h>

namespace mlarch {

Finding input_error(std::string_view code, const std::string& file, Position pos, std::string message,
                    std::string help) {
  Finding f;
  f.rule = std::string(code);
  f.severity = Severity::error;
  f.message = std::move(message);
  f.file = file;
  f.position = pos;
  f.help = std::move(help);
  return f;
}

std::string pointer_escape(std::string_view token) {
  std::string out;
  out.reserve(token.size());
  for (char c : token) {
    if (c == '~') out += "~0";
    else if (c == '/') out += "~1";
    else out += c;
  }
  return out;
}

std::string pointer_append(std::string_view base, std::string_view token) {
  std::string out(base);
  out += '/';
  out += pointer_escape(token);
  return out;
}

std::string pointer_append(std::string_view base, std::size_t index) {
  std::string out(base);
  out += '/';
  out += std::to_string(index);
  return out;
}

std::string pointer_parent(std::string_view pointer) {
  auto slash = pointer.rfind('/');
  if (slash == std::string_view::npos) return {};
  return std::string(pointer.substr(0, slash));
}

namespace {

SourceMap::Key mix(SourceMap::Key h) {
  // splitmix64's finalizer: spreads every input bit over the whole key.
  h ^= h >> 30;
  h *= 0xBF58476D1CE4E5B9ull;
  h ^= h >> 27;
  h *= 0x94D049BB133111EBull;
  h ^= h >> 31;
  return h;
}

const NodeLocation* nearest_location(const Document& doc, std::string_view pointer) {
  std::vector<SourceMap::Key> prefixes;
  SourceMap::of(pointer, &prefixes);
  for (auto it = prefixes.rbegin(); it != prefixes.rend(); ++it)
    if (const NodeLocation* loc = doc.locations.find(*it)) return loc;
  return nullptr;
}

}  // namespace

SourceMap::Key SourceMap::child(Key parent, std::string_view token) {
  Key h = parent ^ 0xCBF29CE484222325ull;
  for (unsigned char c : token) h = (h ^ c) * 0x100000001B3ull;
  return mix(h + token.size());
}

SourceMap::Key SourceMap::child(Key parent, std::size_t index) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, index);
  (void)ec;
  return child(parent, std::string_view(buf, static_cast<std::size_t>(end - buf)));
}

void SourceMap::seal() {
  std::stable_sort(entries_.begin(), entries_.end(), [](const Entry& a, const Entry& b) { return a.key < b.key; });
  entries_.erase(std::unique(entries_.begin(), entries_.end(), [](const Entry& a, const Entry& b) { return a.key == b.key; }),
                 entries_.end());
}

const NodeLocation* SourceMap::find(Key key) const {
  auto it = std::lower_bound(entries_.begin(), entries_.end(), key, [](const Entry& e, Key k) { return e.key < k; });
  return it != entries_.end() && it->key == key ? &it->loc : nullptr;
}

SourceMap::Key SourceMap::of(std::string_view pointer, std::vector<Key>* prefixes) {
  Key key = root();
  if (prefixes) prefixes->push_back(key);
  for (const auto& token : pointer_tokens(pointer)) {
    key = child(key, token);
    if (prefixes) prefixes->push_back(key);
  }
  return key;
}

Position Document::value_position(std::string_view pointer) const {
  const NodeLocation* loc = nearest_location(*this, pointer);
  return loc ? loc->value : Position{1, 1};
}

Position Document::key_position(std::string_view pointer) const {
  const NodeLocation* loc = nearest_location(*this, pointer);
  return loc ? loc->key : Position{1, 1};
}

const Json* Document::find(std::string_view pointer) const {
  const Json* node = &root;
  for (const auto& token : pointer_tokens(pointer)) {
    if (node->is_object()) {
      auto it = node->find(token);
      if (it == node->end()) return nullptr;
      node = &*it;
    } else if (node->is_array()) {
      std::size_t index = 0;
      auto [ptr, ec] = std::from_chars(token.data(), token.data() + token.size(), index);
      if (ec != std::errc() || ptr != token.data() + token.size() || index >= node->size()) return nullptr;
      node = &(*node)[index];
    } else {
      return nullptr;
    }
  }
  return node;
}

std::vector<std::string> pointer_tokens(std::string_view pointer) {
  std::vector<std::string> tokens;
  std::size_t pos = 0;
  while (pos < pointer.size()) {
    std::size_t next = pointer.find('/', pos + 1);
    std::string_view raw = pointer.substr(pos + 1, next == std::string_view::npos ? std::string_view::npos : next - pos - 1);
    std::string token;
    for (std::size_t i = 0; i < raw.size(); ++i) {
      if (raw[i] == '~' && i + 1 < raw.size()) {
        token += raw[i + 1] == '1' ? '/' : '~';
        ++i;
      } else {
        token += raw[i];
      }
    }
    tokens.push_back(std::move(token));
    if (next == std::string_view::npos) break;
    pos = next;
  }
  return tokens;
}

std::string ElementRef::describe() const {
  if (kind.empty()) return "the spec";
  if (kind == "system") return "the system";
  return fmt::format("{} '{}'", kind, id);
}

ElementRef element_at(const Document& doc, std::string_view pointer) {
  auto tokens = pointer_tokens(pointer);
  ElementRef ref;
  if (tokens.empty()) return ref;
  const std::string& section = tokens[0];
  if (section == "system") {
    const Json* name = doc.find("/system/name");
    return ElementRef{"system", name && name->is_string() ? name->get<std::string>() : "system", "/system"};
  }
  if (tokens.size() < 2) return ref;
  ref.pointer = pointer_append(pointer_append("", section), tokens[1]);
  if (section == "components" || section == "models" || section == "datasets" || section == "hardware") {
    ref.kind = section == "hardware" ? "instance type" : section.substr(0, section.size() - 1);
    ref.id = tokens[1];
    return ref;
  }
  const Json* item = doc.find(ref.pointer);
  if (section == "flows") {
    ref.kind = "flow";
    if (item && item->is_object() && item->contains("from") && item->contains("to") && (*item)["from"].is_string() &&
        (*item)["to"].is_string())
      ref.id = (*item)["from"].get<std::string>() + "->" + (*item)["to"].get<std::string>();
    else
      ref.id = "#" + tokens[1];
    return ref;
  }
  if (section == "workloads" || section == "slos") {
    ref.kind = section.substr(0, section.size() - 1);
    const char* name_key = section == "workloads" ? "name" : "workload";
    if (item && item->is_object() && item->contains(name_key) && (*item)[name_key].is_string())
      ref.id = (*item)[name_key].get<std::string>();
    else
      ref.id = "#" + tokens[1];
    return ref;
  }
  return ElementRef{};
}

namespace {

Position to_position(const YAML::Mark& mark) {
  if (mark.is_null()) return {1, 1};
  return {mark.line + 1, mark.column + 1};
}

// Where the first byte that is not valid UTF-8 (or a NUL) sits, if any.
struct EncodingProblem {
  std::size_t offset;
  std::string what;
};

std::optional<EncodingProblem> check_encoding(std::string_view text) {
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  std::size_t n = text.size();
  for (std::size_t i = 0; i < n;) {
    unsigned char c = s[i];
    if (c < 0x80) {
      if (c == 0) return EncodingProblem{i, "a NUL byte (is this a binary file?)"};
      ++i;
      continue;
    }
    std::size_t len = 0;
    unsigned min = 0;
    unsigned cp = 0;
    if ((c & 0xE0) == 0xC0) { len = 2; cp = c & 0x1Fu; min = 0x80; }
    else if ((c & 0xF0) == 0xE0) { len = 3; cp = c & 0x0Fu; min = 0x800; }
    else if ((c & 0xF8) == 0xF0) { len = 4; cp = c & 0x07u; min = 0x10000; }
    else return EncodingProblem{i, fmt::format("byte 0x{:02x}, which is not valid UTF-8", c)};
    if (i + len > n) return EncodingProblem{i, "a truncated UTF-8 sequence"};
    for (std::size_t k = 1; k < len; ++k) {
      if ((s[i + k] & 0xC0) != 0x80) return EncodingProblem{i, fmt::format("byte 0x{:02x}, which is not valid UTF-8", c)};
      cp = (cp << 6) | (s[i + k] & 0x3Fu);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
      return EncodingProblem{i, "an invalid UTF-8 sequence"};
    i += len;
  }
  return std::nullopt;
}

Position offset_position(std::string_view text, std::size_t offset) {
  Position p{1, 1};
  for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++p.line;
      p.column = 1;
    } else {
      ++p.column;
    }
  }
  return p;
}

// Resolves a plain scalar as the YAML 1.2 core schema does. Unlike YAML 1.1 (and yaml-cpp's own
// conversions), `yes`, `no`, `on` and `off` stay strings: no "Norway problem".
Json resolve_plain_scalar(const std::string& v) {
  if (v.empty() || v == "~" || v == "null" || v == "Null" || v == "NULL") return nullptr;
  if (v == "true" || v == "True" || v == "TRUE") return true;
  if (v == "false" || v == "False" || v == "FALSE") return false;
  const char* b = v.data();
  const char* e = v.data() + v.size();
  const char* digits = b;
  if (*digits == '-' || *digits == '+') ++digits;
  if (digits < e && std::isdigit(static_cast<unsigned char>(*digits))) {
    bool all_digits = true;
    for (const char* p = digits; p < e; ++p) all_digits = all_digits && std::isdigit(static_cast<unsigned char>(*p));
    if (all_digits) {
      std::int64_t i = 0;
      auto [ptr, ec] = std::from_chars(digits, e, i);
      if (ec == std::errc() && ptr == e) return (*b == '-') ? -i : i;
      // Too large for an integer: falls through to a float.
    }
  }
  // Floats: [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)? and the special values.
  if (v == ".inf" || v == "+.inf" || v == ".Inf" || v == "+.Inf" || v == ".INF" || v == "+.INF")
    return std::numeric_limits<double>::infinity();
  if (v == "-.inf" || v == "-.Inf" || v == "-.INF") return -std::numeric_limits<double>::infinity();
  {
    const char* p = digits;
    bool mantissa = false;
    while (p < e && std::isdigit(static_cast<unsigned char>(*p))) { ++p; mantissa = true; }
    if (p < e && *p == '.') {
      ++p;
      while (p < e && std::isdigit(static_cast<unsigned char>(*p))) { ++p; mantissa = true; }
    }
    bool ok = mantissa;
    if (ok && p < e && (*p == 'e' || *p == 'E')) {
      ++p;
      if (p < e && (*p == '-' || *p == '+')) ++p;
      bool exp = false;
      while (p < e && std::isdigit(static_cast<unsigned char>(*p))) { ++p; exp = true; }
      ok = exp;
    }
    if (ok && p == e) {
      double d = 0;
      auto [ptr, ec] = std::from_chars(b + (*b == '+' ? 1 : 0), e, d);
      if (ec == std::errc() && ptr == e && std::isfinite(d)) return d;
    }
  }
  return v;
}

struct LoadAbort {
  Finding error;
};

// Builds a Document from parse events, whatever the format: the JSON tree, the source map,
// duplicate keys, merge keys, anchors, and the limits on depth and alias expansion.
class TreeBuilder {
 public:
  using Anchor = std::size_t;  // 0: none

  TreeBuilder(Document& doc, const LoadLimits& limits) : doc_(doc), limits_(limits) {}

  // Keys written twice in one mapping; reported once the source map can say where the first is.
  struct Duplicate {
    SourceMap::Key key;
    std::string name;
    Position pos;
  };
  std::vector<Duplicate> duplicates;

  bool has_root() const { return root_set_; }
  bool expects_key() const { return !stack_.empty() && stack_.back().is_map && !stack_.back().has_key; }

  [[noreturn]] void abort_at(Position pos, std::string_view code, std::string message, std::string help = {}) const {
    throw LoadAbort{input_error(code, doc_.path(), pos, std::move(message), std::move(help))};
  }

  void key(std::string name, bool plain, Position pos) {
    Frame& parent = stack_.back();
    parent.key = std::move(name);
    parent.key_plain = plain;
    parent.key_pos = pos;
    parent.has_key = true;
    ++parsed_values_;
    ++total_values_;
  }

  void begin(Position pos, bool is_map, Anchor anchor = 0) {
    if (static_cast<int>(stack_.size()) >= limits_.max_depth) {
      abort_at(pos, kErrSyntax, fmt::format("values are nested more than {} levels deep", limits_.max_depth),
               "a spec never needs this depth; is the file generated by mistake?");
    }
    auto [key, key_pos] = next_slot(pos);
    doc_.locations.add(key, NodeLocation{key_pos, pos});
    Frame f;
    f.value = is_map ? Json::object() : Json::array();
    f.is_map = is_map;
    f.key_hash = key;
    f.anchor = anchor;
    f.values_at_open = total_values_;
    ++parsed_values_;
    ++total_values_;
    stack_.push_back(std::move(f));
  }

  void end() {
    Frame f = std::move(stack_.back());
    stack_.pop_back();
    if (f.anchor != 0) anchors_[f.anchor] = Anchored{f.value, total_values_ - f.values_at_open};
    place(std::move(f.value));
  }

  // A scalar or null written in the file.
  void scalar(Position pos, Json v, Anchor anchor = 0) {
    ++parsed_values_;
    add_value(pos, std::move(v), anchor, 1);
  }

  // A YAML alias: a copy of the anchored value, within the expansion budget.
  void alias(Position pos, Anchor anchor) {
    auto it = anchors_.find(anchor);
    if (it == anchors_.end()) abort_at(pos, kErrSyntax, "alias refers to an unknown anchor");
    std::size_t budget = std::max(limits_.min_alias_budget, parsed_values_);
    if (alias_values_ + it->second.values > budget) {
      abort_at(pos, kErrSyntax,
               fmt::format("YAML aliases expand to more than {} values; refusing to expand further (an alias bomb?)",
                           budget),
               "write the repeated values out, or reuse fewer nested aliases");
    }
    alias_values_ += it->second.values;
    add_value(pos, it->second.value, 0, it->second.values);
  }

 private:
  struct Frame {
    Json value;
    bool is_map = false;
    SourceMap::Key key_hash = SourceMap::root();  // this value's own source-map key
    Anchor anchor = 0;
    std::size_t values_at_open = 0;
    // Pending key of a mapping.
    bool has_key = false;
    bool key_plain = false;
    std::string key;
    Position key_pos;
    // Keys that came from a `<<` merge (explicit keys may override them); rarely used.
    std::unique_ptr<std::unordered_set<std::string>> merged;
  };
  struct Anchored {
    Json value;
    std::size_t values = 1;
  };

  // The source-map key and key position the next value will get.
  std::pair<SourceMap::Key, Position> next_slot(Position value_pos) {
    if (stack_.empty()) return {SourceMap::root(), value_pos};
    Frame& parent = stack_.back();
    if (parent.is_map) return {SourceMap::child(parent.key_hash, parent.key), parent.key_pos};
    return {SourceMap::child(parent.key_hash, parent.value.size()), value_pos};
  }

  // Places a scalar, null or aliased value; `values` is how many values it holds.
  void add_value(Position pos, Json v, Anchor anchor, std::size_t values) {
    if (expects_key()) abort_at(pos, kErrSyntax, "mapping keys must be strings");  // an alias or null as a key
    auto [key, key_pos] = next_slot(pos);
    if (v.is_null() && !stack_.empty() && stack_.back().is_map) pos = key_pos;  // an empty value: point at its key
    doc_.locations.add(key, NodeLocation{key_pos, pos});
    total_values_ += values;
    if (anchor != 0) anchors_[anchor] = Anchored{v, values};
    place(std::move(v));
  }

  void place(Json v) {
    if (stack_.empty()) {
      doc_.root = std::move(v);
      root_set_ = true;
      return;
    }
    Frame& parent = stack_.back();
    if (!parent.is_map) {
      parent.value.push_back(std::move(v));
      return;
    }
    parent.has_key = false;
    if (parent.key == "<<" && parent.key_plain) {
      merge_into(parent, v);
      return;
    }
    auto& object = parent.value.get_ref<Json::object_t&>();
    auto [it, inserted] = object.emplace(parent.key, std::move(v));
    if (inserted) return;
    if (!parent.merged || parent.merged->erase(parent.key) == 0)
      duplicates.push_back({SourceMap::child(parent.key_hash, parent.key), parent.key, parent.key_pos});
    it->second = std::move(v);
  }

  // YAML merge keys: `<<: *defaults` (or a list of them) copies entries not written explicitly.
  void merge_into(Frame& parent, const Json& v) {
    auto merge_one = [&](const Json& m) {
      if (!m.is_object()) abort_at(parent.key_pos, kErrSyntax, "a merge key (<<) takes a mapping or a list of mappings");
      for (auto it = m.begin(); it != m.end(); ++it) {
        if (parent.value.contains(it.key())) continue;
        parent.value[it.key()] = it.value();
        if (!parent.merged) parent.merged = std::make_unique<std::unordered_set<std::string>>();
        parent.merged->insert(it.key());
        doc_.locations.add(SourceMap::child(parent.key_hash, it.key()), NodeLocation{parent.key_pos, parent.key_pos});
      }
    };
    if (v.is_array()) {
      for (const auto& m : v) merge_one(m);
    } else {
      merge_one(v);
    }
  }

  Document& doc_;
  const LoadLimits& limits_;
  std::vector<Frame> stack_;
  std::unordered_map<Anchor, Anchored> anchors_;
  std::size_t parsed_values_ = 0;
  std::size_t alias_values_ = 0;
  std::size_t total_values_ = 0;  // parsed plus alias-expanded
  bool root_set_ = false;
};

// yaml-cpp's events into the tree builder: YAML 1.2 core-schema typing of plain scalars, anchors.
class YamlEvents final : public YAML::EventHandler {
 public:
  explicit YamlEvents(TreeBuilder& tree) : tree_(tree) {}

  void OnDocumentStart(const YAML::Mark& mark) override {
    if (++documents_ > 1)
      tree_.abort_at(to_position(mark), kErrSyntax, "a spec file holds one YAML document, but a second one starts here",
                     "split the documents into separate files");
  }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override { tree_.scalar(to_position(mark), nullptr, anchor); }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override { tree_.alias(to_position(mark), anchor); }
  void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                const std::string& value) override {
    if (tree_.expects_key()) {
      tree_.key(value, tag == "?", to_position(mark));
      return;
    }
    bool typed = tag == "?" || tag == "tag:yaml.org,2002:int" || tag == "tag:yaml.org,2002:float" ||
                 tag == "tag:yaml.org,2002:bool" || tag == "tag:yaml.org,2002:null";
    tree_.scalar(to_position(mark), typed ? resolve_plain_scalar(value) : Json(value), anchor);
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    tree_.begin(to_position(mark), false, anchor);
  }
  void OnSequenceEnd() override { tree_.end(); }
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    tree_.begin(to_position(mark), true, anchor);
  }
  void OnMapEnd() override { tree_.end(); }

 private:
  TreeBuilder& tree_;
  std::size_t documents_ = 0;
};

// Where nlohmann's lexer is in the text. nlohmann/json 3.11 reports no positions for values, so
// the iterator it reads through keeps them: the line and column where the current token began.
struct JsonCursor {
  const char* begin = nullptr;
  const char* at = nullptr;
  int line = 1;
  const char* line_start = nullptr;
  Position token;
  bool in_string = false, escaped = false, boundary = true;

  void consume(char c) {
    const char* here = at;
    if (in_string) {
      if (escaped) escaped = false;
      else if (c == '\\') escaped = true;
      else if (c == '"') in_string = false;
    } else if (c == '"' || c == '{' || c == '[' ||
               (boundary && c != ' ' && c != '\t' && c != '\n' && c != '\r' && c != '}' && c != ']' && c != ',' &&
                c != ':')) {
      token = {line, static_cast<int>(here - line_start) + 1};
      in_string = c == '"';
    }
    if (!in_string || c == '"') boundary = c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '{' || c == '[' ||
                                           c == ',' || c == ':';
    if (c == '\n') {
      ++line;
      line_start = here + 1;
    }
    ++at;
  }
};

class JsonIterator {
 public:
  using iterator_category = std::input_iterator_tag;
  using value_type = char;
  using difference_type = std::ptrdiff_t;
  using pointer = const char*;
  using reference = const char&;

  JsonIterator() = default;
  JsonIterator(JsonCursor* cursor, const char* end) : cursor_(cursor), end_(end) {}
  const char& operator*() const { return *cursor_->at; }
  JsonIterator& operator++() {
    cursor_->consume(*cursor_->at);
    return *this;
  }
  bool operator==(const JsonIterator& other) const { return position() == other.position(); }
  bool operator!=(const JsonIterator& other) const { return !(*this == other); }

 private:
  const char* position() const { return cursor_ ? cursor_->at : end_; }
  JsonCursor* cursor_ = nullptr;
  const char* end_ = nullptr;
};

// nlohmann's SAX events into the tree builder.
class JsonEvents {
 public:
  JsonEvents(TreeBuilder& tree, const JsonCursor& cursor) : tree_(tree), cursor_(cursor) {}

  std::optional<Finding> error;

  bool null() { return value(nullptr); }
  bool boolean(bool v) { return value(v); }
  bool number_integer(Json::number_integer_t v) { return value(v); }
  bool number_unsigned(Json::number_unsigned_t v) { return value(v); }
  bool number_float(Json::number_float_t v, const std::string&) { return value(v); }
  bool string(std::string& v) { return value(std::move(v)); }
  bool binary(Json::binary_t&) { return false; }
  bool start_object(std::size_t) {
    tree_.begin(cursor_.token, true);
    return true;
  }
  bool key(std::string& k) {
    tree_.key(std::move(k), false, cursor_.token);
    return true;
  }
  bool end_object() {
    tree_.end();
    return true;
  }
  bool start_array(std::size_t) {
    tree_.begin(cursor_.token, false);
    return true;
  }
  bool end_array() {
    tree_.end();
    return true;
  }
  bool parse_error(std::size_t position, const std::string&, const nlohmann::detail::exception& e) {
    std::string msg = e.what();
    auto colon = msg.find(": ", msg.find("parse error"));
    msg = colon == std::string::npos ? msg : msg.substr(colon + 2);
    error = input_error(kErrSyntax, "", offset_position(std::string_view(cursor_.begin, position ? position - 1 : 0), position ? position - 1 : 0),
                        "malformed JSON: " + msg);
    return false;
  }

 private:
  bool value(Json v) {
    tree_.scalar(cursor_.token, std::move(v));
    return true;
  }
  TreeBuilder& tree_;
  const JsonCursor& cursor_;
};

bool is_json_path(std::string_view path) { return path.size() >= 5 && path.substr(path.size() - 5) == ".json"; }

// Files above the limit are refused before they are read, so memory and time stay bounded.
Finding too_large(const std::string& path, std::size_t size, const LoadLimits& limits) {
  return input_error(kErrUnreadable, path, {},
                     fmt::format("file is {:.1f} MiB; specs larger than {} MiB are refused",
                                 static_cast<double>(size) / (1024.0 * 1024.0), limits.max_bytes >> 20),
                     "split the spec, or check that this is the file you meant");
}

std::string clean_yaml_message(std::string msg) {
  if (!msg.empty()) msg[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(msg[0])));
  while (!msg.empty() && (msg.back() == '.' || msg.back() == ' ')) msg.pop_back();
  return msg;
}

}  // namespace

LoadResult load_document_from_text(std::string path, std::string text, const LoadLimits& limits) {
  LoadResult result;
  if (text.size() > limits.max_bytes) {
    result.errors.push_back(too_large(path, text.size(), limits));
    return result;
  }
  // A UTF-8 byte-order mark is allowed and skipped.
  if (text.size() >= 3 && text.compare(0, 3, "\xEF\xBB\xBF") == 0) text.erase(0, 3);
  if (auto problem = check_encoding(text)) {
    Position pos = offset_position(text, problem->offset);
    result.errors.push_back(input_error(kErrUnreadable, path, pos,
                                        fmt::format("file is not UTF-8 text: found {}", problem->what),
                                        "specs are YAML or JSON files encoded in UTF-8"));
    return result;
  }
  auto source = std::make_shared<SourceFile>(path, std::move(text));
  result.source = source;

  Document doc;
  doc.source = source;
  doc.locations.reserve(source->text().size() / 8 + 16);  // about one value per 8 bytes of YAML
  TreeBuilder builder(doc, limits);
  try {
    if (is_json_path(path)) {
      // JSON goes through nlohmann's parser: several times faster than yaml-cpp on large files.
      JsonCursor cursor;
      cursor.begin = cursor.at = cursor.line_start = source->text().data();
      const char* end = cursor.begin + source->text().size();
      JsonEvents events(builder, cursor);
      Json::sax_parse(JsonIterator(&cursor, end), JsonIterator(nullptr, end), &events);
      if (events.error) {
        events.error->file = path;
        result.errors.push_back(std::move(*events.error));
        return result;
      }
    } else {
      std::istringstream in(source->text());
      YamlEvents events(builder);
      YAML::Parser parser(in);
      while (parser.HandleNextDocument(events)) {
      }
    }
  } catch (const LoadAbort& abort) {
    result.errors.push_back(abort.error);
    return result;
  } catch (const YAML::Exception& e) {
    Position pos = to_position(e.mark);
    std::string msg = clean_yaml_message(e.msg);
    if (dynamic_cast<const YAML::DeepRecursion*>(&e)) msg = "values are nested too deeply for the YAML parser";
    result.errors.push_back(input_error(kErrSyntax, path, pos, "malformed YAML: " + msg));
    return result;
  }
  if (!builder.has_root() || doc.root.is_null()) {
    result.errors.push_back(input_error(kErrSyntax, path, {1, 1}, "the spec is empty",
                                        "a spec is a mapping that starts with `mlarch: 1`"));
    return result;
  }
  doc.locations.seal();
  for (const auto& d : builder.duplicates) {
    const NodeLocation* first = doc.locations.find(d.key);
    result.errors.push_back(input_error(
        kErrDuplicateKey, path, d.pos,
        fmt::format("duplicate key '{}'; it is already defined at line {}", d.name, first ? first->key.line : 0),
        "remove one of the two entries: parsers keep only one of them, silently"));
  }
  if (!result.errors.empty()) return result;
  result.document = std::move(doc);
  return result;
}

LoadResult load_document(const std::string& path, const LoadLimits& limits) {
  LoadResult result;
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    result.errors.push_back(input_error(kErrUnreadable, path, {}, "is a directory, not a spec file"));
    return result;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    result.errors.push_back(input_error(kErrUnreadable, path, {},
                                        fmt::format("cannot read file: {}", std::generic_category().message(errno))));
    return result;
  }
  in.seekg(0, std::ios::end);
  auto size = in.tellg();
  if (size < 0) {
    result.errors.push_back(input_error(kErrUnreadable, path, {}, "cannot read file"));
    return result;
  }
  if (static_cast<std::size_t>(size) > limits.max_bytes) {
    result.errors.push_back(too_large(path, static_cast<std::size_t>(size), limits));
    return result;
  }
  in.seekg(0);
  std::string text(static_cast<std::size_t>(size), '\0');
  in.read(text.data(), size);
  if (!in) {
    result.errors.push_back(input_error(kErrUnreadable, path, {}, "cannot read file"));
    return result;
  }
  return load_document_from_text(path, std::move(text), limits);
}

std::optional<double> json_number(const Json& j, std::string_view key) {
  if (!j.is_object()) return std::nullopt;
  auto it = j.find(std::string(key));
  if (it == j.end() || !it->is_number()) return std::nullopt;
  return it->get<double>();
}

std::string json_string(const Json& j, std::string_view key) {
  if (!j.is_object()) return {};
  auto it = j.find(std::string(key));
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace mlarch
