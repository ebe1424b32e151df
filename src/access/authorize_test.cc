#include "access/authorize.h"

#include <nlohmann/json.hpp>

#include "access/access_test_fixture.h"
#include "audit/audit_ops.h"

namespace consentric::access {
namespace {

using ::consentric::testing::StatusIs;
using ::consentric::testing::TempDir;
using ::testing::HasSubstr;

class Authorize : public ::testing::Test {
 protected:
  void SetUp() override {
    auto sd = init_store_dir(dir_.path() / "s", kAccessTestConfig, "c.yaml", kAccessTestNow,
                             {.durable = false});
    ASSERT_OK(sd);
    sd_.emplace(std::move(*sd));
  }
  std::vector<AuditRecord> refusals() {
    auto log = audit::query_log(*sd_->store, {.action_prefix = "access."});
    EXPECT_OK(log);
    return log.ok() ? *log : std::vector<AuditRecord>{};
  }

  TempDir dir_;
  std::optional<StoreDir> sd_;
};

TEST_F(Authorize, AGrantedActionPassesAndLeavesNoRefusal) {
  const std::array<std::string_view, 2> actions = {"audit.verify", "report.read"};
  EXPECT_OK(authorize(*sd_, {"ana", "auditor"}, "audit verify", actions, kAccessTestNow));
  EXPECT_TRUE(refusals().empty());
}

TEST_F(Authorize, ARefusalIsAnErrorNamingWhoMayAndAnAuditEntry) {
  const std::array<std::string_view, 2> actions = {"report.read", "pii.read"};
  EXPECT_THAT(authorize(*sd_, {"ana", "auditor"}, "dsar access", actions, kAccessTestNow),
              StatusIs(StatusCode::kPermissionDenied,
                       HasSubstr("role auditor may not pii.read (dsar access); ask someone with "
                                 "role admin")));
  const auto refused = refusals();
  ASSERT_EQ(refused.size(), 1u);
  EXPECT_EQ(refused[0].actor, "ana");
  const auto detail = nlohmann::json::parse(refused[0].detail);
  EXPECT_EQ(detail["role"], "auditor");
  EXPECT_EQ(detail["command"], "dsar access");
  EXPECT_EQ(detail["action"], "pii.read");
}

TEST_F(Authorize, ATokenThatFailsIsRecordedWithoutTheToken) {
  ASSERT_OK(record_refused_token(*sd_, "segment list", "the access token \"ana\" has expired",
                                 kAccessTestNow));
  const auto refused = refusals();
  ASSERT_EQ(refused.size(), 1u);
  EXPECT_EQ(refused[0].actor, "unauthenticated");
  EXPECT_THAT(refused[0].detail, HasSubstr("has expired"));
  EXPECT_THAT(refused[0].detail, ::testing::Not(HasSubstr("cst_")));
}

}  // namespace
}  // namespace consentric::access
