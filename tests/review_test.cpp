// `mlarch review` as users run it: the JSON contract (schema, determinism), Markdown and JSON
// goldens, spec text escaped in the page, a review of load errors, atomic writes, the kernels
// section when results are given, and the page opened in headless Chromium.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <map>
#include <filesystem>
#include <regex>

#include <sys/wait.h>

#include "mlarch/analyzer/document.hpp"
#include "mlarch/reports/review.hpp"
#include "test_support.hpp"

namespace mlarch {
namespace {

namespace fs = std::filesystem;

// Short runs: the figures are checked for shape and determinism here; their accuracy is the
// simulator's tests' business.
const std::string kRun = " --duration 30 --replications 2 --seed 3 --no-host";

class Review : public ::testing::Test {
 protected:
  void SetUp() override { setenv("MLARCH_TODAY", "2026-06-01", 1); }
};

std::vector<std::string> examples() {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(test::source_dir() / "examples"))
    if (e.path().extension() == ".yaml") out.push_back("examples/" + e.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

Json review_schema() {
  return Json::parse(test::read_file(test::source_dir() / "schemas" / "review-output-v1.schema.json"));
}

// Names and descriptions that would run script or load an image if they reached the page as markup.
const char* kHostile = R"(mlarch: 1
system:
  name: hostile
  description: "<img src=x onerror=alert(1)> & </textarea><b>bold</b>"
  owner: "</dd><script>alert('owner')</script>"
hardware:
  small: {vcpus: 2, memory_gib: 4, usd_per_hour: 0.1}
components:
  api:
    kind: service
    description: "<script>alert('component')</script>"
    instance: small
    replicas: 2
    service_time: {dist: exponential, mean_ms: 2}
workloads:
  - name: predict
    arrival: {process: poisson, rate_rps: 50}
    path: [api]
slos:
  - {workload: predict, latency_p99_ms: 50}
)";
// Names must be identifiers: such a spec does not load, and its review quotes the names.
const char* kHostileNames = R"(mlarch: 1
system: {name: "<script>alert('name')</script>"}
components:
  api: {kind: "<img src=x onerror=alert(1)>"}
)";

TEST_F(Review, JsonOfEveryExampleIsValidAgainstItsSchemaAndIdenticalWhateverTheThreads) {
  Json schema = review_schema();
  for (const auto& spec : examples()) {
    SCOPED_TRACE(spec);
    auto one = test::run_mlarch("review " + spec + " --format json --threads 1" + kRun, test::source_dir());
    ASSERT_TRUE(one.exit_code == 0 || one.exit_code == 1) << one.exit_code << " " << one.err;
    EXPECT_EQ(test::schema_violations(schema, Json::parse(one.out), test::Draft::v7), std::vector<std::string>{});
    auto two = test::run_mlarch("review " + spec + " --format json --threads 2" + kRun, test::source_dir());
    EXPECT_EQ(one.out, two.out);
    Json r = Json::parse(one.out);
    EXPECT_EQ(one.exit_code, r["verdict"]["status"] == "fail" ? 1 : 0);
    EXPECT_FALSE(r["run"].contains("host"));
    for (const auto& w : r["performance"]["workloads"]) {
      // Bins of the distribution cover every answered request; the sweep runs at each factor.
      double total = 0;
      for (const auto& b : w["distribution"]) total += b["share"].get<double>();
      EXPECT_NEAR(total, 1.0, 1e-4) << w["name"];
      if (!w["sweep"].is_null()) {
        EXPECT_EQ(w["sweep"]["points"].size(), r["run"]["sweep_factors"].size());
      }
    }
  }
}

TEST_F(Review, GoldenJsonAndMarkdown) {
  auto json = test::run_mlarch("review examples/card-fraud.yaml --format json" + kRun, test::source_dir());
  ASSERT_EQ(json.exit_code, 0) << json.err;
  test::expect_golden("card-fraud.review.json", json.out);
  auto md = test::run_mlarch("review examples/card-fraud.yaml --format markdown" + kRun, test::source_dir());
  ASSERT_EQ(md.exit_code, 0) << md.err;
  test::expect_golden("card-fraud.review.md", md.out);
  // A spec with findings of every kind: the findings table with its fixes.
  auto flawed = test::run_mlarch("review tests/golden/flawed.yaml --format markdown" + kRun, test::source_dir());
  ASSERT_EQ(flawed.exit_code, 1) << flawed.err;
  test::expect_golden("flawed.review.md", flawed.out);
}

TEST_F(Review, TheHostIsRecordedUnlessAskedNotTo) {
  auto r = test::run_mlarch("review examples/card-fraud.yaml --format json --duration 10 --replications 1", test::source_dir());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Json j = Json::parse(r.out);
  EXPECT_GT(j["run"]["host"]["cores"].get<int>(), 0);
  EXPECT_FALSE(j["run"]["host"]["compiler"].get<std::string>().empty());
  EXPECT_EQ(test::schema_violations(review_schema(), j, test::Draft::v7), std::vector<std::string>{});
}

TEST_F(Review, SpecTextIsEscapedEverywhereInThePage) {
  test::TempDir dir;
  auto spec = dir.write("hostile.yaml", kHostile);
  auto out = dir.path() / "review.html";
  auto r = test::run_mlarch("review " + spec.string() + " -o " + out.string() + kRun);
  ASSERT_TRUE(r.exit_code == 0 || r.exit_code == 1) << r.exit_code << " " << r.err;  // by the verdict
  std::string html = test::read_file(out);
  EXPECT_EQ(html.find("<script>alert"), std::string::npos);
  EXPECT_EQ(html.find("<img src=x"), std::string::npos);
  EXPECT_EQ(html.find("<b>bold"), std::string::npos);
  EXPECT_NE(html.find("&lt;/dd&gt;&lt;script&gt;alert(&apos;owner&apos;)&lt;/script&gt;"), std::string::npos);
  EXPECT_NE(html.find("&lt;img src=x onerror=alert(1)&gt; &amp; &lt;/textarea&gt;"), std::string::npos);
  // The page's own two script elements (the JSON data island and the script) and no other.
  std::regex script("<script[ >]");
  EXPECT_EQ(std::distance(std::sregex_iterator(html.begin(), html.end(), script), std::sregex_iterator()), 2);
  // Markdown backslashes the markup characters.
  auto md = test::run_mlarch("review " + spec.string() + " --format markdown" + kRun);
  EXPECT_EQ(md.out.find("<script>"), std::string::npos);
  EXPECT_NE(md.out.find("\\<script\\>alert"), std::string::npos);
  // The review of a spec that does not load quotes its text in the error messages.
  auto names = dir.write("names.yaml", kHostileNames);
  auto broken = test::run_mlarch("review " + names.string() + " -o " + out.string());
  EXPECT_EQ(broken.exit_code, 2);
  html = test::read_file(out);
  EXPECT_EQ(html.find("<script>alert"), std::string::npos);
  EXPECT_EQ(html.find("<img src=x"), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;alert(&apos;name&apos;)&lt;/script&gt;"), std::string::npos);
  EXPECT_EQ(std::distance(std::sregex_iterator(html.begin(), html.end(), script), std::sregex_iterator()), 2);
}

TEST_F(Review, ASpecThatDoesNotLoadGetsAReviewOfItsErrorsAndExit2) {
  test::TempDir dir;
  auto spec = dir.write("broken.yaml", "mlarch: 1\nsystem: {name: broken}\ncomponents:\n  api:\n    kind: teapot\n");
  auto out = dir.path() / "review.html";
  auto r = test::run_mlarch("review " + spec.string() + " -o " + out.string());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find(spec.string() + ":5:11: error[E004]"), std::string::npos) << r.err;
  std::string html = test::read_file(out);
  EXPECT_NE(html.find("The spec does not load"), std::string::npos);
  EXPECT_NE(html.find("teapot"), std::string::npos);
  EXPECT_NE(html.find(":5:11"), std::string::npos);
  auto json = test::run_mlarch("review " + spec.string() + " --format json");
  EXPECT_EQ(json.exit_code, 2);
  Json j = Json::parse(json.out);
  EXPECT_EQ(test::schema_violations(review_schema(), j, test::Draft::v7), std::vector<std::string>{});
  ASSERT_FALSE(j["load_errors"].empty());
  EXPECT_EQ(j["load_errors"][0]["line"], 5);
  EXPECT_EQ(j["verdict"]["status"], "fail");
  EXPECT_TRUE(j["system"].is_null());
  EXPECT_FALSE(j.contains("performance"));
  // An unreadable file is a load error too.
  auto missing = test::run_mlarch("review " + (dir.path() / "nope.yaml").string() + " --format markdown");
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.out.find("## Load errors"), std::string::npos);
}

