// The code rules (engine `code` in the catalog): what they see of the code, and their registry.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "mlarch/analyzer/code_reader.hpp"
#include "mlarch/analyzer/model.hpp"
#include "mlarch/analyzer/rules.hpp"

namespace mlarch {

// Code of component `from` uses code of component `to`.
struct CodeDependency {
  std::size_t from = 0, to = 0;
  CodeUse use;
};

struct CodeCallSite {
  std::size_t component = 0;
  CodeCall call;
};

// Everything the code rules look at, each fact once (a header's are seen once per unit).
struct CodeFacts {
  const Document& doc;
  const System& system;
  std::vector<CodeDependency> dependencies;
  std::vector<CodeCallSite> calls;
  std::vector<std::string> unowned;  // translation units below the spec's folder that no component owns
};

// How a code rule reports: at a place in the code (about a component), or in the spec.
class CodeReporter {
 public:
  explicit CodeReporter(const RuleContext& context) : spec(context) {}
  const RuleContext& spec;
  Finding& at(const CodeLocation& where, std::size_t component, std::string message, std::string help = {}) const;
};

using CodeCheck = void (*)(const CodeFacts&, const CodeReporter&);
struct CodeRule {
  std::string_view id;
  CodeCheck check;
};
// The explicit registry of code rules (code_rules.cpp).
std::span<const CodeRule> code_rules();

// Whether the reader should record calls to a callee (qualified name): the calls some rule looks at.
bool watched_call(std::string_view callee);

void run_code_rules(const Catalog& catalog, const CodeFacts& facts, const SystemGraph& graph,
                    const RuleSelection& selection, std::vector<Finding>& out);

}  // namespace mlarch
