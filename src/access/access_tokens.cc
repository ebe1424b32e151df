#include "access/access_tokens.h"

#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "audit/audit_log.h"
#include "crypto/keys.h"
#include "store/transaction.h"

namespace consentric::access {
namespace {

constexpr std::size_t kTokenBytes = 32;  // 256 bits
constexpr std::size_t kHashBytes = 32;
constexpr std::size_t kMaxNameLength = 64;

std::string token_hash(const StoreDir& sd, std::string_view token) {
  return crypto::keyed_hash(crypto::derive_subkey(sd.master, crypto::SubKey::kTokenMac), token,
                            kHashBytes);
}

Status check_name(std::string_view name) {
  if (name.empty() || name.size() > kMaxNameLength) {
    return invalid_argument(fmt::format("a token name is 1 to {} characters", kMaxNameLength));
  }
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == '-';
    if (!ok) {
      return invalid_argument(
          fmt::format("token name \"{}\": expected letters, digits, '.', '_' or '-' only", name));
    }
  }
  return Status();
}

}  // namespace

TokenState token_state(const AccessTokenRow& row, UnixSeconds now) {
  if (row.revoked_at) return TokenState::kRevoked;
  return now >= row.expires_at ? TokenState::kExpired : TokenState::kActive;
}

std::string_view to_string(TokenState s) {
  switch (s) {
    case TokenState::kActive:
      return "active";
    case TokenState::kExpired:
      return "expired";
    case TokenState::kRevoked:
      return "revoked";
  }
  return "?";
}

Result<NewToken> create_token(StoreDir& sd, const TokenRequest& request, std::string_view actor,
                              UnixSeconds now) {
  CONSENTRIC_RETURN_IF_ERROR(check_name(request.name));
  if (sd.config.role(request.role) == nullptr) {
    std::string roles;
    for (const RoleSpec& r : sd.config.roles) roles += (roles.empty() ? "" : ", ") + r.name;
    return invalid_argument(
        fmt::format("role \"{}\" is not declared; the declaration has: {}", request.role, roles));
  }
  if (request.expires_at <= now) {
    return invalid_argument("a token's expiry must be in the future");
  }
  NewToken out;
  out.token = std::string(kTokenPrefix) + crypto::to_base64url(crypto::random_bytes(kTokenBytes));
  out.row = {.name = request.name,
             .role = request.role,
             .token_hash = token_hash(sd, out.token),
             .created_at = now,
             .created_by = std::string(actor),
             .expires_at = request.expires_at};
  const nlohmann::json detail{
      {"name", request.name}, {"role", request.role}, {"expires_at", request.expires_at}};
  return in_transaction(*sd.store, [&]() -> Result<NewToken> {
    CONSENTRIC_ASSIGN_OR_RETURN(out.row.token_id, sd.store->add_access_token(out.row));
    CONSENTRIC_RETURN_IF_ERROR(
        audit::append(
            *sd.store,
            {.actor = std::string(actor), .action = "token.create", .detail = detail.dump()}, now)
            .status());
    return out;
  });
}

Status revoke_token(StoreDir& sd, std::string_view name, std::string_view actor, UnixSeconds now) {
  return in_transaction(
             *sd.store,
             [&]() -> Result<bool> {
               CONSENTRIC_RETURN_IF_ERROR(sd.store->revoke_access_token(name, actor, now));
               const nlohmann::json detail{{"name", name}};
               CONSENTRIC_RETURN_IF_ERROR(audit::append(*sd.store,
                                                        {.actor = std::string(actor),
                                                         .action = "token.revoke",
                                                         .detail = detail.dump()},
                                                        now)
                                              .status());
               return true;
             })
      .status();
}

Result<Actor> authenticate(const StoreDir& sd, std::string_view token, UnixSeconds now) {
  if (!token.starts_with(kTokenPrefix)) {
    return unauthenticated(
        fmt::format("the access token is malformed (it starts with \"{}\")", kTokenPrefix));
  }
  CONSENTRIC_ASSIGN_OR_RETURN(auto row, sd.store->access_token_by_hash(token_hash(sd, token)));
  if (!row) return unauthenticated("the access token is not known to this store");
  switch (token_state(*row, now)) {
    case TokenState::kRevoked:
      return unauthenticated(fmt::format("the access token \"{}\" was revoked", row->name));
    case TokenState::kExpired:
      return unauthenticated(fmt::format("the access token \"{}\" has expired", row->name));
    case TokenState::kActive:
      break;
  }
  if (sd.config.role(row->role) == nullptr) {
    return unauthenticated(fmt::format(
        "the access token \"{}\" acts as role \"{}\", which the declaration no longer has",
        row->name, row->role));
  }
  return Actor{row->name, row->role};
}

Result<Actor> local_operator(const StoreDir& sd) {
  if (!sd.key_file.empty()) {
    struct stat st {};
    if (::stat(sd.key_file.c_str(), &st) != 0 || st.st_uid != ::geteuid()) {
      return permission_denied(fmt::format(
          "without an access token a command runs as the local operator, who must own the key "
          "file {}; give --token or set CONSENTRIC_TOKEN",
          sd.key_file.string()));
    }
  }
  return Actor{std::string(kLocalOperator), "admin"};
}

}  // namespace consentric::access
