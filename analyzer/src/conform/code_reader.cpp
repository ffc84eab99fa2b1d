// The only file that sees Clang: LibTooling parses each translation unit with the flags of the
// compilation database; preprocessor callbacks record #includes and AST matchers record uses of
// other files' declarations and the calls the rules watch.
#include "mlarch/analyzer/code_reader.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <set>
#include <thread>
#include <tuple>

#include <clang/AST/ASTContext.h>
#include <clang/AST/RecursiveASTVisitor.h>
#include <clang/ASTMatchers/ASTMatchFinder.h>
#include <clang/ASTMatchers/ASTMatchers.h>
#include <clang/Basic/Diagnostic.h>
#include <clang/Basic/SourceManager.h>
#include <clang/Frontend/CompilerInstance.h>
#include <clang/Frontend/FrontendActions.h>
#include <clang/Lex/PPCallbacks.h>
#include <clang/Lex/Preprocessor.h>
#include <clang/Tooling/ArgumentsAdjusters.h>
#include <clang/Tooling/CompilationDatabase.h>
#include <clang/Tooling/JSONCompilationDatabase.h>
#include <clang/Tooling/Tooling.h>
#include <llvm/Support/Path.h>
#include <llvm/Support/VirtualFileSystem.h>

namespace mlarch {

namespace {

namespace am = clang::ast_matchers;

std::string absolute(const clang::SourceManager& sm, const clang::FileEntry& entry) {
  if (auto real = entry.tryGetRealPathName(); !real.empty()) return real.str();
  llvm::SmallString<256> path(entry.getName());
  sm.getFileManager().makeAbsolutePath(path);
  llvm::sys::path::remove_dots(path, true);
  return path.str().str();
}

// The absolute path of the file a location is expanded in, or empty (built-ins, scratch space).
std::string file_of(const clang::SourceManager& sm, clang::SourceLocation loc) {
  const clang::FileEntry* entry = sm.getFileEntryForID(sm.getFileID(sm.getExpansionLoc(loc)));
  return entry ? absolute(sm, *entry) : std::string();
}

CodeLocation location_of(const clang::SourceManager& sm, clang::SourceLocation loc) {
  clang::SourceLocation expansion = sm.getExpansionLoc(loc);
  return {file_of(sm, expansion),
          {static_cast<int>(sm.getExpansionLineNumber(expansion)), static_cast<int>(sm.getExpansionColumnNumber(expansion))}};
}

// #includes written in the project's own files (not in system headers).
class IncludeRecorder : public clang::PPCallbacks {
 public:
  IncludeRecorder(const clang::SourceManager& sm, TranslationUnitFacts& out) : sm_(sm), out_(out) {}

  void InclusionDirective(clang::SourceLocation hash, const clang::Token&, llvm::StringRef name, bool angled,
                          clang::CharSourceRange, const clang::FileEntry* file, llvm::StringRef, llvm::StringRef,
                          const clang::Module*, clang::SrcMgr::CharacteristicKind) override {
    if (!file || sm_.isInSystemHeader(hash)) return;
    CodeUse use;
    use.kind = CodeUse::Kind::include;
    use.at = location_of(sm_, hash);
    use.target_file = absolute(sm_, *file);
    use.name = "#include " + std::string(angled ? "<" : "\"") + name.str() + (angled ? ">" : "\"");
    out_.uses.push_back(std::move(use));
  }

 private:
  const clang::SourceManager& sm_;
  TranslationUnitFacts& out_;
};

// The names an argument mentions: variables, parameters, fields. Not those passed through a
// function first (`redact(user.email)`): what reaches the caller is the function's result.
class NameCollector : public clang::RecursiveASTVisitor<NameCollector> {
 public:
  explicit NameCollector(std::vector<std::string>& names) : names_(names) {}
  bool TraverseCallExpr(clang::CallExpr*) { return true; }
  bool VisitDeclRefExpr(clang::DeclRefExpr* e) {
    names_.push_back(e->getDecl()->getNameAsString());
    return true;
  }
  bool VisitMemberExpr(clang::MemberExpr* e) {
    names_.push_back(e->getMemberDecl()->getNameAsString());
    return true;
  }

 private:
  std::vector<std::string>& names_;
};

std::string name_of_target(const clang::Expr* e) {
  e = e->IgnoreParenImpCasts();
  if (const auto* ref = llvm::dyn_cast<clang::DeclRefExpr>(e)) return ref->getDecl()->getNameAsString();
  if (const auto* member = llvm::dyn_cast<clang::MemberExpr>(e)) return member->getMemberDecl()->getNameAsString();
  return {};
}

class MatchRecorder : public am::MatchFinder::MatchCallback {
 public:
  MatchRecorder(TranslationUnitFacts& out, const std::function<bool(std::string_view)>& watch) : out_(out), watch_(watch) {}