TEST_F(Review, AReportThatCannotBeWrittenExits2AndLeavesNothing) {
  test::TempDir dir;
  auto blocker = dir.write("file", "not a directory");
  auto r = test::run_mlarch("review examples/card-fraud.yaml -o " + (blocker / "review.html").string() +
                                " --duration 10 --replications 1",
                            test::source_dir());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("cannot write"), std::string::npos) << r.err;
  EXPECT_EQ(std::distance(fs::directory_iterator(dir.path()), fs::directory_iterator()), 1);
  // HTML goes to a file, never to the terminal.
  auto usage = test::run_mlarch("review examples/card-fraud.yaml", test::source_dir());
  EXPECT_EQ(usage.exit_code, 2);
  EXPECT_NE(usage.err.find("-o FILE"), std::string::npos);
}

// The kernels section appears only when kernel results are part of the review.
TEST_F(Review, KernelsSectionOnlyWithKernelResults) {
  test::TempDir dir;
  auto spec = dir.write("hostile.yaml", kHostile);
  reports::ReviewOptions options;
  options.simulation.duration_s = 10;
  options.simulation.replications = 1;
  options.host = false;
  Json review = reports::build_review(spec.string(), options);
  std::string without = reports::render_review_html(review);
  EXPECT_EQ(without.find("id=\"kernels\""), std::string::npos);
  EXPECT_EQ(reports::render_review_markdown(review).find("## Kernels"), std::string::npos);
  review["kernels"] = {{"results", {{{"kernel", "mlp<forward>"}, {"component", "api"}, {"predicted_ms", 1.5},
                                     {"measured_ms", 2.0}, {"error", -0.25}, {"share_of_peak", 0.4}}}}};
  EXPECT_EQ(test::schema_violations(review_schema(), review, test::Draft::v7), std::vector<std::string>{});
  std::string with = reports::render_review_html(review);
  EXPECT_NE(with.find("id=\"kernels\""), std::string::npos);
  EXPECT_NE(with.find("mlp&lt;forward&gt;"), std::string::npos);
  EXPECT_NE(with.find("-25.0%"), std::string::npos);
  std::string md = reports::render_review_markdown(review);
  EXPECT_NE(md.find("| mlp\\<forward\\> | api | 1.5 | 2 | -25.0% | 40.0% |"), std::string::npos) << md;
}

