// Encoding: decode(encode(x)) == x for random canonical TcStrings (the invariant of
// tc_string.h), the bit-field/range choice, byte-aligned segments, and random mutations of
// valid strings that must decode or fail cleanly.

#include <algorithm>
#include <limits>
#include <map>
#include <random>

#include "tcf/tc_string.h"
#include "tcf/tc_test_util.h"
#include "testing/status_matchers.h"

namespace consentric::tcf {
namespace {

using ::consentric::testing::IsOk;
using namespace ::consentric::tcf::testing;  // NOLINT(google-build-using-namespace)

class Gen {
 public:
  explicit Gen(std::uint64_t seed) : rng_(seed) {}

  int uniform(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  bool coin(double p = 0.5) { return std::bernoulli_distribution(p)(rng_); }

  // Vendor ids in one of several shapes, so both encodings and the 4095-entry limit are hit.
  std::vector<int> vendors() {
    std::vector<int> out;
    switch (uniform(0, 6)) {
      case 0:
        break;   // empty
      case 1: {  // a few sparse ids anywhere: ranges win
        const int n = uniform(1, 8);
        for (int i = 0; i < n; ++i) out.push_back(uniform(1, kMaxVendorId));
        break;
      }
      case 2: {  // dense random bits below a small max: the bit field wins
        const int max = uniform(1, 700);
        for (int id = 1; id <= max; ++id) {
          if (coin()) out.push_back(id);
        }
        break;
      }
      case 3: {  // a few long runs
        const int n = uniform(1, 5);
        for (int i = 0; i < n; ++i) {
          const int a = uniform(1, kMaxVendorId);
          const int b = std::min(kMaxVendorId, a + uniform(0, 3000));
          for (int id = a; id <= b; ++id) out.push_back(id);
        }
        break;
      }
      case 4:  // the extremes
        out = {1, kMaxVendorId};
        break;
      case 5: {  // runs of two, so single and range entries mix
        const int n = uniform(1, 40);
        for (int i = 0; i < n; ++i) {
          const int a = uniform(1, kMaxVendorId - 1);
          out.push_back(a);
          if (coin()) out.push_back(a + 1);
        }
        break;
      }
      default: {  // rarely, more than 4095 separate runs
        if (coin(0.1)) {
          const int step = uniform(2, 3);
          for (int id = 1; id <= 4200 * step; id += step) out.push_back(id);
        } else {
          out.push_back(uniform(1, 100));
        }
      }
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
  }

  std::set<int> vendor_set() {
    const std::vector<int> v = vendors();
    return {v.begin(), v.end()};
  }

  template <std::size_t N>
  std::bitset<N> bitset() {
    std::bitset<N> b;
    for (std::size_t i = 0; i < N; ++i) b[i] = coin();
    return b;
  }

  std::string letters() {
    return {static_cast<char>('A' + uniform(0, 25)), static_cast<char>('A' + uniform(0, 25))};
  }

  TcString tc_string() {
    TcString tc;
    const std::int64_t created_ds =
        std::uniform_int_distribution<std::int64_t>(1, 41'024'448'000)(rng_);
    const std::int64_t updated_ds =
        coin() ? created_ds : std::uniform_int_distribution<std::int64_t>(1, 41'024'448'000)(rng_);
    tc.created = created_ds / 10;
    tc.created_tenths = static_cast<int>(created_ds % 10);
    tc.last_updated = updated_ds / 10;
    tc.last_updated_tenths = static_cast<int>(updated_ds % 10);
    tc.cmp_id = uniform(0, 4095);
    tc.cmp_version = uniform(0, 4095);
    tc.consent_screen = uniform(0, 63);
    tc.consent_language = letters();
    tc.vendor_list_version = uniform(0, 4095);
    tc.policy_version = uniform(0, 63);
    tc.is_service_specific = coin();
    tc.use_non_standard_texts = coin();
    tc.purpose_one_treatment = coin();
    tc.special_feature_opt_ins = bitset<12>();
    tc.purposes_consent = bitset<24>();
    tc.purposes_li_transparency = bitset<24>();
    tc.publisher_cc = letters();
    tc.vendor_consents = vendor_set();
    tc.vendor_li = vendor_set();
    std::map<std::pair<int, int>, std::vector<int>> restrictions;
    const int n = coin(0.3) ? 0 : uniform(1, 6);
    for (int i = 0; i < n; ++i) {
      restrictions[{uniform(1, 63), uniform(0, 2)}] = coin(0.2) ? std::vector<int>{} : vendors();
    }
    for (auto& [key, v] : restrictions) {
      tc.publisher_restrictions.push_back({key.first, key.second, std::move(v)});
    }
    if (coin()) tc.disclosed_vendors = vendor_set();
    if (coin(0.3)) tc.allowed_vendors = vendor_set();
    if (coin()) {
      PublisherTc p;
      p.purposes_consent = bitset<24>();
      p.purposes_li = bitset<24>();
      p.num_custom_purposes = uniform(0, 63);
      for (int i = 0; i < p.num_custom_purposes; ++i) {
        p.custom_consent.push_back(coin());
        p.custom_li.push_back(coin());
      }
      tc.publisher_tc = std::move(p);
    }
    return tc;
  }

 private:
  std::mt19937_64 rng_;
};

// IsRangeEncoding of the core's vendor consent section (bit 229).
bool consents_use_ranges(const std::string& encoded) {
  return to_bitstring(encoded.substr(0, encoded.find('.')))[229] == '1';
}

TEST(TcfRoundTrip, RandomStringsSurviveEncodeDecode) {
  Gen gen(20240917);
  int ranges = 0, bitfields = 0, split = 0;
  for (int i = 0; i < 2000; ++i) {
    const TcString tc = gen.tc_string();
    ASSERT_THAT(validate(tc), IsOk()) << "case " << i;
    const std::string s = encode(tc);
    ASSERT_EQ(s.find('='), std::string::npos);
    const auto back = decode(s);
    ASSERT_THAT(back, IsOk()) << "case " << i;
    ASSERT_EQ(*back, tc) << "case " << i << ": " << s.substr(0, 200);
    ASSERT_EQ(encode(*back), s) << "case " << i;
    if (!tc.vendor_consents.empty()) (consents_use_ranges(s) ? ranges : bitfields)++;
    for (const auto& pr : tc.publisher_restrictions) {
      if (pr.vendors.size() > 4095 && pr.vendors.back() - pr.vendors.front() >= 8190) ++split;
    }
  }
  // The generator reaches both encodings and the split of long restriction lists.
  EXPECT_GT(ranges, 100);
  EXPECT_GT(bitfields, 100);
  EXPECT_GT(split, 0);
}

TEST(TcfRoundTrip, ChoosesTheShorterVendorEncoding) {
  TcString tc;
  tc.created = tc.last_updated = 1696118400;
  tc.consent_language = "EN";
  tc.publisher_cc = "DE";
  tc.policy_version = 4;
  for (int id = 1; id <= 2000; ++id) tc.vendor_consents.insert(id);
  std::string s = encode(tc);
  EXPECT_TRUE(consents_use_ranges(s));  // one entry of 33 bits beats 2000 bits
  EXPECT_LT(s.size(), 60u);
  tc.vendor_consents = {1, 3, 5, 7, 9, 11};  // 6 entries of 17 bits + 12 > 11 bits
  s = encode(tc);
  EXPECT_FALSE(consents_use_ranges(s));
  tc.vendor_consents = {60000};
  s = encode(tc);
  EXPECT_TRUE(consents_use_ranges(s));
  EXPECT_EQ(decode(s)->vendor_consents, (std::set<int>{60000}));
}

TEST(TcfRoundTrip, SegmentsAreWholeBytes) {
  Gen gen(7);
  for (int i = 0; i < 200; ++i) {
    const std::string s = encode(gen.tc_string());
    std::size_t start = 0;
    while (true) {
      const std::size_t dot = s.find('.', start);
      const std::size_t len = (dot == std::string::npos ? s.size() : dot) - start;
      // ceil(8n / 6) characters for n bytes: 2, 3 or 4 characters per 1, 2 or 3 bytes.
      EXPECT_NE(len % 4, 1u);
      if (dot == std::string::npos) break;
      start = dot + 1;
    }
  }
}

TEST(TcfRoundTrip, ValidateNamesTheField) {
  TcString tc;
  tc.created = tc.last_updated = 1696118400;
  tc.consent_language = "EN";
  tc.publisher_cc = "DE";
  EXPECT_OK(validate(tc));
  TcString bad = tc;
  bad.cmp_id = 4096;
  EXPECT_THAT(validate(bad), ::consentric::testing::StatusIs(StatusCode::kInvalidArgument,
                                                             ::testing::HasSubstr("cmp_id")));
  bad = tc;
  bad.consent_language = "en";
  EXPECT_FALSE(validate(bad).ok());
  bad = tc;
  bad.vendor_li = {0};
  EXPECT_FALSE(validate(bad).ok());
  bad = tc;
  bad.publisher_restrictions = {{1, 3, {}}};
  EXPECT_FALSE(validate(bad).ok());
  bad = tc;
  bad.created = 0;
  EXPECT_FALSE(validate(bad).ok());
  bad = tc;
  bad.created = std::numeric_limits<std::int64_t>::max();
  EXPECT_FALSE(validate(bad).ok());
  // Out of contract, encode still returns something decode() reads or refuses cleanly.
  bad.cmp_id = -5;
  bad.publisher_cc = "\xff";
  bad.vendor_consents = {-1, 0, 70000};
  const auto r = decode(encode(bad));
  if (r.ok()) {
    EXPECT_EQ(r->vendor_consents.size(), 0u);
  }
}

TEST(TcfRoundTrip, MutatedStringsDecodeOrFailCleanly) {
  Gen gen(99);
  std::mt19937_64 rng(5);
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.";
  int decoded = 0;
  for (int i = 0; i < 3000; ++i) {
    std::string s = encode(gen.tc_string());
    if (s.size() > 400) s.resize(400);
    const int edits = static_cast<int>(rng() % 3) + 1;
    for (int e = 0; e < edits; ++e) s[rng() % s.size()] = kAlphabet[rng() % 65];
    const auto r = decode(s);
    if (!r.ok()) {
      ASSERT_EQ(r.status().code(), StatusCode::kInvalidArgument);
      continue;
    }
    ++decoded;
    ASSERT_THAT(validate(*r), IsOk());
    ASSERT_EQ(*decode(encode(*r)), *r) << s;
  }
  EXPECT_GT(decoded, 100);
}

}  // namespace
}  // namespace consentric::tcf
