// Decoding: the public vectors (iabtcf-java TCStringV2Test, iabtcf-es ReportedIssues, the TCF
// 2.3 spec example) with their published expected values, our own bit-string vectors, and the
// refusals.

#include "tcf/tc_string.h"

#include <set>
#include <string>

#include "tcf/tc_test_util.h"
#include "testing/status_matchers.h"

namespace consentric::tcf {
namespace {

using ::consentric::testing::IsOk;
using ::consentric::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using namespace ::consentric::tcf::testing;  // NOLINT(google-build-using-namespace)

template <std::size_t N>
std::set<int> ids(const std::bitset<N>& b) {
  std::set<int> out;
  for (std::size_t i = 0; i < N; ++i) {
    if (b[i]) out.insert(static_cast<int>(i) + 1);
  }
  return out;
}

TcString decode_ok(std::string_view s) {
  auto r = decode(s);
  EXPECT_THAT(r, IsOk()) << s;
  if (!r.ok()) return {};
  // Whatever we decode, we encode back to the same value.
  const auto again = decode(encode(*r));
  EXPECT_THAT(again, IsOk());
  if (again.ok()) {
    EXPECT_EQ(*again, *r) << s;
  }
  EXPECT_THAT(validate(*r), IsOk());
  return *r;
}

Status decode_error(std::string_view s) { return decode(s).status(); }

// iabtcf-java TCStringV2Test.testCanConstructTCModelFromBase64String.
constexpr std::string_view kJavaCore = "COtybn4PA_zT4KjACBENAPCIAEBAAECAAIAAAAAAAAAA";
// iabtcf-java TCStringV2Test.testConstructConsentsFromBitFields (and the next three tests).
constexpr std::string_view kJavaBitFields =
    "COrEAV4OrXx94ACABBENAHCIAD-AAAAAAACAAxAAAAgAIAwgAgAAAAEAgQAAAAAEAYQAQAAAACAAAABAAA";
constexpr std::string_view kJavaOob = ".IBAgAAAgAIAwgAgAAAAEAAAACA.QAagAQAgAIAwgA";
// The TCF 2.3 example of the spec's FAQ (privacy-references.md §5.1).
constexpr std::string_view kSpec23 =
    "CQSbk4AQSbk4ANwAAAENAwCgAAAAAAAAAAYgACPAAAAA.IDKQA4AAgAKAGQAygAAA.YAAAAAAAAAAA";
// iabtcf-java TCStringV2Test.testRange: the same vendor-LI segment after both.
constexpr std::string_view kJavaRangeTail =
    ".IFoEUQQgAIQwgIwQABAEAAAAOIAACAIAAAAQAIAgEAACEAAAAAgAQBAAAAAAAGBAAgAAAAAAAFAAECAAAgAAQARAEQ"
    "AAAAAJAAIAAgAAAYQEAAAQmAgBC3ZAYzUw";
// iabtcf-es ReportedIssues #201: one vendor named by several restriction entries.
constexpr std::string_view kEs201 =
    "CO4VGswO4VGswAfZCBDEAzCsAP_AAH_AAAigGUNf_X9fb2vj-_599_t0eY1f9_63t-wzjheMs-8NyZ-X_J4Wv2MyvB34"
    "JqQKGRgkunLBAQdtHGncTQgBwIlViTLMY02MjzNKJrJEilsbe2dYGH9vn8XT_ZKZ70-_v__7v3___33_5Ayhr_6_r7e1"
    "8f3_Pvv9ujzGr_v_W9v2GccLxln3huTPy_5PC1-xmV4O_BNSBQyMEl05YICDto407iaEAOBEqsSZZjGmxkeZpRNZIkU"
    "tjb2zrAw_t8_i6f7JTPen39___d-___--__ICgKAOAAcAA4AFAAjgB6AEYALcGACAW0AtoJAHAAOAAcACgARwA9ACMA"
    "FuFABALaAW0GgDgAHAAOABQAI4AegBGAC3DgAgFtALaEQBwADgAHAAoAEcAPQAjABbiQAQC2gFtCoA4ABwADgAUACOA"
    "HoARgAtxYAIBbQC2hkAcAA4ABwAKABHAD0AIwAW40AEAtoBbQ6AOAAcAA4AFAAjgB6AEYALceACAW0AtohAHAAOAAcA"
    "CgARwA9ACMAFuRABALaAW0SgDgAHAAOABQAI4AegBGAC3JgAgFtALaKQBwADgAHAAoAEcAPQAjABblQAQC2gFtA";
// iabtcf-es ReportedIssues #142: the disclosed-vendors bit field is shorter than MaxVendorId.
constexpr std::string_view kEs142 =
    "CLSYjTaOngnCIAOABBENAXCMAGOAABBAAA7IA5n-m7fP6_3fbqVv6E__PoA5Aqff3aJx8tv_1967rfnQEQoAIAAQCrwk"
    "AEABAcACABIMACAAuApEVABABUSABgBCAVSAtIoACACIArYQAHACgAFgAVwBJgDcAI7AWgMAAgBiKgAgBMgFfKQAQBR"
    "kQAQA4AFiBAAoA-AEVAJlAVgAtYcACAJcAr4eABAK8OgBgFzAOmAqwgABAWyA.IFukWSQh";
// iabtcf-es ReportedIssues #156 and #191: TCF v1 strings.
constexpr std::string_view kEs156 =
    "BOhwdphOxFC7tAHABBFRC--AAAAuhr_7__7-_9_-_f__9uj3Or_v_f__32ccL59v_h_7v-_7fi_20nV4u_1vft9yfk1-"
    "5ctDztp507iakivXmqdeb9v_nz3_5pxP78k89r7337Ew_v8_v-b7BCON_YxEiA";
constexpr std::string_view kEs191 = "BO2e4qiO2e4qiB9ABADEDS-AAAAxKABgACBiQA";

TEST(TcfDecode, JavaCoreVector) {
  const TcString tc = decode_ok(kJavaCore);
  EXPECT_EQ(tc.version, 2);
  EXPECT_EQ(tc.created, 1580058060);  // 2020-01-26T17:01:00Z
  EXPECT_EQ(tc.created_tenths, 0);
  EXPECT_EQ(tc.last_updated, 1612285260);  // 2021-02-02T17:01:00Z
  EXPECT_EQ(tc.cmp_id, 675);
  EXPECT_EQ(tc.cmp_version, 2);
  EXPECT_EQ(tc.consent_screen, 1);
  EXPECT_EQ(tc.vendor_list_version, 15);
  EXPECT_EQ(tc.policy_version, 2);
  EXPECT_EQ(tc.consent_language, "EN");
  EXPECT_EQ(tc.publisher_cc, "AA");
  EXPECT_FALSE(tc.is_service_specific);
  EXPECT_TRUE(tc.purpose_one_treatment);
  EXPECT_FALSE(tc.use_non_standard_texts);
  EXPECT_EQ(ids(tc.special_feature_opt_ins), (std::set<int>{1}));
  EXPECT_EQ(ids(tc.purposes_consent), (std::set<int>{2, 10}));
  EXPECT_EQ(ids(tc.purposes_li_transparency), (std::set<int>{2, 9}));
  EXPECT_TRUE(tc.purpose_consent(2));
  EXPECT_FALSE(tc.purpose_consent(1));
  EXPECT_FALSE(tc.purpose_consent(0));
  EXPECT_FALSE(tc.purpose_consent(25));
  EXPECT_FALSE(tc.disclosed_vendors.has_value());
  EXPECT_FALSE(tc.publisher_tc.has_value());
}

TEST(TcfDecode, JavaBitFieldVendors) {
  const TcString tc = decode_ok(kJavaBitFields);
  EXPECT_EQ(ids(tc.purposes_consent), (std::set<int>{3, 4, 5, 6, 7, 8, 9}));
  EXPECT_EQ(tc.vendor_consents, (std::set<int>{23, 37, 47, 48, 53, 65, 98}));
  EXPECT_EQ(tc.vendor_li, (std::set<int>{37, 47, 48, 53, 65, 98, 129}));
  EXPECT_TRUE(tc.vendor_consent(23));
  EXPECT_FALSE(tc.vendor_consent(24));
}

TEST(TcfDecode, JavaDisclosedAndAllowedVendors) {
  const TcString tc = decode_ok(std::string(kJavaBitFields) + std::string(kJavaOob));
  ASSERT_TRUE(tc.allowed_vendors.has_value());
  ASSERT_TRUE(tc.disclosed_vendors.has_value());
  EXPECT_EQ(*tc.allowed_vendors, (std::set<int>{12, 23, 37, 47, 48, 53}));
  EXPECT_EQ(*tc.disclosed_vendors, (std::set<int>{23, 37, 47, 48, 53, 65, 98, 129}));
}

TEST(TcfDecode, JavaAllPartsNeedNoPadding) {
  // iabtcf-java's testCanParseAllParts ends in '='; TC strings are base64url without padding.
  const std::string with_padding =
      std::string(kJavaBitFields) + std::string(kJavaOob) + ".cAAAAAAAITg=";
  EXPECT_THAT(decode(with_padding),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("'=' padding at offset")));
  const TcString tc = decode_ok(with_padding.substr(0, with_padding.size() - 1));
  ASSERT_TRUE(tc.publisher_tc.has_value());
  EXPECT_EQ(tc.publisher_tc->purposes_consent.count(), 1u);
}

TEST(TcfDecode, JavaRangeEncodedVendorLi) {
  const TcString tc = decode_ok("COv__-wOv__-wC2AAAENAPCgAAAAAAAAAAAAA_wAQA_gEBABAEAAAA");
  EXPECT_EQ(tc.vendor_li, (std::set<int>{128}));
}

TEST(TcfDecode, JavaRangeEncodedVendorConsents) {
  const TcString two = decode_ok("COwBOpCOwBOpCLqAAAENAPCAAAAAAAAAAAAAFfwAYFfAV-BVkAGBVYFWAAA" +
                                 std::string(kJavaRangeTail));
  EXPECT_EQ(two.vendor_consents, (std::set<int>{702, 703}));
  const TcString one = decode_ok("COwBOpCOwBOpCLqAAAENAPCAAAAAAAAAAAAAFfwAQFfgUbABAUaAAA" +
                                 std::string(kJavaRangeTail));
  EXPECT_EQ(one.vendor_consents, (std::set<int>{703}));
}

TEST(TcfDecode, JavaPurposesConsent) {
  const TcString tc = decode_ok("COwxsONOwxsONKpAAAENAdCAAMAAAAAAAAAAAAAAAAAA");
  EXPECT_TRUE(tc.purpose_consent(1));
  EXPECT_TRUE(tc.purpose_consent(2));
}

TEST(TcfDecode, JavaPublisherRestrictionsFromBits) {
  // iabtcf-java testPublisherRestrictions: three restrictions without vendors.
  const std::string bitstring =
      "0000100011101011100100000000000000101000000011101011100100000000000000101000000011001111"
      "1000000000000000000000010000110100000000111100001000000000000000000000000000000000000000"
      "00000000000000000000000000000000000000000000000000000000000000000000000000000000011"
      "000001"
      "01"
      "000000000000"
      "000010"
      "00"
      "000000000000"
      "000011"
      "10"
      "000000000000"
      "0";
  const TcString tc = decode_ok(to_base64url(bitstring));
  EXPECT_EQ(tc.publisher_restrictions,
            (std::vector<PublisherRestriction>{{1, kRestrictionRequireConsent, {}},
                                               {2, kRestrictionNotAllowed, {}},
                                               {3, kRestrictionRequireLegitimateInterest, {}}}));
}

TEST(TcfDecode, JavaPublisherPurposesFromBits) {
  const std::string pub =
      "011"                       // segment type
      "100000000000000000000000"  // PubPurposesConsent
      "000000000000000000000001"  // PubPurposesLITransparency
      "000010"                    // NumCustomPurposes
      "01"                        // CustomPurposesConsent
      "11"                        // CustomPurposesLITransparency
      "000";
  const TcString tc = decode_ok(std::string(kJavaCore) + "." + to_base64url(pub));
  ASSERT_TRUE(tc.publisher_tc.has_value());
  EXPECT_EQ(ids(tc.publisher_tc->purposes_consent), (std::set<int>{1}));
  EXPECT_EQ(ids(tc.publisher_tc->purposes_li), (std::set<int>{24}));
  EXPECT_EQ(tc.publisher_tc->num_custom_purposes, 2);
  EXPECT_EQ(tc.publisher_tc->custom_consent, (std::vector<bool>{false, true}));
  EXPECT_EQ(tc.publisher_tc->custom_li, (std::vector<bool>{true, true}));
}

TEST(TcfDecode, Spec23Example) {
  // Expected values as decoded independently (and by other public decoders' tests): an
  // illustrative string, hence policy version 2 in a 2025 string.
  const TcString tc = decode_ok(kSpec23);
  EXPECT_EQ(tc.version, 2);
  EXPECT_EQ(tc.created, 1748908800);  // 2025-06-03T00:00:00Z
  EXPECT_EQ(tc.created, tc.last_updated);
  EXPECT_EQ(tc.cmp_id, 880);
  EXPECT_EQ(tc.cmp_version, 0);
  EXPECT_EQ(tc.consent_language, "EN");
  EXPECT_EQ(tc.publisher_cc, "DE");
  EXPECT_EQ(tc.vendor_list_version, 48);
  EXPECT_EQ(tc.policy_version, 2);
  EXPECT_TRUE(tc.is_service_specific);
  EXPECT_EQ(tc.purposes_consent.count(), 0u);
  EXPECT_EQ(tc.vendor_consents, (std::set<int>{1, 2, 3, 4}));
  EXPECT_TRUE(tc.vendor_li.empty());
  EXPECT_TRUE(tc.publisher_restrictions.empty());
  ASSERT_TRUE(tc.disclosed_vendors.has_value());
  EXPECT_EQ(*tc.disclosed_vendors, (std::set<int>{1, 2, 3, 4, 5, 100, 404}));
  EXPECT_FALSE(tc.allowed_vendors.has_value());
  ASSERT_TRUE(tc.publisher_tc.has_value());
  EXPECT_EQ(tc.publisher_tc->num_custom_purposes, 0);
  // The spec pads segments further than whole bytes (iabtcf-es pads to 24 bits); we pad to
  // bytes, so only the trailing 'A's differ.
  EXPECT_EQ(encode(tc),
            "CQSbk4AQSbk4ANwAAAENAwCgAAAAAAAAAAYgACPAAAAA.IDKQA4AAgAKAGQAygA.YAAAAAAAAAA");
}

TEST(TcfDecode, EsIssue201MergesRepeatedRestrictions) {
  const TcString tc = decode_ok(kEs201);
  bool found = false;
  for (const PublisherRestriction& pr : tc.publisher_restrictions) {
    if (pr.purpose_id == 1 && pr.restriction_type == kRestrictionRequireConsent) {
      EXPECT_THAT(pr.vendors, ElementsAre(7, 20, 71, 122, 140, 183));
      found = true;
    }
  }
  EXPECT_TRUE(found);
}

TEST(TcfDecode, EsIssue142BitFieldShorterThanMaxVendorId) {
  EXPECT_THAT(decode_error(kEs142),
              StatusIs(StatusCode::kInvalidArgument,
                       HasSubstr("disclosed vendors segment (segment 2) truncated at bit 20 "
                                 "(disclosed vendors section: bit field for MaxVendorId 733 "
                                 "needs 733 bits, 28 left)")));
}

TEST(TcfDecode, RecognisesV1Strings) {
  for (const std::string_view v1 : {kEs156, kEs191}) {
    EXPECT_THAT(decode_error(v1),
                StatusIs(StatusCode::kInvalidArgument,
                         HasSubstr("a TCF v1 consent string (obsolete since August 2020): ask the "
                                   "CMP for a v2 string")));
  }
}

TEST(TcfDecode, OwnBitStringVector) {
  // Vendor consents by ranges {3, 5-7}, vendor LI by bit field {2}, one restriction.
  std::string s = core_header();
  s += bits(7, 16) + "1" + bits(2, 12) + "0" + bits(3, 16) + "1" + bits(5, 16) + bits(7, 16);
  s += bits(2, 16) + "0" + "01";
  s += bits(1, 12) + bits(2, 6) + "00" + bits(1, 12) + "1" + bits(10, 16) + bits(12, 16);
  const TcString tc = decode_ok(to_base64url(s));
  EXPECT_EQ(tc.created, 1696118400);
  EXPECT_EQ(tc.cmp_id, 10);
  EXPECT_EQ(tc.cmp_version, 3);
  EXPECT_EQ(tc.consent_language, "EN");
  EXPECT_EQ(tc.publisher_cc, "DE");
  EXPECT_EQ(tc.vendor_list_version, 200);
  EXPECT_EQ(tc.policy_version, 4);
  EXPECT_EQ(ids(tc.purposes_consent), (std::set<int>{1, 2, 3, 4}));
  EXPECT_EQ(ids(tc.purposes_li_transparency), (std::set<int>{2}));
  EXPECT_EQ(tc.vendor_consents, (std::set<int>{3, 5, 6, 7}));
  EXPECT_EQ(tc.vendor_li, (std::set<int>{2}));
  EXPECT_EQ(tc.publisher_restrictions,
            (std::vector<PublisherRestriction>{{2, kRestrictionNotAllowed, {10, 11, 12}}}));
}

TEST(TcfDecode, KeepsTenthsOfSeconds) {
  const std::string s =
      core_header(16'961'184'007) + empty_vendors() + empty_vendors() + bits(0, 12);
  const TcString tc = decode_ok(to_base64url(s));
  EXPECT_EQ(tc.created, 1696118400);
  EXPECT_EQ(tc.created_tenths, 7);
  EXPECT_EQ(encode(tc), to_base64url(s));
}

// ---- Refusals --------------------------------------------------------------------------------

std::string minimal_core_bits() {
  return core_header() + empty_vendors() + empty_vendors() + bits(0, 12);
}

TEST(TcfDecode, RefusesEmptyAndBadCharacters) {
  EXPECT_THAT(decode_error(""), StatusIs(StatusCode::kInvalidArgument, HasSubstr("empty")));
  const std::string good = to_base64url(minimal_core_bits());
  std::string plus = good;
  plus[5] = '+';
  EXPECT_THAT(decode_error(plus),
              StatusIs(StatusCode::kInvalidArgument,
                       HasSubstr("character '+' at offset 5 is not base64url")));
  std::string nul = good;
  nul[7] = '\0';
  EXPECT_THAT(decode_error(nul),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("byte 0x00 at offset 7")));
  EXPECT_THAT(decode_error(good + ".=="),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("'=' padding")));
  EXPECT_THAT(decode_error(good + ".."),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("segment 2 at offset")));
  EXPECT_THAT(decode_error(good + "."),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("is empty")));
  EXPECT_THAT(decode_error("." + good),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("segment 1 at offset 0 is empty")));
}