  void run(const am::MatchFinder::MatchResult& result) override {
    const clang::SourceManager& sm = *result.SourceManager;
    if (const auto* call = result.Nodes.getNodeAs<clang::CallExpr>("call")) {
      record_call(*call, *result.Nodes.getNodeAs<clang::FunctionDecl>("callee"), *result.Context);
      return;
    }
    const auto* decl = result.Nodes.getNodeAs<clang::NamedDecl>("decl");
    clang::SourceLocation at;
    CodeUse::Kind kind = CodeUse::Kind::function;
    if (const auto* ref = result.Nodes.getNodeAs<clang::DeclRefExpr>("ref")) {
      at = ref->getBeginLoc();  // with its qualifier: `trainer::fit`
      kind = llvm::isa<clang::VarDecl>(decl) ? CodeUse::Kind::global : CodeUse::Kind::function;
    } else if (const auto* member = result.Nodes.getNodeAs<clang::MemberExpr>("member")) {
      at = member->getMemberLoc();
    } else if (const auto* type = result.Nodes.getNodeAs<clang::TypeLoc>("type")) {
      at = type->getBeginLoc();
      kind = CodeUse::Kind::type;
    }
    if (at.isInvalid() || sm.isInSystemHeader(sm.getExpansionLoc(decl->getLocation()))) return;
    std::string target = file_of(sm, decl->getLocation());
    CodeLocation where = location_of(sm, at);
    if (target.empty() || where.file.empty() || target == where.file) return;
    // One use per line and file used: a qualified type matches twice (an elaborated type around
    // a record type), and `b::Request r = b::make();` is one dependency, not two.
    if (!seen_.emplace(where.file, where.position.line, target).second) return;
    out_.uses.push_back({kind, std::move(where), std::move(target), decl->getQualifiedNameAsString()});
  }

 private:
  void record_call(const clang::CallExpr& call, const clang::FunctionDecl& callee, clang::ASTContext& context) {
    std::string name = callee.getQualifiedNameAsString();
    if (!watch_(name)) return;
    CodeCall out;
    out.at = location_of(context.getSourceManager(), call.getBeginLoc());
    out.callee = std::move(name);
    for (const clang::Expr* arg : call.arguments()) {
      CodeCall::Argument a;
      clang::Expr::EvalResult value;
      if (!arg->isValueDependent() && arg->EvaluateAsInt(value, context)) a.value = value.Val.getInt().getExtValue();
      if (const auto* ref = llvm::dyn_cast<clang::DeclRefExpr>(arg->IgnoreParenImpCasts()))
        if (llvm::isa<clang::EnumConstantDecl>(ref->getDecl())) a.constant = ref->getDecl()->getNameAsString();
      NameCollector(a.names).TraverseStmt(const_cast<clang::Expr*>(arg));
      out.arguments.push_back(std::move(a));
    }
    // Walk up to the enclosing function, noting the variable the result goes to on the way.
    clang::DynTypedNodeList parents = context.getParents(call);
    for (int depth = 0; !parents.empty() && depth < 64; ++depth) {
      const clang::DynTypedNode& parent = parents[0];
      if (const auto* fn = parent.get<clang::FunctionDecl>()) {
        out.function = fn->getQualifiedNameAsString();
        break;
      }
      if (const auto* var = parent.get<clang::VarDecl>(); var && out.variable.empty()) out.variable = var->getNameAsString();
      if (const auto* op = parent.get<clang::BinaryOperator>(); op && op->isAssignmentOp() && out.variable.empty())
        out.variable = name_of_target(op->getLHS());
      if (const auto* op = parent.get<clang::CXXOperatorCallExpr>(); op && op->isAssignmentOp() && out.variable.empty())
        out.variable = name_of_target(op->getArg(0));
      parents = context.getParents(parent);
    }
    out_.calls.push_back(std::move(out));
  }

  TranslationUnitFacts& out_;
  const std::function<bool(std::string_view)>& watch_;
  std::set<std::tuple<std::string, int, std::string>> seen_;
};

class FactsAction : public clang::ASTFrontendAction {
 public:
  FactsAction(TranslationUnitFacts& out, const std::function<bool(std::string_view)>& watch)
      : out_(out), recorder_(out, watch) {
    using namespace am;
    auto own = unless(isExpansionInSystemHeader());
    finder_.addMatcher(
        declRefExpr(own, to(namedDecl(anyOf(functionDecl(), varDecl(hasGlobalStorage()), enumConstantDecl())).bind("decl")))
            .bind("ref"),
        &recorder_);
    finder_.addMatcher(memberExpr(own, member(cxxMethodDecl().bind("decl"))).bind("member"), &recorder_);
    finder_.addMatcher(typeLoc(own, loc(qualType(hasDeclaration(namedDecl(anyOf(tagDecl(), typedefNameDecl())).bind("decl")))))
                           .bind("type"),
                       &recorder_);
    finder_.addMatcher(callExpr(own, callee(functionDecl().bind("callee"))).bind("call"), &recorder_);
  }

  std::unique_ptr<clang::ASTConsumer> CreateASTConsumer(clang::CompilerInstance& ci, llvm::StringRef) override {
    ci.getPreprocessor().addPPCallbacks(std::make_unique<IncludeRecorder>(ci.getSourceManager(), out_));
    return finder_.newASTConsumer();
  }

