// The future event set: a 4-ary min-heap over a flat array, ordered by (time, sequence number) so
// that events at the same time leave in the order they were scheduled and runs are reproducible
// (SimPy's heap key, ns-3's scheduler). Events are small plain structs; nothing is allocated per
// event once the array has grown to the run's high-water mark.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace mlarch::sim {

// `Event` must have `double time` and `std::uint64_t seq` members.
template <typename Event>
class EventQueue {
 public:
  bool empty() const { return heap_.empty(); }
  std::size_t size() const { return heap_.size(); }
  const Event& top() const { return heap_.front(); }
  void clear() { heap_.clear(); }

  void push(Event e) {
    e.seq = next_seq_++;
    std::size_t i = heap_.size();
    heap_.push_back(e);
    while (i > 0) {
      std::size_t parent = (i - 1) / kArity;
      if (!before(e, heap_[parent])) break;
      heap_[i] = heap_[parent];
      i = parent;
    }
    heap_[i] = e;
  }

  Event pop() {
    Event out = heap_.front();
    Event last = heap_.back();
    heap_.pop_back();
    const std::size_t n = heap_.size();
    if (n == 0) return out;
    std::size_t i = 0;
    for (;;) {
      std::size_t first = i * kArity + 1;
      if (first >= n) break;
      std::size_t best = first;
      std::size_t end = first + kArity < n ? first + kArity : n;
      for (std::size_t c = first + 1; c < end; ++c)
        if (before(heap_[c], heap_[best])) best = c;
      if (!before(heap_[best], last)) break;
      heap_[i] = heap_[best];
      i = best;
    }
    heap_[i] = last;
    return out;
  }

 private:
  static constexpr std::size_t kArity = 4;
  static bool before(const Event& a, const Event& b) {
    return a.time < b.time || (a.time == b.time && a.seq < b.seq);
  }
  std::vector<Event> heap_;
  std::uint64_t next_seq_ = 0;
};

}  // namespace mlarch::sim
