// The conformance pipeline: who owns which file, the code's dependencies between components,
// the code rules over them, then the suppressions lint applies. Clang stays behind CodeReader.
#include "mlarch/analyzer/conform.hpp"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include <fmt/format.h>

#include "code_rules.hpp"
#include "mlarch/analyzer/code_reader.hpp"
#include "mlarch/analyzer/graph.hpp"

namespace fs = std::filesystem;

namespace mlarch {

bool glob_match(std::string_view pattern, std::string_view path) {
  if (pattern.empty()) return path.empty();
  if (pattern.starts_with("**/")) {
    // Zero or more whole folders.
    if (glob_match(pattern.substr(3), path)) return true;
    for (std::size_t i = 0; i < path.size(); ++i)
      if (path[i] == '/' && glob_match(pattern.substr(3), path.substr(i + 1))) return true;
    return false;
  }
  if (pattern.starts_with("**")) {
    for (std::size_t i = 0; i <= path.size(); ++i)
      if (glob_match(pattern.substr(2), path.substr(i))) return true;
    return false;
  }
  if (pattern[0] == '*') {
    for (std::size_t i = 0; i <= path.size(); ++i) {
      if (glob_match(pattern.substr(1), path.substr(i))) return true;
      if (i < path.size() && path[i] == '/') break;
    }
    return false;
  }
  if (path.empty()) return false;
  if (pattern[0] == '?' ? path[0] == '/' : pattern[0] != path[0]) return false;
  return glob_match(pattern.substr(1), path.substr(1));
}

namespace {

// A file's path relative to a folder ('/'-separated), or nothing when it is not below it.
std::optional<std::string> path_below(const fs::path& root, const std::string& file) {
  std::error_code ec;
  fs::path canonical = fs::weakly_canonical(file, ec);
  std::string relative = (ec ? fs::path(file) : canonical).lexically_relative(root).generic_string();
  if (relative.empty() || relative.starts_with("..")) return std::nullopt;
  return relative;
}

// Which component owns a file: the one with the longest glob that matches the file's path
// relative to the spec's folder.
class Ownership {
 public:
  Ownership(const System& system, fs::path root) : root_(std::move(root)) {
    for (std::size_t i = 0; i < system.components.size(); ++i)
      for (const auto& glob : system.components[i].code_paths)
        globs_.push_back({glob.ends_with("/") ? glob + "**" : glob, i});
    std::stable_sort(globs_.begin(), globs_.end(), [](const auto& a, const auto& b) { return a.first.size() > b.first.size(); });
  }

  std::optional<std::size_t> owner(const std::string& file) {
    auto [it, inserted] = cache_.try_emplace(file);
    if (!inserted) return it->second;
    std::optional<std::string> relative = path_below(root_, file);
    if (!relative) return it->second = std::nullopt;
    for (const auto& [glob, component] : globs_)
      if (glob_match(glob, *relative)) return it->second = component;
    return it->second = std::nullopt;
  }

