// A loaded spec: its values as JSON, and where each value came from in the source file.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "mlarch/analyzer/diagnostic.hpp"
#include "mlarch/analyzer/source.hpp"

namespace mlarch {

using Json = nlohmann::json;

// Where a value sits: its key (for mapping entries) and the value itself.
struct NodeLocation {
  Position key;
  Position value;
};

// Where every value of a document came from, by JSON pointer. Keys are 64-bit hashes chained
// token by token, so the loader never builds a pointer string per value (a 10,000-component
// spec has half a million values).
class SourceMap {
 public:
  using Key = std::uint64_t;
  static constexpr Key root() { return 0x9E3779B97F4A7C15ull; }
  static Key child(Key parent, std::string_view token);
  static Key child(Key parent, std::size_t index);
  // The key of a JSON pointer; `prefixes` (optional) receives the key of every ancestor too,
  // root first.
  static Key of(std::string_view pointer, std::vector<Key>* prefixes = nullptr);

  void reserve(std::size_t n) { entries_.reserve(n); }
  // Records a location; when a key is recorded twice, the first one wins. Call seal() once all
  // are added (the loader does), before any find().
  void add(Key key, NodeLocation loc) { entries_.push_back({key, loc}); }
  void seal();
  const NodeLocation* find(Key key) const;
  const NodeLocation* find(std::string_view pointer) const { return find(of(pointer)); }
  std::size_t size() const { return entries_.size(); }

 private:
  // A sorted vector rather than a hash map: one allocation for half a million entries, and
  // lookups (a few per finding) are binary searches.
  struct Entry {
    Key key;
    NodeLocation loc;
  };
  std::vector<Entry> entries_;
};

class Document {
 public:
  SourceFilePtr source;
  Json root;
  SourceMap locations;

  const std::string& path() const { return source->path(); }
  // The position of the value at `pointer`, or of its nearest ancestor that has one.
  Position value_position(std::string_view pointer) const;
  // The position of the key of the entry at `pointer` (of its value for sequence items), or of
  // its nearest ancestor's key.
  Position key_position(std::string_view pointer) const;
  // The value at `pointer`, or nullptr.
  const Json* find(std::string_view pointer) const;
};

struct LoadLimits {
  std::size_t max_bytes = 32u << 20;   // larger files are refused, not parsed
  int max_depth = 256;                 // deeper nesting is refused
  std::size_t min_alias_budget = 100000;  // values that aliases may add beyond the parsed ones
};

// The result of loading: a document, or the input errors that prevented one.
struct LoadResult {
  std::optional<Document> document;
  std::vector<Finding> errors;
  SourceFilePtr source;  // set whenever the file could be read
};

// Input error codes.
inline constexpr std::string_view kErrUnreadable = "E001";
inline constexpr std::string_view kErrSyntax = "E002";
inline constexpr std::string_view kErrDuplicateKey = "E003";
inline constexpr std::string_view kErrSchema = "E004";
inline constexpr std::string_view kErrReference = "E005";

LoadResult load_document(const std::string& path, const LoadLimits& limits = {});
LoadResult load_document_from_text(std::string path, std::string text, const LoadLimits& limits = {});

// JSON pointer helpers (RFC 6901).
std::string pointer_escape(std::string_view token);
std::string pointer_append(std::string_view base, std::string_view token);
std::string pointer_append(std::string_view base, std::size_t index);
std::string pointer_parent(std::string_view pointer);

// A finding-shaped input error at a position.
Finding input_error(std::string_view code, const std::string& file, Position pos, std::string message,
                    std::string help = {});

}  // namespace mlarch

namespace mlarch {

// The spec element a pointer falls in: kind ("component", "model", "dataset", "flow",
// "workload", "slo", "system", "hardware"), its id, and its own pointer.
struct ElementRef {
  std::string kind;
  std::string id;
  std::string pointer;
  // e.g. "component 'gateway'", or "the spec" at the top level
  std::string describe() const;
};

ElementRef element_at(const Document& doc, std::string_view pointer);

// A member of a JSON object read as a number (empty when absent, not a number, or `j` is not an
// object) or as a string (empty when absent or not a string).
std::optional<double> json_number(const Json& j, std::string_view key);
std::string json_string(const Json& j, std::string_view key);

// The tokens of a JSON pointer, unescaped.
std::vector<std::string> pointer_tokens(std::string_view pointer);

}  // namespace mlarch
