// Report pages opened in real headless Chromium (Debian's chromium, installed by scripts/setup.sh).
#pragma once

#include <filesystem>
#include <string>

namespace mlarch::test {

// Debian's chromium, or empty when it is not installed (scripts/setup.sh installs it).
std::string chromium_path();

struct Browsed {
  int exit_code = -1;
  std::string dom, log;
};
// Runs headless Chromium on a page (with `#fragment` when given) with `mode` (--dump-dom or
// --screenshot=...); flags as the machines here need them (no background networking, a fresh profile).
Browsed browse(const std::string& chromium, const std::filesystem::path& page, const std::string& mode,
               const std::string& fragment = "");
// What every report page shows in the browser: no console message at all (a script error or a
// request the page's policy refused would log one), no attribute pointing outside the page, no
// image element, and exactly `scripts` script elements (its own).
void expect_self_contained(const Browsed& page, int scripts);

}  // namespace mlarch::test
