#include "governance/quality.h"

#include <algorithm>
#include <map>
#include <set>
#include <unordered_map>

#include <fmt/format.h>

#include "core/text.h"
#include "crypto/keys.h"
#include "governance/email_check.h"
#include "store/profile_doc.h"

namespace consentric::governance {
namespace {

// One person's profile, opened.
struct OpenProfile {
  SubjectId subject = 0;
  UnixSeconds updated_at = 0;
  FieldValues values;  // plain, then the pii part
};

const TypedValue* find_value(const OpenProfile& p, std::string_view field) {
  for (const auto& [name, value] : p.values) {
    if (name == field) return &value;
  }
  return nullptr;
}

// Why a value breaks its field's declared range or list; empty when it keeps to them.
std::string range_problem(const FieldSpec& f, const TypedValue& v) {
  if (f.type == FieldType::kCategory && !f.values.empty()) {
    const std::string* s = std::get_if<std::string>(&v);
    if (s != nullptr && std::find(f.values.begin(), f.values.end(), *s) == f.values.end())
      return "not one of the declared values";
    return "";
  }
  if ((f.type != FieldType::kInt && f.type != FieldType::kFloat) || (!f.min && !f.max)) return "";
  double x = 0;
  if (const auto* i = std::get_if<std::int64_t>(&v)) {
    x = static_cast<double>(*i);
  } else if (const auto* d = std::get_if<double>(&v)) {
    x = *d;
  } else {
    return "not a number";
  }
  if (f.min && x < *f.min) return fmt::format("below the declared min {}", *f.min);
  if (f.max && x > *f.max) return fmt::format("above the declared max {}", *f.max);
  return "";
}

bool lacks_proof(const ConsentEntry& e) {
  const std::string_view p = trim(e.proof);
  return p.empty() || p == "{}" || p == "null";
}

class QualityRun {
 public:
  QualityRun(StoreDir& sd, const Config& config, UnixSeconds now, const QualityOptions& options)
      : sd_(sd), config_(config), now_(now), options_(options) {}

  Result<QualityReport> run() {
    QualityReport report{.as_of = now_};
    CONSENTRIC_RETURN_IF_ERROR(sd_.store->scan_subjects([&](const SubjectRow& s) {
      if (!s.anonymous) pseudonyms_.emplace(s.id, s.pseudonym);
    }));
    report.people = static_cast<std::int64_t>(pseudonyms_.size());
    CONSENTRIC_RETURN_IF_ERROR(open_profiles());
    report.checks.push_back(stale());
    auto [invalid, undeliverable] = emails();
    report.checks.push_back(std::move(invalid));
    report.checks.push_back(std::move(undeliverable));
    report.checks.push_back(duplicates());
    report.checks.push_back(out_of_range());
    CONSENTRIC_ASSIGN_OR_RETURN(QualityCheckResult proofs, consents_without_proof());
    report.checks.push_back(std::move(proofs));
    for (QualityCheckResult& c : report.checks) {
      std::sort(c.findings.begin(), c.findings.end(),
                [](const auto& a, const auto& b) { return a.pseudonym < b.pseudonym; });
      c.count = static_cast<std::int64_t>(c.findings.size());
    }
    return report;
  }

 private:
  Status open_profiles() {
    std::vector<std::pair<SubjectId, ProfileRow>> rows;
    CONSENTRIC_RETURN_IF_ERROR(sd_.store->scan_profiles(
        [&](SubjectId id, const ProfileRow& row) { rows.emplace_back(id, row); }));
    profiles_.reserve(rows.size());
    for (auto& [id, row] : rows) {
      OpenProfile p{.subject = id, .updated_at = row.updated_at};
      CONSENTRIC_ASSIGN_OR_RETURN(p.values, decode_fields(row.plain));
      if (!row.sealed.empty()) {
        CONSENTRIC_ASSIGN_OR_RETURN(crypto::SecretKey key, sd_.keyring->subject_key(id));
        CONSENTRIC_ASSIGN_OR_RETURN(std::string opened,
                                    crypto::open(key, row.sealed, profile_aad(id)));
        CONSENTRIC_ASSIGN_OR_RETURN(FieldValues secret, decode_fields(opened));
        p.values.insert(p.values.end(), secret.begin(), secret.end());
      }
      if (options_.identify) {
        for (const IdentifierSpec& ident : config_.identifiers) {
          if (const TypedValue* v = find_value(p, ident.field)) {
            identifiers_[id] = ident.field + "=" + canonical_text(*v);
            break;
          }
        }
      }
      profiles_.push_back(std::move(p));
    }
    return Status();
  }

  QualityFinding finding(SubjectId subject, std::string reason) const {
    const auto p = pseudonyms_.find(subject);
    const auto i = identifiers_.find(subject);
    return {.subject = subject,
            .pseudonym = p == pseudonyms_.end() ? std::string() : p->second,
            .reason = std::move(reason),
            .identifier = i == identifiers_.end() ? std::string() : i->second};
  }

  QualityCheckResult stale() const {
    const std::int64_t limit = config_.quality.stale_after_seconds;
    QualityCheckResult c{
        .name = "stale_profiles",
        .description = fmt::format("profile not updated for more than {} days", limit / 86400),
        .population = static_cast<std::int64_t>(profiles_.size())};
    for (const OpenProfile& p : profiles_) {
      if (p.updated_at < now_ - limit)
        c.findings.push_back(
            finding(p.subject,
                    fmt::format("last updated {}", format_timestamp(p.updated_at).substr(0, 10))));
    }
    return c;
  }

