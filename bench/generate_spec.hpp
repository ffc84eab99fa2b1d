// A generated spec of a given size for benchmarks: N services in a layered graph with 3N flows,
// datasets with personal data, and one workload through a chain of components.
//
// SpecShape::serving_chain stresses the graph rules instead: the workload visits all N components
// along a chain of flows (so the serving graph is the whole graph and most of it is cut points),
// every flow carries personal data, one in five is unencrypted, one component in 25 is external
// and one in three runs a single replica.
#pragma once

#include <string>

#include <fmt/format.h>

namespace mlarch::bench {

enum class SpecShape { layered, serving_chain };

inline std::string generate_spec(int components, SpecShape shape = SpecShape::layered) {
  const bool chain = shape == SpecShape::serving_chain;
  std::string s = "mlarch: 1\nsystem:\n  name: generated\n  owner: bench\ncomponents:\n";
  s.reserve(static_cast<std::size_t>(components) * 420);
  for (int i = 0; i < components; ++i) {
    const char* kind = chain && i % 25 == 24 ? "external"
                       : i % 10 == 0        ? "model_server"
                       : i % 10 == 1        ? "feature_store"
                       : i % 10 == 2        ? "monitoring"
                                            : "service";
    s += fmt::format(
        "  c{}:\n    kind: {}\n    instance: c6i.large\n    replicas: {}\n    concurrency: 4\n"
        "    service_time: {{dist: lognormal, mean_ms: {}, p99_ms: {}}}\n    zone: eu-west-1{}\n"
        "    security: {{public: {}, tls: true, authn: oauth2, rate_limit_rps: 1000}}\n",
        i, kind, chain ? 1 + (i % 3 != 0) : 2 + i % 3, 1 + i % 7, 5 + i % 11, "abc"[i % 3], i % 50 == 0 ? "true" : "false");
  }
  s += "datasets:\n";
  for (int d = 0; d < components / 100 + 1; ++d)
    s += fmt::format("  d{}: {{pii: [email], encryption: {{at_rest: true, in_transit: true}}, legal_basis: contract}}\n", d);
  s += "flows:\n";
  auto data = [&](int i) { return fmt::format(", data: [d{}]", (i / 20) % (components / 100 + 1)); };
  if (chain)
    for (int i = 0; i + 1 < components; ++i)
      s += fmt::format("  - {{from: c{}, to: c{}, encrypted: {}{}}}\n", i, i + 1, i % 5 != 0, data(i));
  for (int i = 0; i < components * 3; ++i) {
    int from = i % components;
    int to = (from * 7 + 1 + i / components) % components;
    if (to == from) to = (to + 1) % components;
    s += fmt::format("  - {{from: c{}, to: c{}, encrypted: true{}}}\n", from, to, chain || i % 20 == 0 ? data(i) : "");
  }
  s += "workloads:\n  - name: main\n    entry: c0\n    arrival: {process: poisson, rate_rps: 100}\n    path: [";
  const int visited = chain ? components : 20;
  for (int i = 0; i < visited && i < components; ++i) s += fmt::format("{}c{}", i ? ", " : "", i);
  s += "]\n";
  return s;
}

}  // namespace mlarch::bench
