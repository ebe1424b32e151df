// consentric quickstart: the whole story on realistic data, from an empty folder. It grows
// with every capability: import, the consent gate, one person's consent journey, a purpose
// view, and the audit chain verified at the end.

#include <chrono>
#include <fstream>

#include <fmt/format.h>

#include "access/access_tokens.h"
#include "audit/audit_ops.h"
#include "cli/command_access.h"
#include "cli/commands.h"
#include "cli/output.h"
#include "cli/summary.h"
#include "consent/ledger.h"
#include "consent/signals.h"
#include "consent/subjects.h"
#include "crypto/keys.h"
#include "gate/gate.h"
#include "governance/quality.h"
#include "governance/retention.h"
#include "report/dpia.h"
#include "report/privacy_notice.h"
#include "report/ropa.h"
#include "rights/access_report.h"
#include "rights/erasure.h"
#include "runs/segment_runs.h"
#include "scoring/lead_scoring.h"
#include "scoring/points_run.h"
#include "tcf/tc_string.h"

namespace consentric::cli {
namespace {

namespace fs = std::filesystem;

// A step returns its exit code; non-zero ends the quickstart there.
#define CONSENTRIC_CLI_STEP(expr)            \
  do {                                       \
    if (int rc = (expr); rc != 0) return rc; \
  } while (false)

constexpr std::string_view kActor = "local-operator";
constexpr std::string_view kPerson = "ada.lovelace@example.test";

int consent_gate_step(const Globals& g) {
  fmt::print(
      "\n5. The consent gate: who each purpose may process now (opt-in: no record, no consent;\n"
      "   consent under an older notice does not count where the purpose asks for renewal)\n\n");
  return print_gate_counts(g, "");
}

// A banner's TC string for one person: consent to TCF purposes 1, 3, 4 (personalised ads) and 9
// (audience research), for our vendor among others, disclosed as TCF 2.3 requires.
std::string banner_tc_string(const Config& config, UnixSeconds day) {
  tcf::TcString tc;
  tc.created = tc.last_updated = day;
  tc.cmp_id = 31;
  tc.cmp_version = 4;
  tc.consent_screen = 1;
  tc.consent_language = "EN";
  tc.vendor_list_version = 112;
  tc.policy_version = 5;
  tc.is_service_specific = true;
  tc.publisher_cc = "DE";
  for (int p : {1, 3, 4, 9}) tc.purposes_consent.set(static_cast<std::size_t>(p - 1));
  const int us = config.tcf_vendor_id.value_or(1);
  tc.vendor_consents = {us, 755};
  tc.disclosed_vendors = std::set<int>{us, 755, 804};
  return tcf::encode(tc);
}

// Sets *pseudonym to the person's pseudonym (the audit step proves one of their entries).
int consent_journey_step(const Globals& g, StoreDir& sd, std::string* pseudonym) {
  fmt::print(
      "\n6. One person's consent journey: a TCF banner, then a Global Privacy Control signal\n");
  const UnixSeconds now = make_system_clock()->now();
  const UnixSeconds today = now - now % kSecondsPerDay;
  const std::string tc = banner_tc_string(sd.config, today);
  fmt::print("   {} accepts a consent banner; its TC string:\n   {}\n", kPerson, tc);
  auto id = consent::parse_identifier_arg(sd.config, kPerson);
  if (!id.ok()) return report_error(id.status());
  consent::PurposeFeatureKeeper keeper(*sd.store, sd.config);
  auto done = in_store_transaction(sd, [&]() -> Result<bool> {
    CONSENTRIC_ASSIGN_OR_RETURN(consent::SubjectRef who,
                                consent::find_or_create_subject(sd, *id, now));
    *pseudonym = who.pseudonym;
    CONSENTRIC_ASSIGN_OR_RETURN(
        consent::TcfResult r,
        consent::record_tc_string(*sd.store, sd.config, keeper, who.id, tc, today, kActor, now));
    for (const auto& e : r.entries)
      fmt::print("   TCF  -> {} {}\n", to_string(e.appended.action), e.purpose);
    // The same person's browser later sends Sec-GPC: 1.
    CONSENTRIC_ASSIGN_OR_RETURN(
        auto gpc,
        consent::record_gpc(*sd.store, sd.config, keeper, who.id, now,
                            R"({"user_agent":"Mozilla/5.0 Firefox/133.0"})", kActor, now));
    for (const auto& e : gpc)
      fmt::print("   GPC  -> {} {} (sale or sharing opted out)\n", to_string(e.appended.action),
                 e.purpose);
    return true;
  });
  if (!done.ok()) return report_error(done.status());
  // Strings that prove nothing are refused, and nothing is written.
  for (std::string_view bad : {std::string_view("COtybn4PA_zT4KjACBENAPCIAEBAAECAAIAAAAAAAAAA"),
                               std::string_view("BOEFEAyOEFEAyAHABDENAI4AAAB9vABAASA"),
                               std::string_view(tc).substr(0, 20)}) {
    auto decoded = tcf::decode(bad);
    std::string why;
    if (!decoded.ok()) {
      why = decoded.status().message();
    } else if (auto w = tcf::check_policy(*decoded, now); !w.empty()) {
      why = w.front().message;
    }
    fmt::print("   refused {}...: {}\n", bad.substr(0, 12), why);
  }
  fmt::print("\n");
  return show_consent(g, std::string(kPerson), "");
}

int purpose_view_step(const Globals& g, StoreDir& sd) {
  fmt::print(
      "\n7. A PurposeView for segmentation: lawful subjects only, declared columns only, under\n"
      "   pseudonymous ids, written to the audit chain (features count only the events that\n"
      "   happened while each person's consent was valid)\n\n");
  const auto start = std::chrono::steady_clock::now();
  ViewArgs a{.purpose = "segmentation",
             .as_of = "",
             .columns =
                 "country,industry,age,event_count,recency_days,frequency,monetary,"
                 "count.page_view,count.email_click,count.demo_request",
             .out = ""};
  CONSENTRIC_CLI_STEP(print_view(g, a));
  fmt::print(
      "   built in {:.0f} ms\n",
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
  fmt::print("\n8. Data minimisation: a column the purpose does not declare is refused\n");
  const UnixSeconds now = make_system_clock()->now();
  auto refused = gate::build_view(
      sd,
      {.purpose = "segmentation", .as_of = now, .actor = std::string(kActor), .columns = {"email"}},
      now);
  if (refused.ok()) return report_error(internal_error("the gate let an undeclared field through"));
  const std::string why = refused.status().message();
  fmt::print("   {}\n", why.substr(0, why.find(';')));
  return 0;
}

int segments_step(const Globals& g, StoreDir& sd) {
  fmt::print(
      "\n9. RFM segments: recency, frequency and monetary quintiles of the customers who may be\n"
      "   segmented, named the way marketers name them (segments under k = {} are not shown)\n\n",
      sd.config.k_anonymity);
  CONSENTRIC_CLI_STEP(create_segment_and_show(
      g, sd, {.name = "rfm", .purpose = "segmentation", .kind = runs::SegmentKind::kRfm}));
  fmt::print(
      "\n10. k-means segments of behaviour: log-scaled, z-scored features, the best of four\n"
      "    k-means++ starts, Hamerly-bounded Lloyd iterations on two threads; k by silhouette\n\n");
  const auto start = std::chrono::steady_clock::now();
  CONSENTRIC_CLI_STEP(create_segment_and_show(
      g, sd,
      {.name = "behaviour",
       .purpose = "segmentation",
       .kind = runs::SegmentKind::kKmeans,
       .kmeans = {
           .features = {"recency_days", "tenure_days", "frequency", "monetary", "count.page_view",
                        "count.email_open", "count.webinar", "count.demo_request"},
           .k_min = 3,
           .k_max = 6,
           .seed = 7,
           .log_transform = true}}));
  fmt::print(
      "    chosen, run and stored in {:.0f} ms\n",
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());

  fmt::print(
      "\n11. A member withdraws consent to segmentation: they leave every segment of the purpose\n"
      "    at once (audit: segment.forget)\n");
  auto state = runs::segment_state(sd, "behaviour");
  if (!state.ok()) return report_error(state.status());
  std::optional<runs::Member> leaver;
  std::int64_t before = 0;
  Status s = runs::for_each_member(sd, *state, [&](const runs::Member& m) {
    if (!leaver) leaver = m;
    ++before;
  });
  if (!s.ok()) return report_error(s);
  if (!leaver) return 0;
  const UnixSeconds now = make_system_clock()->now();
  auto withdrawn = in_store_transaction(sd, [&]() -> Result<consent::Appended> {
    consent::PurposeFeatureKeeper keeper(*sd.store, sd.config);
    CONSENTRIC_ASSIGN_OR_RETURN(
        consent::Appended a, consent::append_decision(*sd.store, sd.config, keeper, leaver->subject,
                                                      {.purpose = "segmentation",
                                                       .action = ConsentAction::kWithdraw,
                                                       .ts = now,
                                                       .source = "web_form",
                                                       .method = "preference_centre"},
                                                      kActor, now));
    CONSENTRIC_RETURN_IF_ERROR(keeper.flush());
    return a;
  });
  if (!withdrawn.ok()) return report_error(withdrawn.status());
  auto after_state = runs::segment_state(sd, "behaviour");
  if (!after_state.ok()) return report_error(after_state.status());
  std::int64_t after = 0;
  bool still_in = false;
  s = runs::for_each_member(sd, *after_state, [&](const runs::Member& m) {
    ++after;
    still_in |= m.pseudonym == leaver->pseudonym;
  });
  if (!s.ok()) return report_error(s);
  fmt::print("    {} ({}): members of behaviour before {}, after {}; still a member: {}\n",
             leaver->pseudonym, leaver->group, with_thousands(before), with_thousands(after),
             still_in ? "yes" : "no");
  return still_in ? 1 : 0;
}

// Points scoring from the declaration's rules: everyone lead_scoring may process, the grade
// distribution (counts under the small-group rule) and the five leads with the most points.
int points_step(StoreDir& sd) {
  fmt::print(
      "\n    Points scoring with the declaration's rules (events with caps and half-lives, "
      "company\n"
      "    fit, grades A-D, MQL); every change goes to the points log, which sums to the "
      "total\n\n");
  const auto start = std::chrono::steady_clock::now();
  const UnixSeconds now = make_system_clock()->now();
  auto r = scoring::run_points(sd, now, {.actor = std::string(kActor), .now = now});
  if (!r.ok()) return report_error(r.status());
  const double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  const int k = sd.config.k_anonymity;
  fmt::print("    {} people, {} events read, {} log entries in {:.0f} ms\n",
             people_count(r->subjects, k), with_thousands(r->events), with_thousands(r->entries),
             ms);
  fmt::print("    grades: A {}, B {}, C {}, D {}; marketing-qualified leads: {}\n",
             people_count(r->grades[0], k), people_count(r->grades[1], k),
             people_count(r->grades[2], k), people_count(r->grades[3], k), people_count(r->mql, k));
  auto top = scoring::top_points(sd, 5);
  if (!top.ok()) return report_error(top.status());
  Table t({"subject (pseudonym)", "points", "grade", "MQL"});
  for (const PointsTotalRow& row : *top) {
    t.add_row({row.pseudonym,
               fmt::format("{:.1f}", static_cast<double>(row.total_milli) / kMilliPerPoint),
               row.grade, row.mql ? "yes" : ""});
  }
  fmt::print("\n{}", t.render());
  return 0;
}

// Lead scoring under legitimate interest: both models trained on the people the purpose may
// process, their cards' headline figures, and the five best leads with their reasons.
int scoring_step(const Globals& g, StoreDir& sd, const fs::path& dir) {
  fmt::print(
      "\n12. Lead scoring (legitimate interest): logistic regression and gradient-boosted trees\n"
      "    trained on the people lead_scoring may process and their generated outcomes; special\n"
      "    categories are never features, and the model remembers exactly whom it learned from\n\n");
  for (const scoring::ModelKind kind : {scoring::ModelKind::kLogistic, scoring::ModelKind::kTrees}) {
    const auto start = std::chrono::steady_clock::now();
    auto trained = scoring::train(
        sd,
        {.purpose = "lead_scoring",
         .kind = kind,
         .labels = {.file = dir / "data" / "outcomes.csv", .label_column = "converted"},
         .activate = kind == scoring::ModelKind::kLogistic},
        {.actor = std::string(kActor), .now = make_system_clock()->now()});
    if (!trained.ok()) return report_error(trained.status());
    const nlohmann::json& m = trained->card["metrics"];
    fmt::print(
        "    {:<5} v{}: AUC {:.3f}, log loss {:.3f}, Brier {:.3f}, top-decile lift {:.2f}, "
        "trained in {:.0f} ms{}\n",
        scoring::to_string(kind), trained->model.version, m.value("auc", 0.0),
        m.value("log_loss", 0.0), m.value("brier", 0.0),
        m["top_decile"].value("lift", 0.0),
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
            .count(),
        trained->activated ? " (active)" : "");
  }
  fmt::print("\n");
  if (const int rc = run_scores(g, "lead_scoring", 5); rc != 0) return rc;
  return points_step(sd);
}

// A customer exercises their rights: access to everything held about them (JSON and a page
// they can read), then erasure with a signed receipt, which a later import cannot undo.
int rights_step(StoreDir& sd, const fs::path& dir) {
  // A customer with a segment membership, so the report has something to explain.
  std::string customer;
  for (int i = 1; i <= 1000 && customer.empty(); ++i) {
    const std::string id = fmt::format("C{:08d}", i);
    auto arg = consent::parse_identifier_arg(sd.config, "customer_id=" + id);
    if (!arg.ok()) return report_error(arg.status());
    auto found = consent::find_subject(sd, *arg);
    if (!found.ok() || !*found) continue;
    auto memberships = sd.store->subject_memberships((*found)->id);
    if (memberships.ok() && !memberships->empty()) customer = id;
  }
  if (customer.empty()) return 0;
  const std::string who = "customer_id=" + customer;
  fmt::print(
      "\n13. Data-subject requests: customer {} asks what is held about them (Art. 15),\n"
      "    then to be forgotten (Art. 17)\n",
      customer);
  auto access = rights::access(sd, {.identifier = who,
                                    .now = make_system_clock()->now(),
                                    .json_out = dir / "access-report.json",
                                    .html_out = dir / "access-report.html"});
  if (!access.ok()) return report_error(access.status());
  const nlohmann::json& c = access->counts;
  fmt::print("    request {}: report in {} and {} (mode 0600)\n", access->request.row.request_id,
             (dir / "access-report.json").string(), (dir / "access-report.html").string());
  fmt::print(
      "    {} identifiers, {} profile fields, {} events, {} consent decisions with proofs,\n"
      "    {} purposes with their legal basis, {} segments and why, {} points totals with their\n"
      "    log, {} sources, {} recipients\n",
      c.value("identifiers", 0), c.value("profile_fields", 0), c.value("events", 0),
      c.value("consent_entries", 0), c.value("purposes", 0), c.value("segments", 0),
      c.value("points", 0), c.value("sources", 0), c.value("recipients", 0));
  const fs::path receipt_file = dir / "erasure-receipt.json";
  auto erased = rights::erase(sd, {.identifiers = {who}, .now = make_system_clock()->now()});
  if (!erased.ok()) return report_error(erased.status());
  if (erased->erased.size() != 1) return report_error(not_found(customer + " is not in the store"));
  const rights::Erased& e = erased->erased.front();
  {
    std::ofstream out(receipt_file, std::ios::binary | std::ios::trunc);
    out << e.receipt;
    if (!out.flush()) return report_error(internal_error("cannot write " + receipt_file.string()));
  }
  std::int64_t events = 0, other = 0;
  for (const auto& [kind, count] : e.removed) (kind == "events" ? events : other) += count;
  fmt::print("    request {} completed: data key destroyed, {} identifiers suppressed, WAL truncated\n",
             e.request.row.request_id, e.identifiers_suppressed);
  fmt::print(
      "    deleted with secure_delete: {} events and {} other rows (the receipt counts each kind)\n",
      events, other);
  auto receipt = rights::verify_receipt(e.receipt);
  if (!receipt.ok()) return report_error(receipt.status());
  const Status matches = rights::check_receipt_against_store(sd, *receipt);
  fmt::print("    signed receipt {}: Ed25519 key {}, {}\n", receipt_file.string(),
             rights::key_fingerprint(receipt->public_key),
             matches.ok() ? "verifies, and the audit chain records it" : matches.message());
  ingest::ImportOptions again{.kind = ingest::ImportKind::kProfiles,
                              .file = dir / "data" / "profiles.csv",
                              .now = make_system_clock()->now()};
  auto reimport = ingest::import_file(sd, again);
  if (!reimport.ok()) return report_error(reimport.status());
  fmt::print("    importing profiles.csv again: {} refused (erased people), {} new\n",
             with_thousands(reimport->suppressed), with_thousands(reimport->inserted));
  // Lineage: the models that learned from them may not score anyone until retrained.
  auto trained = scoring::models(sd, "lead_scoring");
  if (!trained.ok()) return report_error(trained.status());
  for (const ScoreModelRow& m : *trained) {
    if (m.stale) {
      fmt::print("    lead-scoring model {} v{} learned from them: stale ({}), score retrain "
                 "--stale rebuilds it without them\n",
                 m.kind, m.version, m.stale_reason);
    }
  }
  return matches.ok() && reimport->suppressed == 1 ? 0 : 1;
}

// Nothing small leaves: an aggregate with differential privacy, charged to the purpose's budget,
// and an audience for a partner that is k-anonymous and carries tokens only that partner holds.
int disclosure_step(const Globals& g, const fs::path& dir) {
  fmt::print(
      "\n14. Disclosure control: contacts per country with differential privacy (discrete\n"
      "    Laplace noise, groups only through partition selection, charged to the budget of\n"
      "    segmentation)\n\n");
  CONSENTRIC_CLI_STEP(
      run_dp(g, report::DpStatistic::kCount, {.purpose = "segmentation", .by = "country"}));
  fmt::print(
      "\n    and an audience for a declared recipient: tokens only it can use, quasi-identifiers\n"
      "    generalized until every class holds at least k people\n\n");
  return export_audience(g, {.segment = "behaviour",
                             .recipient = "adnet_eu",
                             .fields = "country,age,industry",
                             .out = (dir / "audience-adnet_eu.csv").string()});
}

// Least privilege: tokens for an analyst and a marketer, and what each may not do.
int access_step(const Globals& g, StoreDir& sd) {
  fmt::print(
      "\n15. Who may do what: access tokens for an analyst and a marketer (shown once, kept only\n"
      "    as a keyed hash); the marketer asking for a customer's access report is refused\n");
  const UnixSeconds now = make_system_clock()->now();
  std::string marketer;
  for (const auto& [name, role] : {std::pair{"ana", "analyst"}, std::pair{"mark", "marketer"}}) {
    auto t = access::create_token(
        sd, {.name = name, .role = role, .expires_at = now + 30 * kSecondsPerDay}, kActor, now);
    if (!t.ok()) return report_error(t.status());
    fmt::print("    token {} (role {}): {}...\n", name, role, t->token.substr(0, 12));
    if (std::string_view(role) == "marketer") marketer = t->token;
  }
  Globals as_marketer = g;
  as_marketer.token = marketer;
  fmt::print("    $ CONSENTRIC_TOKEN=cst_... consentric dsar access CUSTOMER\n    ");
  std::fflush(stdout);
  const int refused = authorize_command(as_marketer, "dsar access");
  if (refused == 0) {
    fmt::print("NOT REFUSED\n");
    return 1;
  }
  fmt::print("    exit {}, recorded in the audit chain as access.refused\n", refused);
  return 0;
}

// The records a regulator asks for, generated from the same declaration the engine enforces.
int compliance_step(StoreDir& sd, const fs::path& dir) {
  fmt::print(
      "\n16. Compliance records from the declaration and the live figures: a privacy notice\n"
      "    per purpose (versioned), retention and data quality, the record of processing\n"
      "    activities (Art. 30) and a DPIA draft (Art. 35)\n");
  const report::ReportContext ctx{.actor = std::string(kActor), .now = make_system_clock()->now()};
  auto notices = report::publish_notices(sd, "", ctx);
  if (!notices.ok()) return report_error(notices.status());
  if (auto written = report::write_notices(*notices, dir / "notices"); !written.ok()) {
    return report_error(written.status());
  }
  for (const report::PublishedNotice& n : *notices) {
    fmt::print("    notice {:<17} version {:<8} BLAKE2b-256 {}...\n", n.purpose, n.label,
               n.text_hash.substr(0, 16));
  }
  fmt::print("    written to {}; consent asked from now on records the version and hash\n",
             (dir / "notices").string());
  // Storage limitation and accuracy (Art. 5(1)(d), (e)): nothing is due today; a look ahead.
  const UnixSeconds ahead = ctx.now + 400 * kSecondsPerDay;
  auto now_plan = governance::plan_retention(sd, sd.config, ctx.now);
  auto later_plan = governance::plan_retention(sd, sd.config, ahead);
  if (!now_plan.ok()) return report_error(now_plan.status());
  if (!later_plan.ok()) return report_error(later_plan.status());
  fmt::print(
      "    retention: {} items past retention today; by {} (retention run --as-of, dry "
      "run) {} would go\n",
      with_thousands(now_plan->total()), format_timestamp(ahead).substr(0, 10),
      with_thousands(later_plan->total()));
  auto quality = governance::check_quality(sd, sd.config, ctx.now, {});
  if (!quality.ok()) return report_error(quality.status());
  std::string findings;
  for (const governance::QualityCheckResult& c : quality->checks) {
    findings +=
        fmt::format("{}{} {}", findings.empty() ? "" : ", ", c.name, with_thousands(c.count));
  }
  fmt::print("    data quality over {} people: {}\n", with_thousands(quality->people), findings);
  auto ropa = report::build_ropa(sd, ctx);
  if (!ropa.ok()) return report_error(ropa.status());
  auto seq = report::write_report(sd, *ropa, "report.ropa", (dir / "ropa.md").string(),
                                  (dir / "ropa.html").string(), ctx);
  if (!seq.ok()) return report_error(seq.status());
  fmt::print("    {} and {}: {} purposes, {} security measures stated from the configuration\n",
             (dir / "ropa.md").string(), (dir / "ropa.html").string(),
             ropa->json["purposes"].size(), ropa->json["security_measures"].size());
  auto dpia = report::build_dpia(sd, ctx);
  if (!dpia.ok()) return report_error(dpia.status());
  seq = report::write_dpia(sd, *dpia, (dir / "dpia.md").string(), (dir / "dpia.html").string(),
                          ctx);
  if (!seq.ok()) return report_error(seq.status());
  std::string unused;
  for (const auto& f : dpia->json["unused_fields"]) {
    unused += (unused.empty() ? "" : ", ") + f.get<std::string>();
  }
  fmt::print("    {} and {}: {} risks with their measures; fields held but used by no purpose: "
             "{}\n",
             (dir / "dpia.md").string(), (dir / "dpia.html").string(), dpia->json["risks"].size(),
             unused.empty() ? "none" : unused);
  return 0;
}

int audit_step(StoreDir& sd, const std::string& pseudonym) {
  fmt::print(
      "\n17. The audit trail: every step above is an entry in a hash chain; a signed checkpoint\n"
      "    lets an outsider check any entry without the database\n");
  const UnixSeconds now = make_system_clock()->now();
  auto signer = audit::log_signer(*sd.store, sd.master);
  if (!signer.ok()) return report_error(signer.status());
  auto made = audit::make_checkpoint(*sd.store, *signer, kActor, now);
  if (!made.ok()) return report_error(made.status());
  fmt::print("    signed checkpoint: {} entries, root {}..., Ed25519 key {}\n",
             with_thousands(static_cast<std::int64_t>(made->checkpoint.size)),
             crypto::to_hex(made->checkpoint.root).substr(0, 16), signer->vkey);
  // The entry that recorded the banner consent of the person above.
  std::int64_t seq = 0;
  Status scan = sd.store->scan_audit([&](const AuditRecord& r) {
    if (seq == 0 && r.subject == pseudonym && r.action == "consent.grant") seq = r.seq;
    return Status();
  });
  if (!scan.ok()) return report_error(scan);
  auto proof = audit::prove_inclusion(*sd.store, seq);
  if (!proof.ok()) return report_error(proof.status());
  // What a regulator runs, holding only the note, the key and the proof.
  auto verdict = audit::check_proof(audit::to_json(*proof), made->note, std::nullopt, signer->vkey);
  if (!verdict.ok()) return report_error(verdict.status());
  fmt::print("    inclusion proof of entry {} ({} hashes), checked with no database: {}\n", seq,
             proof->proof.size(), verdict->valid ? "VALID" : "INVALID: " + verdict->problem);
  auto report = audit::verify_log(*sd.store, *signer);
  if (!report.ok()) return report_error(report.status());
  fmt::print("    audit verify: {}, {} entries, {} signed checkpoint(s) hold\n",
             report->intact() ? "intact" : "BROKEN", with_thousands(report->entries),
             report->checkpoints_checked);
  return report->intact() && verdict->valid ? 0 : 1;
}

}  // namespace

void add_quickstart_command(CLI::App& app, Globals& g) {
  auto* cmd = app.add_subcommand(
      "quickstart", "Create a store, generate 10,000 customers, import them and summarize");
  struct Args {
    std::string dir = "consentric-quickstart";
    std::int64_t customers = 10'000;
    bool replace = false;
  };
  auto a = std::make_shared<Args>();
  cmd->add_option("DIR", a->dir, "Folder for the store and the generated data");
  cmd->add_option("--customers", a->customers, "How many customers")
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{10'000'000}));
  cmd->add_flag("--replace", a->replace, "Replace an earlier quickstart store in DIR");
  cmd->callback([&g, a] {
    g.run = [&g, a] {
      const fs::path dir = a->dir;
      const fs::path store = dir / "store";
      const fs::path data = dir / "data";
      if (fs::exists(store / kDataFileName)) {
        if (!a->replace) {
          return report_error(already_exists(
              fmt::format("{} already holds a quickstart store; pass --replace to start over",
                          store.string())));
        }
        std::error_code ec;
        fs::remove_all(store, ec);
        if (ec)
          return report_error(
              internal_error(fmt::format("cannot remove {}: {}", store.string(), ec.message())));
      }
      Globals local = g;
      local.key_file.clear();  // the quickstart keeps its key beside its store
      local.store = store.string();
      local.store_access = true;  // its own new store, whose key file its runner owns
      fmt::print(
          "1. Create a store with the B2B SaaS privacy declaration "
          "(examples/b2b_saas/consentric.yaml)\n");
      auto sd = init_store(store, "", local);
      if (!sd.ok()) return report_error(sd.status());
      fmt::print(
          "   {}: {} purposes, {} fields ({} encrypted as pii), key ring and master key apart from "
          "the data\n\n",
          store.string(), sd->config.purposes.size(), sd->config.fields.size(),
          std::count_if(sd->config.fields.begin(), sd->config.fields.end(),
                        [](const FieldSpec& f) { return f.pii; }));

      fmt::print("2. Generate {} synthetic customers with twelve months of behaviour\n",
                 with_thousands(a->customers));
      auto gen = run_generate(a->customers, 42, data, today_utc(), g);
      if (!gen.ok()) return report_error(gen.status());
      fmt::print("   {} profiles, {} events, {} consent records in {}\n\n",
                 with_thousands(gen->customers), with_thousands(gen->events),
                 with_thousands(gen->consents), data.string());

      fmt::print(
          "3. Import them: validated against the declaration, pii encrypted per person, all or "
          "nothing\n");
      const std::pair<ingest::ImportKind, const char*> files[] = {
          {ingest::ImportKind::kProfiles, "profiles.csv"},
          {ingest::ImportKind::kEvents, "events.ndjson"},
          {ingest::ImportKind::kConsents, "consents.ndjson"}};
      for (const auto& [kind, name] : files) {
        ingest::ImportOptions o;
        o.kind = kind;
        o.file = data / name;
        o.now = make_system_clock()->now();
        auto report = run_import(*sd, o, g);
        if (!report.ok()) return report_error(report.status());
        fmt::print("   {}", render_import_report(*report));
      }
      fmt::print("\n4. Bad input changes nothing: a file with two bad rows is refused whole\n");
      const fs::path bad = data / "bad_profiles.csv";
      {
        std::ofstream out(bad, std::ios::binary | std::ios::trunc);
        out << "customer_id,email,age,country\n"
               "C90000001,new.lead@example.test,34,DE\n"
               "C90000002,not-an-email,29,FR\n"
               "C90000003,third.lead@example.test,forty,XX\n";
      }
      const std::int64_t before = sd->store->counts()->subjects;
      ingest::ImportOptions bad_import;
      bad_import.kind = ingest::ImportKind::kProfiles;
      bad_import.file = bad;
      bad_import.now = make_system_clock()->now();
      auto refused = ingest::import_file(*sd, bad_import);
      if (refused.ok()) return report_error(internal_error("the bad file was accepted"));
      std::string message = refused.status().message();
      for (std::size_t at = message.find('\n'); at != std::string::npos;
           at = message.find('\n', at + 4)) {
        message.replace(at, 1, "\n   ");
      }
      fmt::print("   {}\n", message);
      fmt::print("   subjects before: {}, after: {}\n", with_thousands(before),
                 with_thousands(sd->store->counts()->subjects));
      ingest::ImportOptions again;
      again.kind = ingest::ImportKind::kProfiles;
      again.file = data / "profiles.csv";
      again.now = make_system_clock()->now();
      auto repeat = run_import(*sd, again, g);
      if (!repeat.ok()) return report_error(repeat.status());
      fmt::print("   importing profiles.csv again: {} unchanged, {} new\n",
                 with_thousands(repeat->unchanged), with_thousands(repeat->inserted));

      CONSENTRIC_CLI_STEP(consent_gate_step(local));
      std::string person;
      CONSENTRIC_CLI_STEP(consent_journey_step(local, *sd, &person));
      CONSENTRIC_CLI_STEP(purpose_view_step(local, *sd));
      CONSENTRIC_CLI_STEP(segments_step(local, *sd));
      CONSENTRIC_CLI_STEP(scoring_step(local, *sd, dir));
      CONSENTRIC_CLI_STEP(rights_step(*sd, dir));
      CONSENTRIC_CLI_STEP(disclosure_step(local, dir));
      CONSENTRIC_CLI_STEP(access_step(local, *sd));
      CONSENTRIC_CLI_STEP(compliance_step(*sd, dir));
      CONSENTRIC_CLI_STEP(audit_step(*sd, person));

      fmt::print("\n18. What the store holds now\n\n");
      auto summary = collect_summary(*sd);
      if (!summary.ok()) return report_error(summary.status());
      fmt::print("{}", render_summary(*summary));

      fmt::print(
          "\n19. consentric doctor: what a regulator may ask to see, checked (exit 1 on a fail)"
          "\n\n");
      auto doctor = doctor::run_doctor(
          *sd, {.actor = std::string(kActor), .now = make_system_clock()->now()});
      if (!doctor.ok()) return report_error(doctor.status());
      print_doctor_report(*doctor);
      fmt::print("\nNext: consentric --store {} doctor | gate counts | consent show EMAIL | ...\n",
                 store.string());
      return summary->audit_intact && !doctor->failed() ? 0 : 1;
    };
  });
}

}  // namespace consentric::cli