// WCAG 2.1 contrast of the stylesheet's text colours on the backgrounds they are used on.
double relative_luminance(const std::string& hex) {
  auto channel = [&](int i) {
    double c = std::stoi(hex.substr(1 + 2 * i, 2), nullptr, 16) / 255.0;
    return c <= 0.03928 ? c / 12.92 : std::pow((c + 0.055) / 1.055, 2.4);
  };
  return 0.2126 * channel(0) + 0.7152 * channel(1) + 0.0722 * channel(2);
}

TEST(ReviewPage, TextContrastIsAtLeast4Point5To1) {
  std::string css = test::read_file(test::source_dir() / "reports/templates/review.css");
  std::map<std::string, std::string> colour;
  std::regex var("--([a-z-]+):(#[0-9a-fA-F]{6})");
  for (auto it = std::sregex_iterator(css.begin(), css.end(), var); it != std::sregex_iterator(); ++it)
    colour[(*it)[1]] = (*it)[2];
  const std::pair<const char*, const char*> pairs[] = {
      {"fg", "bg"},     {"fg", "panel"},  {"muted", "bg"},    {"muted", "panel"}, {"link", "bg"},
      {"err", "err-bg"}, {"warn", "warn-bg"}, {"info", "info-bg"}, {"ok", "ok-bg"}, {"fg", "warn-bg"}};
  for (auto [text, background] : pairs) {
    ASSERT_TRUE(colour.count(text) && colour.count(background)) << text << " on " << background;
    double a = relative_luminance(colour[text]), b = relative_luminance(colour[background]);
    double ratio = (std::max(a, b) + 0.05) / (std::min(a, b) + 0.05);
    EXPECT_GE(ratio, 4.5) << "--" << text << " on --" << background;
  }
}

// ---- In a real browser ----

std::string chromium_path() {
  for (const char* p : {"/usr/bin/chromium", "/usr/bin/chromium-browser"})
    if (fs::exists(p)) return p;
  return {};
}

