#pragma once

// The one pseudo-random core consentric has: splitmix64 (Steele, Lea, Flood 2014) to expand
// seeds, and xoshiro256** (Blackman and Vigna, "Scrambled linear pseudorandom number
// generators", 2018) for the stream. Written here rather than taken from <random> because the
// standard engines' seeding and distributions are implementation-defined, and the synthetic data
// and the seeded test noise must be the same with any standard library. Not for anything
// secret: the released noise uses libsodium's CSPRNG (disclose/dp_random.h).

#include <array>
#include <cstdint>

namespace consentric {

// The splitmix64 finalizer: a bijection of 64-bit values with good avalanche.
constexpr std::uint64_t mix64(std::uint64_t z) {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

// splitmix64's step: advances `state` by the golden-ratio increment and mixes it.
constexpr std::uint64_t splitmix64(std::uint64_t& state) {
  return mix64(state += 0x9E3779B97F4A7C15ULL);
}

class Xoshiro256StarStar {
 public:
  // The state words as given; not all zero.
  explicit constexpr Xoshiro256StarStar(const std::array<std::uint64_t, 4>& state) : s_(state) {}
  // The state expanded from one seed by splitmix64.
  static constexpr Xoshiro256StarStar from_seed(std::uint64_t seed) {
    std::array<std::uint64_t, 4> s{};
    for (std::uint64_t& word : s) word = splitmix64(seed);
    return Xoshiro256StarStar(s);
  }

  constexpr std::uint64_t next() {
    const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }

 private:
  static constexpr std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

  std::array<std::uint64_t, 4> s_;
};

}  // namespace consentric
