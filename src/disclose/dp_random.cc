#include "disclose/dp_random.h"

#include <sodium.h>

#include <array>
#include <cstddef>

namespace consentric::disclose {
namespace {

// One randombytes_buf call per 64 words: the call has a fixed cost worth spreading.
class SodiumRandomSource final : public RandomSource {
 public:
  std::uint64_t next_u64() override {
    if (next_ == buffer_.size()) {
      randombytes_buf(buffer_.data(), buffer_.size() * sizeof(std::uint64_t));
      next_ = 0;
    }
    const std::uint64_t word = buffer_[next_];
    buffer_[next_++] = 0;  // a used word does not linger in memory
    return word;
  }
  ~SodiumRandomSource() override { sodium_memzero(buffer_.data(), sizeof(buffer_)); }

 private:
  std::array<std::uint64_t, 64> buffer_{};
  std::size_t next_ = 64;  // empty: the first call fills the buffer
};

constexpr std::uint64_t splitmix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

constexpr std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

}  // namespace

Result<std::unique_ptr<RandomSource>> secure_random_source() {
  if (sodium_init() < 0) return internal_error("libsodium could not be initialized");
  return std::unique_ptr<RandomSource>(std::make_unique<SodiumRandomSource>());
}

SeededRandomSource::SeededRandomSource(std::uint64_t seed) {
  std::uint64_t state = seed;
  for (std::uint64_t& word : s_) word = splitmix64(state);
}

std::uint64_t SeededRandomSource::next_u64() {
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

}  // namespace consentric::disclose
