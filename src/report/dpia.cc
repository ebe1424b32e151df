#include "report/dpia.h"

#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "core/text.h"
#include "crypto/keys.h"
#include "disclose/small_groups.h"
#include "gate/gate.h"

namespace consentric::report {
namespace {

using nlohmann::json;

constexpr std::string_view kMetaHash = "dpia.declaration_hash";
constexpr std::string_view kMetaTime = "dpia.generated_at";

std::string declaration_hash(const Config& c) {
  return crypto::to_hex(crypto::hash256(c.source_text));
}

struct Risk {
  std::string risk;
  std::string facts;
  std::string measures;
};

}  // namespace

std::vector<std::string> fields_used_by_no_purpose(const Config& c) {
  std::set<std::string> used;
  for (const PurposeSpec& p : c.purposes) used.insert(p.fields.begin(), p.fields.end());
  std::vector<std::string> unused;
  for (const FieldSpec& f : c.fields) {
    if (!used.contains(f.name)) unused.push_back(f.name);
  }
  return unused;
}

Result<ComplianceReport> build_dpia(StoreDir& sd, const ReportContext& ctx) {
  const Config& c = sd.config;
  const int k = c.k_anonymity;
  CONSENTRIC_ASSIGN_OR_RETURN(std::vector<gate::GateCount> counts,
                              gate::count_lawful(sd, ctx.now, ctx.actor, ctx.now));
  CONSENTRIC_ASSIGN_OR_RETURN(std::vector<DpBudgetState> budgets, dp_budgets(sd));
  CONSENTRIC_ASSIGN_OR_RETURN(StoreCounts held, sd.store->counts());
  CONSENTRIC_ASSIGN_OR_RETURN(std::vector<SegmentRow> segments, sd.store->segments());
  CONSENTRIC_ASSIGN_OR_RETURN(std::vector<DsarRow> erasures,
                              sd.store->dsars({.status = "completed", .type = "erasure"}));

  ComplianceReport out{Document("Data protection impact assessment (GDPR Art. 35), draft"),
                       json::object()};
  Document& d = out.document;
  const std::string hash = declaration_hash(c);
  d.paragraph(fmt::format(
      "Controller: {} ({}). Generated {} for the declaration with BLAKE2b-256 {}; a change to the "
      "declaration (a field, a purpose, a retention period) makes this draft out of date until "
      "it is generated again. The DPO completes and signs it; the facts below are the engine's.",
      c.controller.name, c.controller.contact, format_timestamp(ctx.now), hash));

  // 1. Systematic description (Art. 35(7)(a)).
  d.heading(2, "1. Systematic description of the processing");
  std::vector<std::vector<std::string>> purpose_rows;
  for (const PurposeSpec& p : c.purposes) {
    const auto gc = std::find_if(counts.begin(), counts.end(),
                                 [&](const gate::GateCount& g) { return g.purpose == p.id; });
    purpose_rows.push_back({p.id, std::string(to_string(p.legal_basis)),
                            std::to_string(p.fields.size()), std::to_string(p.event_types.size()),
                            p.automated_decision ? "yes" : "no",
                            gc == counts.end() ? "-" : people_text(gc->lawful, k)});
  }
  d.table({"purpose", "legal basis", "fields", "event types", "automated decisions",
           "people it may process now"},
          purpose_rows);
  d.paragraph(
      fmt::format("Held: {} people, {} events, {} consent decisions. Segments defined: "
                  "{}.",
                  people_text(held.subjects - held.anonymous, k), people_text(held.events, k),
                  people_text(held.consent_entries, k), segments.size()));

  // 2. Necessity and proportionality (Art. 35(7)(b)): fields per purpose against fields held.
  d.heading(2, "2. Necessity and proportionality");
  const std::vector<std::string> unused = fields_used_by_no_purpose(c);
  std::vector<std::vector<std::string>> minimisation;
  for (const PurposeSpec& p : c.purposes) {
    minimisation.push_back({p.id, fmt::format("{} of {}", p.fields.size(), c.fields.size()),
                            retention_text(p.retention_seconds)});
  }
  d.table({"purpose", "fields it reads of those held", "retention"}, minimisation);
  d.paragraph(unused.empty()
                  ? "Every field held is used by at least one purpose."
                  : "Fields held but used by no purpose (data minimisation, Art. 5(1)(c): stop "
                    "collecting them or declare why): " +
                        joined(unused) + ".");

  // 3. Risks from the facts, each with its measures (Art. 35(7)(c), (d)).
  std::vector<Risk> risks;
  std::vector<std::string> profiling, automated, special;
  for (const PurposeSpec& p : c.purposes) {
    if (p.automated_decision) automated.push_back(p.id);
  }
  for (const SegmentRow& s : segments) profiling.push_back(s.name + " (" + s.purpose + ")");
  std::vector<std::string> models, models_due;
  for (const PurposeSpec& p : c.purposes) {
    CONSENTRIC_ASSIGN_OR_RETURN(std::vector<ScoreModelRow> rows, sd.store->score_models(p.id));
    for (const ScoreModelRow& m : rows) {
      const std::string name = fmt::format("{} v{} ({}{}{})", m.kind, m.version, p.id,
                                           m.active ? ", active" : "", m.stale ? ", stale" : "");
      models.push_back(name);
      if (m.active && m.review_due <= ctx.now) models_due.push_back(name);
    }
  }
  for (const FieldSpec& f : c.fields) {
    if (f.category == DataCategory::kSpecialCategory) special.push_back(f.name);
  }
  if (!profiling.empty()) {
    risks.push_back({"Profiling (Art. 4(4)): people are sorted into segments",
                     "segments: " + joined(profiling),
                     "only through the purpose gate (legal basis at the time, declared fields "
                     "only); withdrawal or objection removes a person from every segment at once; "
                     "segments under k are never shown; the access report explains each "
                     "membership"});
  }
  if (!models.empty()) {
    risks.push_back({"Profiling by scoring models (lead scores)",
                     "models: " + joined(models) +
                         (models_due.empty() ? "" : "; review overdue: " + joined(models_due)),
                     "trained only on people the purpose gate admits, on declared fields, never "
                     "special categories; each score carries its explanation, shown in the "
                     "person's access report; a withdrawal, objection or erasure of anyone it "
                     "was trained on marks it stale until retrained without them; a review date "
                     "per model"});
  }
  if (!automated.empty()) {
    risks.push_back({"Automated decisions with legal or similar effects (Art. 22)",
                     "purposes flagged automated_decision: " + joined(automated),
                     "special categories are refused as features; decisions are explainable "
                     "(contributions per feature); the person may object and ask for a human"});
  }
  if (!special.empty()) {
    risks.push_back({"Special categories of data held (Art. 9)", "fields: " + joined(special),
                     "encrypted per person when pii; never a segment or model feature; only "
                     "purposes on explicit consent or legal obligation may read them"});
  }
  risks.push_back(
      {"Large-scale processing and linking of data sets",
       fmt::format("{} people; identifiers from {} declared fields are matched by a "
                   "keyed blind index",
                   people_text(held.subjects - held.anonymous, k), c.identifiers.size()),
       "pii encrypted under per-person keys kept apart from the data; blind index "
       "instead of plain identifiers; every read audited"});
  std::vector<std::string> recipients, transfers;
  for (const RecipientSpec& r : c.recipients) {
    recipients.push_back(r.name);
    if (!r.country.empty() && !in_eea(r.country))
      transfers.push_back(r.name + " (" + r.country + ")");
  }
  risks.push_back(
      {"Disclosure of personal data and re-identification of released figures",
       "recipients: " + joined(recipients) + "; transfers outside the EEA: " + joined(transfers),
       fmt::format("audiences carry per-recipient tokens and are {}-anonymous; aggregates cover "
                   "at least k = {} people or are suppressed; free queries are differentially "
                   "private within a budget per purpose; each disclosure is in the person's "
                   "access report",
                   k, k)});
  d.heading(2, "3. Risks to people's rights and freedoms, and the measures that address them");
  std::vector<std::vector<std::string>> risk_rows;
  for (const Risk& r : risks) risk_rows.push_back({r.risk, r.facts, r.measures});
  d.table({"risk", "facts", "measures in place"}, risk_rows);

  // 4. Figures.
  d.heading(2, "4. Figures that show the measures working");
  std::vector<std::vector<std::string>> figures;
  for (const gate::GateCount& g : counts) {
    const bool shown = disclose::releasable_count(g.lawful, k) && g.subjects >= k && g.subjects > 0;
    figures.push_back(
        {"consent coverage: " + g.purpose,
         shown ? fmt::format("{:.1f}% of the people held", 100.0 * g.lawful / g.subjects) : "-"});
  }
  figures.push_back({"k used for everything that leaves", std::to_string(k)});
  for (const DpBudgetState& b : budgets) {
    if (b.releases == 0) continue;
    figures.push_back({"differential privacy spent: " + b.purpose,
                       fmt::format("epsilon {:.4g} of {:.4g} over {} releases", b.epsilon_spent,
                                   b.epsilon_total, b.releases)});
  }
  std::vector<double> turnaround;
  for (const DsarRow& e : erasures) {
    if (e.completed_at) turnaround.push_back((*e.completed_at - e.received_at) / 86400.0);
  }
  std::sort(turnaround.begin(), turnaround.end());
  figures.push_back(
      {"erasure turnaround (completed requests)",
       turnaround.empty()
           ? "no erasure completed yet"
           : fmt::format("median {:.1f} days over {} requests, longest {:.1f}",
                         turnaround[turnaround.size() / 2], turnaround.size(), turnaround.back())});
  d.table({"figure", "value"}, figures);

  d.heading(2, "5. Conclusion (for the DPO)");
  d.paragraph(
      "To be completed: whether the residual risk is acceptable, the DPO's advice "
      "(Art. 35(2)), the views of the people concerned where sought (Art. 35(9)), and "
      "whether prior consultation of the supervisory authority is needed (Art. 36).");

  out.json = {{"format", "consentric-dpia"}, {"generated", format_timestamp(ctx.now)},
              {"declaration_hash", hash},    {"unused_fields", unused},
              {"risks", json::array()},      {"erasures_completed", turnaround.size()}};
  for (const Risk& r : risks) {
    out.json["risks"].push_back({{"risk", r.risk}, {"facts", r.facts}, {"measures", r.measures}});
  }
  return out;
}

Status record_dpia(StoreDir& sd, const ReportContext& ctx) {
  CONSENTRIC_RETURN_IF_ERROR(sd.store->set_meta(kMetaHash, declaration_hash(sd.config)));
  return sd.store->set_meta(kMetaTime, std::to_string(ctx.now));
}

Result<std::int64_t> write_dpia(StoreDir& sd, const ComplianceReport& dpia,
                                const std::string& markdown_path, const std::string& html_path,
                                const ReportContext& ctx) {
  CONSENTRIC_ASSIGN_OR_RETURN(std::int64_t seq,
                              write_report(sd, dpia, "report.dpia", markdown_path, html_path, ctx));
  CONSENTRIC_RETURN_IF_ERROR(record_dpia(sd, ctx));
  return seq;
}

Result<DpiaStatus> dpia_status(StoreDir& sd) {
  DpiaStatus out{.declaration = declaration_hash(sd.config)};
  CONSENTRIC_ASSIGN_OR_RETURN(std::optional<std::string> hash, sd.store->meta(kMetaHash));
  CONSENTRIC_ASSIGN_OR_RETURN(std::optional<std::string> at, sd.store->meta(kMetaTime));
  std::int64_t t = 0;
  if (hash && at && parse_int64(*at, &t)) {
    out.made_for = *hash;
    out.made_at = t;
  }
  return out;
}

}  // namespace consentric::report