  // The e-mail addresses of a profile: the values of the identifiers declared of kind email.
  std::vector<std::pair<std::string, std::string>> emails_of(const OpenProfile& p) const {
    std::vector<std::pair<std::string, std::string>> out;
    for (const IdentifierSpec& ident : config_.identifiers) {
      if (ident.kind != IdentifierKind::kEmail) continue;
      if (const TypedValue* v = find_value(p, ident.field)) {
        if (const auto* s = std::get_if<std::string>(v)) out.emplace_back(ident.field, *s);
      }
    }
    return out;
  }

  std::pair<QualityCheckResult, QualityCheckResult> emails() const {
    QualityCheckResult invalid{.name = "email_invalid",
                               .description = "e-mail address that is not a valid address"};
    QualityCheckResult undeliverable{
        .name = "email_undeliverable",
        .description = "valid e-mail address whose domain cannot be right (typo, bad TLD)"};
    for (const OpenProfile& p : profiles_) {
      const auto addresses = emails_of(p);
      if (addresses.empty()) continue;
      ++invalid.population;
      ++undeliverable.population;
      std::vector<std::string> bad_syntax, bad_domain;
      for (const auto& [field, address] : addresses) {
        if (auto why = email_syntax_problem(address)) {
          bad_syntax.push_back(field + ": " + *why);
        } else if (auto domain = email_domain_problem(address)) {
          bad_domain.push_back(field + ": " + *domain);
        }
      }
      if (!bad_syntax.empty()) invalid.findings.push_back(finding(p.subject, join(bad_syntax)));
      if (!bad_domain.empty())
        undeliverable.findings.push_back(finding(p.subject, join(bad_domain)));
    }
    return {std::move(invalid), std::move(undeliverable)};
  }

  // Exact duplicates cannot be stored: a blind index is the identifiers table's primary key, so
  // one identifier value belongs to one subject (store/migrations.cc). What can be stored is
  // one mailbox under several subjects: "ann+shop@x.com" and "Ann@x.com" index differently but
  // reach one person, as does one address under two e-mail identifier fields.
  QualityCheckResult duplicates() const {
    QualityCheckResult c{.name = "duplicates",
                         .description = "same mailbox as another subject (sub-address or case)"};
    std::map<std::string, std::set<SubjectId>> by_mailbox;
    for (const OpenProfile& p : profiles_) {
      const auto addresses = emails_of(p);
      if (addresses.empty()) continue;
      ++c.population;
      for (const auto& [field, address] : addresses)
        by_mailbox[mailbox_key(address)].insert(p.subject);
    }
    std::map<SubjectId, std::set<std::string>> others;  // subject -> the other pseudonyms
    for (const auto& [mailbox, subjects] : by_mailbox) {
      if (subjects.size() < 2) continue;
      for (SubjectId s : subjects) {
        for (SubjectId o : subjects) {
          if (o != s) others[s].insert(finding(o, "").pseudonym);
        }
      }
    }
    for (const auto& [subject, pseudonyms] : others) {
      c.findings.push_back(finding(
          subject, "same mailbox as " +
                       join(std::vector<std::string>(pseudonyms.begin(), pseudonyms.end()))));
    }
    return c;
  }

  QualityCheckResult out_of_range() const {
    QualityCheckResult c{.name = "out_of_range",
                         .description = "value outside its field's declared min/max or values",
                         .population = static_cast<std::int64_t>(profiles_.size())};
    for (const OpenProfile& p : profiles_) {
      std::vector<std::string> problems;
      for (const FieldSpec& f : config_.fields) {
        const TypedValue* v = find_value(p, f.name);
        if (v == nullptr) continue;
        if (std::string why = range_problem(f, *v); !why.empty())
          problems.push_back(f.name + ": " + why);
      }
      if (!problems.empty()) c.findings.push_back(finding(p.subject, join(problems)));
    }
    return c;
  }

  // GDPR Art. 7(1): the controller must be able to demonstrate consent. A grant recorded with
  // an empty proof demonstrates only that someone said so.
  Result<QualityCheckResult> consents_without_proof() const {
    QualityCheckResult c{.name = "consent_without_proof",
                         .description = "consent grant recorded without proof (Art. 7(1))"};
    for (const auto& [subject, pseudonym] : pseudonyms_) {
      CONSENTRIC_ASSIGN_OR_RETURN(std::vector<ConsentEntry> history,
                                  sd_.store->consent_history(subject));
      std::set<std::string> purposes;
      bool granted = false;
      for (const ConsentEntry& e : history) {
        if (e.action != ConsentAction::kGrant) continue;
        granted = true;
        if (lacks_proof(e)) purposes.insert(e.purpose);
      }
      if (granted) ++c.population;
      if (!purposes.empty()) {
        c.findings.push_back(finding(
            subject,
            "no proof for " + join(std::vector<std::string>(purposes.begin(), purposes.end()))));
      }
    }
    return c;
  }

  static std::string join(const std::vector<std::string>& parts) {
    std::string out;
    for (const std::string& p : parts) out += (out.empty() ? "" : "; ") + p;
    return out;
  }

  StoreDir& sd_;
  const Config& config_;
  UnixSeconds now_;
  QualityOptions options_;
  std::unordered_map<SubjectId, std::string> pseudonyms_;
  std::unordered_map<SubjectId, std::string> identifiers_;
  std::vector<OpenProfile> profiles_;
};

}  // namespace

Result<QualityReport> check_quality(StoreDir& sd, const Config& config, UnixSeconds now,
                                    const QualityOptions& options) {
  return QualityRun(sd, config, now, options).run();
}

}  // namespace consentric::governance
