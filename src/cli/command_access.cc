#include "cli/command_access.h"

#include <cstdlib>

#include <fmt/format.h>

#include "access/access_tokens.h"
#include "access/authorize.h"
#include "cli/output.h"
#include "core/time.h"

namespace consentric::cli {
namespace {

using S = StoreUse;

constexpr std::array kAccess = {
    CommandAccess{"init", S::kNone},
    CommandAccess{"status", S::kRequired, {"report.read"}},
    CommandAccess{"audit verify", S::kRequired, {"audit.verify"}},
    CommandAccess{"audit checkpoint", S::kRequired, {"audit.verify"}},
    CommandAccess{"audit key", S::kRequired, {"audit.read"}},
    CommandAccess{"audit prove", S::kRequired, {"audit.read"}},
    CommandAccess{"audit check-proof", S::kNone},
    CommandAccess{"audit log", S::kRequired, {"audit.read"}},
    CommandAccess{"consent grant", S::kRequired, {"consent.write"}},
    CommandAccess{"consent withdraw", S::kRequired, {"consent.write"}},
    CommandAccess{"consent gpc", S::kRequired, {"consent.write"}},
    CommandAccess{"consent tcf decode", S::kNone},
    CommandAccess{"consent tcf record", S::kRequired, {"consent.write"}},
    CommandAccess{"consent import", S::kRequired, {"consent.write"}},
    CommandAccess{"consent show", S::kRequired, {"consent.read"}},
    CommandAccess{"consent history", S::kRequired, {"consent.read"}},
    CommandAccess{"consent proof", S::kRequired, {"consent.read"}},
    CommandAccess{"gate counts", S::kRequired, {"report.read"}},
    CommandAccess{"gate view", S::kRequired, {"view.read"}},
    CommandAccess{"segment create", S::kRequired, {"segment.create"}},
    CommandAccess{"segment refresh", S::kRequired, {"segment.create"}},
    CommandAccess{"segment list", S::kRequired, {"segment.read"}},
    CommandAccess{"segment show", S::kRequired, {"segment.read"}},
    CommandAccess{"segment members", S::kRequired, {"segment.read"}},
    CommandAccess{"segment export", S::kRequired, {"segment.export"}},
    CommandAccess{"score train", S::kRequired, {"score.train"}},
    CommandAccess{"score retrain", S::kRequired, {"score.train"}},
    CommandAccess{"score activate", S::kRequired, {"score.train"}},
    CommandAccess{"score list", S::kRequired, {"score.read"}},
    CommandAccess{"score show", S::kRequired, {"score.read"}},
    CommandAccess{"score run", S::kRequired, {"score.read"}},
    // It finds a person by an identifier: that is reading about a named person.
    CommandAccess{"score explain", S::kRequired, {"score.read", "subject.read"}},
    CommandAccess{"score points run", S::kRequired, {"score.read"}},
    CommandAccess{"score points top", S::kRequired, {"score.read"}},
    CommandAccess{"score points show", S::kRequired, {"score.read", "subject.read"}},
    CommandAccess{"score review list", S::kRequired, {"score.review"}},
    CommandAccess{"score review decide", S::kRequired, {"score.review"}},
    CommandAccess{"dsar open", S::kRequired, {"dsar.open"}},
    CommandAccess{"dsar list", S::kRequired, {"dsar.read"}},
    CommandAccess{"dsar show", S::kRequired, {"dsar.read"}},
    CommandAccess{"dsar export", S::kRequired, {"dsar.read"}},
    CommandAccess{"dsar extend", S::kRequired, {"dsar.execute"}},
    CommandAccess{"dsar close", S::kRequired, {"dsar.execute"}},
    CommandAccess{"dsar restrict", S::kRequired, {"dsar.execute"}},
    CommandAccess{"dsar object", S::kRequired, {"dsar.execute"}},
    CommandAccess{"dsar rectify", S::kRequired, {"dsar.execute"}},
    CommandAccess{"dsar erase", S::kRequired, {"dsar.execute"}},
    // Their reports hold the person's decrypted identifiers and profile.
    CommandAccess{"dsar access", S::kRequired, {"dsar.execute", "pii.read"}},
    CommandAccess{"dsar portability", S::kRequired, {"dsar.execute", "pii.read"}},
    // A receipt verifies offline; with a store at hand it is also checked against its chain.
    CommandAccess{"receipt verify", S::kOptional, {"audit.read"}},
    CommandAccess{"backup", S::kRequired, {"store.backup"}},
    CommandAccess{"restore", S::kRequired, {"store.restore"}},
    CommandAccess{"report dp count", S::kRequired, {"report.read"}},
    CommandAccess{"report dp sum", S::kRequired, {"report.read"}},
    CommandAccess{"report dp mean", S::kRequired, {"report.read"}},
    CommandAccess{"report dp histogram", S::kRequired, {"report.read"}},
    CommandAccess{"report dp quantiles", S::kRequired, {"report.read"}},
    CommandAccess{"report dp budget", S::kRequired, {"report.read"}},
    CommandAccess{"report ropa", S::kRequired, {"report.read"}},
    CommandAccess{"report dpia", S::kRequired, {"report.read"}},
    CommandAccess{"export audience", S::kRequired, {"segment.export"}},
    CommandAccess{"config check", S::kNone},
    CommandAccess{"import profiles", S::kRequired, {"import"}},
    CommandAccess{"import events", S::kRequired, {"import"}},
    CommandAccess{"import consents", S::kRequired, {"import"}},
    CommandAccess{"generate", S::kNone},
    // It makes a store of its own, whose key file its runner owns.
    CommandAccess{"quickstart", S::kNone},
    CommandAccess{"token create", S::kRequired, {"token.manage"}},
    CommandAccess{"token list", S::kRequired, {"token.manage"}},
    CommandAccess{"token revoke", S::kRequired, {"token.manage"}},
    CommandAccess{"notice publish", S::kRequired, {"notice.publish"}},
    CommandAccess{"notice list", S::kRequired, {"config.read"}},
    CommandAccess{"notice show", S::kRequired, {"config.read"}},
    CommandAccess{"doctor", S::kRequired, {"report.read", "audit.verify"}},
    CommandAccess{"retention run", S::kRequired, {"retention.run"}},
    // --subjects also needs pii.read (checked by the command).
    CommandAccess{"quality", S::kRequired, {"quality.read"}},
};

}  // namespace

std::span<const std::string_view> CommandAccess::required() const {
  std::size_t n = 0;
  while (n < actions.size() && !actions[n].empty()) ++n;
  return {actions.data(), n};
}

std::span<const CommandAccess> command_access() { return kAccess; }

const CommandAccess* find_command_access(std::string_view command) {
  for (const CommandAccess& c : kAccess) {
    if (c.command == command) return &c;
  }
  return nullptr;
}

std::string chosen_command(const CLI::App& app) {
  std::string path;
  const CLI::App* at = &app;
  while (true) {
    const auto chosen = at->get_subcommands();
    if (chosen.empty()) return path;
    at = chosen.front();
    path += (path.empty() ? "" : " ") + at->get_name();
  }
}

int authorize_command(Globals& g, std::string_view command) {
  const CommandAccess* access = find_command_access(command);
  if (access == nullptr) {
    return report_error(
        internal_error(fmt::format("command \"{}\" is not in cli/command_access.cc", command)));
  }
  g.store_access = false;
  if (access->store == StoreUse::kNone) return 0;
  if (access->store == StoreUse::kOptional &&
      !std::filesystem::exists(std::filesystem::path(g.store) / kDataFileName)) {
    return 0;
  }
  auto sd = open_store_dir(g.store, g.store_options());
  if (!sd.ok()) return report_error(sd.status());
  const UnixSeconds now = make_system_clock()->now();
  Result<access::Actor> actor =
      g.token.empty() ? access::local_operator(*sd) : access::authenticate(*sd, g.token, now);
  if (!actor.ok()) {
    // A failed token is a security event; the operator without the key file is told what to do.
    if (!g.token.empty()) {
      if (Status s = access::record_refused_token(*sd, command, actor.status().message(), now);
          !s.ok()) {
        return report_error(s);
      }
    }
    return report_error(actor.status());
  }
  if (Status s = access::authorize(*sd, *actor, command, access->required(), now); !s.ok()) {
    return report_error(s);
  }
  g.actor = actor->name;
  g.role = actor->role;
  g.store_access = true;
  return 0;
}

Status require_action(StoreDir& sd, const Globals& g, std::string_view command,
                      std::string_view action) {
  const std::array<std::string_view, 1> actions = {action};
  return access::authorize(sd, {g.actor, g.role}, command, actions, make_system_clock()->now());
}

}  // namespace consentric::cli
