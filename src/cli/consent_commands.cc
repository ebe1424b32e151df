// consentric consent grant | withdraw | gpc | tcf decode | tcf record | import
//                    show | history | proof   (consent_views.cc)

#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/consent_views.h"
#include "cli/output.h"
#include "consent/ledger.h"
#include "consent/signals.h"
#include "consent/subjects.h"
#include "core/text.h"
#include "crypto/keys.h"
#include "tcf/tc_json.h"

namespace consentric::cli {
namespace {

struct DecisionArgs {
  std::string identifier, purpose, time, source = "api", method = "unspecified";
  std::string notice_version, notice_file, notice_hash, proof = "{}", expires;
};

void add_decision_options(CLI::App* cmd, DecisionArgs& a, bool grant) {
  cmd->add_option("IDENTIFIER", a.identifier,
                  "The person: FIELD=VALUE (an identifier field) or a bare e-mail or id")
      ->required();
  cmd->add_option("--purpose", a.purpose, "A declared purpose id")->required();
  cmd->add_option("--time", a.time, "When the person decided (ISO 8601; default: now)");
  cmd->add_option("--source", a.source, "web_form, api, email_request, ... (default: api)");
  cmd->add_option("--method", a.method, "checkbox, form, banner, ...");
  cmd->add_option("--proof", a.proof, "A JSON object: form id, ip (kept as its prefix), ...");
  if (!grant) return;
  cmd->add_option("--notice-version", a.notice_version,
                  "Version of the notice shown (default: the purpose's current one)");
  cmd->add_option("--notice-file", a.notice_file,
                  "The exact notice text shown; its hash is kept as proof");
  cmd->add_option("--notice-hash", a.notice_hash, "Hex hash of the notice text, when known");
  cmd->add_option("--expires", a.expires, "When the consent lapses: a time, or a duration (1y)");
}

Result<consent::Decision> decision_of(const StoreDir& sd, const DecisionArgs& a, bool grant,
                                      UnixSeconds now) {
  consent::Decision d;
  d.purpose = a.purpose;
  d.action = grant ? ConsentAction::kGrant : ConsentAction::kWithdraw;
  CONSENTRIC_ASSIGN_OR_RETURN(d.ts, parse_time_arg(a.time, now));
  d.source = a.source;
  d.method = a.method;
  d.proof = a.proof;
  d.notice_version = a.notice_version;
  d.notice_hash = a.notice_hash;
  // By default, the notice in force: the latest published version and its text's hash.
  if (const PurposeSpec* p = sd.config.purpose(a.purpose);
      p != nullptr && grant && d.notice_version.empty()) {
    d.notice_version = p->current_notice_version();
    if (d.notice_hash.empty() && a.notice_file.empty()) d.notice_hash = p->notice_hash;
  }
  if (!a.notice_file.empty()) {
    CONSENTRIC_ASSIGN_OR_RETURN(std::string h, crypto::hash256_file(a.notice_file));
    d.notice_hash = crypto::to_hex(h);
  }
  if (!a.expires.empty()) {
    if (auto t = parse_time_arg(a.expires, now); t.ok()) {
      d.expires_at = *t;
    } else {
      CONSENTRIC_ASSIGN_OR_RETURN(std::int64_t secs, parse_duration_seconds(a.expires));
      d.expires_at = d.ts + secs;
    }
  }
  if (auto err = consent::check_decision(sd.config, d, now))
    return invalid_argument(
        fmt::format("--{}: {}", err->field == "time" ? "time" : err->field, err->message));
  return d;
}

nlohmann::json entry_json(std::string_view purpose, const consent::Appended& a) {
  return {{"purpose", purpose},
          {"action", to_string(a.action)},
          {"entry", a.entry_id},
          {"recorded", a.entry_id != 0}};
}

void print_recorded(const Globals& g, const nlohmann::json& out) {
  if (g.json) {
    fmt::print("{}\n", out.dump());
    return;
  }
  for (const auto& e : out["entries"]) {
    const std::string action = e["action"];
    const std::string purpose = e["purpose"];
    if (e["recorded"])
      fmt::print("recorded: {} {} for {} (ledger entry {})\n", action, purpose,
                 out["subject"].get<std::string>(), e["entry"].get<std::int64_t>());
    else
      fmt::print("unchanged: the ledger already holds this {} of {} for {}\n", action, purpose,
                 out["subject"].get<std::string>());
  }
  if (out["entries"].empty())
    fmt::print("nothing to record for {}\n", out["subject"].get<std::string>());
}

// Runs `record` for the subject named by `identifier` (created when unknown) in one transaction.
template <typename Record>
int record_for(const Globals& g, const std::string& identifier, Record&& record) {
  auto sd = g.open_store();
  if (!sd.ok()) return report_error(sd.status());
  auto id = consent::parse_identifier_arg(sd->config, identifier);
  if (!id.ok()) return report_error(id.status());
  const UnixSeconds now = make_system_clock()->now();
  auto out = in_store_transaction(*sd, [&]() -> Result<nlohmann::json> {
    CONSENTRIC_ASSIGN_OR_RETURN(consent::SubjectRef who,
                                consent::find_or_create_subject(*sd, *id, now));
    consent::PurposeFeatureKeeper keeper(*sd->store, sd->config);
    nlohmann::json j = {{"subject", who.pseudonym}, {"subject_created", who.created}};
    CONSENTRIC_ASSIGN_OR_RETURN(j["entries"], record(*sd, keeper, who, now));
    return j;
  });
  if (!out.ok()) return report_error(out.status());
  print_recorded(g, *out);
  return 0;
}

void add_decision_command(CLI::App* consent, Globals& g, bool grant) {
  auto a = std::make_shared<DecisionArgs>();
  auto* cmd = consent->add_subcommand(
      grant ? "grant" : "withdraw",
      grant ? "Record that a person gave consent for a purpose (creates the person if unknown)"
            : "Record that a person withdrew consent (a refusal if they never gave it)");
  add_decision_options(cmd, *a, grant);
  cmd->callback([&g, a, grant] {
    g.run = [&g, a, grant] {
      return record_for(
          g, a->identifier,
          [&](StoreDir& sd, consent::PurposeFeatureKeeper& keeper, const consent::SubjectRef& who,
              UnixSeconds now) -> Result<nlohmann::json> {
            CONSENTRIC_ASSIGN_OR_RETURN(consent::Decision d, decision_of(sd, *a, grant, now));
            CONSENTRIC_ASSIGN_OR_RETURN(
                consent::Appended r,
                consent::append_decision(*sd.store, sd.config, keeper, who.id, d, g.actor, now));
            return nlohmann::json::array({entry_json(d.purpose, r)});
          });
    };
  });
}

void add_gpc_command(CLI::App* consent, Globals& g) {
  struct Args {
    std::string identifier, time, user_agent, ip;
  };
  auto a = std::make_shared<Args>();
  auto* cmd = consent->add_subcommand(
      "gpc", "Record a Global Privacy Control signal (Sec-GPC: 1): opt-out of sale and sharing");
  cmd->add_option("IDENTIFIER", a->identifier, "The person (FIELD=VALUE or a bare value)")
      ->required();
  cmd->add_option("--time", a->time, "When the signal was received (default: now)");
  cmd->add_option("--user-agent", a->user_agent, "The browser's User-Agent, kept as proof");
  cmd->add_option("--ip", a->ip, "The client address (kept as its network prefix)");
  cmd->callback([&g, a] {
    g.run = [&g, a] {
      return record_for(
          g, a->identifier,
          [&](StoreDir& sd, consent::PurposeFeatureKeeper& keeper, const consent::SubjectRef& who,
              UnixSeconds now) -> Result<nlohmann::json> {
            CONSENTRIC_ASSIGN_OR_RETURN(UnixSeconds at, parse_time_arg(a->time, now));
            nlohmann::json proof = nlohmann::json::object();
            if (!a->user_agent.empty()) proof["user_agent"] = a->user_agent;
            if (!a->ip.empty()) proof["ip"] = a->ip;
            CONSENTRIC_ASSIGN_OR_RETURN(
                auto entries, consent::record_gpc(*sd.store, sd.config, keeper, who.id, at,
                                                  proof.dump(), g.actor, now));
            nlohmann::json out = nlohmann::json::array();
            for (const auto& e : entries) out.push_back(entry_json(e.purpose, e.appended));
            return out;
          });
    };
  });
}

void add_tcf_commands(CLI::App* consent, Globals& g) {
  auto* tcf_cmd = consent->add_subcommand("tcf", "IAB TCF v2.2/2.3 consent strings");
  tcf_cmd->require_subcommand(1);

  auto decode_str = std::make_shared<std::string>();
  auto* decode = tcf_cmd->add_subcommand(
      "decode", "Print every field of a TC string and the TCF policy problems it has");
  decode->add_option("STRING", *decode_str, "The TC string (base64url segments joined by '.')")
      ->required();
  decode->callback([&g, decode_str] {
    g.run = [&g, decode_str] {
      auto tc = tcf::decode(*decode_str);
      if (!tc.ok()) return report_error(tc.status());
      const auto warnings = tcf::check_policy(*tc, make_system_clock()->now());
      if (g.json) {
        nlohmann::json j = tcf::to_json(*tc);
        j["policy_warnings"] = nlohmann::json::array();
        for (const auto& w : warnings)
          j["policy_warnings"].push_back({{"field", w.field}, {"message", w.message}});
        fmt::print("{}\n", j.dump(2));
        return 0;
      }
      fmt::print("{}", render_tc_string(*tc, warnings));
      return 0;
    };
  });

  struct RecordArgs {
    std::string identifier, tc_string, time;
  };
  auto r = std::make_shared<RecordArgs>();
  auto* record = tcf_cmd->add_subcommand(
      "record", "Record what a TC string says for our vendor, for every mapped purpose");
  record->add_option("IDENTIFIER", r->identifier, "The person (FIELD=VALUE or a bare value)")
      ->required();
  record->add_option("STRING", r->tc_string, "The TC string")->required();
  record->add_option("--time", r->time, "When the person decided (default: the string's date)");
  record->callback([&g, r] {
    g.run = [&g, r] {
      return record_for(
          g, r->identifier,
          [&](StoreDir& sd, consent::PurposeFeatureKeeper& keeper, const consent::SubjectRef& who,
              UnixSeconds now) -> Result<nlohmann::json> {
            std::optional<UnixSeconds> at;
            if (!r->time.empty()) {
              CONSENTRIC_ASSIGN_OR_RETURN(at, parse_time_arg(r->time, now));
            }
            CONSENTRIC_ASSIGN_OR_RETURN(
                consent::TcfResult res,
                consent::record_tc_string(*sd.store, sd.config, keeper, who.id, r->tc_string, at,
                                          g.actor, now));
            nlohmann::json out = nlohmann::json::array();
            for (const auto& e : res.entries) out.push_back(entry_json(e.purpose, e.appended));
            return out;
          });
    };
  });
}

}  // namespace

Result<UnixSeconds> parse_time_arg(std::string_view text, UnixSeconds now) {
  if (text.empty() || text == "now") return now;
  if (auto t = parse_timestamp(text); t.ok()) return *t;
  auto d = parse_date(text);
  if (!d.ok()) {
    return invalid_argument(fmt::format(
        "{} is not a time (expected ISO 8601, e.g. 2026-05-01T10:00:00Z, or a date 2026-05-01)",
        quote_for_message(text)));
  }
  return *d;
}

void add_consent_commands(CLI::App& app, Globals& g) {
  auto* consent = app.add_subcommand("consent", "The consent ledger: record, show and prove");
  consent->require_subcommand(1);
  add_decision_command(consent, g, /*grant=*/true);
  add_decision_command(consent, g, /*grant=*/false);
  add_gpc_command(consent, g);
  add_tcf_commands(consent, g);
  add_import_kind(consent, g, ingest::ImportKind::kConsents, "import",
                  "Import consent records from CSV or NDJSON (the same as import consents)");
  add_consent_views(consent, g);
}

}  // namespace consentric::cli
