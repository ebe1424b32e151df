// check_policy(), to_json() and describe().

#include "tcf/tc_json.h"
#include "tcf/tc_string.h"
#include "testing/status_matchers.h"

namespace consentric::tcf {
namespace {

using ::testing::ElementsAre;
using ::testing::Field;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Pair;

constexpr UnixSeconds kNow = 1'760'000'000;  // 2025-10-09

TcString good_string() {
  TcString tc;
  tc.created = tc.last_updated = 1'735'689'600;  // 2025-01-01
  tc.cmp_id = 10;
  tc.consent_language = "EN";
  tc.publisher_cc = "DE";
  tc.policy_version = 5;
  tc.is_service_specific = true;
  tc.purposes_consent.set(0).set(1).set(2).set(3).set(6);
  tc.purposes_li_transparency.set(1).set(6);  // purposes 2 and 7 may rely on LI
  tc.vendor_consents = {1, 2, 3, 4, 10};
  tc.disclosed_vendors = std::set<int>{1, 2, 3, 4, 10, 11};
  return tc;
}

auto warning_on(const std::string& field) { return Field(&PolicyWarning::field, field); }

TEST(TcfPolicy, GoodStringHasNoWarnings) {
  EXPECT_THAT(check_policy(good_string(), kNow), IsEmpty());
}

TEST(TcfPolicy, OldJavaVectorFailsTcf22) {
  // iabtcf-java's vector: policy version 2, global scope, no disclosed vendors.
  const auto tc = decode("COtybn4PA_zT4KjACBENAPCIAEBAAECAAIAAAAAAAAAA");
  ASSERT_TRUE(tc.ok());
  EXPECT_THAT(check_policy(*tc, kNow),
              ElementsAre(warning_on("policy_version"), warning_on("is_service_specific"),
                          warning_on("disclosed_vendors")));
}

TEST(TcfPolicy, LegitimateInterestForConsentOnlyPurposes) {
  TcString tc = good_string();
  tc.purposes_li_transparency.set(0).set(2).set(5);  // purposes 1, 3, 6
  tc.publisher_tc = PublisherTc{};
  tc.publisher_tc->purposes_li.set(3);  // purpose 4
  const auto w = check_policy(tc, kNow);
  ASSERT_EQ(w.size(), 2u);
  EXPECT_EQ(w[0].field, "purposes_li_transparency");
  EXPECT_THAT(w[0].message, HasSubstr("purposes 1, 3, 6"));
  EXPECT_EQ(w[1].field, "publisher_tc.purposes_li");
  EXPECT_THAT(w[1].message, HasSubstr("purpose 4;"));
}

TEST(TcfPolicy, Dates) {
  TcString tc = good_string();
  tc.created = 1'500'000'000;  // 2017
  tc.last_updated = kNow + 3600;
  EXPECT_THAT(check_policy(tc, kNow),
              ElementsAre(warning_on("created"), warning_on("last_updated")));
  tc = good_string();
  tc.last_updated = tc.created - 86'400;
  const auto w = check_policy(tc, kNow);
  ASSERT_EQ(w.size(), 1u);
  EXPECT_THAT(w[0].message, HasSubstr("before it was created"));
  tc = good_string();
  tc.last_updated_tenths = 0;
  tc.created_tenths = 1;  // a tenth later than last_updated
  EXPECT_EQ(check_policy(tc, kNow).size(), 1u);
}

TEST(TcfPolicy, SpecExampleOnlyHasAnOldPolicyVersion) {
  const auto tc =
      decode("CQSbk4AQSbk4ANwAAAENAwCgAAAAAAAAAAYgACPAAAAA.IDKQA4AAgAKAGQAygAAA.YAAAAAAAAAAA");
  ASSERT_TRUE(tc.ok());
  EXPECT_THAT(check_policy(*tc, kNow), ElementsAre(warning_on("policy_version")));
}

TEST(TcfJson, RendersEveryField) {
  TcString tc = good_string();
  tc.created_tenths = 3;
  tc.publisher_restrictions = {{2, kRestrictionRequireConsent, {4, 5}}};
  const nlohmann::json j = to_json(tc);
  EXPECT_EQ(j["version"], 2);
  EXPECT_EQ(j["created"], "2025-01-01T00:00:00.3Z");
  EXPECT_EQ(j["last_updated"], "2025-01-01T00:00:00Z");
  EXPECT_EQ(j["cmp_id"], 10);
  EXPECT_EQ(j["consent_language"], "EN");
  EXPECT_EQ(j["publisher_cc"], "DE");
  EXPECT_EQ(j["policy_version"], 5);
  EXPECT_EQ(j["is_service_specific"], true);
  EXPECT_EQ(j["purposes_consent"], nlohmann::json({1, 2, 3, 4, 7}));
  EXPECT_EQ(j["purposes_li_transparency"], nlohmann::json({2, 7}));
  EXPECT_EQ(j["special_feature_opt_ins"], nlohmann::json::array());
  EXPECT_EQ(j["vendor_consents"], nlohmann::json({1, 2, 3, 4, 10}));
  EXPECT_EQ(j["disclosed_vendors"], nlohmann::json({1, 2, 3, 4, 10, 11}));
  EXPECT_TRUE(j["allowed_vendors"].is_null());
  EXPECT_TRUE(j["publisher_tc"].is_null());
  EXPECT_EQ(j["publisher_restrictions"][0]["restriction"], "require consent");
  EXPECT_EQ(j["publisher_restrictions"][0]["vendors"], nlohmann::json({4, 5}));
  EXPECT_EQ(j.size(), 22u);
  tc.consent_language = "\xff\x01";
  EXPECT_EQ(to_json(tc)["consent_language"], "??");
  EXPECT_NO_THROW(static_cast<void>(to_json(tc).dump()));
}

TEST(TcfDescribe, Rows) {
  TcString tc = good_string();
  for (int id = 20; id <= 60; ++id) tc.vendor_li.insert(id);
  tc.vendor_li.insert(62);
  tc.publisher_restrictions = {{2, kRestrictionNotAllowed, {7, 8}}};
  const auto rows = describe(tc);
  EXPECT_THAT(rows, ::testing::Contains(Pair("Purposes (consent)", "1, 2, 3, 4, 7")));
  EXPECT_THAT(rows, ::testing::Contains(Pair("Vendors (consent)", "1-4, 10")));
  EXPECT_THAT(rows, ::testing::Contains(Pair("Vendors (legitimate interest)", "20-60, 62")));
  EXPECT_THAT(rows, ::testing::Contains(Pair("Special features (opt-in)", "none")));
  EXPECT_THAT(rows, ::testing::Contains(Pair("Restriction: purpose 2, not allowed", "7, 8")));
  EXPECT_THAT(rows, ::testing::Contains(Pair("Allowed vendors", "(no segment)")));
  EXPECT_THAT(rows, ::testing::Contains(Pair("Created", "2025-01-01T00:00:00Z")));
}

}  // namespace
}  // namespace consentric::tcf
