// Latency percentiles without storing the samples: a log-linear histogram (HdrHistogram's
// layout, DDSketch's guarantee). A value's bucket is read off its IEEE-754 bits: the exponent
// picks the octave and the top 7 bits of the mantissa split it into 128 buckets, so recording is
// a shift and an increment. Reported quantiles are bucket midpoints, within 1/256 (0.39%) of the
// true order statistic's value, and clamped to the exact minimum and maximum. Memory is fixed
// (60 KiB) whatever the simulated duration; histograms merge by adding counts.
#pragma once

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

namespace mlarch::sim {

class LatencyHistogram {
 public:
  static constexpr int kSubBits = 7;
  static constexpr int kMinExponent = -30;  // 2^-30 ms ≈ 1 ps: below it values share bucket 0
  static constexpr int kMaxExponent = 30;   // 2^30 ms ≈ 12 days: above it values share the last
  static constexpr std::size_t kBuckets = std::size_t(kMaxExponent - kMinExponent) << kSubBits;
  // Largest relative distance between a recorded value and the midpoint reported for it.
  static constexpr double kRelativeError = 1.0 / (1 << (kSubBits + 1));

  LatencyHistogram() : counts_(kBuckets, 0) {}

  void record(double ms) {
    ++count_;
    sum_ += ms;
    min_ = std::min(min_, ms);
    max_ = std::max(max_, ms);
    ++counts_[bucket(ms)];
  }

  void merge(const LatencyHistogram& other) {
    for (std::size_t i = 0; i < kBuckets; ++i) counts_[i] += other.counts_[i];
    count_ += other.count_;
    sum_ += other.sum_;
    min_ = std::min(min_, other.min_);
    max_ = std::max(max_, other.max_);
  }

  void clear() {
    std::fill(counts_.begin(), counts_.end(), 0);
    count_ = 0;
    sum_ = 0;
    min_ = std::numeric_limits<double>::infinity();
    max_ = -std::numeric_limits<double>::infinity();
  }

  std::uint64_t count() const { return count_; }
  double mean() const { return count_ ? sum_ / static_cast<double>(count_) : 0; }
  double min() const { return count_ ? min_ : 0; }
  double max() const { return count_ ? max_ : 0; }

  // Calls f(midpoint, count) for every non-empty bucket, in increasing order of value.
  template <class F>
  void for_each_bucket(F&& f) const {
    for (std::size_t i = 0; i < kBuckets; ++i)
      if (counts_[i]) f(std::clamp(midpoint(i), min_, max_), counts_[i]);
  }

  // The q-quantile (0 ≤ q ≤ 1): the value of the ⌈q·n⌉-th smallest sample, to within
  // kRelativeError. 0 when empty.
  double quantile(double q) const {
    if (count_ == 0) return 0;
    auto rank = static_cast<std::uint64_t>(std::max(1.0, std::ceil(q * static_cast<double>(count_))));
    rank = std::min(rank, count_);
    std::uint64_t seen = 0;
    for (std::size_t i = 0; i < kBuckets; ++i) {
      seen += counts_[i];
      if (seen >= rank) return std::clamp(midpoint(i), min_, max_);
    }
    return max_;
  }

 private:
  static constexpr std::uint64_t kOffset = std::uint64_t(1023 + kMinExponent) << kSubBits;

  static std::size_t bucket(double ms) {
    if (!(ms > 0)) return 0;
    std::uint64_t key = std::bit_cast<std::uint64_t>(ms) >> (52 - kSubBits);
    if (key < kOffset) return 0;
    key -= kOffset;
    return key < kBuckets ? static_cast<std::size_t>(key) : kBuckets - 1;
  }
  static double lower_bound(std::size_t i) { return std::bit_cast<double>((i + kOffset) << (52 - kSubBits)); }
  static double midpoint(std::size_t i) { return 0.5 * (lower_bound(i) + lower_bound(i + 1)); }

  std::vector<std::uint64_t> counts_;
  std::uint64_t count_ = 0;
  double sum_ = 0;
  double min_ = std::numeric_limits<double>::infinity();
  double max_ = -std::numeric_limits<double>::infinity();
};

}  // namespace mlarch::sim
