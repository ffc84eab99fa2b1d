// The future event set, ordered by (time, sequence number) so that events at the same time leave
// in the order they were scheduled and runs are reproducible (SimPy's heap key, ns-3's scheduler).
//
// A calendar queue (Brown, 1988) in front of a heap. Most events of a serving system are due
// soon after they are scheduled (a service ends in a millisecond, the next arrival is a fraction
// of one away), and only a few are far off (the autoscaler, replica failures, cold starts). The
// soon ones go to a wheel of kBuckets buckets of `width` each, by their time: a push is a
// multiplication and a list insertion, a pop takes the first non-empty bucket (a bitmap finds it)
// and the earliest event in it, compared with the heap's top. The width follows the run: every
// kWindow pops it is set again to a quarter of the mean time between them, so that most buckets
// hold no event or one (two in a bucket cost a mispredicted branch to find the earlier) and the
// wheel spans about 500 pops, whatever the model's time scale. An event beyond the wheel's
// horizon, or one that would make its bucket longer than kBucketCap, goes to a 4-ary min-heap
// instead, so that a push or a pop costs at most kBucketCap steps, a scan of the bitmap and a
// heap operation, however many events are pending or tied (and a retune, every kWindow pops, at
// most one pass over the wheel).
// Events are small plain structs; nothing is allocated per event once the arrays have grown to
// the run's high-water mark. docs/performance.md has what it saves against the earlier designs.
#pragma once

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace mlarch::sim {

// `Event` must have `double time` and `std::uint64_t seq` members.
template <typename Event>
class EventQueue {
 public:
  EventQueue() { head_.fill(kNil); }

  bool empty() const { return wheel_size_ == 0 && heap_.empty(); }
  std::size_t size() const { return wheel_size_ + heap_.size(); }
  void clear() {
    clear_wheel();
    heap_.clear();
  }

  void push(Event e) {
    e.seq = next_seq_++;
    insert(e);
  }

  Event pop() {
    if (wheel_size_ > 0) {
      const std::uint64_t bucket = first_bucket();
      const std::size_t slot = bucket & kMask;
      // The earliest of the bucket's few events (they are kept unsorted).
      std::uint32_t* best = &head_[slot];
      for (std::uint32_t* link = &nodes_[*best].next; *link != kNil; link = &nodes_[*link].next)
        if (before(nodes_[*link].event, nodes_[*best].event)) best = link;
      if (heap_.empty() || before(nodes_[*best].event, heap_.front())) {
        const std::uint32_t n = *best;
        const Event out = nodes_[n].event;
        *best = nodes_[n].next;
        nodes_[n].next = free_;
        free_ = n;
        --wheel_size_;
        if (--length_[slot] == 0) occupied_[slot / 64] &= ~(std::uint64_t{1} << (slot % 64));
        current_ = bucket;
        if (++window_pops_ == kWindow) retune(out.time);
        return out;
      }
    }
    const Event out = heap_pop();
    // Every event left is at or after this one: the wheel may start at its bucket.
    const double at = out.time * inverse_width_;
    if (at > static_cast<double>(current_) && at < kMaxBucket) current_ = static_cast<std::uint64_t>(at);
    if (++window_pops_ == kWindow) retune(out.time);
    return out;
  }

 private:
  static constexpr std::size_t kBuckets = 2048, kMask = kBuckets - 1, kWords = kBuckets / 64;
  static constexpr std::uint16_t kBucketCap = 32;
  static constexpr std::uint64_t kWindow = 4096;
  static constexpr double kPerGap = 4;  // buckets per mean time between pops
  static constexpr double kMaxBucket = 0x1.0p62;
  static constexpr std::uint32_t kNil = 0xFFFFFFFFu;
  static constexpr std::size_t kArity = 4;

  struct Node {
    Event event;
    std::uint32_t next;
  };

  static bool before(const Event& a, const Event& b) {
    return a.time < b.time || (a.time == b.time && a.seq < b.seq);
  }

  // Into its bucket when that is within the horizon and not full, else into the heap.
  void insert(const Event& e) {
    const double at = e.time * inverse_width_;
    if (!(at < static_cast<double>(current_ + kBuckets) && at >= 0)) return heap_push(e);
    // An event before the current bucket (only possible through rounding) waits in it.
    const std::uint64_t bucket = std::max(static_cast<std::uint64_t>(at), current_);
    const std::size_t slot = bucket & kMask;
    if (length_[slot] == kBucketCap) return heap_push(e);
    std::uint32_t n = free_;
    if (n != kNil) {
      free_ = nodes_[n].next;
    } else {
      n = static_cast<std::uint32_t>(nodes_.size());
      nodes_.emplace_back();
    }
    nodes_[n] = Node{e, head_[slot]};
    head_[slot] = n;
    ++length_[slot];
    occupied_[slot / 64] |= std::uint64_t{1} << (slot % 64);
    ++wheel_size_;
  }

  // The first non-empty bucket at or after the current one; the wheel holds buckets
  // [current_, current_ + kBuckets) only, so the first set bit met going round is the earliest.
  std::uint64_t first_bucket() const {
    const std::size_t start = current_ & kMask;
    std::size_t word = start / 64;
    std::uint64_t bits = occupied_[word] & (~std::uint64_t{0} << (start % 64));
    while (bits == 0) {  // round the wheel; back at the start word, only its bits before `start` are left
      word = (word + 1) % kWords;
      bits = occupied_[word];
    }
    const std::size_t slot = word * 64 + static_cast<std::size_t>(std::countr_zero(bits));
    return current_ + ((slot - start) & kMask);
  }

  // Every kWindow pops, the width is set again to a quarter of the mean time between them when it
  // is off by more than a factor of two; the wheel's events are then filed again (their order is kept: it
  // is their time and sequence number, not their place).
  [[gnu::noinline]] void retune(double time) {
    const double gap = (time - window_start_) / static_cast<double>(window_pops_);
    window_pops_ = 0;
    window_start_ = time;
    if (!(gap > 0) || !std::isfinite(gap)) return;
    const double ratio = gap * inverse_width_ / kPerGap;
    if (ratio > 0.5 && ratio < 2) return;
    inverse_width_ = kPerGap / gap;
    const double at = time * inverse_width_;
    current_ = at < kMaxBucket ? static_cast<std::uint64_t>(at) : 0;
    std::vector<Event> wheel;
    wheel.reserve(wheel_size_);
    for (std::size_t slot = 0; slot < kBuckets; ++slot)
      for (std::uint32_t n = head_[slot]; n != kNil; n = nodes_[n].next) wheel.push_back(nodes_[n].event);
    clear_wheel();
    for (const Event& e : wheel) insert(e);
  }

  void clear_wheel() {
    head_.fill(kNil);
    length_.fill(0);
    occupied_.fill(0);
    nodes_.clear();
    free_ = kNil;
    wheel_size_ = 0;
  }

  void heap_push(const Event& e) {
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

  Event heap_pop() {
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

  // The wheel: bucket b (absolute) is slot b mod kBuckets, a list of nodes; current_ is the
  // bucket of the last event popped, and no event in the wheel is before it.
  std::array<std::uint32_t, kBuckets> head_;
  std::array<std::uint16_t, kBuckets> length_{};
  std::array<std::uint64_t, kWords> occupied_{};
  std::vector<Node> nodes_;
  std::uint32_t free_ = kNil;
  std::size_t wheel_size_ = 0;
  std::uint64_t current_ = 0;
  double inverse_width_ = 1;
  std::uint64_t window_pops_ = 0;
  double window_start_ = 0;
  std::vector<Event> heap_;
  std::uint64_t next_seq_ = 0;
};

}  // namespace mlarch::sim
