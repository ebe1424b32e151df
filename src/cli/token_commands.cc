// consentric token create | list | revoke (docs/governance.md, "Roles and tokens").

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "access/access_tokens.h"
#include "cli/commands.h"
#include "cli/output.h"
#include "core/time.h"

namespace consentric::cli {
namespace {

using json = nlohmann::json;

struct CreateArgs {
  std::string name, role, expires = "90d";
};

int create(const Globals& g, const CreateArgs& a) {
  auto sd = g.open_store();
  if (!sd.ok()) return report_error(sd.status());
  const UnixSeconds now = make_system_clock()->now();
  auto lifetime = parse_duration_seconds(a.expires);
  if (!lifetime.ok()) return report_error(lifetime.status().with_context("--expires"));
  auto made = access::create_token(
      *sd, {.name = a.name, .role = a.role, .expires_at = now + *lifetime}, g.actor, now);
  if (!made.ok()) return report_error(made.status());
  if (g.json) {
    fmt::print("{}\n", json{{"name", a.name},
                            {"role", a.role},
                            {"expires_at", format_timestamp(made->row.expires_at)},
                            {"token", made->token}}
                           .dump());
    return 0;
  }
  fmt::print(
      "token {} (role {}) expires {}\n\n  {}\n\n"
      "It is shown this once and only its keyed hash is kept: hand it over now. Use it with\n"
      "--token or CONSENTRIC_TOKEN; `consentric token revoke {}` ends it.\n",
      a.name, a.role, format_timestamp(made->row.expires_at), made->token, a.name);
  return 0;
}

int list(const Globals& g) {
  auto sd = g.open_store();
  if (!sd.ok()) return report_error(sd.status());
  auto rows = sd->store->access_tokens();
  if (!rows.ok()) return report_error(rows.status());
  const UnixSeconds now = make_system_clock()->now();
  if (g.json) {
    json out = json::array();
    for (const AccessTokenRow& t : *rows) {
      out.push_back({{"name", t.name},
                     {"role", t.role},
                     {"state", access::to_string(access::token_state(t, now))},
                     {"created_at", format_timestamp(t.created_at)},
                     {"created_by", t.created_by},
                     {"expires_at", format_timestamp(t.expires_at)},
                     {"revoked_at", t.revoked_at ? json(format_timestamp(*t.revoked_at)) : json()},
                     {"revoked_by", t.revoked_by}});
    }
    fmt::print("{}\n", out.dump());
    return 0;
  }
  if (rows->empty()) {
    fmt::print("no access tokens; commands run as the local operator (role admin)\n");
    return 0;
  }
  Table table({"name", "role", "state", "created", "by", "expires"});
  for (const AccessTokenRow& t : *rows) {
    table.add_row({t.name, t.role, std::string(access::to_string(access::token_state(t, now))),
                   format_timestamp(t.created_at), t.created_by, format_timestamp(t.expires_at)});
  }
  fmt::print("{}", table.render());
  return 0;
}

int revoke(const Globals& g, const std::string& name) {
  auto sd = g.open_store();
  if (!sd.ok()) return report_error(sd.status());
  if (Status s = access::revoke_token(*sd, name, g.actor, make_system_clock()->now()); !s.ok()) {
    return report_error(s);
  }
  if (!g.quiet) fmt::print("token {} revoked; it no longer opens anything\n", name);
  return 0;
}

}  // namespace

void add_token_commands(CLI::App& app, Globals& g) {
  auto* token = app.add_subcommand("token", "Access tokens: who may run commands, in which role");
  token->require_subcommand(1);

  auto a = std::make_shared<CreateArgs>();
  auto* create_cmd = token->add_subcommand("create", "Make an access token (shown once)");
  create_cmd->add_option("--name", a->name, "Who holds it (named in the audit chain)")->required();
  create_cmd->add_option("--role", a->role, "A role of the declaration (admin, dpo, analyst, ...)")
      ->required();
  create_cmd->add_option("--expires", a->expires, "Lifetime, e.g. 30d, 12h (default 90d)");
  create_cmd->callback([&g, a] { g.run = [&g, a] { return create(g, *a); }; });

  token->add_subcommand("list", "Every token with its role and state")->callback([&g] {
    g.run = [&g] { return list(g); };
  });

  auto name = std::make_shared<std::string>();
  auto* revoke_cmd = token->add_subcommand("revoke", "End a token now");
  revoke_cmd->add_option("name", *name, "The token's name")->required();
  revoke_cmd->callback([&g, name] { g.run = [&g, name] { return revoke(g, *name); }; });
}

}  // namespace consentric::cli
