#include "report/dpia.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "report/report_fixture_test.h"

namespace consentric::report {
namespace {

using ::testing::HasSubstr;

class DpiaTest : public ReportStoreTest {};

TEST_F(DpiaTest, DescribesTheProcessingRisksAndFiguresFromTheFacts) {
  auto r = build_dpia(*sd_, ctx());
  ASSERT_OK(r);
  const std::string md = r->document.markdown();
  EXPECT_THAT(md, HasSubstr("## 1. Systematic description of the processing"));
  EXPECT_THAT(md, HasSubstr("| segmentation | consent | 7 | 8 | no |"));
  // The quickstart declaration holds fields no purpose reads: minimisation names them.
  EXPECT_THAT(md, HasSubstr("used by no purpose"));
  EXPECT_THAT(md, HasSubstr("phone"));
  EXPECT_THAT(r->json["unused_fields"].get<std::vector<std::string>>(),
              ::testing::Contains("phone"));
  // The fixture's k-means segment is profiling; it is named with its purpose.
  EXPECT_THAT(md, HasSubstr("clusters (segmentation)"));
  EXPECT_THAT(md, HasSubstr("Profiling (Art. 4(4))"));
  EXPECT_THAT(md, HasSubstr("erasure turnaround (completed requests) | no erasure completed yet"));
  EXPECT_EQ(r->json["declaration_hash"].get<std::string>().size(), 64u);
  EXPECT_THAT(r->document.html(), HasSubstr("<table>"));
}

TEST_F(DpiaTest, AChangedDeclarationMakesItOutOfDateUntilMadeAgain) {
  auto none = dpia_status(*sd_);
  ASSERT_OK(none);
  EXPECT_FALSE(none->made_at.has_value());
  EXPECT_FALSE(none->current());
  ASSERT_OK(record_dpia(*sd_, ctx()));
  auto made = dpia_status(*sd_);
  ASSERT_OK(made);
  EXPECT_TRUE(made->current());
  EXPECT_EQ(*made->made_at, kNow);
  // A new retention period is a new declaration.
  std::string yaml(synth::quickstart_config_yaml());
  const std::string from = "    retention: 2y\n";
  ASSERT_NE(yaml.find(from), std::string::npos);
  yaml.replace(yaml.find(from), from.size(), "    retention: 18mo\n");
  ASSERT_OK(apply_config(*sd_, yaml, "q.yaml", kNow + 60));
  auto stale = dpia_status(*sd_);
  ASSERT_OK(stale);
  EXPECT_TRUE(stale->made_at.has_value());
  EXPECT_FALSE(stale->current());
  EXPECT_NE(stale->made_for, stale->declaration);
  ASSERT_OK(record_dpia(*sd_, {.actor = "test", .now = kNow + 120}));
  auto again = dpia_status(*sd_);
  ASSERT_OK(again);
  EXPECT_TRUE(again->current());
}

}  // namespace
}  // namespace consentric::report
