// `mlarch review` as users run it: the JSON contract (schema, determinism), Markdown and JSON
// goldens, spec text escaped in the page, a review of load errors, atomic writes, the kernels
// section (and `--kernels`), and the page opened in headless Chromium.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <map>
#include <filesystem>
#include <regex>

#include "mlarch/analyzer/document.hpp"
#include "mlarch/reports/review.hpp"
#include "browser.hpp"
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

Json kernels_schema() {
  return Json::parse(test::read_file(test::source_dir() / "schemas" / "kernels-output-v1.schema.json"));
}

// Without kernel timings the section says how to get them; with them (in `mlarch kernels`' JSON
// contract) it gives predicted against measured per model and batch, as a chart and a table.
TEST_F(Review, KernelsSectionFromKernelResultsOrHowToGetThem) {
  test::TempDir dir;
  auto spec = dir.write("hostile.yaml", kHostile);
  reports::ReviewOptions options;
  options.simulation.duration_s = 10;
  options.simulation.replications = 1;
  options.host = false;
  Json review = reports::build_review(spec.string(), options);
  std::string without = reports::render_review_html(review);
  EXPECT_NE(without.find("id=\"kernels\""), std::string::npos);
  EXPECT_NE(without.find("Not run: <code>mlarch review " + spec.string() + " --kernels -o review.html</code>"), std::string::npos);
  EXPECT_EQ(without.find("id=\"kernels-table\""), std::string::npos);
  EXPECT_NE(reports::render_review_markdown(review).find("## Kernels\n\nNot run: `mlarch review " + spec.string() + " --kernels"),
            std::string::npos);

  review["kernels"] = {{"version", 1},
                       {"host", {{"peak_gflops", 50.0}, {"mem_bandwidth_gbs", 10.0}, {"threads", 1}, {"isa", "avx2+fma"}}},
                       {"models", {{"ranker", {{"type", "mlp"}, {"batches", {{{"batch", 1}, {"predicted_ms", 1.5}, {"measured_ms", 2.0},
                                                                             {"measured_p99_ms", 2.5}, {"error_pct", -25.0},
                                                                             {"gflops", 20.0}, {"peak_fraction", 0.4}},
                                                                            {{"batch", 8}, {"predicted_ms", 6.0}, {"measured_ms", 5.0},
                                                                             {"measured_p99_ms", 5.5}, {"error_pct", 20.0},
                                                                             {"gflops", 64.0}, {"peak_fraction", 1.28}}}}}}}}};
  EXPECT_EQ(test::schema_violations(kernels_schema(), review["kernels"], test::Draft::v7), std::vector<std::string>{});
  EXPECT_EQ(test::schema_violations(review_schema(), review, test::Draft::v7), std::vector<std::string>{});
  std::string with = reports::render_review_html(review);
  EXPECT_EQ(with.find("Not run:"), std::string::npos);
  EXPECT_NE(with.find("<th scope=\"row\">ranker</th><td>mlp</td><td class=\"num\">1</td><td class=\"num\">1.5</td>"
                      "<td class=\"num\">2 (2.5)</td><td class=\"num\">-25.0%</td><td class=\"num\">20</td>"
                      "<td class=\"num\">40.0%</td>"),
            std::string::npos);
  EXPECT_NE(with.find("<td class=\"num\">+20.0%</td>"), std::string::npos);
  // The chart: one marker a batch, labelled, and the diagonal where the prediction is exact.
  EXPECT_NE(with.find("id=\"kernels-chart-t\""), std::string::npos);
  EXPECT_NE(with.find("class=\"ref diagonal\""), std::string::npos);
  EXPECT_NE(with.find(">b8</text>"), std::string::npos);
  // The host probe is part of the run settings.
  EXPECT_NE(with.find("50 GFLOP/s peak (fp32, avx2+fma), 10 GB/s memory, 1 thread"), std::string::npos);
  std::string md = reports::render_review_markdown(review);
  EXPECT_NE(md.find("| ranker | mlp | 8 | 6 | 5 | +20.0% | 64 | 128.0% |"), std::string::npos) << md;
  EXPECT_NE(md.find("| kernels' host probe | 50 GFLOP/s peak (fp32, avx2+fma), 10 GB/s memory, 1 thread |"), std::string::npos) << md;
}

