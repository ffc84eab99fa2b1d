// Reading C++ code with Clang LibTooling: which files each translation unit's code uses (its
// #includes, and the functions, types and globals it uses from other files), and the calls the
// conformance rules watch. Plain data out, so that only code_reader.cpp sees Clang.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mlarch/analyzer/diagnostic.hpp"

namespace mlarch {

// A place in the code. `file` is absolute, as the compiler opened it.
struct CodeLocation {
  std::string file;
  Position position;
  friend bool operator==(const CodeLocation&, const CodeLocation&) = default;
};

// A use of code written in another file: an #include of it, or a use of a function, type or
// global variable declared there.
struct CodeUse {
  enum class Kind { include, function, type, global };
  Kind kind = Kind::include;
  CodeLocation at;
  std::string target_file;  // absolute
  std::string name;         // "#include \"trainer/trainer.hpp\"", or the qualified name used
};

// A call to a function the rules watch, with what its arguments and its surroundings say.
struct CodeCall {
  struct Argument {
    std::optional<long long> value;  // when it is an integer constant
    std::string constant;            // the enumerator or macro-free constant it names, if any
    std::vector<std::string> names;  // the variables, parameters and fields it mentions
  };
  CodeLocation at;
  std::string callee;    // qualified, without a leading "::": "system", "spdlog::info"
  std::string function;  // the function the call is written in
  std::string variable;  // the variable the result initialises or is assigned to, if any
  std::vector<Argument> arguments;
};

struct TranslationUnitFacts {
  std::string file;  // as the compilation database names it (absolute)
  bool failed = false;
  std::string error;  // the first error, when it failed
  CodeLocation error_at;
  double seconds = 0;  // wall time of this unit's parse
  std::vector<CodeUse> uses;
  std::vector<CodeCall> calls;
};

// One compilation database, and a pool of Clang front ends over it.
class CodeReader {
 public:
  // Loads `compile_commands.json` (a file, or a build folder that holds one). Returns nullptr and
  // sets `error` when it cannot.
  static std::unique_ptr<CodeReader> open(const std::string& path, std::string& error);
  virtual ~CodeReader() = default;

  // The translation units the database lists (absolute paths, sorted).
  virtual std::vector<std::string> files() const = 0;
  // Parses `files` with the flags recorded for them, `jobs` at a time (one Clang tool per
  // thread). `watch` says which callees (qualified names) to record calls of; it is called from
  // several threads. A unit that does not parse is marked failed, never thrown.
  virtual std::vector<TranslationUnitFacts> read(const std::vector<std::string>& files, int jobs,
                                                 const std::function<bool(std::string_view)>& watch) const = 0;
};

}  // namespace mlarch
