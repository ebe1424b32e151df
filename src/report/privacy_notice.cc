#include "report/privacy_notice.h"

#include <algorithm>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "audit/audit_log.h"
#include "crypto/keys.h"
#include "report/ropa.h"
#include "store/transaction.h"

namespace consentric::report {
namespace {

std::string basis_in_words(const PurposeSpec& p) {
  switch (p.legal_basis) {
    case LegalBasis::kConsent:
      return "Your consent (GDPR Art. 6(1)(a)). Without it we do not use your data for this "
             "purpose. You can withdraw it at any time, as easily as you gave it; that stops "
             "the processing from then on.";
    case LegalBasis::kLegitimateInterest:
      return "Our legitimate interest (GDPR Art. 6(1)(f)), weighed against your interests and "
             "rights. You can object at any time; we then stop unless we have compelling "
             "grounds that override yours.";
    case LegalBasis::kContract:
      return "The performance of our contract with you (GDPR Art. 6(1)(b)).";
    case LegalBasis::kLegalObligation:
      return "A legal obligation we are subject to (GDPR Art. 6(1)(c)).";
  }
  return "?";
}

void what_we_use(Document& d, const Config& c, const PurposeSpec& p) {
  d.heading(2, "What we use");
  std::vector<std::vector<std::string>> rows;
  for (const std::string& name : p.fields) {
    const FieldSpec* f = c.field(name);
    if (f == nullptr) continue;
    rows.push_back({f->name, std::string(to_string(f->category)),
                    f->description.empty() ? "-" : f->description,
                    retention_text(f->retention_seconds)});
  }
  for (const std::string& name : p.event_types) {
    const EventTypeSpec* e = c.event_type(name);
    if (e == nullptr) continue;
    rows.push_back({e->name + " (events)", "behavioral",
                    e->description.empty() ? "-" : e->description,
                    retention_text(e->retention_seconds)});
  }
  d.table({"data", "category", "what it is", "kept for"}, std::move(rows),
          "This purpose uses no data about you.");
  d.paragraph(fmt::format(
      "We use it for this purpose for {} at most. Each item is deleted altogether once the "
      "period in its row has passed.",
      retention_text(p.retention_seconds)));
}

// "Advertising platform." -> "Advertising platform", for a description set in parentheses.
std::string trim_final_stop(std::string text) {
  if (text.ends_with('.')) text.pop_back();
  return text;
}

void who_receives_it(Document& d, const Config& c, const PurposeSpec& p) {
  d.heading(2, "Who receives it");
  std::vector<std::string> items;
  for (const RecipientSpec& r : c.recipients) {
    if (std::find(r.purposes.begin(), r.purposes.end(), p.id) == r.purposes.end()) continue;
    items.push_back(fmt::format(
        "{} ({}), in {}{}: only groups of at least {} people, never your name or contact "
        "details, under a code that only this recipient uses",
        r.name, r.description.empty() ? "recipient" : trim_final_stop(r.description), r.country,
        in_eea(r.country) ? "" : " (outside the EEA: a transfer under GDPR Chapter V)",
        c.k_anonymity));
  }
  if (items.empty()) {
    d.paragraph("Nobody outside " + c.controller.name + " receives it for this purpose.");
  } else {
    d.bullets(std::move(items));
  }
  if (p.sale_or_share) {
    d.paragraph(
        "Under the CCPA this is a sale or sharing of personal information. You can opt out at "
        "any time, and a Global Privacy Control signal from your browser counts as your "
        "opt-out.");
  }
}

void automated_decisions(Document& d, const PurposeSpec& p) {
  d.heading(2, "Automated decisions and profiling");
  if (!p.automated_decision) {
    d.paragraph(
        "No decision that has legal or similarly significant effects on you is made solely by "
        "automated means for this purpose (GDPR Art. 22).");
    return;
  }
  std::string review;
  if (p.review_above || p.review_below) {
    std::vector<std::string> when;
    if (p.review_above) when.push_back(fmt::format("at or above {:g}", *p.review_above));
    if (p.review_below) when.push_back(fmt::format("at or below {:g}", *p.review_below));
    review = fmt::format(" Scores {} are checked by a person before they decide anything.",
                         joined(when, ""));
  }
  d.paragraph(
      "We score people automatically with a statistical model built from the data above, "
      "which may decide how we treat you (GDPR Art. 22). Every score keeps its main reasons, "
      "and an access request shows them to you. You can obtain a person's review of the "
      "decision, express your point of view and contest it." +
      review);
}

void your_rights(Document& d, const Config& c, const PurposeSpec& p) {
  d.heading(2, "Your rights and how to use them");
  std::vector<std::string> rights = {
      "Access: a copy of the data we hold about you, why, where it came from and who received "
      "it (GDPR Art. 15; CCPA right to know)",
      "Rectification of data that is wrong (Art. 16)",
      "Erasure (Art. 17; CCPA right to delete): we destroy your key, delete your data and keep "
      "only a keyed fingerprint so that we do not import you again",
      "Restriction of processing while a question is settled (Art. 18)",
      "Portability: your data in a machine-readable file (Art. 20)",
      "Objection to this processing (Art. 21)" +
          std::string(p.direct_marketing ? "; for direct marketing it stops absolutely" : ""),
  };
  if (p.legal_basis == LegalBasis::kConsent) {
    rights.push_back("Withdrawal of your consent at any time (Art. 7(3))");
  }
  rights.push_back("A complaint to a data protection supervisory authority (Art. 77)");
  d.bullets(std::move(rights));
  d.paragraph(fmt::format(
      "To use any of them, write to {}. We answer within one month (GDPR) or 45 days (CCPA), "
      "extended once only for complex requests and with a reason.",
      c.controller.contact));
}

// The label of a new version: the declared notice_version the first time it is published, then
// "<declared>.2", "<declared>.3", ... while the declaration keeps that version but the text
// changes (a new field, a new recipient); plain numbers when none is declared.
std::string next_label(const PurposeSpec& p, const std::vector<PrivacyNoticeRow>& versions) {
  const auto taken = [&](const std::string& label) {
    return std::any_of(versions.begin(), versions.end(),
                       [&](const PrivacyNoticeRow& v) { return v.label == label; });
  };
  if (p.notice_version.empty()) return std::to_string(versions.size() + 1);
  if (!taken(p.notice_version)) return p.notice_version;
  for (std::size_t n = 2;; ++n) {
    std::string label = fmt::format("{}.{}", p.notice_version, n);
    if (!taken(label)) return label;
  }
}

}  // namespace

Document notice_document(const Config& c, const PurposeSpec& p, std::string_view version_line) {
  Document d(fmt::format("Privacy notice: {}", p.id));
  if (!version_line.empty()) d.paragraph(std::string(version_line));
  d.heading(2, "Who is responsible");
  d.paragraph(fmt::format("{}{}. Contact: {}.", c.controller.name,
                          c.controller.country.empty() ? "" : ", " + c.controller.country,
                          c.controller.contact));
  d.heading(2, "Why we use your data");
  d.paragraph(p.description.empty() ? p.id : p.description);
  d.heading(2, "Legal basis");
  d.paragraph(basis_in_words(p));
  what_we_use(d, c, p);
  who_receives_it(d, c, p);
  automated_decisions(d, p);
  your_rights(d, c, p);
  return d;
}

std::string notice_version_line(const PrivacyNoticeRow& row) {
  return fmt::format("Version {}, published {}; text BLAKE2b-256 {}.", row.label,
                     format_timestamp(row.published_at), row.text_hash);
}

Result<std::vector<PublishedNotice>> publish_notices(StoreDir& sd, std::string_view purpose,
                                                     const ReportContext& ctx) {
  if (!purpose.empty() && sd.config.purpose(purpose) == nullptr) {
    return not_found(fmt::format("purpose \"{}\" is not declared", purpose));
  }
  auto published = in_transaction(*sd.store, [&]() -> Result<std::vector<PublishedNotice>> {
    std::vector<PublishedNotice> out;
    for (const PurposeSpec& p : sd.config.purposes) {
      if (!purpose.empty() && p.id != purpose) continue;
      const std::string text = notice_document(sd.config, p).markdown();
      const std::string hash = crypto::to_hex(crypto::hash256(text));
      CONSENTRIC_ASSIGN_OR_RETURN(std::vector<PrivacyNoticeRow> versions,
                                  sd.store->privacy_notices(p.id));
      PrivacyNoticeRow row;
      const bool changed = versions.empty() || versions.back().text_hash != hash;
      if (changed) {
        row = {.purpose = p.id,
               .version = versions.empty() ? 1 : versions.back().version + 1,
               .label = next_label(p, versions),
               .text_hash = hash,
               .text = text,
               .published_at = ctx.now,
               .published_by = ctx.actor};
        CONSENTRIC_RETURN_IF_ERROR(sd.store->add_privacy_notice(row));
        const nlohmann::json detail{{"version", row.version}, {"label", row.label}, {"hash", hash}};
        CONSENTRIC_RETURN_IF_ERROR(audit::append(*sd.store,
                                                 {.actor = ctx.actor,
                                                  .action = "notice.publish",
                                                  .purpose = p.id,
                                                  .detail = detail.dump()},
                                                 ctx.now)
                                       .status());
      } else {
        row = versions.back();
      }
      out.push_back({.purpose = p.id,
                     .version = row.version,
                     .label = row.label,
                     .text_hash = hash,
                     .changed = changed,
                     .document = notice_document(sd.config, p, notice_version_line(row))});
    }
    return out;
  });
  if (published.ok()) CONSENTRIC_RETURN_IF_ERROR(overlay_published_notices(sd));
  return published;
}

Result<std::vector<std::string>> write_notices(const std::vector<PublishedNotice>& notices,
                                               const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  std::vector<std::string> files;
  for (const PublishedNotice& n : notices) {
    const std::string base = (dir / ("notice-" + n.purpose)).string();
    for (const auto& [ext, text] :
         {std::pair{".md", n.document.markdown()}, std::pair{".html", n.document.html()}}) {
      CONSENTRIC_RETURN_IF_ERROR(write_text_file(base + ext, text));
      files.push_back(base + ext);
    }
  }
  return files;
}

Result<std::vector<NoticeState>> notice_states(StoreDir& sd) {
  std::vector<NoticeState> out;
  for (const PurposeSpec& p : sd.config.purposes) {
    CONSENTRIC_ASSIGN_OR_RETURN(std::vector<PrivacyNoticeRow> versions,
                                sd.store->privacy_notices(p.id));
    NoticeState s{.purpose = p.id};
    if (!versions.empty()) {
      s.latest = versions.back();
      s.current = versions.back().text_hash ==
                  crypto::to_hex(crypto::hash256(notice_document(sd.config, p).markdown()));
    }
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace consentric::report
