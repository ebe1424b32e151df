#pragma once

// Access tokens (docs/governance.md, "Roles and tokens"): 256 random bits, shown once when
// made and stored only as a keyed hash (crypto SubKey::kTokenMac), so a copy of the store does
// not hold a usable token. Each names an actor and the role it acts in; it works until it
// expires or is revoked.
//
//   CONSENTRIC_ASSIGN_OR_RETURN(NewToken t, create_token(sd, {.name = "ana", .role = "analyst",
//                                                             .expires_at = now + 90 * kDay},
//                                                         "local-operator", now));
//   print(t.token);  // the only time it is seen
//   CONSENTRIC_ASSIGN_OR_RETURN(Actor who, authenticate(sd, t.token, now));  // {"ana", "analyst"}

#include <string>
#include <string_view>
#include <vector>

#include "consentric/status.h"
#include "core/time.h"
#include "store/store_dir.h"

namespace consentric::access {

// The name the store's owner acts under when no token is given.
inline constexpr std::string_view kLocalOperator = "local-operator";
// What every token starts with, so a leaked one is recognisable by secret scanners.
inline constexpr std::string_view kTokenPrefix = "cst_";

struct Actor {
  std::string name;
  std::string role;
};

struct TokenRequest {
  std::string name;  // letters, digits, '.', '_', '-'; unique in the store
  std::string role;  // a role of the declaration
  UnixSeconds expires_at = 0;
};

struct NewToken {
  std::string token;  // kTokenPrefix + 43 base64url characters
  AccessTokenRow row;
};

// Makes a token and records it with a token.create audit entry (name, role, expiry; never the
// token), in one transaction. InvalidArgument for a bad name, an undeclared role or an expiry
// not after now; AlreadyExists when the name is taken.
Result<NewToken> create_token(StoreDir& sd, const TokenRequest& request, std::string_view actor,
                              UnixSeconds now);

// Revokes the token named `name` with a token.revoke audit entry. NotFound, FailedPrecondition
// (already revoked).
Status revoke_token(StoreDir& sd, std::string_view name, std::string_view actor, UnixSeconds now);

// Who holds `token`. Unauthenticated when it is malformed, unknown, revoked or expired (the
// message says which, except for an unknown token) or its role is no longer declared.
Result<Actor> authenticate(const StoreDir& sd, std::string_view token, UnixSeconds now);

// The local operator acts as admin, but only while they own the store's key file (or hold the
// key in the environment): someone who can merely read another user's key file must use a
// token. PermissionDenied otherwise.
Result<Actor> local_operator(const StoreDir& sd);

enum class TokenState { kActive, kExpired, kRevoked };
TokenState token_state(const AccessTokenRow& row, UnixSeconds now);
std::string_view to_string(TokenState s);

}  // namespace consentric::access
