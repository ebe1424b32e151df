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

}  // namespace

Result<std::unique_ptr<RandomSource>> secure_random_source() {
  if (sodium_init() < 0) return internal_error("libsodium could not be initialized");
  return std::unique_ptr<RandomSource>(std::make_unique<SodiumRandomSource>());
}

SeededRandomSource::SeededRandomSource(std::uint64_t seed)
    : x_(Xoshiro256StarStar::from_seed(seed)) {}

std::uint64_t SeededRandomSource::next_u64() { return x_.next(); }

}  // namespace consentric::disclose
