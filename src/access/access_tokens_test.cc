#include "access/access_tokens.h"

#include "access/access_test_fixture.h"
#include "audit/audit_ops.h"
#include "crypto/keys.h"

namespace consentric::access {
namespace {

using ::consentric::testing::StatusIs;
using ::consentric::testing::TempDir;
using ::testing::HasSubstr;

constexpr UnixSeconds kNow = kAccessTestNow;
constexpr UnixSeconds kDay = 86'400;

class AccessTokens : public ::testing::Test {
 protected:
  void SetUp() override {
    auto sd = init_store_dir(dir_.path() / "s", kAccessTestConfig, "c.yaml", kNow - kDay,
                             {.durable = false});
    ASSERT_OK(sd);
    sd_.emplace(std::move(*sd));
  }
  NewToken make(std::string name, std::string role, UnixSeconds expires = kNow + 30 * kDay) {
    auto t =
        create_token(*sd_, {.name = name, .role = role, .expires_at = expires}, "admin-ann", kNow);
    EXPECT_OK(t);
    return t.ok() ? *t : NewToken{};
  }
  std::vector<std::string> audit_actions() {
    auto log = audit::query_log(*sd_->store, {.action_prefix = "token."});
    std::vector<std::string> out;
    for (const auto& r : *log) out.push_back(r.action);
    return out;
  }

  TempDir dir_;
  std::optional<StoreDir> sd_;
};

TEST_F(AccessTokens, ATokenIsShownOnceAndOnlyItsKeyedHashIsKept) {
  const NewToken t = make("ana", "auditor");
  EXPECT_TRUE(t.token.starts_with(kTokenPrefix));
  EXPECT_EQ(t.token.size(), kTokenPrefix.size() + 43);  // 256 bits in base64url
  auto rows = sd_->store->access_tokens();
  ASSERT_OK(rows);
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0].token_hash.size(), 32u);
  EXPECT_EQ((*rows)[0].token_hash.find(t.token.substr(kTokenPrefix.size())), std::string::npos);
  // The hash is keyed: an unkeyed hash of the token is not what is stored.
  EXPECT_NE((*rows)[0].token_hash, crypto::hash256(t.token));
  // Two tokens are never alike.
  EXPECT_NE(make("bob", "auditor").token, t.token);
}

TEST_F(AccessTokens, AuthenticateNamesTheActorAndRole) {
  const NewToken t = make("ana", "auditor");
  auto who = authenticate(*sd_, t.token, kNow + kDay);
  ASSERT_OK(who);
  EXPECT_EQ(who->name, "ana");
  EXPECT_EQ(who->role, "auditor");
}

TEST_F(AccessTokens, UnknownMalformedAndAlteredTokensAreRefused) {
  const NewToken t = make("ana", "auditor");
  EXPECT_THAT(authenticate(*sd_, "hunter2", kNow),
              StatusIs(StatusCode::kUnauthenticated, HasSubstr("malformed")));
  std::string altered = t.token;
  altered.back() = altered.back() == 'A' ? 'B' : 'A';
  EXPECT_THAT(authenticate(*sd_, altered, kNow),
              StatusIs(StatusCode::kUnauthenticated, HasSubstr("not known")));
}

TEST_F(AccessTokens, ATokenExpiresAtItsExpiry) {
  const NewToken t = make("ana", "auditor", kNow + 10 * kDay);
  EXPECT_OK(authenticate(*sd_, t.token, kNow + 10 * kDay - 1));
  EXPECT_THAT(authenticate(*sd_, t.token, kNow + 10 * kDay),
              StatusIs(StatusCode::kUnauthenticated, HasSubstr("\"ana\" has expired")));
  auto rows = sd_->store->access_tokens();
  EXPECT_EQ(token_state((*rows)[0], kNow + 10 * kDay), TokenState::kExpired);
}

TEST_F(AccessTokens, ARevokedTokenStopsWorkingAndTheRevocationIsAudited) {
  const NewToken t = make("ana", "auditor");
  const NewToken other = make("bob", "auditor");
  ASSERT_OK(revoke_token(*sd_, "ana", "admin-ann", kNow + 1));
  EXPECT_THAT(authenticate(*sd_, t.token, kNow + 2),
              StatusIs(StatusCode::kUnauthenticated, HasSubstr("\"ana\" was revoked")));
  EXPECT_OK(authenticate(*sd_, other.token, kNow + 2));  // only that one
  EXPECT_THAT(revoke_token(*sd_, "ana", "admin-ann", kNow + 3),
              StatusIs(StatusCode::kFailedPrecondition, HasSubstr("already revoked")));
  EXPECT_THAT(revoke_token(*sd_, "carol", "admin-ann", kNow + 3),
              StatusIs(StatusCode::kNotFound, ::testing::_));
  EXPECT_THAT(audit_actions(),
              ::testing::ElementsAre("token.create", "token.create", "token.revoke"));
}

TEST_F(AccessTokens, BadRequestsAreRefusedAndWriteNothing) {
  EXPECT_THAT(
      create_token(*sd_, {.name = "ana", .role = "marketer", .expires_at = kNow + kDay}, "x", kNow),
      StatusIs(StatusCode::kInvalidArgument, HasSubstr("has: admin, auditor")));
  EXPECT_THAT(
      create_token(*sd_, {.name = "a b", .role = "admin", .expires_at = kNow + kDay}, "x", kNow),
      StatusIs(StatusCode::kInvalidArgument, HasSubstr("letters, digits")));
  EXPECT_THAT(create_token(*sd_, {.name = "ana", .role = "admin", .expires_at = kNow}, "x", kNow),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("future")));
  make("ana", "admin");
  EXPECT_THAT(
      create_token(*sd_, {.name = "ana", .role = "admin", .expires_at = kNow + kDay}, "x", kNow),
      StatusIs(StatusCode::kAlreadyExists, ::testing::_));
  EXPECT_EQ(sd_->store->access_tokens()->size(), 1u);
  EXPECT_THAT(audit_actions(), ::testing::ElementsAre("token.create"));
}

TEST_F(AccessTokens, ATokenWhoseRoleLeftTheDeclarationNoLongerWorks) {
  const NewToken t = make("ana", "auditor");
  std::string without(kAccessTestConfig);
  without.erase(without.find("  - {name: auditor"));
  ASSERT_OK(apply_config(*sd_, without, "c.yaml", kNow + 1));
  EXPECT_THAT(authenticate(*sd_, t.token, kNow + 2),
              StatusIs(StatusCode::kUnauthenticated, HasSubstr("no longer has")));
}

TEST_F(AccessTokens, TheLocalOperatorIsAdminWhileOwningTheKeyFile) {
  auto who = local_operator(*sd_);
  ASSERT_OK(who);
  EXPECT_EQ(who->name, kLocalOperator);
  EXPECT_EQ(who->role, "admin");
}

}  // namespace
}  // namespace consentric::access
