#pragma once

// A store of 1,500 generated B2B customers (the quickstart declaration), built once per test
// suite and copied for each test, with a k-means segment "clusters" run on it.

#include <filesystem>
#include <optional>

#include <gtest/gtest.h>

#include "gate/gate.h"
#include "runs/segment_runs.h"
#include "store/store_dir.h"
#include "synth/generator.h"
#include "testing/generated_store_test.h"
#include "testing/status_matchers.h"

namespace consentric::report {

inline constexpr UnixSeconds kNow = 1'780'000'000;

class ReportStoreTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new ::consentric::testing::TempDir();
    auto sd = ::consentric::testing::make_generated_store(dir_->path(), 1500, 21, kNow);
    ASSERT_OK(sd);
    ASSERT_OK(runs::create_segment(*sd,
                                   {.name = "clusters",
                                    .purpose = "segmentation",
                                    .kind = runs::SegmentKind::kKmeans,
                                    .kmeans = {.k = 3, .seed = 3}},
                                   {.now = kNow}));
  }
  static void TearDownTestSuite() { delete dir_; }

  void SetUp() override {
    auto sd = ::consentric::testing::open_store_copy(dir_->path() / "template", store_.path() / "s");
    ASSERT_OK(sd);
    sd_.emplace(std::move(*sd));
  }

  ReportContext ctx() const { return {.actor = "test", .now = kNow}; }

  // The segmentation view's values of one column, read the way an analyst without DP would.
  gate::PurposeView view(const std::vector<std::string>& columns) {
    auto v = gate::build_view(
        *sd_, {.purpose = "segmentation", .as_of = kNow, .actor = "test", .columns = columns},
        kNow);
    EXPECT_OK(v);
    return *v;
  }

  std::int64_t audit_count(std::string_view action) {
    std::int64_t n = 0;
    EXPECT_OK(sd_->store->scan_audit([&](const AuditRecord& r) {
      n += r.action == action;
      return Status();
    }));
    return n;
  }

  static ::consentric::testing::TempDir* dir_;
  ::consentric::testing::TempDir store_;
  std::optional<StoreDir> sd_;
};
inline ::consentric::testing::TempDir* ReportStoreTest::dir_ = nullptr;

}  // namespace consentric::report
