#include "disclose/dp_random.h"

#include <bit>
#include <set>

#include <gtest/gtest.h>

#include "testing/status_matchers.h"

namespace consentric::disclose {
namespace {

// Every bit position is set in about half the words; 5 standard deviations of 20,000 draws.
void expect_balanced_bits(RandomSource& rng) {
  constexpr int kDraws = 20000;
  int ones[64] = {};
  for (int i = 0; i < kDraws; ++i) {
    const std::uint64_t word = rng.next_u64();
    for (int bit = 0; bit < 64; ++bit) ones[bit] += static_cast<int>((word >> bit) & 1);
  }
  for (int bit = 0; bit < 64; ++bit) {
    EXPECT_NEAR(ones[bit], kDraws / 2, 5 * 71) << "bit " << bit;  // sd = sqrt(20000)/2 = 71
  }
}

TEST(SeededRandomSource, SameSeedSameStreamOtherSeedOtherStream) {
  SeededRandomSource a(42);
  SeededRandomSource b(42);
  SeededRandomSource c(43);
  int equal_to_c = 0;
  for (int i = 0; i < 1000; ++i) {
    const std::uint64_t x = a.next_u64();
    EXPECT_EQ(x, b.next_u64());
    equal_to_c += static_cast<int>(x == c.next_u64());
  }
  EXPECT_EQ(equal_to_c, 0);
}

TEST(SeededRandomSource, BitsAreBalanced) {
  SeededRandomSource rng(7);
  expect_balanced_bits(rng);
}

TEST(SecureRandomSource, BitsAreBalancedAndTwoSourcesDiffer) {
  auto a = secure_random_source();
  auto b = secure_random_source();
  ASSERT_OK(a);
  ASSERT_OK(b);
  expect_balanced_bits(**a);
  std::set<std::uint64_t> seen;
  for (int i = 0; i < 1000; ++i) {
    seen.insert((*a)->next_u64());
    seen.insert((*b)->next_u64());
  }
  EXPECT_EQ(seen.size(), 2000u);  // a repeat among 2000 random 64-bit words: p < 2^-43
}

}  // namespace
}  // namespace consentric::disclose
