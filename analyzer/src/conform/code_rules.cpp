// The code rules: dependencies between components against the spec's flows, unowned code, and
// forbidden uses by component kind. One function per rule, listed in code_rules() below.
#include "code_rules.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>
#include <stdexcept>

#include <fmt/format.h>

#include "mlarch/analyzer/conform.hpp"

namespace mlarch {

Finding& CodeReporter::at(const CodeLocation& where, std::size_t component, std::string message, std::string help) const {
  const Component& c = spec.system.components[component];
  Finding& f = spec.report(pointer_append(c.pointer, "code"), std::move(message), std::move(help));
  f.notes.insert(f.notes.begin(), fmt::format("{}:{}:{}: component '{}' owns this code (`code.paths`)", f.file,
                                              f.position.line, f.position.column, c.id));
  f.file = where.file;
  f.position = where.position;
  return f;
}

namespace {

constexpr std::string_view kProcessSpawners[] = {"system", "popen",  "execl",   "execle",  "execlp",      "execv",
                                                 "execve", "execvp", "execvpe", "fexecve", "posix_spawn", "posix_spawnp"};
constexpr std::string_view kPredictableRandom[] = {"rand",    "srand",   "random",  "srandom", "rand_r", "drand48",
                                                   "erand48", "lrand48", "nrand48", "mrand48", "jrand48"};
constexpr std::string_view kTlsVerification[] = {"curl_easy_setopt", "SSL_CTX_set_verify", "SSL_set_verify"};

template <std::size_t N>
bool one_of(const std::string_view (&names)[N], std::string_view name) {
  return std::find(std::begin(names), std::end(names), name) != std::end(names);
}

// The words of an identifier: snake_case and camelCase split, lowercased.
std::vector<std::string> words(std::string_view identifier) {
  std::vector<std::string> out(1);
  for (std::size_t i = 0; i < identifier.size(); ++i) {
    char c = identifier[i];
    bool upper = std::isupper(static_cast<unsigned char>(c));
    if (!std::isalnum(static_cast<unsigned char>(c)) || (upper && i > 0 && std::islower(static_cast<unsigned char>(identifier[i - 1])))) {
      if (!out.back().empty()) out.emplace_back();
      if (!std::isalnum(static_cast<unsigned char>(c))) continue;
    }
    out.back() += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  if (out.back().empty()) out.pop_back();
  return out;
}

std::string last_name(std::string_view qualified) {
  auto colon = qualified.rfind("::");
  return std::string(colon == std::string_view::npos ? qualified : qualified.substr(colon + 2));
}

// Logging calls: functions named log or log_* (logInfo), printf-style output, and functions of
// a logging namespace or class (spdlog::info, logging::warn, Logger::error).
bool is_logging(std::string_view callee) {
  std::string name = last_name(callee);
  if (name == "log" || name.starts_with("log_") || (name.size() > 3 && name.starts_with("log") && std::isupper(static_cast<unsigned char>(name[3]))))
    return true;
  if (name == "printf" || name == "fprintf" || name == "syslog") return true;
  std::string scope(callee.substr(0, callee.size() - std::min(callee.size(), name.size())));
  for (const auto& w : words(scope))
    if (w == "log" || w == "logger" || w == "logging" || w == "spdlog" || w == "glog") return true;
  return false;
}

// Words that say a value guards something: a token, a secret, a session, a password.
bool names_a_security_decision(std::string_view identifier) {
  static const std::set<std::string> kWords = {"token", "secret", "nonce", "salt", "password", "passwd", "passphrase",
                                               "session", "csrf", "otp", "credential", "credentials", "auth", "login",
                                               "signature", "crypto", "encrypt", "iv", "apikey", "pin"};
  for (const auto& w : words(identifier))
    if (kWords.count(w)) return true;
  return false;
}

bool is_serving(ComponentKind kind) {
  switch (kind) {
    case ComponentKind::gateway:
    case ComponentKind::load_balancer:
    case ComponentKind::service:
    case ComponentKind::feature_store:
    case ComponentKind::model_server:
    case ComponentKind::cache:
    case ComponentKind::vector_store:
      return true;
    default:
      return false;
  }
}

bool is_model_server_into_training(const CodeFacts& facts, const CodeDependency& d) {
  return facts.system.components[d.from].kind == ComponentKind::model_server &&
         facts.system.components[d.to].kind == ComponentKind::training_pipeline;
}

// The uses that show a dependency, file by file: the functions, types and globals used; an
// #include only when nothing of what it brings is used in that file (it is then the dependency).
std::vector<const CodeDependency*> evidence(const CodeFacts& facts) {
  std::set<std::tuple<std::string, std::size_t, std::size_t>> used;  // file, from, to
  for (const auto& d : facts.dependencies)
    if (d.use.kind != CodeUse::Kind::include) used.emplace(d.use.at.file, d.from, d.to);
  std::vector<const CodeDependency*> out;
  for (const auto& d : facts.dependencies)
    if (d.use.kind != CodeUse::Kind::include || !used.count({d.use.at.file, d.from, d.to})) out.push_back(&d);
  return out;
}

std::string describe_use(const CodeUse& use) {
  switch (use.kind) {
    case CodeUse::Kind::include: return fmt::format("includes {}", use.name.substr(std::string_view("#include ").size()));
    case CodeUse::Kind::function: return fmt::format("calls '{}'", use.name);
    case CodeUse::Kind::type: return fmt::format("uses type '{}'", use.name);
    case CodeUse::Kind::global: return fmt::format("uses global '{}'", use.name);
  }
  return {};
}

// BP040
void undeclared_dependency(const CodeFacts& facts, const CodeReporter& report) {
  std::set<std::pair<std::size_t, std::size_t>> declared;
  for (const auto& f : facts.system.flows) declared.emplace(f.from, f.to);
  for (const CodeDependency* d : evidence(facts)) {
    if (declared.count({d->from, d->to}) || is_model_server_into_training(facts, *d)) continue;
    const std::string& from = facts.system.components[d->from].id;
    const std::string& to = facts.system.components[d->to].id;
    report.at(d->use.at, d->from,
              fmt::format("component '{}' {} of component '{}', but no flow declares {} -> {}", from, describe_use(d->use),
                          to, from, to),
              fmt::format("declare `{{from: {}, to: {}}}` in `flows`, or remove the dependency", from, to));
  }
}

// BP041
void flow_without_code(const CodeFacts& facts, const CodeReporter& report) {
  std::set<std::pair<std::size_t, std::size_t>> realised;
  for (const auto& d : facts.dependencies) {
    realised.emplace(d.from, d.to);
    realised.emplace(d.to, d.from);  // a response flow is realised by the call it answers
  }
  for (const auto& flow : facts.system.flows) {
    const Component& from = facts.system.components[flow.from];
    const Component& to = facts.system.components[flow.to];
    if (from.code_paths.empty() || to.code_paths.empty() || realised.count({flow.from, flow.to})) continue;
    report.spec.report(flow.pointer, fmt::format("flow {} -> {} is declared, but no code of '{}' uses code of '{}'",
                                                 from.id, to.id, from.id, to.id));
  }
}

// BP042
void unowned_code(const CodeFacts& facts, const CodeReporter& report) {
  for (const auto& file : facts.unowned) {
    Finding& f = report.spec.report("/components", "no component owns this translation unit: no `code.paths` glob matches it");
    f.file = file;
    f.position = {1, 1};
    f.element.clear();
  }
}

// REL040
void model_server_calls_training(const CodeFacts& facts, const CodeReporter& report) {
  for (const CodeDependency* d : evidence(facts)) {
    if (!is_model_server_into_training(facts, *d)) continue;
    report.at(d->use.at, d->from,
              fmt::format("model server '{}' {} of training pipeline '{}'", facts.system.components[d->from].id,
                          describe_use(d->use), facts.system.components[d->to].id));
  }
}

// SEC040
void serving_spawns_process(const CodeFacts& facts, const CodeReporter& report) {
  for (const auto& site : facts.calls) {
    const Component& c = facts.system.components[site.component];
    if (!is_serving(c.kind) || !one_of(kProcessSpawners, site.call.callee)) continue;
    report.at(site.call.at, site.component,
              fmt::format("{} '{}' spawns a process with '{}'", to_string(c.kind), c.id, site.call.callee));
  }
}

// SEC041
void predictable_random_for_security(const CodeFacts& facts, const CodeReporter& report) {
  for (const auto& site : facts.calls) {
    if (!one_of(kPredictableRandom, site.call.callee)) continue;
    std::string function = last_name(site.call.function);
    std::string decision = names_a_security_decision(site.call.variable) ? site.call.variable
                           : names_a_security_decision(function)      ? function + "()"
                                                                       : "";
    if (decision.empty()) continue;
    report.at(site.call.at, site.component,
              fmt::format("component '{}' uses '{}', which is predictable, for '{}'",
                          facts.system.components[site.component].id, site.call.callee, decision));
  }
}

// SEC042
void tls_verification_disabled(const CodeFacts& facts, const CodeReporter& report) {
  // libcurl's option numbers, for code that passes them without the enumerator's name.
  constexpr long long kVerifyPeer = 64, kVerifyHost = 81;
  for (const auto& site : facts.calls) {
    const CodeCall& call = site.call;
    if (!one_of(kTlsVerification, call.callee)) continue;
    const auto& args = call.arguments;
    std::string what;
    if (call.callee == "curl_easy_setopt" && args.size() == 3 && args[2].value == 0) {
      if (args[1].constant == "CURLOPT_SSL_VERIFYPEER" || (args[1].constant.empty() && args[1].value == kVerifyPeer))
        what = "CURLOPT_SSL_VERIFYPEER 0";
      else if (args[1].constant == "CURLOPT_SSL_VERIFYHOST" || (args[1].constant.empty() && args[1].value == kVerifyHost))
        what = "CURLOPT_SSL_VERIFYHOST 0";
    } else if (call.callee != "curl_easy_setopt" && args.size() >= 2 && args[1].value == 0) {
      what = "SSL_VERIFY_NONE";
    }
    if (what.empty()) continue;
    report.at(call.at, site.component,
              fmt::format("component '{}' turns TLS certificate verification off ({} in '{}')",
                          facts.system.components[site.component].id, what, call.callee));
  }
}

// SEC043
void personal_data_logged(const CodeFacts& facts, const CodeReporter& report) {
  // Field names compared without case or separators: card_number, cardNumber, card_number_.
  auto normalize = [](std::string_view name) {
    std::string out;
    for (char c : name)
      if (std::isalnum(static_cast<unsigned char>(c))) out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
  };
  std::map<std::string, std::string> personal;  // normalized field -> "field of dataset 'x'"
  for (const auto& d : facts.system.datasets)
    for (const auto& field : d.pii) personal.emplace(normalize(field), fmt::format("'{}' of dataset '{}'", field, d.id));
  for (const auto& site : facts.calls) {
    const Component& c = facts.system.components[site.component];
    if (!c.pii_redaction || !is_logging(site.call.callee)) continue;
    std::set<std::string> logged;
    for (const auto& arg : site.call.arguments)
      for (const auto& name : arg.names)
        if (auto it = personal.find(normalize(name.starts_with("m_") ? name.substr(2) : name)); it != personal.end())
          logged.insert(it->second);
    if (logged.empty()) continue;
    report.at(site.call.at, site.component,
              fmt::format("component '{}' declares `logging.pii_redaction` but logs personal data: {}", c.id,
                          fmt::join(logged, ", ")));
  }
}

constexpr CodeRule kCodeRules[] = {
    {"BP040", undeclared_dependency},
    {"BP041", flow_without_code},
    {"BP042", unowned_code},
    {"REL040", model_server_calls_training},
    {"SEC040", serving_spawns_process},
    {"SEC041", predictable_random_for_security},
    {"SEC042", tls_verification_disabled},
    {"SEC043", personal_data_logged},
};

}  // namespace

std::span<const CodeRule> code_rules() { return kCodeRules; }

std::vector<std::string_view> code_rule_ids() {
  std::vector<std::string_view> ids;
  for (const auto& r : kCodeRules) ids.push_back(r.id);
  return ids;
}

bool watched_call(std::string_view callee) {
  return one_of(kProcessSpawners, callee) || one_of(kPredictableRandom, callee) || one_of(kTlsVerification, callee) ||
         is_logging(callee);
}

void run_code_rules(const Catalog& catalog, const CodeFacts& facts, const SystemGraph& graph,
                    const RuleSelection& selection, std::vector<Finding>& out) {
  for (const auto& rule : catalog.rules()) {
    if (rule.engine != RuleEngine::code || !selection.enabled(rule.id)) continue;
    Severity severity = rule.severity;
    if (auto o = selection.severity.find(rule.id); o != selection.severity.end()) severity = o->second;
    auto it = std::find_if(std::begin(kCodeRules), std::end(kCodeRules), [&](const CodeRule& c) { return c.id == rule.id; });
    if (it == std::end(kCodeRules)) throw std::logic_error("code rule without an implementation: " + rule.id);
    RuleContext context(facts.doc, facts.system, graph, rule, severity, out);
    it->check(facts, CodeReporter(context));
  }
}

}  // namespace mlarch
