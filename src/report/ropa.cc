#include "report/ropa.h"

#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <filesystem>
#include <set>

#include <fmt/format.h>

#include "audit/audit_log.h"
#include "core/text.h"
#include "crypto/keys.h"
#include "disclose/small_groups.h"
#include "gate/gate.h"
#include "store/transaction.h"

namespace consentric::report {
namespace {

using nlohmann::json;

constexpr std::array<std::string_view, 30> kEea = {
    "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT",
    "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE", "IS", "LI", "NO"};

// The measures consentric applies to every purpose, read from the configuration in force.
std::vector<std::string> security_measures(const StoreDir& sd, std::int64_t audit_entries,
                                           std::size_t checkpoints) {
  const Config& c = sd.config;
  std::vector<std::string> pii;
  for (const FieldSpec& f : c.fields) {
    if (f.pii) pii.push_back(f.name);
  }
  std::string key_file = "the master key comes from the environment (no key file)";
  if (!sd.key_file.empty()) {
    struct stat st {};
    const bool private_file =
        ::stat(sd.key_file.c_str(), &st) == 0 && (st.st_mode & (S_IRWXG | S_IRWXO)) == 0;
    key_file = fmt::format("master key file {} readable by its owner only: {}",
                           sd.key_file.filename().string(), private_file ? "yes" : "NO");
  }
  return {
      fmt::format(
          "Encryption of identifying fields ({}): XChaCha20-Poly1305 under a data key per "
          "person, wrapped by the master key and kept in a key ring apart from the data; {}",
          joined(pii), key_file),
      "Look-ups by identifier use a keyed blind index (BLAKE2b); identifiers are never stored in "
      "plain text",
      "Purpose limitation and minimisation: analytics reads only through the purpose gate, which "
      "admits the people with a valid legal basis at the time and only the fields and event "
      "types the purpose declares; consent is opt-in (no record, no consent)",
      fmt::format("Special categories never become segment or model features; held: {}",
                  [&] {
                    std::vector<std::string> special;
                    for (const FieldSpec& f : c.fields) {
                      if (f.category == DataCategory::kSpecialCategory) special.push_back(f.name);
                    }
                    return joined(special);
                  }()),
      fmt::format("Disclosure control: every figure about people covers at least k = {} ({} "
                  "smaller groups); audiences are {}-anonymous with per-recipient tokens; "
                  "differentially private reports spend from a budget per purpose (epsilon {:.4g} "
                  "per query by default)",
                  c.k_anonymity, to_string(c.small_groups), c.k_anonymity, c.dp_epsilon_per_query),
      fmt::format("Accountability: a hash-chained audit log of every step that touches a person "
                  "({} entries, {} signed checkpoint{})",
                  with_thousands(audit_entries), checkpoints, checkpoints == 1 ? "" : "s"),
      fmt::format(
          "Erasure: the data key is destroyed (crypto-shredding), rows deleted with "
          "SQLite secure_delete ({}), derived data removed, identifiers suppressed "
          "against re-import, a signed receipt; backups never hold keys and a restore "
          "re-applies every erasure",
          c.erasure == ErasureMethod::kAnonymize ? "events kept anonymously" : "events deleted"),
  };
}

}  // namespace

std::string legal_basis_text(LegalBasis b) {
  switch (b) {
    case LegalBasis::kConsent:
      return "consent, Art. 6(1)(a)";
    case LegalBasis::kContract:
      return "contract, Art. 6(1)(b)";
    case LegalBasis::kLegalObligation:
      return "legal obligation, Art. 6(1)(c)";
    case LegalBasis::kLegitimateInterest:
      return "legitimate interest, Art. 6(1)(f)";
  }
  return "?";
}

std::string retention_text(std::optional<std::int64_t> seconds) {
  if (!seconds) return "not declared";
  return fmt::format("{} days", *seconds / kSecondsPerDay);
}

std::string people_text(std::int64_t n, int k) {
  const auto shown = disclose::releasable_count(n, k);
  return shown ? with_thousands(*shown) : fmt::format("fewer than {}", k);
}

std::string joined(const std::vector<std::string>& items, std::string_view none) {
  std::string out;
  for (const std::string& s : items) out += (out.empty() ? "" : ", ") + s;
  return out.empty() ? std::string(none) : out;
}

bool in_eea(std::string_view country) {
  return std::find(kEea.begin(), kEea.end(), country) != kEea.end();
}

Result<ComplianceReport> build_ropa(StoreDir& sd, const ReportContext& ctx) {
  const Config& c = sd.config;
  const int k = c.k_anonymity;
  CONSENTRIC_ASSIGN_OR_RETURN(std::vector<gate::GateCount> counts,
                              gate::count_lawful(sd, ctx.now, ctx.actor, ctx.now));
  CONSENTRIC_ASSIGN_OR_RETURN(std::vector<DpBudgetState> budgets, dp_budgets(sd));
  CONSENTRIC_ASSIGN_OR_RETURN(std::optional<AuditRecord> last, sd.store->last_audit());
  CONSENTRIC_ASSIGN_OR_RETURN(std::vector<AuditCheckpointRow> checkpoints,
                              sd.store->audit_checkpoints());
  const std::int64_t audit_entries = last ? last->seq : 0;

  ComplianceReport out{Document("Record of processing activities (GDPR Art. 30)"), json::object()};
  Document& d = out.document;
  d.paragraph(
      fmt::format("Controller: {}, {}{}. Generated {} from the declaration in force ({}) "
                  "and the store's figures at that time.",
                  c.controller.name, c.controller.contact,
                  c.controller.country.empty() ? "" : ", " + c.controller.country,
                  format_timestamp(ctx.now), c.source_name));

  // Consent coverage: the share of the people held that each purpose may process now.
  std::vector<Bar> bars;
  for (const gate::GateCount& g : counts) {
    const bool shown = disclose::releasable_count(g.lawful, k) && g.subjects >= k;
    if (!shown || g.subjects == 0) continue;
    const double share = static_cast<double>(g.lawful) / static_cast<double>(g.subjects);
    bars.push_back(
        {g.purpose, share, fmt::format("{:.1f}% ({})", 100 * share, with_thousands(g.lawful))});
  }
  d.heading(2, "Who each purpose may process now");
  d.bar_chart(
      "Share of the people held whom the purpose gate admits today (legal basis valid, "
      "no restriction or objection); purposes with fewer than k people are not drawn.",
      bars, 1.0);

  json purposes = json::array();
  for (const PurposeSpec& p : c.purposes) {
    std::set<std::string> categories;
    std::vector<std::vector<std::string>> field_rows;
    bool special = false;
    for (const std::string& name : p.fields) {
      const FieldSpec* f = c.field(name);
      if (f == nullptr) continue;
      categories.insert(std::string(to_string(f->category)));
      special = special || f->category == DataCategory::kSpecialCategory;
      field_rows.push_back({f->name, std::string(to_string(f->category)),
                            f->pii ? "yes (encrypted)" : "no", f->quasi_identifier ? "yes" : "no",
                            retention_text(f->retention_seconds)});
    }
    std::vector<std::vector<std::string>> event_rows;
    for (const std::string& name : p.event_types) {
      const EventTypeSpec* e = c.event_type(name);
      if (e == nullptr) continue;
      categories.insert("behavioral (events)");
      event_rows.push_back({e->name, retention_text(e->retention_seconds)});
    }
    std::vector<std::vector<std::string>> recipient_rows;
    std::vector<std::string> transfers;
    json recipients = json::array();
    for (const RecipientSpec& r : c.recipients) {
      if (std::find(r.purposes.begin(), r.purposes.end(), p.id) == r.purposes.end()) continue;
      const bool transfer = !r.country.empty() && !in_eea(r.country);
      if (transfer) transfers.push_back(fmt::format("{} ({})", r.name, r.country));
      recipient_rows.push_back({r.name, r.description, r.country.empty() ? "-" : r.country,
                                transfer ? "yes: a third country" : "no"});
      recipients.push_back({{"name", r.name}, {"country", r.country}, {"transfer", transfer}});
    }
    const auto gc = std::find_if(counts.begin(), counts.end(),
                                 [&](const gate::GateCount& g) { return g.purpose == p.id; });
    const auto budget = std::find_if(budgets.begin(), budgets.end(),
                                     [&](const DpBudgetState& b) { return b.purpose == p.id; });

    d.heading(2, "Purpose: " + p.id);
    std::vector<std::string> facts = {
        "Purpose: " + (p.description.empty() ? p.id : p.description),
        "Legal basis: " + legal_basis_text(p.legal_basis) +
            (special ? "; special categories under explicit consent, Art. 9(2)(a)" : ""),
        "Categories of personal data: " +
            joined(std::vector<std::string>(categories.begin(), categories.end())),
        "Categories of data subjects: the customers and contacts the controller holds; " +
            (gc == counts.end() ? std::string("-")
                                : people_text(gc->lawful, k) + " may be processed for it now"),
        "Recipients: " + (recipient_rows.empty() ? std::string("none declared")
                                                 : std::to_string(recipient_rows.size())),
        "Transfers to third countries: " + joined(transfers),
        "Retention for this purpose: " + retention_text(p.retention_seconds),
        std::string("Automated decisions (Art. 22): ") + (p.automated_decision ? "yes" : "no"),
        std::string("Direct marketing (an objection stops it, Art. 21(3)): ") +
            (p.direct_marketing ? "yes" : "no"),
    };
    if (budget != budgets.end()) {
      facts.push_back(fmt::format(
          "Differential-privacy budget: epsilon {:.4g} of {:.4g} spent over {} release{}",
          budget->epsilon_spent, budget->epsilon_total, budget->releases,
          budget->releases == 1 ? "" : "s"));
    }
    d.bullets(facts);
    d.heading(3, "Fields");
    d.table({"field", "category", "pii", "quasi-identifier", "retention"}, field_rows,
            "No profile field.");
    d.heading(3, "Event types");
    d.table({"event type", "retention"}, event_rows, "No event type.");
    d.heading(3, "Recipients");
    d.table({"recipient", "who", "country", "transfer"}, recipient_rows,
            "No recipient is declared for this purpose.");

    json pj = {{"purpose", p.id},
               {"description", p.description},
               {"legal_basis", to_string(p.legal_basis)},
               {"categories", std::vector<std::string>(categories.begin(), categories.end())},
               {"special_categories", special},
               {"fields", p.fields},
               {"event_types", p.event_types},
               {"recipients", recipients},
               {"retention_days",
                p.retention_seconds ? json(*p.retention_seconds / kSecondsPerDay) : json(nullptr)},
               {"automated_decision", p.automated_decision}};
    if (gc != counts.end()) {
      const auto shown = disclose::releasable_count(gc->lawful, k);
      pj["lawful_now"] = shown ? json(*shown) : json(nullptr);
    }
    purposes.push_back(std::move(pj));
  }

  const std::vector<std::string> measures =
      security_measures(sd, audit_entries, checkpoints.size());
  d.heading(2, "Technical and organisational security measures (Art. 32)");
  d.paragraph("Each is enforced by consentric and stated from the configuration in force.");
  d.bullets(measures);

  out.json = {{"format", "consentric-ropa"},
              {"generated", format_timestamp(ctx.now)},
              {"controller",
               {{"name", c.controller.name},
                {"contact", c.controller.contact},
                {"country", c.controller.country}}},
              {"k", k},
              {"purposes", purposes},
              {"security_measures", measures}};
  return out;
}

Result<std::int64_t> write_report(StoreDir& sd, const ComplianceReport& report,
                                  std::string_view action, const std::string& markdown_path,
                                  const std::string& html_path, const ReportContext& ctx) {
  if (markdown_path.empty() && html_path.empty()) {
    return invalid_argument("say where to write the report: --out FILE.md and/or --html FILE.html");
  }
  if (!markdown_path.empty() && markdown_path == html_path) {
    return invalid_argument("--out and --html name the same file");
  }
  json files = json::array();
  for (const auto& [path, text] : {std::pair{markdown_path, report.document.markdown()},
                                   std::pair{html_path, report.document.html()}}) {
    if (path.empty()) continue;
    CONSENTRIC_RETURN_IF_ERROR(write_text_file(path, text));
    CONSENTRIC_ASSIGN_OR_RETURN(std::string hash, crypto::hash256_file(path));
    files.push_back({{"file", std::filesystem::path(path).filename().string()},
                     {"hash", crypto::to_hex(hash)}});
  }
  return in_transaction(*sd.store, [&]() -> Result<std::int64_t> {
    CONSENTRIC_ASSIGN_OR_RETURN(
        AuditRecord rec,
        audit::append(
            *sd.store,
            {.actor = ctx.actor,
             .action = std::string(action),
             .detail = json{{"files", files}, {"format", report.json.value("format", "")}}.dump()},
            ctx.now));
    return rec.seq;
  });
}

}  // namespace consentric::report
