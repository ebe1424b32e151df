#pragma once

// The permission check every command passes before it touches data (GDPR Art. 25(2), 32(4):
// only the people who need data for their work may reach it). An action is one of
// known_actions() (config.h); the actor's role, from the declaration, either grants it or the
// request is refused, and the refusal itself is recorded in the audit chain.

#include <span>
#include <string_view>

#include "access/access_tokens.h"
#include "consentric/status.h"

namespace consentric::access {

// The first of `actions` the role does not grant, or empty when it grants them all.
// REQUIRES: the role is declared in config.
std::string_view first_refused(const Config& config, std::string_view role,
                               std::span<const std::string_view> actions);

// OK when the actor's role grants every one of `actions`. Otherwise appends an access.refused
// audit entry (actor, role, command, the action refused) in a transaction of its own and returns
// PermissionDenied: "role marketer may not pii.read (dsar access); ask an admin or dpo".
Status authorize(StoreDir& sd, const Actor& actor, std::string_view command,
                 std::span<const std::string_view> actions, UnixSeconds now);

// Records a token that did not authenticate (access.refused with the reason; never the token).
Status record_refused_token(StoreDir& sd, std::string_view command, std::string_view reason,
                            UnixSeconds now);

}  // namespace consentric::access
