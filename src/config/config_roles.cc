// Role actions: the one list of known actions, pattern matching, and the default roles.

#include <array>

#include "config/config.h"

namespace consentric {
namespace {

constexpr std::array<std::string_view, 26> kKnownActions{
    "config.read",    "config.write", "import",       "consent.read",   "consent.write",
    "subject.read",   "pii.read",     "view.read",    "segment.create", "segment.read",
    "segment.export", "score.train",  "score.read",   "score.review",   "dsar.open",
    "dsar.read",      "dsar.execute", "report.read",  "audit.read",     "audit.verify",
    "retention.run",  "token.manage", "quality.read", "notice.publish", "store.backup",
    "store.restore",
};

// "segment.*" -> "segment."; anything else -> empty.
std::string_view wildcard_prefix(std::string_view pattern) {
  if (pattern.size() < 3 || !pattern.ends_with(".*")) return {};
  return pattern.substr(0, pattern.size() - 1);
}

RoleSpec role(std::string name, std::vector<std::string> actions) {
  RoleSpec r;
  r.name = std::move(name);
  r.actions = std::move(actions);
  return r;
}

}  // namespace

std::span<const std::string_view> known_actions() { return kKnownActions; }

bool action_matches(std::string_view pattern, std::string_view action) {
  if (pattern == "*") return true;
  const std::string_view prefix = wildcard_prefix(pattern);
  if (!prefix.empty()) return action.starts_with(prefix);
  return pattern == action;
}

bool is_valid_action_pattern(std::string_view pattern) {
  if (pattern == "*") return true;
  for (std::string_view known : kKnownActions) {
    if (wildcard_prefix(pattern).empty() ? known == pattern : action_matches(pattern, known)) {
      return true;
    }
  }
  return false;
}

bool RoleSpec::allows(std::string_view action) const {
  for (const std::string& pattern : actions) {
    if (action_matches(pattern, action)) return true;
  }
  return false;
}

std::vector<RoleSpec> default_roles() {
  // Least privilege (GDPR Art. 25(2)): only the DPO reads plaintext PII and runs rights
  // requests; analysts and marketers work on segments and scores, never on raw identities.
  return {
      role("admin", {"*"}),
      role("dpo", {"consent.*", "subject.read", "pii.read", "dsar.*", "report.read", "audit.*",
                   "retention.run", "quality.read", "config.read", "notice.publish", "score.read",
                   "score.review"}),
      role("analyst", {"view.read", "segment.create", "segment.read", "score.train", "score.read",
                       "report.read", "config.read"}),
      role("marketer", {"segment.create", "segment.read", "segment.export", "score.read"}),
      role("service", {"import", "consent.write"}),
  };
}

}  // namespace consentric
