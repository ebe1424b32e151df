#include "cli/summary.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "audit/audit_log.h"
#include "cli/output.h"

namespace consentric::cli {

Result<Summary> collect_summary(StoreDir& sd) {
  Summary s;
  s.k = sd.config.k_anonymity;
  CONSENTRIC_ASSIGN_OR_RETURN(s.counts, sd.store->counts());
  CONSENTRIC_ASSIGN_OR_RETURN(s.keys, sd.keyring->key_count());
  CONSENTRIC_ASSIGN_OR_RETURN(auto consent, sd.store->consent_counts());
  for (const PurposeSpec& p : sd.config.purposes) {
    PurposeLine line{p.id, std::string(to_string(p.legal_basis))};
    for (const auto& c : consent) {
      if (c.purpose == p.id) {
        line.granted = c.granted;
        line.withdrawn = c.withdrawn;
      }
    }
    s.purposes.push_back(std::move(line));
  }
  CONSENTRIC_ASSIGN_OR_RETURN(audit::VerifyReport report, audit::verify(*sd.store));
  s.audit_entries = report.entries;
  s.audit_intact = report.intact;
  return s;
}

std::string render_summary(const Summary& s) {
  std::string out;
  // Every figure is about people, so each follows the small-group rule.
  const auto shown = [&](std::int64_t n) { return people_count(n, s.k); };
  Table held({"held", "count"});
  held.add_row({"subjects", shown(s.counts.subjects)});
  if (s.counts.anonymous > 0) {
    held.add_row({"  of them anonymous (erased people's events)", shown(s.counts.anonymous)});
  }
  held.add_row({"identifiers (blind-indexed)", shown(s.counts.identifiers)});
  held.add_row({"profiles", shown(s.counts.profiles)});
  held.add_row({"events", shown(s.counts.events)});
  held.add_row({"consent ledger entries", shown(s.counts.consent_entries)});
  held.add_row({"data keys in key ring", shown(s.keys)});
  held.add_row({"suppressed identifiers", shown(s.counts.suppressed)});
  out += held.render() + "\n";
  Table purposes({"purpose", "legal basis", "granted", "withdrawn/refused"});
  for (const auto& p : s.purposes) {
    purposes.add_row({p.id, p.legal_basis, shown(p.granted), shown(p.withdrawn)});
  }
  out += purposes.render() + "\n";
  out += fmt::format("audit chain: {} entries, {}\n", with_thousands(s.audit_entries),
                     s.audit_intact ? "intact" : "BROKEN (run consentric audit verify)");
  return out;
}

std::string summary_json(const Summary& s) {
  const auto shown = [&](std::int64_t n) { return released_count(n, s.k); };
  nlohmann::json purposes = nlohmann::json::array();
  for (const auto& p : s.purposes) {
    purposes.push_back({{"purpose", p.id},
                        {"legal_basis", p.legal_basis},
                        {"granted", shown(p.granted)},
                        {"withdrawn", shown(p.withdrawn)}});
  }
  return nlohmann::json{{"subjects", shown(s.counts.subjects)},
                        {"anonymous", shown(s.counts.anonymous)},
                        {"identifiers", shown(s.counts.identifiers)},
                        {"profiles", shown(s.counts.profiles)},
                        {"events", shown(s.counts.events)},
                        {"consent_entries", shown(s.counts.consent_entries)},
                        {"data_keys", shown(s.keys)},
                        {"suppressed", shown(s.counts.suppressed)},
                        {"k", s.k},
                        {"purposes", purposes},
                        {"audit", {{"entries", s.audit_entries}, {"intact", s.audit_intact}}}}
      .dump();
}

}  // namespace consentric::cli