TEST(TcfDecode, RefusesTruncatedCore) {
  // Cut right after PublisherCC: the vendor consent section is missing.
  const std::string s = to_base64url(core_header());
  EXPECT_THAT(decode_error(s),
              StatusIs(StatusCode::kInvalidArgument,
                       HasSubstr("core segment truncated at bit 213 (vendor consent section: "
                                 "MaxVendorId needs 16 bits, 3 left)")));
  EXPECT_THAT(decode_error("CO"), StatusIs(StatusCode::kInvalidArgument,
                                           HasSubstr("truncated at bit 6 (Created needs 36")));
}

TEST(TcfDecode, RefusesVersions) {
  EXPECT_THAT(decode_error(to_base64url(bits(3, 6) + minimal_core_bits().substr(6))),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("unknown version 3")));
  EXPECT_THAT(decode_error(to_base64url(bits(0, 6) + minimal_core_bits().substr(6))),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("unknown version 0")));
  // A disclosed-vendors segment where the core should be.
  EXPECT_THAT(decode_error("IBAgAAAgAIAwgAgAAAAEAAAACA"),
              StatusIs(StatusCode::kInvalidArgument,
                       HasSubstr("looks like a disclosed vendors segment (type 1); the core "
                                 "segment must come first")));
}

TEST(TcfDecode, RefusesImpossibleDates) {
  EXPECT_THAT(
      decode_error(to_base64url(core_header(0) + empty_vendors() + empty_vendors() + bits(0, 12))),
      StatusIs(StatusCode::kInvalidArgument, HasSubstr("bit 6: Created is zero")));
  EXPECT_THAT(decode_error(to_base64url(core_header(41'024'448'001) + empty_vendors() +
                                        empty_vendors() + bits(0, 12))),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("after 2100-01-01")));
}

