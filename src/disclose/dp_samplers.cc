#include "disclose/dp_samplers.h"

#include <numeric>

#include <fmt/format.h>

namespace consentric::disclose {
namespace {

constexpr Uint128 kTwo64 = Uint128{1} << 64;

// Bernoulli(exp(-gamma)) for gamma = num/den in [0, 1] (CKS Algorithm 1). Draw
// A_k ~ Bernoulli(gamma/k) for k = 1, 2, ... until the first A_k = 0; then P(K > k) = gamma^k/k!
// and P(K odd) = 1 - gamma + gamma^2/2! - ... = exp(-gamma). Bernoulli(gamma/k) is drawn as
// Bernoulli(gamma) and Bernoulli(1/k), which keeps every denominator at its own size.
bool bernoulli_exp_neg_at_most_one(RandomSource& rng, Uint128 num, Uint128 den) {
  std::uint64_t k = 1;
  while (bernoulli(rng, num, den) && bernoulli(rng, 1, k)) ++k;
  return k % 2 == 1;
}

// floor(sqrt(n)), exactly.
std::uint64_t isqrt(std::uint64_t n) {
  std::uint64_t lo = 0;
  std::uint64_t hi = std::uint64_t{1} << 32;  // (2^32)^2 > any n
  while (hi - lo > 1) {                       // invariant: lo^2 <= n < hi^2
    const std::uint64_t mid = lo + (hi - lo) / 2;
    if (static_cast<Uint128>(mid) * mid <= n) {
      lo = mid;
    } else {
      hi = mid;
    }
  }
  return lo;
}

}  // namespace

std::uint64_t uniform_below(RandomSource& rng, std::uint64_t n) {
  // 2^64 mod n words at the top of the range would make small values more likely; redraw them.
  const std::uint64_t reject = (0 - n) % n;
  while (true) {
    const std::uint64_t x = rng.next_u64();
    if (reject == 0 || x < 0 - reject) return x % n;
  }
}

Uint128 uniform_below_wide(RandomSource& rng, Uint128 n) {
  if (n <= kTwo64) {
    if (n == kTwo64) return rng.next_u64();
    return uniform_below(rng, static_cast<std::uint64_t>(n));
  }
  const Uint128 reject = (0 - n) % n;  // 2^128 mod n
  while (true) {
    const Uint128 x = (static_cast<Uint128>(rng.next_u64()) << 64) | rng.next_u64();
    if (reject == 0 || x < 0 - reject) return x % n;
  }
}

bool bernoulli(RandomSource& rng, Uint128 num, Uint128 den) {
  return uniform_below_wide(rng, den) < num;
}

bool bernoulli_exp_neg(RandomSource& rng, Uint128 num, Uint128 den) {
  // exp(-gamma) = exp(-1)^floor(gamma) * exp(-(gamma - floor(gamma))): independent factors, so
  // one failed factor decides. The loop ends after about 1.6 draws on average.
  for (Uint128 i = num / den; i > 0; --i) {
    if (!bernoulli_exp_neg_at_most_one(rng, 1, 1)) return false;
  }
  return bernoulli_exp_neg_at_most_one(rng, num % den, den);
}

Result<DiscreteLaplace> DiscreteLaplace::Create(Uint128 scale_num, Uint128 scale_den) {
  if (scale_num == 0 || scale_den == 0) {
    return invalid_argument("discrete Laplace: the scale must be a positive fraction");
  }
  if (scale_num >= (Uint128{1} << 100) || scale_den >= kTwo64) {
    return invalid_argument(
        "discrete Laplace: the scale's numerator must be below 2^100 and its denominator below "
        "2^64");
  }
  if (scale_num / scale_den > kMaxScale ||
      (scale_num / scale_den == kMaxScale && scale_num % scale_den != 0)) {
    return invalid_argument(
        fmt::format("discrete Laplace: scale {:.6g} is above 2^52",
                    static_cast<double>(scale_num) / static_cast<double>(scale_den)));
  }
  return DiscreteLaplace(scale_num, scale_den);
}

std::int64_t DiscreteLaplace::sample(RandomSource& rng) const {
  // CKS Algorithm 2 with t = num_ and s = den_: X = U + t*V is geometric with ratio
  // exp(-1/t) when U is uniform on {0..t-1} accepted with probability exp(-U/t) and V is
  // geometric with ratio exp(-1); then floor(X/s) is geometric with ratio exp(-s/t), and a random
  // sign (with -0 rejected) makes it discrete Laplace with scale t/s.
  constexpr std::uint64_t kMaxV = std::uint64_t{1} << 20;  // P(V >= 2^20) = e^(-2^20)
  constexpr Uint128 kMaxMagnitude = Uint128{1} << 62;      // P(|Y| > 2^62) < e^(-1024)
  while (true) {
    const Uint128 u = uniform_below_wide(rng, num_);
    if (!bernoulli_exp_neg(rng, u, num_)) continue;
    std::uint64_t v = 0;
    while (v < kMaxV && bernoulli_exp_neg(rng, 1, 1)) ++v;
    if (v == kMaxV) continue;  // cut-off: num_ * 2^20 stays far inside 128 bits
    const Uint128 y = (u + num_ * v) / den_;
    if (y > kMaxMagnitude) continue;  // cut-off: the result fits an int64 with room to add
    const bool negative = bernoulli(rng, 1, 2);
    if (negative && y == 0) continue;
    const auto magnitude = static_cast<std::int64_t>(y);
    return negative ? -magnitude : magnitude;
  }
}

Result<DiscreteGaussian> DiscreteGaussian::Create(std::uint64_t sigma2_num,
                                                  std::uint64_t sigma2_den) {
  if (sigma2_num == 0 || sigma2_den == 0) {
    return invalid_argument("discrete Gaussian: sigma^2 must be a positive fraction");
  }
  const std::uint64_t g = std::gcd(sigma2_num, sigma2_den);
  const std::uint64_t num = sigma2_num / g;
  const std::uint64_t den = sigma2_den / g;
  if (num > (std::uint64_t{1} << 50) || den > (std::uint64_t{1} << 20)) {
    return invalid_argument(fmt::format(
        "discrete Gaussian: sigma^2 = {}/{} needs a numerator <= 2^50 and a denominator <= 2^20",
        num, den));
  }
  const std::uint64_t t = isqrt(num / den) + 1;  // floor(sqrt(x)) = isqrt(floor(x))
  CONSENTRIC_ASSIGN_OR_RETURN(DiscreteLaplace proposal, DiscreteLaplace::Create(t, 1));
  return DiscreteGaussian(num, den, t, proposal);
}

std::int64_t DiscreteGaussian::sample(RandomSource& rng) const {
  // Accept Y ~ DLap(t) with probability exp(-gamma), where with sigma^2 = a/b
  //   gamma = (|Y| - sigma^2/t)^2 / (2 sigma^2) = (|Y| b t - a)^2 / (2 a b t^2).
  // With a <= 2^50 and b <= 2^20, b t^2 < 2^51, so the denominator is below 2^103; the numerator's
  // root fits 64 bits while |Y| < 2^64 / (b t), at least 2^13 t: a larger proposal (probability
  // below e^(-8192)) is redrawn.
  const Uint128 a = num_;
  const Uint128 bt = static_cast<Uint128>(den_) * t_;
  const Uint128 denominator = 2 * a * bt * t_;
  while (true) {
    const std::int64_t y = proposal_.sample(rng);
    const Uint128 magnitude = static_cast<Uint128>(y < 0 ? -y : y);
    const Uint128 scaled = magnitude * bt;  // < 2^62 * 2^51: fits
    const Uint128 root = scaled >= a ? scaled - a : a - scaled;
    if (root >= kTwo64) continue;  // cut-off, see above
    if (bernoulli_exp_neg(rng, root * root, denominator)) return y;
  }
}

}  // namespace consentric::disclose