struct Browsed {
  int exit_code = -1;
  std::string dom, log;
};

// Runs headless Chromium on a file with `mode` (--dump-dom or --screenshot=...); flags as the
// machines here need them (no background networking, a fresh profile).
Browsed browse(const std::string& chromium, const fs::path& page, const std::string& mode) {
  test::TempDir profile;
  auto dom = profile.path() / "dom.html", log = profile.path() / "log.txt";
  std::string cmd = "cd '" + profile.path().string() + "' && timeout 120 '" + chromium +
                    "' --headless --no-sandbox --disable-gpu --disable-quic --no-first-run "
                    "--disable-background-networking --disable-component-update --disable-sync "
                    "--disable-default-apps --user-data-dir='" +
                    (profile.path() / "profile").string() + "' --enable-logging=stderr --v=0 --window-size=1280,2400 " +
                    mode + " 'file://" + page.string() + "' >'" + dom.string() + "' 2>'" + log.string() + "' </dev/null";
  int status = std::system(cmd.c_str());
  Browsed b;
  b.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  b.dom = test::read_file(dom);
  b.log = test::read_file(log);
  return b;
}

TEST_F(Review, EveryExampleOpensInHeadlessChromiumWithoutErrorsOrRequests) {
  std::string chromium = chromium_path();
  if (chromium.empty()) GTEST_SKIP() << "chromium is not installed (scripts/setup.sh installs it): the browser test did not run";
  fs::path artifacts = fs::path(MLARCH_TEST_ARTIFACTS) / "review";
  fs::create_directories(artifacts);
  test::TempDir dir;
  std::vector<std::pair<std::string, fs::path>> specs;
  for (const auto& e : examples()) specs.emplace_back(fs::path(e).stem().string(), test::source_dir() / e);
  specs.emplace_back("flawed", test::source_dir() / "tests/golden/flawed.yaml");
  specs.emplace_back("hostile", dir.write("hostile.yaml", kHostile));
  for (const auto& [name, spec] : specs) {
    SCOPED_TRACE(name);
    fs::path page = artifacts / (name + ".html");
    auto r = test::run_mlarch("review " + spec.string() + " -o " + page.string() + " --duration 60 --replications 2");
    ASSERT_TRUE(r.exit_code == 0 || r.exit_code == 1) << r.exit_code << " " << r.err;  // by the verdict
    EXPECT_LT(fs::file_size(page), 2u << 20) << "the review should stay under 2 MB";

    Browsed b = browse(chromium, page, "--dump-dom");
    ASSERT_EQ(b.exit_code, 0) << b.log;
    // Every console message (a script error, a request the page's CSP refused) fails the test.
    std::regex console(".*:CONSOLE[:(].*");
    for (auto it = std::sregex_iterator(b.log.begin(), b.log.end(), console); it != std::sregex_iterator(); ++it)
      ADD_FAILURE() << "console: " << it->str();
    // No element refers to anything outside the page.
    std::regex external("(src|href|action|xlink:href)\\s*=\\s*\"(https?:|//|file:)", std::regex::icase);
    EXPECT_FALSE(std::regex_search(b.dom, external));
    for (const char* id : {"id=\"header\"", "id=\"verdict\"", "id=\"summary\"", "id=\"architecture\"", "id=\"findings\"",
                           "id=\"performance\"", "id=\"cost\"", "id=\"run\"", "<svg class=\"diagram\"", "<svg class=\"chart\""})
      EXPECT_NE(b.dom.find(id), std::string::npos) << id;
    std::regex script("<script[ >]");
    EXPECT_EQ(std::distance(std::sregex_iterator(b.dom.begin(), b.dom.end(), script), std::sregex_iterator()), 2);
    EXPECT_EQ(b.dom.find("<img"), std::string::npos);
    if (name == "flawed") {
      // The page's script ran: it counts the findings shown by the filters.
      EXPECT_TRUE(std::regex_search(b.dom, std::regex("id=\"findings-shown\"[^>]*>[0-9]+ of [0-9]+ shown<")));
    }
    Browsed shot = browse(chromium, page, "--screenshot='" + (artifacts / (name + ".png")).string() + "'");
    EXPECT_EQ(shot.exit_code, 0) << shot.log;
    EXPECT_GT(fs::file_size(artifacts / (name + ".png")), 10000u);
  }
}

}  // namespace
}  // namespace mlarch
