#include "access/authorize.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "audit/audit_log.h"

namespace consentric::access {
namespace {

// The roles that may take `action`, for the refusal message: the person refused learns whom to
// ask.
std::string roles_granting(const Config& config, std::string_view action) {
  std::string out;
  for (const RoleSpec& r : config.roles) {
    if (r.allows(action)) out += (out.empty() ? "" : " or ") + r.name;
  }
  return out.empty() ? "no role" : out;
}

Status record_refusal(StoreDir& sd, const nlohmann::json& detail, std::string_view actor,
                      UnixSeconds now) {
  return audit::append_committed(
      *sd.store, {.actor = std::string(actor), .action = "access.refused", .detail = detail.dump()},
      now);
}

}  // namespace

std::string_view first_refused(const Config& config, std::string_view role,
                               std::span<const std::string_view> actions) {
  const RoleSpec* spec = config.role(role);
  for (std::string_view action : actions) {
    if (spec == nullptr || !spec->allows(action)) return action;
  }
  return {};
}

Status authorize(StoreDir& sd, const Actor& actor, std::string_view command,
                 std::span<const std::string_view> actions, UnixSeconds now) {
  const std::string_view refused = first_refused(sd.config, actor.role, actions);
  if (refused.empty()) return Status();
  const nlohmann::json detail{
      {"role", actor.role}, {"command", command}, {"action", refused}, {"reason", "role"}};
  CONSENTRIC_RETURN_IF_ERROR(record_refusal(sd, detail, actor.name, now));
  return permission_denied(fmt::format("role {} may not {} ({}); ask someone with role {}",
                                       actor.role, refused, command,
                                       roles_granting(sd.config, refused)));
}

Status record_refused_token(StoreDir& sd, std::string_view command, std::string_view reason,
                            UnixSeconds now) {
  const nlohmann::json detail{{"command", command}, {"reason", reason}};
  return record_refusal(sd, detail, "unauthenticated", now);
}

}  // namespace consentric::access