 private:
  fs::path root_;
  std::vector<std::pair<std::string, std::size_t>> globs_;
  std::map<std::string, std::optional<std::size_t>> cache_;
};

// How findings name a file: relative to the working directory when below it, as lint names specs.
std::string display_path(const std::string& file) {
  std::error_code ec;
  fs::path relative = fs::path(file).lexically_relative(fs::current_path(ec));
  if (ec || relative.empty() || relative.string().starts_with("..")) return file;
  return relative.generic_string();
}

SourceFilePtr read_source(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return nullptr;
  std::ostringstream text;
  text << in.rdbuf();
  return std::make_shared<SourceFile>(path, text.str());
}

Finding spec_error(const LoadedSpec& spec, const std::string& file, std::string_view pointer, std::string message,
                   std::string help = {}) {
  Position pos = spec.document ? finding_position(*spec.document, pointer) : Position{1, 1};
  Finding f = input_error(kErrUnreadable, file, pos, std::move(message), std::move(help));
  f.pointer = std::string(pointer);
  return f;
}

}  // namespace

LintReport conform(const std::string& spec_path, const ConformOptions& options, const Catalog& catalog,
                   ConformTiming* timing) {
  auto start = std::chrono::steady_clock::now();
  LintReport report;
  report.command = "conform";
  std::vector<Finding>& out = report.findings;
  Suppressions suppressions(options.lint, catalog, {RuleEngine::code, RuleEngine::meta}, out);
  report.files.push_back(spec_path);

  LoadedSpec spec = load_spec(spec_path);
  if (spec.source) report.sources[spec_path] = spec.source;
  if (spec.document) report.documents.push_back(spec.document);
  out.insert(out.end(), spec.errors.begin(), spec.errors.end());
  if (!spec.system) {
    suppressions.finish(report);
    return report;
  }
  const System& system = *spec.system;
  const Document& doc = *spec.document;
  std::error_code ec;
  fs::path spec_dir = fs::weakly_canonical(fs::absolute(spec_path, ec).parent_path(), ec);

  std::string database = options.build_path;
  if (database.empty() && !system.compile_commands.empty()) database = (spec_dir / system.compile_commands).string();
  if (database.empty()) {
    out.push_back(spec_error(spec, spec_path, "", "the spec names no compilation database",
                             "add `code: {compile_commands: build/compile_commands.json}` to the spec, or pass -p BUILD_DIR"));
    suppressions.finish(report);
    return report;
  }
  std::string error;
  std::unique_ptr<CodeReader> reader = CodeReader::open(database, error);
  if (!reader) {
    // Named in the spec: point there. Named with -p: there is no place in a file to point at.
    std::string message = fmt::format("cannot load the compilation database '{}': {}", database, error);
    std::string help = "build with CMAKE_EXPORT_COMPILE_COMMANDS=ON, then name the build folder with -p";
    out.push_back(options.build_path.empty() ? spec_error(spec, spec_path, "/code/compile_commands", message, help)
                                             : input_error(kErrUnreadable, database, {}, message, help));
    suppressions.finish(report);
    return report;
  }

  // Units no component owns are not parsed; those below the spec's folder are reported as
  // unowned code (those elsewhere, such as third-party code built alongside, are not the system's).
  Ownership ownership(system, spec_dir);
  std::vector<std::string> owned, unowned;
  int skipped = 0;
  for (const auto& file : reader->files()) {
    if (ownership.owner(file)) {
      owned.push_back(file);
      continue;
    }
    ++skipped;
    if (path_below(spec_dir, file)) unowned.push_back(file);
  }
  int jobs = options.jobs > 0 ? options.jobs : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  std::vector<TranslationUnitFacts> units = reader->read(owned, jobs, watched_call);

  TranslationUnitCounts counts;
  counts.skipped = skipped;
  CodeFacts facts{doc, system, {}, {}, {}};
  std::set<std::tuple<std::string, int, int, std::string>> seen;  // headers are read once per unit including them
  double parse_seconds = 0;
  for (const auto& unit : units) {
    parse_seconds += unit.seconds;
    if (unit.failed) {
      ++counts.failed;
      std::string file = unit.error_at.file.empty() ? unit.file : unit.error_at.file;
      out.push_back(input_error(kErrCodeParse, display_path(file), unit.error_at.position,
                                fmt::format("cannot parse '{}': {}", display_path(unit.file), unit.error),
                                "fix the error, or check that the compilation database matches the sources"));
    } else {
      ++counts.read;
    }
    report.files.push_back(display_path(unit.file));
    for (const auto& use : unit.uses) {
      auto from = ownership.owner(use.at.file), to = ownership.owner(use.target_file);
      if (!from || !to || *from == *to) continue;
      if (!seen.emplace(use.at.file, use.at.position.line, 0, use.target_file).second) continue;
      facts.dependencies.push_back({*from, *to, use});
    }
    for (const auto& call : unit.calls) {
      auto owner = ownership.owner(call.at.file);
      if (!owner || !seen.emplace(call.at.file, call.at.position.line, call.at.position.column, call.callee).second) continue;
      facts.calls.push_back({*owner, call});
    }
  }
  facts.unowned = unowned;

  RuleSelection selection = suppressions.selection_for(spec_path, out);
  SystemGraph graph(system);
  std::vector<Finding> findings;
  run_code_rules(catalog, facts, graph, selection, findings);

  // Code findings point into the C++ sources; the text renderer shows their lines.
  std::set<std::string> files_with_findings;
  for (auto& f : findings) {
    if (f.file == spec_path) continue;
    f.file = display_path(f.file);
    files_with_findings.insert(f.file);
  }
  for (const auto& unit : units) files_with_findings.insert(display_path(unit.file));
  for (const auto& file : files_with_findings) {
    SourceFilePtr source = read_source(file);
    if (!source) continue;
    report.sources[file] = source;
    suppressions.apply_inline(*source, "//", selection, [](const Finding&) { return 0; }, findings);
  }
  suppressions.apply_inline(*doc.source, "#", selection,
                            [&](const Finding& f) { return doc.key_position(element_at(doc, f.pointer).pointer).line; },
                            findings);
  suppressions.apply_ignores(spec_path, findings);
  out.insert(out.end(), std::make_move_iterator(findings.begin()), std::make_move_iterator(findings.end()));
  report.translation_units = counts;
  suppressions.finish(report);
  if (timing) {
    timing->threads = std::min<int>(jobs, std::max<int>(1, static_cast<int>(owned.size())));
    timing->parse_seconds = parse_seconds;
    timing->seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }
  return report;
}

}  // namespace mlarch
