// The segment commands end to end: the real binary on a real store of generated customers.

#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli_test_util.h"
#include "testing/status_matchers.h"

namespace consentric {
namespace {

using ::consentric::testing::CommandRun;
using ::consentric::testing::read_file;
using ::consentric::testing::run;
using ::testing::HasSubstr;
using ::testing::Not;

class SegmentCli : public ::consentric::testing::StoreCliTest {
 protected:
  void SetUp() override {
    StoreCliTest::SetUp();
    import_generated(600, 5, {"profiles", "events", "consents"});
  }
};

TEST_F(SegmentCli, CreateShowListMembersExportRefresh) {
  CommandRun r = at_store("segment create rfm --purpose segmentation --rfm");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("Segment rfm on purpose segmentation"));
  EXPECT_THAT(r.output, HasSubstr("days since purchase"));

  r = at_store("segment create behaviour --purpose segmentation --kmeans --k 3 --seed 2");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("k-means, k = 3"));
  EXPECT_THAT(r.output, HasSubstr("centroid (original units)"));
  EXPECT_THAT(r.output, HasSubstr("What sets each segment apart"));

  const nlohmann::json list = json_of("segment list");
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0]["name"], "behaviour");
  EXPECT_EQ(list[1]["kind"], "rfm");

  const nlohmann::json shown = json_of("segment show behaviour");
  std::int64_t members = 0;
  for (const auto& s : shown["segments"]) {
    EXPECT_GE(s["members"].get<std::int64_t>(), 10);  // k_anonymity
    members += s["members"].get<std::int64_t>();
  }
  const nlohmann::json m = json_of("segment members behaviour --limit 5");
  EXPECT_EQ(m["members"].get<std::int64_t>(), members);
  EXPECT_EQ(m["shown"].size(), 5u);

  r = at_store("segment export behaviour --out " + path("b.csv"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const std::string csv = read_file(dir_ / "b.csv");
  EXPECT_EQ(csv.substr(0, csv.find('\n')), "subject,segment,distance");
  EXPECT_EQ(static_cast<std::int64_t>(std::count(csv.begin(), csv.end(), '\n')), members + 1);
  EXPECT_THAT(csv, Not(HasSubstr("@")));
  r = at_store("audit log --action segment.export");
  EXPECT_THAT(r.output, HasSubstr("segment.export"));

  r = at_store("segment refresh --all");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(json_of("segment show rfm")["runs"], 2);
}

TEST_F(SegmentCli, BadDefinitionsAreClearErrorsAndStoreNothing) {
  CommandRun r = at_store("segment create x --purpose segmentation --rule 'email = 1'");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.output, HasSubstr("email"));
  r = at_store("segment create x --purpose nope --rfm");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.output, HasSubstr("not a declared purpose"));
  r = at_store("segment create x --purpose segmentation --rfm --kmeans");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.output, HasSubstr("exactly one of"));
  r = at_store("segment create x --purpose segmentation --rfm --recency-cuts 1,2,3");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.output, HasSubstr("four numbers"));
  r = at_store("segment show x");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.output, HasSubstr("no segment named"));
  EXPECT_TRUE(json_of("segment list").empty());
}

}  // namespace
}  // namespace consentric