TEST(TcfDecode, RefusesLettersOutOfRange) {
  const std::string bad_language = bits(4, 6) + bits(26, 6);
  EXPECT_THAT(decode_error(to_base64url(core_header(16'961'184'000, bad_language) +
                                        empty_vendors() + empty_vendors() + bits(0, 12))),
              StatusIs(StatusCode::kInvalidArgument,
                       HasSubstr("bit 114: ConsentLanguage letter 2 is 26, not a letter")));
  std::string s = minimal_core_bits();
  s.replace(201, 6, bits(63, 6));  // PublisherCC letter 1
  EXPECT_THAT(decode_error(to_base64url(s)),
              StatusIs(StatusCode::kInvalidArgument,
                       HasSubstr("bit 201: PublisherCC letter 1 is 63, not a letter")));
}

TEST(TcfDecode, RefusesInconsistentRanges) {
  auto with_consents = [](const std::string& section) {
    return to_base64url(core_header() + section + empty_vendors() + bits(0, 12));
  };
  EXPECT_THAT(decode_error(with_consents(bits(10, 16) + "1" + bits(1, 12) + "0" + bits(0, 16))),
              StatusIs(StatusCode::kInvalidArgument,
                       HasSubstr("core segment, bit 242: vendor consent section: range entry 1 "
                                 "of 1: vendor id 0")));
  EXPECT_THAT(decode_error(with_consents(bits(10, 16) + "1" + bits(1, 12) + "1" + bits(9, 16) +
                                         bits(5, 16))),
              StatusIs(StatusCode::kInvalidArgument,
                       HasSubstr("end vendor id 5 is before start vendor id 9")));
  EXPECT_THAT(decode_error(with_consents(bits(10, 16) + "1" + bits(2, 12) + "0" + bits(4, 16) +
                                         "0" + bits(11, 16))),
              StatusIs(StatusCode::kInvalidArgument,
                       HasSubstr("range entry 2 of 2: vendor id 11 is above MaxVendorId 10")));
  // Three entries announced, one there: entry 2 runs into the end of the segment (259 bits,
  // padded to 264).
  EXPECT_THAT(decode_error(to_base64url(core_header() + bits(10, 16) + "1" + bits(3, 12) + "0" +
                                        bits(4, 16))),
              StatusIs(StatusCode::kInvalidArgument,
                       HasSubstr("core segment truncated at bit 260 (vendor consent section: range "
                                 "entry 2 of 3: StartOrOnlyVendorId needs 16 bits, 4 left)")));
}

TEST(TcfDecode, RefusesBadRestrictions) {
  const std::string head = core_header() + empty_vendors() + empty_vendors() + bits(1, 12);
  EXPECT_THAT(decode_error(to_base64url(head + bits(0, 6) + "01" + bits(0, 12))),
              StatusIs(StatusCode::kInvalidArgument,
                       HasSubstr("publisher restriction 1 of 1: PurposeId 0")));
  EXPECT_THAT(decode_error(to_base64url(head + bits(2, 6) + "11" + bits(0, 12))),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("RestrictionType 3 is undefined")));
  EXPECT_THAT(
      decode_error(to_base64url(head + bits(2, 6) + "01" + bits(1, 12) + "0" + bits(0, 16))),
      StatusIs(StatusCode::kInvalidArgument, HasSubstr("vendor id 0")));
  EXPECT_THAT(decode_error(to_base64url(core_header() + empty_vendors() + empty_vendors())),
              StatusIs(StatusCode::kInvalidArgument,
                       HasSubstr("truncated at bit 247 (NumPubRestrictions needs 12 bits")));
}