 private:
  TranslationUnitFacts& out_;
  MatchRecorder recorder_;
  am::MatchFinder finder_;
};

class FactsActionFactory : public clang::tooling::FrontendActionFactory {
 public:
  FactsActionFactory(TranslationUnitFacts& out, const std::function<bool(std::string_view)>& watch)
      : out_(out), watch_(watch) {}
  std::unique_ptr<clang::FrontendAction> create() override { return std::make_unique<FactsAction>(out_, watch_); }

 private:
  TranslationUnitFacts& out_;
  const std::function<bool(std::string_view)>& watch_;
};

// Keeps the first error of a unit, and prints nothing: a file that does not parse is a finding
// of the report, not noise on stderr.
class FirstError : public clang::DiagnosticConsumer {
 public:
  explicit FirstError(TranslationUnitFacts& out) : out_(out) {}
  void HandleDiagnostic(clang::DiagnosticsEngine::Level level, const clang::Diagnostic& info) override {
    clang::DiagnosticConsumer::HandleDiagnostic(level, info);
    if (level < clang::DiagnosticsEngine::Error || !out_.error.empty()) return;
    llvm::SmallString<256> message;
    info.FormatDiagnostic(message);
    out_.error = message.str().str();
    if (info.hasSourceManager() && info.getLocation().isValid())
      out_.error_at = location_of(info.getSourceManager(), info.getLocation());
  }

 private:
  TranslationUnitFacts& out_;
};

class ClangCodeReader : public CodeReader {
 public:
  explicit ClangCodeReader(std::unique_ptr<clang::tooling::CompilationDatabase> db) : db_(std::move(db)) {}

  std::vector<std::string> files() const override {
    std::vector<std::string> out = db_->getAllFiles();
    std::sort(out.begin(), out.end());
    return out;
  }

  std::vector<TranslationUnitFacts> read(const std::vector<std::string>& files, int jobs,
                                         const std::function<bool(std::string_view)>& watch) const override {
    std::vector<TranslationUnitFacts> out(files.size());
    std::atomic<std::size_t> next{0};
    auto worker = [&] {
      for (std::size_t i = next++; i < files.size(); i = next++) read_one(files[i], watch, out[i]);
    };
    std::size_t threads = std::clamp<std::size_t>(static_cast<std::size_t>(std::max(jobs, 1)), 1, std::max<std::size_t>(files.size(), 1));
    std::vector<std::thread> pool;
    for (std::size_t t = 1; t < threads; ++t) pool.emplace_back(worker);
    worker();
    for (auto& t : pool) t.join();
    return out;
  }

 private:
  void read_one(const std::string& file, const std::function<bool(std::string_view)>& watch,
                TranslationUnitFacts& out) const {
    auto start = std::chrono::steady_clock::now();
    out.file = file;
    // One tool per unit, each on its own view of the file system: a tool changes its working
    // directory to the unit's, and the process has only one (AllTUsToolExecutor does the same).
    clang::tooling::ClangTool tool(*db_, {file}, std::make_shared<clang::PCHContainerOperations>(),
                                   llvm::IntrusiveRefCntPtr<llvm::vfs::FileSystem>(llvm::vfs::createPhysicalFileSystem()));
    tool.setPrintErrorMessage(false);
    tool.setRestoreWorkingDir(false);
    FirstError errors(out);
    tool.setDiagnosticConsumer(&errors);
    // Clang finds its own headers (<stddef.h>, ...) relative to its binary; the compilation
    // database names g++ or a clang elsewhere, so point it at the installed ones.
    tool.appendArgumentsAdjuster(clang::tooling::getInsertArgumentAdjuster(
        "-resource-dir=" MLARCH_CLANG_RESOURCE_DIR, clang::tooling::ArgumentInsertPosition::END));
    tool.appendArgumentsAdjuster(
        clang::tooling::getInsertArgumentAdjuster("-Wno-unknown-warning-option", clang::tooling::ArgumentInsertPosition::END));
    FactsActionFactory factory(out, watch);
    int rc = tool.run(&factory);
    if (rc != 0 || errors.getNumErrors() > 0) {
      out.failed = true;
      if (out.error.empty()) out.error = rc == 2 ? "no compile command for this file" : "the compiler could not run";
    }
    out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }

  std::unique_ptr<clang::tooling::CompilationDatabase> db_;
};

}  // namespace

std::unique_ptr<CodeReader> CodeReader::open(const std::string& path, std::string& error) {
  std::error_code ec;
  std::unique_ptr<clang::tooling::CompilationDatabase> db;
  if (std::filesystem::is_directory(path, ec)) {
    db = clang::tooling::CompilationDatabase::loadFromDirectory(path, error);
  } else {
    db = clang::tooling::JSONCompilationDatabase::loadFromFile(path, error,
                                                                clang::tooling::JSONCommandLineSyntax::AutoDetect);
  }
  if (!db) return nullptr;
  return std::make_unique<ClangCodeReader>(std::move(db));
}

}  // namespace mlarch
