// Every default role against every known action, spelled out: the defaults are the product's
// least-privilege promise (issue 7: a marketer builds and exports segments but never reads pii
// or opens an access report; an analyst sees pseudonymous data only; the dpo handles requests
// and reports), so a change to them has to change this table too.

#include <array>
#include <set>

#include <gtest/gtest.h>

#include "access/authorize.h"

namespace consentric::access {
namespace {

struct Row {
  std::string_view action;
  // admin, dpo, analyst, marketer, service
  std::array<bool, 5> allowed;
};

constexpr bool Y = true;
constexpr bool N = false;

constexpr std::array kMatrix = {
    //                             admin dpo analyst marketer service
    Row{"config.read", {Y, Y, Y, N, N}},    Row{"config.write", {Y, N, N, N, N}},
    Row{"import", {Y, N, N, N, Y}},         Row{"consent.read", {Y, Y, N, N, N}},
    Row{"consent.write", {Y, Y, N, N, Y}},  Row{"subject.read", {Y, Y, N, N, N}},
    Row{"pii.read", {Y, Y, N, N, N}},       Row{"view.read", {Y, N, Y, N, N}},
    Row{"segment.create", {Y, N, Y, Y, N}}, Row{"segment.read", {Y, N, Y, Y, N}},
    Row{"segment.export", {Y, N, N, Y, N}}, Row{"score.train", {Y, N, Y, N, N}},
    Row{"score.read", {Y, Y, Y, Y, N}},     Row{"score.review", {Y, Y, N, N, N}},
    Row{"dsar.open", {Y, Y, N, N, N}},      Row{"dsar.read", {Y, Y, N, N, N}},
    Row{"dsar.execute", {Y, Y, N, N, N}},   Row{"report.read", {Y, Y, Y, N, N}},
    Row{"audit.read", {Y, Y, N, N, N}},     Row{"audit.verify", {Y, Y, N, N, N}},
    Row{"retention.run", {Y, Y, N, N, N}},  Row{"token.manage", {Y, N, N, N, N}},
    Row{"quality.read", {Y, Y, N, N, N}},   Row{"notice.publish", {Y, Y, N, N, N}},
    Row{"store.backup", {Y, N, N, N, N}},   Row{"store.restore", {Y, N, N, N, N}},
};

constexpr std::array<std::string_view, 5> kRoles = {"admin", "dpo", "analyst", "marketer",
                                                    "service"};

TEST(RoleMatrix, EveryDefaultRoleAgainstEveryAction) {
  Config config;
  config.roles = default_roles();
  ASSERT_EQ(config.roles.size(), kRoles.size());
  for (const Row& row : kMatrix) {
    for (std::size_t r = 0; r < kRoles.size(); ++r) {
      const std::array<std::string_view, 1> action = {row.action};
      EXPECT_EQ(first_refused(config, kRoles[r], action).empty(), row.allowed[r])
          << "role " << kRoles[r] << ", action " << row.action;
    }
  }
}

TEST(RoleMatrix, TheTableCoversEveryKnownAction) {
  std::set<std::string_view> in_table;
  for (const Row& row : kMatrix) in_table.insert(row.action);
  for (std::string_view action : known_actions()) {
    EXPECT_TRUE(in_table.contains(action)) << action << " has no row";
  }
  EXPECT_EQ(in_table.size(), known_actions().size());
}

TEST(RoleMatrix, AnUndeclaredRoleIsRefusedEverything) {
  Config config;
  config.roles = default_roles();
  const std::array<std::string_view, 1> action = {"score.read"};
  EXPECT_EQ(first_refused(config, "intern", action), "score.read");
}

}  // namespace
}  // namespace consentric::access
