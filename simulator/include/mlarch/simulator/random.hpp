// Random numbers for the simulator: one xoshiro256++ stream per replication, seeded from the
// run's seed and the replication's index, and the variates the models need. Written here rather
// than taken from <random> so that a seed gives the same numbers on every standard library.
#pragma once

#include <array>
#include <cmath>
#include <cstdint>

namespace mlarch::sim {

// SplitMix64: turns a seed and an index into well-mixed 64-bit states.
constexpr std::uint64_t splitmix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// The seed of replication `index` of a run seeded with `seed`: independent of the thread count.
constexpr std::uint64_t replication_seed(std::uint64_t seed, std::uint64_t index) {
  std::uint64_t s = seed ^ (0xD1B54A32D192ED03ull * (index + 1));
  return splitmix64(s);
}

// The layers of a ziggurat (Marsaglia & Tsang, 2000) for a decreasing density f on [0, ∞), 256
// of equal area: x[1] = r is where the tail starts, x[0] the base layer's width as if it were a
// rectangle (its area ÷ f(r)), x[256] = 0; f[i] = f(x[i]).
struct Ziggurat {
  std::array<double, 257> x{}, f{};
  template <typename Density, typename Inverse>
  Ziggurat(double r, double area, Density density, Inverse inverse) {
    x[0] = area / density(r);
    x[1] = r;
    for (int i = 1; i < 255; ++i) x[i + 1] = inverse(area / x[i] + density(x[i]));
    x[256] = 0;
    for (int i = 0; i < 257; ++i) f[i] = density(x[i]);
  }
};

// exp(-x): r and area of the 256-layer table (Marsaglia & Tsang, 2000).
inline const Ziggurat& exponential_ziggurat() {
  static const Ziggurat z(
      7.69711747013104972, 3.949659822581572e-3, [](double x) { return std::exp(-x); },
      [](double y) { return -std::log(y); });
  return z;
}

// exp(-x²/2), one side: r and area of the 256-layer table (Marsaglia & Tsang, 2000).
inline const Ziggurat& normal_ziggurat() {
  static const Ziggurat z(
      3.6541528853610088, 4.92867323399e-3, [](double x) { return std::exp(-0.5 * x * x); },
      [](double y) { return std::sqrt(-2 * std::log(y)); });
  return z;
}

class Rng {
 public:
  explicit Rng(std::uint64_t seed) : exp_(&exponential_ziggurat()), norm_(&normal_ziggurat()) {
    std::uint64_t s = seed;
    for (auto& w : state_) w = splitmix64(s);
  }

  // xoshiro256++ (Blackman & Vigna, 2019).
  std::uint64_t next() {
    const std::uint64_t result = rotl(state_[0] + state_[3], 23) + state_[0];
    const std::uint64_t t = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= t;
    state_[3] = rotl(state_[3], 45);
    return result;
  }

  // Uniform on [0, 1), 53 bits.
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  // Uniform on (0, 1]: safe under a logarithm.
  double uniform_open0() { return static_cast<double>((next() >> 11) + 1) * 0x1.0p-53; }
  // Uniform integer on [0, n).
  std::uint64_t below(std::uint64_t n) {
    auto k = static_cast<std::uint64_t>(uniform() * static_cast<double>(n));
    return k < n ? k : n - 1;
  }
  bool chance(double p) { return uniform() < p; }

  // Exponential by the ziggurat: 99% of draws take one random word, a multiply and a compare,
  // with no logarithm. One word gives the layer (its low 8 bits) and the position (its top 53).
  double exponential(double mean) {
    const Ziggurat& z = *exp_;
    for (;;) {
      const std::uint64_t b = next();
      const unsigned i = b & 0xFF;
      const double x = static_cast<double>(b >> 11) * 0x1.0p-53 * z.x[i];
      if (x < z.x[i + 1]) return mean * x;
      if (i == 0) return mean * (z.x[1] - std::log(uniform_open0()));  // the tail is r + Exp(1)
      if (z.f[i] + uniform() * (z.f[i + 1] - z.f[i]) < std::exp(-x)) return mean * x;
    }
  }

  // Standard normal by the ziggurat; bit 8 of the word is the sign.
  double normal() {
    const Ziggurat& z = *norm_;
    for (;;) {
      const std::uint64_t b = next();
      const unsigned i = b & 0xFF;
      const double sign = 1.0 - static_cast<double>((b >> 7) & 2);  // ±1 from bit 8, without a branch
      double x = static_cast<double>(b >> 11) * 0x1.0p-53 * z.x[i];
      if (x < z.x[i + 1]) return sign * x;
      if (i == 0) {
        // The tail beyond r (Marsaglia, 1964).
        double a, y;
        do {
          a = -std::log(uniform_open0()) / z.x[1];
          y = -std::log(uniform_open0());
        } while (y + y < a * a);
        return sign * (z.x[1] + a);
      }
      if (z.f[i] + uniform() * (z.f[i + 1] - z.f[i]) < std::exp(-0.5 * x * x)) return sign * x;
    }
  }

  // Gamma(shape, 1) by Marsaglia & Tsang (2000); shape < 1 through the boost U^(1/shape).
  double gamma(double shape) {
    if (shape < 1) return gamma(shape + 1) * std::pow(uniform_open0(), 1 / shape);
    const double d = shape - 1.0 / 3, c = 1 / std::sqrt(9 * d);
    for (;;) {
      double x, v;
      do {
        x = normal();
        v = 1 + c * x;
      } while (v <= 0);
      v = v * v * v;
      double u = uniform_open0();
      if (u < 1 - 0.0331 * (x * x) * (x * x)) return d * v;
      if (std::log(u) < 0.5 * x * x + d * (1 - v + std::log(v))) return d * v;
    }
  }

 private:
  static constexpr std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  const Ziggurat* exp_;
  const Ziggurat* norm_;
  std::uint64_t state_[4];
};

}  // namespace mlarch::sim
