#pragma once

// Exact samplers for differential-privacy noise, after Canonne, Kamath and Steinke, "The
// Discrete Gaussian for Differential Privacy" (NeurIPS 2020, arXiv:2004.00010), Algorithms 1-3.
// Every parameter is a rational number and every draw is made from uniform random integers with
// integer arithmetic, so the output distribution is exactly the stated one (up to the documented
// cut-offs, each of probability below 2^-1400). No floating point, so no Mironov (2012) attack on
// the low bits of a floating-point sample. See docs/algorithms/differential-privacy.md.

#include <cstdint>

#include "consentric/status.h"
#include "disclose/dp_random.h"

namespace consentric::disclose {

__extension__ typedef unsigned __int128 Uint128;  // __extension__: -Wpedantic knows no __int128

// Uniform on {0, ..., n-1} by rejection: a draw from the top partial block is redrawn, so there
// is no modulo bias. REQUIRES: n >= 1.
std::uint64_t uniform_below(RandomSource& rng, std::uint64_t n);
Uint128 uniform_below_wide(RandomSource& rng, Uint128 n);

// true with probability num/den. REQUIRES: 0 < den, num <= den.
bool bernoulli(RandomSource& rng, Uint128 num, Uint128 den);

// true with probability exp(-num/den) (CKS Algorithm 1; gamma > 1 as a product of
// floor(gamma) draws of Bernoulli(exp(-1)) and one of Bernoulli(exp(-(gamma - floor(gamma))))).
// REQUIRES: den > 0.
bool bernoulli_exp_neg(RandomSource& rng, Uint128 num, Uint128 den);

// The discrete Laplace distribution with scale t = num/den: P(y) proportional to exp(-|y|/t) on
// the integers (CKS Algorithm 2). Its variance is 2e^(-1/t) / (1 - e^(-1/t))^2.
class DiscreteLaplace {
 public:
  static constexpr Uint128 kMaxScale = Uint128{1} << 52;

  // InvalidArgument unless num >= 1, den >= 1, num < 2^100, den < 2^64 and num/den <= 2^52.
  static Result<DiscreteLaplace> Create(Uint128 scale_num, Uint128 scale_den);

  // Thread-safe (const); the source is the caller's.
  std::int64_t sample(RandomSource& rng) const;

  Uint128 scale_num() const { return num_; }
  Uint128 scale_den() const { return den_; }

 private:
  DiscreteLaplace(Uint128 num, Uint128 den) : num_(num), den_(den) {}
  Uint128 num_;
  Uint128 den_;
};

// The discrete Gaussian N_Z(0, sigma^2) with sigma^2 = num/den: P(y) proportional to
// exp(-y^2 / (2 sigma^2)) on the integers (CKS Algorithm 3: discrete Laplace proposals of scale
// floor(sigma) + 1, accepted with probability exp(-(|y| - sigma^2/t)^2 / (2 sigma^2))).
class DiscreteGaussian {
 public:
  // InvalidArgument unless 1 <= num <= 2^50 and 1 <= den <= 2^20 (after reducing the fraction):
  // the limits under which the acceptance exponent is computed exactly in 128 bits.
  static Result<DiscreteGaussian> Create(std::uint64_t sigma2_num, std::uint64_t sigma2_den);

  std::int64_t sample(RandomSource& rng) const;

  std::uint64_t sigma2_num() const { return num_; }
  std::uint64_t sigma2_den() const { return den_; }

 private:
  DiscreteGaussian(std::uint64_t num, std::uint64_t den, std::uint64_t t, DiscreteLaplace proposal)
      : num_(num), den_(den), t_(t), proposal_(proposal) {}
  std::uint64_t num_;
  std::uint64_t den_;
  std::uint64_t t_;  // floor(sigma) + 1
  DiscreteLaplace proposal_;
};

}  // namespace consentric::disclose
