// What every HTML report of mlarch shares: the page shell (strict Content-Security-Policy, the
// inline stylesheet, the data island), the header with the verdict and the run settings, as
// mustache templates compiled into the binary; and the helpers that fill them.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <kainjow/mustache.hpp>
#include <nlohmann/json.hpp>

namespace mlarch::reports {

namespace mu = kainjow::mustache;

// An embedded template, by its path in the source tree ("reports/templates/review.html").
std::string_view asset(std::string_view name);

// Always a string: a bare `const char*` would become mustache's bool. Mustache escapes it.
mu::data str(const std::string& s);
mu::data str(const nlohmann::json& j);
mu::list strings(const std::vector<std::string>& items);

// The header: what the page is, its title, facts as a definition list, and the verdict.
struct Fact {
  std::string label, value;
  bool code = false;  // shown as code (a path, a command)
  std::string note;   // in parentheses after the value
};
struct Header {
  std::string kind, title, description;
  std::vector<Fact> facts;
  std::string status;  // "pass", "warn" or "fail": the verdict's tone
  std::string verdict;  // its words, with an icon
  std::vector<std::string> reasons;
};
void set_header(mu::data& view, const Header& header);

// The run settings section: (label, value) rows and the command that reproduces the run.
void set_run_settings(mu::data& view, const std::vector<std::pair<std::string, std::string>>& rows, const std::string& command);

struct Page {
  std::string title;          // the browser tab's
  std::string body_template;  // the embedded template of the page's body
  std::string data_id;        // id of the <script type="application/json"> holding `data`
  const nlohmann::json* data = nullptr;
  std::string script;  // an embedded script to run, or empty
};
// The whole page: the shell around the body template, both filled from `view`.
std::string render_page(mu::data& view, const Page& page);

}  // namespace mlarch::reports
