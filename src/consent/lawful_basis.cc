#include "consent/lawful_basis.h"

#include <algorithm>

#include "core/time.h"

namespace consentric::consent {

bool supersedes(UnixSeconds a_ts, std::int64_t a_id, UnixSeconds b_ts, std::int64_t b_id) {
  return a_ts > b_ts || (a_ts == b_ts && a_id > b_id);
}

bool consent_valid(const PurposeSpec& purpose, const ConsentEntry* latest, UnixSeconds t) {
  if (latest == nullptr || latest->action != ConsentAction::kGrant) return false;
  if (latest->expires_at && t >= *latest->expires_at) return false;
  if (purpose.renew_consent && latest->notice_version != purpose.current_notice_version())
    return false;
  return true;
}

const ConsentEntry* latest_at(const std::vector<ConsentEntry>& entries, UnixSeconds t) {
  const ConsentEntry* best = nullptr;
  for (const ConsentEntry& e : entries) {
    if (e.ts > t) continue;
    if (best == nullptr || supersedes(e.ts, e.entry_id, best->ts, best->entry_id)) best = &e;
  }
  return best;
}

bool is_lawful(const PurposeSpec& purpose, const ConsentEntry* latest, const Limits& limits,
               UnixSeconds t) {
  if (limits.restricted) return false;
  if (limits.objected && purpose.direct_marketing) return false;
  switch (purpose.legal_basis) {
    case LegalBasis::kConsent:
      return consent_valid(purpose, latest, t);
    case LegalBasis::kLegitimateInterest:
      return !limits.objected && (latest == nullptr || latest->action == ConsentAction::kGrant);
    case LegalBasis::kContract:
    case LegalBasis::kLegalObligation:
      return true;
  }
  return false;
}

std::string gate_reason(const PurposeSpec& purpose, const ConsentEntry* latest,
                        const Limits& limits, UnixSeconds t) {
  if (limits.restricted) return "processing is restricted (Art. 18)";
  if (limits.objected && purpose.direct_marketing)
    return "the person objected to direct marketing (Art. 21(3))";
  const auto when = [](const ConsentEntry* e) { return format_timestamp(e->ts); };
  switch (purpose.legal_basis) {
    case LegalBasis::kConsent:
      if (latest == nullptr) return "no consent record (opt-in: no record means no consent)";
      if (latest->action == ConsentAction::kWithdraw) return "consent withdrawn on " + when(latest);
      if (latest->action == ConsentAction::kRefuse) return "consent refused on " + when(latest);
      if (latest->action == ConsentAction::kLapse) return "consent expired on " + when(latest);
      if (latest->expires_at && t >= *latest->expires_at)
        return "consent expired on " + format_timestamp(*latest->expires_at);
      if (purpose.renew_consent && latest->notice_version != purpose.current_notice_version()) {
        return "consent was given under notice " + latest->notice_version +
               "; the purpose asks for renewal under " + purpose.current_notice_version();
      }
      return "";
    case LegalBasis::kLegitimateInterest:
      if (limits.objected) return "the person objected (Art. 21)";
      if (latest != nullptr && latest->action != ConsentAction::kGrant)
        return "opted out on " + when(latest) + " (" + latest->source + ")";
      return "";
    case LegalBasis::kContract:
    case LegalBasis::kLegalObligation:
      return "";
  }
  return "unknown legal basis";
}

Limits limits_at(const std::vector<LimitEntry>& history, std::string_view purpose, UnixSeconds t) {
  // Each (kind, purpose) pair is a timeline of its own; its latest entry at or before t says
  // whether that limit holds.
  const LimitEntry* restriction = nullptr;
  const LimitEntry* objection_all = nullptr;
  const LimitEntry* objection_this = nullptr;
  auto later = [](const LimitEntry* cur, const LimitEntry& e) {
    return cur == nullptr || supersedes(e.ts, e.entry_id, cur->ts, cur->entry_id);
  };
  for (const LimitEntry& e : history) {
    if (e.ts > t) continue;
    if (e.kind == LimitKind::kRestriction) {
      if (later(restriction, e)) restriction = &e;
    } else if (e.purpose.empty()) {
      if (later(objection_all, e)) objection_all = &e;
    } else if (e.purpose == purpose) {
      if (later(objection_this, e)) objection_this = &e;
    }
  }
  auto holds = [](const LimitEntry* e) { return e != nullptr && !e->lifted; };
  return Limits{.restricted = holds(restriction),
                .objected = holds(objection_all) || holds(objection_this)};
}

std::vector<Interval> consent_intervals(const PurposeSpec& purpose,
                                        const std::vector<ConsentEntry>& entries) {
  std::vector<const ConsentEntry*> mine;
  for (const ConsentEntry& e : entries) {
    if (e.purpose == purpose.id) mine.push_back(&e);
  }
  std::sort(mine.begin(), mine.end(), [](const ConsentEntry* a, const ConsentEntry* b) {
    return supersedes(b->ts, b->entry_id, a->ts, a->entry_id);
  });
  std::vector<Interval> out;
  for (std::size_t i = 0; i < mine.size(); ++i) {
    const ConsentEntry& e = *mine[i];
    // Entry i is the latest decision from its time until the next entry's time.
    const UnixSeconds next = i + 1 < mine.size() ? mine[i + 1]->ts : kForever;
    if (!consent_valid(purpose, &e, e.ts)) continue;
    const UnixSeconds end = e.expires_at ? std::min(next, *e.expires_at) : next;
    if (end <= e.ts) continue;
    if (!out.empty() && out.back().to == e.ts) {
      out.back().to = end;  // a renewal that follows without a gap extends the interval
    } else {
      out.push_back({e.ts, end});
    }
  }
  return out;
}

bool counts_event(const PurposeSpec& purpose, const std::vector<Interval>& intervals,
                  UnixSeconds t) {
  if (purpose.legal_basis != LegalBasis::kConsent || !purpose.consent_at_event_time) return true;
  return std::any_of(intervals.begin(), intervals.end(),
                     [t](const Interval& i) { return i.contains(t); });
}

}  // namespace consentric::consent
