#pragma once

// The generator's pseudo-random numbers: named streams over core/xoshiro.h, and the
// distributions the generator draws from. Written here rather than taken from <random> because
// the standard distributions are implementation-defined: the same seed must give the same files
// with any standard library. Not for anything secret.
//
// Thread-safety: an Rng is a small value; give each thread (in practice each customer) its own.

#include <cmath>
#include <cstdint>
#include <span>

#include "core/xoshiro.h"

namespace consentric::synth {

using consentric::mix64;

// Streams are named so that two uses of the same index (a customer's behaviour, the
// contact in the same slot, a company) never share numbers.
enum class Stream : std::uint64_t {
  kCompany = 1,
  kContact = 2,
  kBehaviour = 3,
};

// One stream of xoshiro256** (core/xoshiro.h).
class Rng {
 public:
  // A stream determined by (seed, stream, index). The index goes through mix64 before it meets
  // the seed, so neighbouring indices do not give shifted copies of one splitmix sequence.
  Rng(std::uint64_t seed, Stream stream, std::uint64_t index)
      : x_(Xoshiro256StarStar::from_seed(
            mix64(mix64(seed ^ (static_cast<std::uint64_t>(stream) << 56)) +
                  mix64(index + 0x632BE59BD9B4E019ULL)))) {}

  std::uint64_t next() { return x_.next(); }

  // Uniform in [0, 1), 53 bits.
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

  // Uniform in [0, n); n > 0. Lemire's multiply-shift; its bias (< n / 2^64) is irrelevant here.
  std::uint64_t below(std::uint64_t n) {
    return static_cast<std::uint64_t>((static_cast<Wide>(next()) * n) >> 64);
  }

  // Uniform in [lo, hi], inclusive; lo <= hi.
  std::int64_t between(std::int64_t lo, std::int64_t hi) {
    return lo + static_cast<std::int64_t>(below(static_cast<std::uint64_t>(hi - lo) + 1));
  }

  bool chance(double p) { return uniform() < p; }

  // Standard normal, Box-Muller (one value per call: simpler than caching the spare, and the
  // generator is not bound by this).
  double normal() {
    const double u1 = 1.0 - uniform();  // (0, 1]: log is finite
    const double u2 = uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
  }

  double exponential(double mean) { return -mean * std::log(1.0 - uniform()); }

  // Poisson by Knuth's product method for small means, a rounded normal above 30 (where the
  // difference does not matter for synthetic counts).
  int poisson(double mean) {
    if (mean <= 0) return 0;
    if (mean > 30) {
      const double x = mean + std::sqrt(mean) * normal() + 0.5;
      return x < 0 ? 0 : static_cast<int>(x);
    }
    const double limit = std::exp(-mean);
    int k = 0;
    double product = uniform();
    while (product > limit) {
      ++k;
      product *= uniform();
    }
    return k;
  }

  // An index drawn with probability proportional to weights[i]; the weights are not all zero.
  std::size_t weighted(std::span<const int> weights) {
    int total = 0;
    for (int w : weights) total += w;
    auto r = static_cast<int>(below(static_cast<std::uint64_t>(total)));
    for (std::size_t i = 0; i < weights.size(); ++i) {
      if (r < weights[i]) return i;
      r -= weights[i];
    }
    return weights.size() - 1;
  }

 private:
  __extension__ typedef unsigned __int128 Wide;  // __extension__: -Wpedantic knows no __int128

  Xoshiro256StarStar x_;
};

// Logistic function, for turning a latent score into a probability.
inline double sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }

}  // namespace consentric::synth
