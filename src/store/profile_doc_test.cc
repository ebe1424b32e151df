#include "store/profile_doc.h"

#include "testing/status_matchers.h"

namespace consentric {
namespace {

using ::consentric::testing::StatusIs;
using ::testing::HasSubstr;

TEST(ProfileDoc, EncodesInOrderAndDecodes) {
  const FieldValues values = {
      {"name", std::string("Ann \"A\"\n")}, {"age", std::int64_t{41}}, {"score", 0.25}};
  const std::string json = encode_fields(values);
  EXPECT_EQ(json, R"({"name":"Ann \"A\"\n","age":41,"score":0.25})");
  auto decoded = decode_fields(json);
  ASSERT_OK(decoded);
  ASSERT_EQ(decoded->size(), 3u);
  // Decoded sorted by name.
  EXPECT_EQ((*decoded)[0].first, "age");
  EXPECT_EQ(std::get<std::int64_t>((*decoded)[0].second), 41);
  EXPECT_EQ(std::get<std::string>((*decoded)[1].second), "Ann \"A\"\n");
  EXPECT_DOUBLE_EQ(std::get<double>((*decoded)[2].second), 0.25);
}

TEST(ProfileDoc, ControlCharactersAreEscaped) {
  std::string out;
  append_json_string(&out, std::string("a\x01"
                                       "b",
                                       3));
  EXPECT_EQ(out, "\"a\\u0001b\"");
}

TEST(ProfileDoc, CorruptTextIsDataLoss) {
  EXPECT_THAT(decode_fields("[1,2]"),
              StatusIs(StatusCode::kDataLoss, HasSubstr("not a JSON object")));
  EXPECT_THAT(decode_fields(R"({"a":[1]})"), StatusIs(StatusCode::kDataLoss, HasSubstr("\"a\"")));
}

}  // namespace
}  // namespace consentric