// `review --kernels` runs the models' kernels on this host: the JSON review carries them in the
// kernels contract. Measured times vary: the structure is checked, not the values.
TEST_F(Review, KernelsRunOnThisHostWithTheKernelsFlag) {
  auto r = test::run_mlarch("review examples/card-fraud.yaml --kernels --format json" + kRun, test::source_dir());
  ASSERT_TRUE(r.exit_code == 0 || r.exit_code == 1) << r.exit_code << " " << r.err;
  Json review = Json::parse(r.out);
  EXPECT_EQ(test::schema_violations(review_schema(), review, test::Draft::v7), std::vector<std::string>{});
  ASSERT_TRUE(review.contains("kernels"));
  EXPECT_EQ(test::schema_violations(kernels_schema(), review["kernels"], test::Draft::v7), std::vector<std::string>{});
  ASSERT_FALSE(review["kernels"]["models"].empty());
  std::size_t points = 0;
  for (const auto& [name, m] : review["kernels"]["models"].items()) {
    ASSERT_EQ(m["batches"].size(), 2u) << name;
    EXPECT_EQ(m["batches"][0]["batch"], 1);
    EXPECT_EQ(m["batches"][1]["batch"], 8);
    points += 2;
  }
  std::string html = reports::render_review_html(review);
  EXPECT_NE(html.find("id=\"kernels-table\""), std::string::npos);
  std::regex row("<tr><th scope=\"row\">[^<]+</th><td>[a-z_]+</td><td class=\"num\">[18]</td>");
  EXPECT_EQ(static_cast<std::size_t>(std::distance(std::sregex_iterator(html.begin(), html.end(), row), std::sregex_iterator())), points);
  EXPECT_NE(html.find("--kernels -o review.html</code>"), std::string::npos);  // the reproducing command
  // A spec that does not load still gets the review of its load errors, without kernels.
  test::TempDir dir;
  auto broken = dir.write("broken.yaml", "mlarch: 1\nsystem: {name: broken}\ncomponents:\n  api:\n    kind: teapot\n");
  auto b = test::run_mlarch("review " + broken.string() + " --kernels --format json");
  EXPECT_EQ(b.exit_code, 2);
  EXPECT_FALSE(Json::parse(b.out).contains("kernels"));
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
  std::string css = test::read_file(test::source_dir() / "reports/templates/report.css");
  std::map<std::string, std::string> colour;
  std::regex var("--([a-z-]+):(#[0-9a-fA-F]{6})");
  for (auto it = std::sregex_iterator(css.begin(), css.end(), var); it != std::sregex_iterator(); ++it)
    colour[(*it)[1]] = (*it)[2];
  const std::pair<const char*, const char*> pairs[] = {
      {"fg", "bg"},     {"fg", "panel"},  {"muted", "bg"},    {"muted", "panel"}, {"link", "bg"},
      {"err", "err-bg"}, {"warn", "warn-bg"}, {"info", "info-bg"}, {"ok", "ok-bg"}, {"fg", "warn-bg"}, {"fg", "ok-bg"}};
  for (auto [text, background] : pairs) {
    ASSERT_TRUE(colour.count(text) && colour.count(background)) << text << " on " << background;
    double a = relative_luminance(colour[text]), b = relative_luminance(colour[background]);
    double ratio = (std::max(a, b) + 0.05) / (std::min(a, b) + 0.05);
    EXPECT_GE(ratio, 4.5) << "--" << text << " on --" << background;
  }
}

// ---- In a real browser ----

TEST_F(Review, EveryExampleOpensInHeadlessChromiumWithoutErrorsOrRequests) {
  std::string chromium = test::chromium_path();
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

    test::Browsed b = test::browse(chromium, page, "--dump-dom");
    ASSERT_EQ(b.exit_code, 0) << b.log;
    test::expect_self_contained(b, 2);
    for (const char* id : {"id=\"header\"", "id=\"verdict\"", "id=\"summary\"", "id=\"architecture\"", "id=\"findings\"",
                           "id=\"performance\"", "id=\"cost\"", "id=\"kernels\"", "id=\"run\"", "<svg class=\"diagram\"",
                           "<svg class=\"chart\""})
      EXPECT_NE(b.dom.find(id), std::string::npos) << id;
    if (name == "flawed") {
      // The page's script ran: it counts the findings shown by the filters.
      std::smatch all;
      ASSERT_TRUE(std::regex_search(b.dom, all, std::regex("id=\"findings-shown\"[^>]*>([0-9]+) of ([0-9]+) shown<")));
      EXPECT_EQ(all[1], all[2]);
      // Selecting a diagram element (its link's target, #el-KEY, given as the page's address, as a
      // click there navigates) lists its findings only. The harness cannot click: it loads the
      // address the click leads to, which runs the same selection.
      std::smatch first;
      ASSERT_TRUE(std::regex_search(b.dom, first, std::regex("<tr[^>]* data-el=\"([a-z][0-9]+)\"")));
      std::string key = first[1];
      std::regex row("<tr[^>]* data-el=\"" + key + "\"");
      auto rows = std::distance(std::sregex_iterator(b.dom.begin(), b.dom.end(), row), std::sregex_iterator());
      ASSERT_LT(rows, std::stoi(all[2])) << "pick an element without every finding";
      test::Browsed selected = test::browse(chromium, page, "--dump-dom", "el-" + key);
      test::expect_self_contained(selected, 2);
      EXPECT_NE(selected.dom.find(">" + std::to_string(rows) + " of " + all[2].str() + " shown<"), std::string::npos) << key;
    }
    test::Browsed shot = test::browse(chromium, page, "--screenshot='" + (artifacts / (name + ".png")).string() + "'");
    EXPECT_EQ(shot.exit_code, 0) << shot.log;
    EXPECT_GT(fs::file_size(artifacts / (name + ".png")), 10000u);
  }
}

}  // namespace
}  // namespace mlarch