TEST(TcfDecode, CapsRestrictionExpansion) {
  // 17 restrictions on vendors 1..65535 each: more than 2^20 ids in total.
  std::string s = core_header() + empty_vendors() + empty_vendors() + bits(17, 12);
  for (int i = 0; i < 17; ++i) {
    s += bits(static_cast<std::uint64_t>(i + 1), 6) + "00" + bits(1, 12) + "1" + bits(1, 16) +
         bits(65535, 16);
  }
  EXPECT_THAT(decode_error(to_base64url(s)),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("1114095 vendor ids in total")));
  // 4095 overlapping ranges 1..65535 in one section cost one merge, not 268M insertions.
  std::string many = core_header() + bits(65535, 16) + "1" + bits(4095, 12);
  for (int i = 0; i < 4095; ++i) many += "1" + bits(1, 16) + bits(65535, 16);
  many += empty_vendors() + bits(0, 12);
  const auto r = decode(to_base64url(many));
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->vendor_consents.size(), 65535u);
}

TEST(TcfDecode, RefusesBadSegments) {
  const std::string core = to_base64url(minimal_core_bits());
  const std::string disclosed = to_base64url("001" + empty_vendors());
  EXPECT_OK(decode(core + "." + disclosed));
  EXPECT_THAT(decode_error(core + "." + disclosed + "." + disclosed),
              StatusIs(StatusCode::kInvalidArgument,
                       HasSubstr("segment 3 is a second disclosed vendors segment")));
  EXPECT_THAT(decode_error(core + "." + to_base64url("100" + empty_vendors())),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("unknown segment type 4")));
  // iabtcf-java testDefaultSegmentType accepts this; a second core segment is an error here.
  EXPECT_THAT(decode_error(std::string(kJavaCore) + ".AA"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("a second core segment")));
  EXPECT_THAT(decode_error(core + ".I"),
              StatusIs(StatusCode::kInvalidArgument,
                       HasSubstr("disclosed vendors segment (segment 2) truncated at bit 3")));
}

TEST(TcfDecode, IgnoresPaddingBits) {
  const std::string s = minimal_core_bits();
  // Ones after the last field are padding; so is a spare character.
  EXPECT_OK(decode(to_base64url(s + "1111")));
  EXPECT_OK(decode(to_base64url(s) + "_"));
}

TEST(TcfDecode, EveryPrefixIsAnErrorOrADecode) {
  const std::string long_string =
      std::string(kJavaBitFields) + std::string(kJavaOob) + ".cAAAAAAAITg";
  for (const std::string_view full : {std::string_view(long_string), kSpec23, kEs201, kJavaCore}) {
    for (std::size_t n = 0; n <= full.size(); ++n) {
      const auto r = decode(full.substr(0, n));
      if (!r.ok()) {
        EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
        EXPECT_THAT(r.status().message(), HasSubstr("TC string: "));
      } else {
        EXPECT_EQ(*decode(encode(*r)), *r);
      }
    }
  }
}

}  // namespace
}  // namespace consentric::tcf
