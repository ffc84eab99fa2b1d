// Opening report pages in headless Chromium, and what every page must show there.
#include "browser.hpp"

#include <regex>

#include <gtest/gtest.h>

#include "test_support.hpp"

namespace mlarch::test {

std::string chromium_path() {
  for (const char* p : {"/usr/bin/chromium", "/usr/bin/chromium-browser"})
    if (std::filesystem::exists(p)) return p;
  return {};
}

Browsed browse(const std::string& chromium, const std::filesystem::path& page, const std::string& mode,
               const std::string& fragment) {
  TempDir profile;
  RunResult r = run_command("cd '" + profile.path().string() + "' && timeout 120 '" + chromium +
                            "' --headless --no-sandbox --disable-gpu --disable-quic --no-first-run "
                            "--disable-background-networking --disable-component-update --disable-sync "
                            "--disable-default-apps --user-data-dir='" + (profile.path() / "profile").string() +
                            "' --enable-logging=stderr --v=0 --window-size=1280,2400 " + mode + " 'file://" + page.string() +
                            (fragment.empty() ? "" : "#" + fragment) + "'");
  return {r.exit_code, r.out, r.err};
}

void expect_self_contained(const Browsed& b, int scripts) {
  std::regex console(".*:CONSOLE[:(].*");
  for (auto it = std::sregex_iterator(b.log.begin(), b.log.end(), console); it != std::sregex_iterator(); ++it)
    ADD_FAILURE() << "console: " << it->str();
  std::regex external("(src|href|action|xlink:href)\\s*=\\s*\"(https?:|//|file:)", std::regex::icase);
  EXPECT_FALSE(std::regex_search(b.dom, external));
  std::regex script("<script[ >]");
  EXPECT_EQ(std::distance(std::sregex_iterator(b.dom.begin(), b.dom.end(), script), std::sregex_iterator()), scripts);
  EXPECT_EQ(b.dom.find("<img"), std::string::npos);
}

}  // namespace mlarch::test
