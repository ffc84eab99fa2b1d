// Independent tasks run on threads. Each task writes its own result slot, so what they produce does
// not depend on the number of threads or on which thread ran which task.
#pragma once

#include <algorithm>
#include <atomic>
#include <functional>
#include <thread>
#include <vector>

namespace mlarch::sim {

// Calls body(i) for every i in [0, n) on up to `threads` threads (0: one per core), never more
// threads than tasks; returns when all are done.
inline void parallel_for(int n, int threads, const std::function<void(int)>& body) {
  if (threads <= 0) threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  threads = std::min(threads, n);
  std::atomic<int> next{0};
  auto worker = [&] {
    for (int i; (i = next.fetch_add(1)) < n;) body(i);
  };
  if (threads <= 1) {
    worker();
    return;
  }
  std::vector<std::jthread> pool;
  for (int t = 0; t < threads; ++t) pool.emplace_back(worker);
}

}  // namespace mlarch::sim
