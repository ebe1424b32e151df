// consentric consent show | history | proof

#include "cli/consent_views.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "audit/audit_log.h"
#include "cli/output.h"
#include "consent/lawful_basis.h"
#include "consent/subjects.h"
#include "crypto/keys.h"

namespace consentric::cli {
namespace {

struct Person {
  StoreDir sd;
  consent::SubjectRef who;
  std::vector<ConsentEntry> history;
  std::vector<LimitEntry> limits;
};

// Opens the store and finds the person; NotFound ("no data held") when nobody has the identifier.
Result<Person> find_person(const Globals& g, const std::string& identifier) {
  CONSENTRIC_ASSIGN_OR_RETURN(StoreDir sd, g.open_store());
  CONSENTRIC_ASSIGN_OR_RETURN(consent::IdentifierArg id,
                              consent::parse_identifier_arg(sd.config, identifier));
  CONSENTRIC_ASSIGN_OR_RETURN(std::optional<consent::SubjectRef> who,
                              consent::find_subject(sd, id));
  if (!who) return not_found("no data held about this identifier");
  Person p{std::move(sd), *who, {}, {}};
  CONSENTRIC_ASSIGN_OR_RETURN(p.history, p.sd.store->consent_history(p.who.id));
  CONSENTRIC_ASSIGN_OR_RETURN(p.limits, p.sd.store->limit_history(p.who.id));
  return p;
}

std::vector<ConsentEntry> of_purpose(const std::vector<ConsentEntry>& all, std::string_view p) {
  std::vector<ConsentEntry> out;
  for (const ConsentEntry& e : all) {
    if (e.purpose == p) out.push_back(e);
  }
  return out;
}

nlohmann::json entry_json(const ConsentEntry& e) {
  nlohmann::json j = {{"entry", e.entry_id},
                      {"purpose", e.purpose},
                      {"action", to_string(e.action)},
                      {"time", format_timestamp(e.ts)},
                      {"recorded_at", format_timestamp(e.recorded_at)},
                      {"source", e.source},
                      {"method", e.method},
                      {"notice_version", e.notice_version},
                      {"notice_hash", e.notice_hash},
                      {"proof", nlohmann::json::parse(e.proof, nullptr, false)}};
  if (e.expires_at) j["expires_at"] = format_timestamp(*e.expires_at);
  return j;
}

struct PurposeStatus {
  const PurposeSpec* spec;
  const ConsentEntry* latest;  // points into `entries`
  std::vector<ConsentEntry> entries;
  std::string reason;  // empty: the gate is open
};

PurposeStatus status_of(const Person& p, const PurposeSpec& spec, UnixSeconds at) {
  PurposeStatus s{&spec, nullptr, of_purpose(p.history, spec.id), {}};
  s.latest = consent::latest_at(s.entries, at);
  s.reason = consent::gate_reason(spec, s.latest, consent::limits_at(p.limits, spec.id, at), at);
  return s;
}

}  // namespace

int show_consent(const Globals& g, const std::string& identifier, const std::string& as_of_text) {
  auto p = find_person(g, identifier);
  if (!p.ok()) return report_error(p.status());
  auto at = parse_time_arg(as_of_text, make_system_clock()->now());
  if (!at.ok()) return report_error(at.status());
  nlohmann::json j = {{"subject", p->who.pseudonym}, {"as_of", format_timestamp(*at)}};
  Table t({"purpose", "legal basis", "decision", "since", "notice", "gate", "why closed"});
  for (const PurposeSpec& spec : p->sd.config.purposes) {
    const PurposeStatus s = status_of(*p, spec, *at);
    const std::string decision = s.latest ? std::string(to_string(s.latest->action)) : "-";
    const std::string since = s.latest ? format_timestamp(s.latest->ts) : "-";
    const std::string notice = s.latest ? s.latest->notice_version : "-";
    t.add_row({spec.id, std::string(to_string(spec.legal_basis)), decision, since, notice,
               s.reason.empty() ? "open" : "closed", s.reason});
    j["purposes"].push_back({{"purpose", spec.id},
                             {"legal_basis", to_string(spec.legal_basis)},
                             {"decision", decision},
                             {"since", since},
                             {"gate_open", s.reason.empty()},
                             {"reason", s.reason}});
  }
  if (g.json) {
    fmt::print("{}\n", j.dump());
  } else {
    fmt::print("{} as of {}\n\n{}", p->who.pseudonym, format_timestamp(*at), t.render());
  }
  return 0;
}

namespace {

int history(const Globals& g, const std::string& identifier) {
  auto p = find_person(g, identifier);
  if (!p.ok()) return report_error(p.status());
  if (g.json) {
    nlohmann::json j = {{"subject", p->who.pseudonym}, {"entries", nlohmann::json::array()}};
    for (const ConsentEntry& e : p->history) j["entries"].push_back(entry_json(e));
    for (const LimitEntry& l : p->limits) {
      j["limits"].push_back(
          {{"entry", l.entry_id},
           {"kind", l.kind == LimitKind::kRestriction ? "restriction" : "objection"},
           {"purpose", l.purpose},
           {"lifted", l.lifted},
           {"time", format_timestamp(l.ts)}});
    }
    fmt::print("{}\n", j.dump());
    return 0;
  }
  Table t({"entry", "time", "purpose", "action", "source", "method", "notice", "expires"});
  for (const ConsentEntry& e : p->history) {
    t.add_row({std::to_string(e.entry_id), format_timestamp(e.ts), e.purpose,
               std::string(to_string(e.action)), e.source, e.method,
               e.notice_version.empty() ? "-" : e.notice_version,
               e.expires_at ? format_timestamp(*e.expires_at) : "-"});
  }
  fmt::print("{}: {} consent ledger entries\n\n{}", p->who.pseudonym, p->history.size(),
             t.render());
  if (!p->limits.empty()) {
    Table lt({"entry", "time", "limit", "purpose", "state"});
    for (const LimitEntry& l : p->limits) {
      lt.add_row({std::to_string(l.entry_id), format_timestamp(l.ts),
                  l.kind == LimitKind::kRestriction ? "restriction" : "objection",
                  l.purpose.empty() ? "(all)" : l.purpose, l.lifted ? "lifted" : "in force"});
    }
    fmt::print("\nrestrictions and objections\n\n{}", lt.render());
  }
  return 0;
}

// The audit entries that recorded this subject's decisions for the purpose: the link from each
// ledger entry to the tamper-evident chain.
Result<std::vector<AuditRecord>> audit_trail(Store& store, const std::string& pseudonym,
                                             const std::string& purpose) {
  std::vector<AuditRecord> out;
  CONSENTRIC_RETURN_IF_ERROR(store.scan_audit([&](const AuditRecord& r) {
    if (r.subject == pseudonym && r.purpose == purpose) out.push_back(r);
    return Status();
  }));
  return out;
}

int proof(const Globals& g, const std::string& identifier, const std::string& purpose,
          const std::string& as_of_text) {
  auto p = find_person(g, identifier);
  if (!p.ok()) return report_error(p.status());
  const PurposeSpec* spec = p->sd.config.purpose(purpose);
  if (spec == nullptr)
    return report_error(invalid_argument(fmt::format("\"{}\" is not a declared purpose", purpose)));
  auto at = parse_time_arg(as_of_text, make_system_clock()->now());
  if (!at.ok()) return report_error(at.status());
  const PurposeStatus s = status_of(*p, *spec, *at);
  auto trail = audit_trail(*p->sd.store, p->who.pseudonym, spec->id);
  if (!trail.ok()) return report_error(trail.status());
  auto chain = audit::verify(*p->sd.store);
  if (!chain.ok()) return report_error(chain.status());
  auto checkpoints = p->sd.store->audit_checkpoints();
  if (!checkpoints.ok()) return report_error(checkpoints.status());

  nlohmann::json j = {
      {"subject", p->who.pseudonym},
      {"purpose",
       {{"id", spec->id},
        {"description", spec->description},
        {"legal_basis", to_string(spec->legal_basis)},
        {"direct_marketing", spec->direct_marketing},
        {"notice_version", spec->notice_version},
        {"renew_consent", spec->renew_consent}}},
      {"as_of", format_timestamp(*at)},
      {"gate_open", s.reason.empty()},
      {"reason", s.reason},
      {"decision_in_force", s.latest ? entry_json(*s.latest) : nlohmann::json()},
      {"history", nlohmann::json::array()},
      {"audit_entries", nlohmann::json::array()},
      {"audit_chain",
       {{"intact", chain->intact}, {"entries", chain->entries}, {"head", chain->head_hash_hex}}}};
  for (const ConsentEntry& e : s.entries) j["history"].push_back(entry_json(e));
  for (const AuditRecord& r : *trail) {
    j["audit_entries"].push_back({{"seq", r.seq},
                                  {"time", format_timestamp(r.ts)},
                                  {"action", r.action},
                                  {"actor", r.actor},
                                  {"detail", nlohmann::json::parse(r.detail, nullptr, false)},
                                  {"hash", crypto::to_hex(r.hash)}});
  }
  if (!checkpoints->empty()) {
    const auto& cp = checkpoints->back();
    j["audit_chain"]["latest_checkpoint"] = {
        {"size", cp.size}, {"time", format_timestamp(cp.ts)}, {"root", crypto::to_hex(cp.root)}};
  }
  if (g.json) {
    fmt::print("{}\n", j.dump(2));
    return 0;
  }
  fmt::print("Consent proof: {} / {}\n", p->who.pseudonym, spec->id);
  fmt::print("  purpose      {}\n", spec->description);
  fmt::print("  legal basis  {}{}\n", to_string(spec->legal_basis),
             spec->direct_marketing ? " (direct marketing)" : "");
  fmt::print("  notice now   {}{}\n", spec->notice_version.empty() ? "-" : spec->notice_version,
             spec->renew_consent ? " (consent under an older notice must be renewed)" : "");
  fmt::print("  gate at {}: {}\n", format_timestamp(*at),
             s.reason.empty() ? "open" : "closed: " + s.reason);
  if (s.latest) {
    const ConsentEntry& e = *s.latest;
    fmt::print("\nDecision in force: {} at {} (ledger entry {}, recorded {})\n",
               to_string(e.action), format_timestamp(e.ts), e.entry_id,
               format_timestamp(e.recorded_at));
    fmt::print("  source {}, method {}, notice {}{}\n", e.source, e.method,
               e.notice_version.empty() ? "-" : e.notice_version,
               e.notice_hash.empty() ? "" : ", notice text hash " + e.notice_hash);
    if (e.expires_at) fmt::print("  expires {}\n", format_timestamp(*e.expires_at));
    fmt::print("  proof {}\n", e.proof);
  }
  fmt::print("\nHistory for this purpose ({} entries)\n", s.entries.size());
  Table h({"entry", "time", "action", "source", "method", "notice"});
  for (const ConsentEntry& e : s.entries)
    h.add_row({std::to_string(e.entry_id), format_timestamp(e.ts), std::string(to_string(e.action)),
               e.source, e.method, e.notice_version.empty() ? "-" : e.notice_version});
  fmt::print("{}", h.render());
  fmt::print("\nAudit entries ({}): each decision's record in the hash chain\n", trail->size());
  Table a({"seq", "time", "action", "hash"});
  for (const AuditRecord& r : *trail)
    a.add_row({std::to_string(r.seq), format_timestamp(r.ts), r.action,
               crypto::to_hex(r.hash).substr(0, 16)});
  fmt::print("{}", a.render());
  fmt::print("\nAudit chain: {}, {} entries, head {}\n", chain->intact ? "intact" : "BROKEN",
             with_thousands(chain->entries), chain->head_hash_hex.substr(0, 16));
  if (!checkpoints->empty()) {
    fmt::print("Latest signed checkpoint: {} entries at {} (consentric audit prove --entry N)\n",
               with_thousands(checkpoints->back().size), format_timestamp(checkpoints->back().ts));
  }
  return 0;
}

}  // namespace

std::string render_tc_string(const tcf::TcString& tc,
                             const std::vector<tcf::PolicyWarning>& warnings) {
  Table t({"field", "value"});
  for (auto& [label, value] : tcf::describe(tc)) t.add_row({label, value});
  std::string out = t.render();
  if (warnings.empty()) {
    out += "\npolicy: no problem found (TCF 2.2/2.3)\n";
  } else {
    out += fmt::format("\npolicy: {} problem(s); consentric refuses to record this string:\n",
                       warnings.size());
    for (const auto& w : warnings) out += fmt::format("  {}: {}\n", w.field, w.message);
  }
  return out;
}

void add_consent_views(CLI::App* consent, Globals& g) {
  struct Args {
    std::string identifier, purpose, as_of;
  };
  auto a = std::make_shared<Args>();
  auto* show_cmd =
      consent->add_subcommand("show", "Where a person stands for every purpose, and why");
  show_cmd->add_option("IDENTIFIER", a->identifier, "FIELD=VALUE or a bare value")->required();
  show_cmd->add_option("--as-of", a->as_of, "At this time (default: now)");
  show_cmd->callback(
      [&g, a] { g.run = [&g, a] { return show_consent(g, a->identifier, a->as_of); }; });

  auto* history_cmd =
      consent->add_subcommand("history", "Every ledger entry, restriction and objection");
  history_cmd->add_option("IDENTIFIER", a->identifier, "FIELD=VALUE or a bare value")->required();
  history_cmd->callback([&g, a] { g.run = [&g, a] { return history(g, a->identifier); }; });

  auto* proof_cmd = consent->add_subcommand(
      "proof",
      "What a regulator needs: what was agreed, when, how, to which notice, and its "
      "place in the audit chain");
  proof_cmd->add_option("IDENTIFIER", a->identifier, "FIELD=VALUE or a bare value")->required();
  proof_cmd->add_option("--purpose", a->purpose, "The purpose")->required();
  proof_cmd->add_option("--as-of", a->as_of, "At this time (default: now)");
  proof_cmd->callback(
      [&g, a] { g.run = [&g, a] { return proof(g, a->identifier, a->purpose, a->as_of); }; });
}

}  // namespace consentric::cli
