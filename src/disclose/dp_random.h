#pragma once

// Where differential-privacy noise gets its random bits (STYLE.md: noise comes only from an
// injected source). Production uses libsodium's CSPRNG; tests inject a seeded generator so that
// every statistical test is deterministic. The samplers (dp_samplers.h) turn these bits into
// exact integer draws: nothing in a noise path touches floating point.

#include <cstdint>
#include <memory>

#include "consentric/status.h"
#include "core/xoshiro.h"

namespace consentric::disclose {

// A source of independent, uniformly distributed 64-bit words.
// Thread-safety: none; give each thread its own source.
class RandomSource {
 public:
  RandomSource() = default;
  virtual ~RandomSource() = default;
  RandomSource(const RandomSource&) = delete;
  RandomSource& operator=(const RandomSource&) = delete;

  // The next 64 uniformly random bits. Never fails: a source that cannot deliver randomness
  // must fail at construction, not here.
  virtual std::uint64_t next_u64() = 0;
};

// libsodium's randombytes_buf (a ChaCha20-based CSPRNG seeded from the OS), buffered. Fails with
// kInternal when libsodium cannot be initialized. The source for every released statistic.
Result<std::unique_ptr<RandomSource>> secure_random_source();

// A deterministic generator for tests and reproducible simulations: xoshiro256** (Blackman and
// Vigna 2018) with its state expanded from the seed by splitmix64. Not for releases: whoever
// knows the seed knows the noise.
class SeededRandomSource final : public RandomSource {
 public:
  explicit SeededRandomSource(std::uint64_t seed);
  std::uint64_t next_u64() override;

 private:
  Xoshiro256StarStar x_;
};

}  // namespace consentric::disclose
