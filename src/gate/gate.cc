#include "gate/gate.h"

#include <algorithm>
#include <limits>
#include <optional>
#include <unordered_map>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "audit/audit_log.h"
#include "consent/lawful_basis.h"
#include "consent/purpose_features.h"
#include "core/text.h"
#include "crypto/keys.h"
#include "gate/window_features.h"
#include "store/profile_doc.h"
#include "store/transaction.h"

namespace consentric::gate {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kDay = 86400.0;

// The features every purpose with event types gets, then two per declared event type.
constexpr std::string_view kFeatures[] = {"event_count", "recency_days", "tenure_days",
                                          "frequency",   "monetary",     "days_since_purchase"};

bool declares(const std::vector<std::string>& list, std::string_view name) {
  return std::find(list.begin(), list.end(), name) != list.end();
}

// The latest consent decision per subject, kept small: a view over millions of subjects holds
// one of these per subject.
struct Latest {
  UnixSeconds ts = 0;
  std::int64_t entry_id = 0;
  UnixSeconds expires_at = consent::kForever;
  ConsentAction action = ConsentAction::kWithdraw;
  bool present = false;
  bool current_notice = false;
};

// Every subject, ascending by id. The pseudonyms sit end to end in one buffer: a store of
// millions of subjects would otherwise cost one allocation each, most of them for subjects the
// view then leaves out.
struct Subjects {
  std::vector<SubjectId> ids;               // ascending
  std::string pseudonym_bytes;              // every pseudonym, concatenated
  std::vector<std::size_t> pseudonym_ends;  // parallel to ids: where each one ends

  std::string pseudonym(std::size_t i) const {
    const std::size_t begin = i == 0 ? 0 : pseudonym_ends[i - 1];
    return pseudonym_bytes.substr(begin, pseudonym_ends[i] - begin);
  }
};

// Row of each subject id in a view (dense, indexed by id), or kNoRow.
constexpr std::size_t kNoRow = std::numeric_limits<std::size_t>::max();
std::vector<std::size_t> row_index(const Subjects& all, const std::vector<std::size_t>& rows) {
  std::vector<std::size_t> row_of(
      all.ids.empty() ? 0 : static_cast<std::size_t>(all.ids.back()) + 1, kNoRow);
  for (std::size_t r = 0; r < rows.size(); ++r)
    row_of[static_cast<std::size_t>(all.ids[rows[r]])] = r;
  return row_of;
}

std::size_t row_of_subject(const std::vector<std::size_t>& row_of, SubjectId id) {
  return id < 0 || static_cast<std::size_t>(id) >= row_of.size()
             ? kNoRow
             : row_of[static_cast<std::size_t>(id)];
}

// Which of `all` the gate lets through for `purpose` at as_of (lawful_basis.h decides).
Result<std::vector<std::size_t>> lawful_rows(Store& store, const PurposeSpec& purpose,
                                             const Subjects& all, UnixSeconds as_of) {
  const SubjectId max_id = all.ids.empty() ? 0 : all.ids.back();
  std::vector<Latest> latest;
  if (purpose.legal_basis == LegalBasis::kConsent ||
      purpose.legal_basis == LegalBasis::kLegitimateInterest) {
    latest.resize(static_cast<std::size_t>(max_id) + 1);
    CONSENTRIC_RETURN_IF_ERROR(
        store.scan_consent_decisions(purpose.id, as_of, [&](const ConsentEntry& e) {
          if (e.subject < 0 || e.subject > max_id) return;
          Latest& l = latest[static_cast<std::size_t>(e.subject)];
          if (l.present && !consent::supersedes(e.ts, e.entry_id, l.ts, l.entry_id)) return;
          l = Latest{.ts = e.ts,
                     .entry_id = e.entry_id,
                     .expires_at = e.expires_at.value_or(consent::kForever),
                     .action = e.action,
                     .present = true,
                     .current_notice = e.notice_version == purpose.notice_version};
        }));
  }
  // Limits are few: sorted by subject, they are walked in step with the ascending ids.
  std::vector<LimitEntry> limits;
  CONSENTRIC_RETURN_IF_ERROR(
      store.scan_limits(as_of, [&](const LimitEntry& e) { limits.push_back(e); }));
  std::stable_sort(limits.begin(), limits.end(),
                   [](const LimitEntry& a, const LimitEntry& b) { return a.subject < b.subject; });
  auto next_limit = limits.begin();
  std::vector<LimitEntry> history;  // one subject's limits (limits_at takes any order)

  std::vector<std::size_t> rows;
  rows.reserve(all.ids.size());
  ConsentEntry probe;  // the compact record, widened for lawful_basis.h
  const std::string stale_notice("\x01");
  for (std::size_t i = 0; i < all.ids.size(); ++i) {
    const SubjectId id = all.ids[i];
    const ConsentEntry* decision = nullptr;
    if (!latest.empty() && latest[static_cast<std::size_t>(id)].present) {
      const Latest& l = latest[static_cast<std::size_t>(id)];
      probe.action = l.action;
      probe.ts = l.ts;
      probe.entry_id = l.entry_id;
      probe.expires_at.reset();
      if (l.expires_at != consent::kForever) probe.expires_at = l.expires_at;
      probe.notice_version = l.current_notice ? purpose.notice_version : stale_notice;
      decision = &probe;
    }
    consent::Limits lim;
    while (next_limit != limits.end() && next_limit->subject < id) ++next_limit;
    if (next_limit != limits.end() && next_limit->subject == id) {
      history.clear();
      while (next_limit != limits.end() && next_limit->subject == id)
        history.push_back(*next_limit++);
      lim = consent::limits_at(history, purpose.id, as_of);
    }
    if (consent::is_lawful(purpose, decision, lim, as_of)) rows.push_back(i);
  }
  return rows;
}

// Every person, that is every subject but the anonymous remnants of erased people: a remnant
// is not a person, has no lawful basis of its own and never enters a view (docs/rights.md,
// "Anonymization instead of deletion"); ids stay ascending and positive.
Result<Subjects> all_subjects(Store& store) {
  Subjects s;
  CONSENTRIC_RETURN_IF_ERROR(store.scan_subjects([&](const SubjectRow& r) {
    if (r.anonymous) return;
    s.ids.push_back(r.id);
    s.pseudonym_bytes += r.pseudonym;
    s.pseudonym_ends.push_back(s.pseudonym_bytes.size());
  }));
  return s;
}

Column number_column(std::string name, std::size_t rows, double fill = kNaN) {
  Column c;
  c.name = std::move(name);
  c.kind = ColumnKind::kNumber;
  c.numbers.assign(rows, fill);
  return c;
}

// Checks the requested columns against what the purpose declares.
Result<std::vector<std::string>> resolve_columns(const Config& config, const PurposeSpec& purpose,
                                                 const std::vector<std::string>& requested) {
  const std::vector<std::string> allowed = available_columns(config, purpose);
  if (requested.empty()) {
    std::vector<std::string> out;
    for (const std::string& c : allowed) {
      const FieldSpec* f = config.field(c);
      if (f == nullptr || !f->pii) out.push_back(c);
    }
    return out;
  }
  for (const std::string& c : requested) {
    if (const FieldSpec* f = config.field(c);
        f != nullptr && f->category == DataCategory::kSpecialCategory) {
      return invalid_argument(fmt::format(
          "field {} is a special category of personal data (GDPR Art. 9) and never passes the "
          "gate",
          quote_for_message(c)));
    }
    if (!declares(allowed, c)) {
      std::string what = config.field(c) != nullptr ? "field" : "column";
      return invalid_argument(fmt::format("purpose {} does not declare {} {}; it may read: {}",
                                          quote_for_message(purpose.id), what, quote_for_message(c),
                                          fmt::join(allowed, ", ")));
    }
  }
  return requested;
}

// Fills feature columns from per-subject feature rows.
class FeatureColumns {
 public:
  FeatureColumns(const std::vector<std::string>& names, std::size_t rows, UnixSeconds as_of,
                 const std::unordered_map<std::string, std::int64_t>& type_ids)
      : as_of_(as_of) {
    for (const std::string& n : names) {
      const bool base =
          std::find(std::begin(kFeatures), std::end(kFeatures), n) != std::end(kFeatures);
      const bool count = n.starts_with("count.");
      if (!base && !count && !n.starts_with("days_since.")) continue;
      Spec s;
      s.column = columns_.size();
      s.kind = kind_of(n);
      if (!base) {
        const std::string type = n.substr(n.find('.') + 1);
        auto it = type_ids.find(type);
        s.type_id = it == type_ids.end() ? -1 : it->second;
      }
      const bool zero_when_absent =
          n == "event_count" || n == "frequency" || n == "monetary" || count;
      columns_.push_back(number_column(n, rows, zero_when_absent ? 0.0 : kNaN));
      specs_.push_back(std::move(s));
    }
  }

  void fill(std::size_t row, const FeatureRow& f) {
    const double now = static_cast<double>(as_of_);
    for (const Spec& s : specs_) {
      double& out = columns_[s.column].numbers[row];
      switch (s.kind) {
        case Kind::kEventCount:
          out = static_cast<double>(f.events);
          break;
        case Kind::kRecencyDays:
          out = (now - static_cast<double>(f.last_seen)) / kDay;
          break;
        case Kind::kTenureDays:
          out = (now - static_cast<double>(f.first_seen)) / kDay;
          break;
        case Kind::kFrequency:
          out = static_cast<double>(f.purchases);
          break;
        case Kind::kMonetary:
          out = f.monetary;
          break;
        case Kind::kDaysSincePurchase:
          if (f.last_purchase) out = (now - static_cast<double>(*f.last_purchase)) / kDay;
          break;
        case Kind::kTypeCount:
        case Kind::kTypeDaysSince:
          for (const auto& t : f.per_type) {
            if (t.type_id != s.type_id) continue;
            out = s.kind == Kind::kTypeCount ? static_cast<double>(t.count)
                                             : (now - static_cast<double>(t.last_ts)) / kDay;
          }
          break;
      }
    }
  }

  std::vector<Column> take() { return std::move(columns_); }
  bool empty() const { return specs_.empty(); }

 private:
  // Which feature a column holds, decided once per view rather than per row.
  enum class Kind {
    kEventCount,
    kRecencyDays,
    kTenureDays,
    kFrequency,
    kMonetary,
    kDaysSincePurchase,
    kTypeCount,      // count.<type>
    kTypeDaysSince,  // days_since.<type>
  };
  // REQUIRES: `name` is a base feature, count.<type> or days_since.<type>.
  static Kind kind_of(std::string_view name) {
    if (name == "event_count") return Kind::kEventCount;
    if (name == "recency_days") return Kind::kRecencyDays;
    if (name == "tenure_days") return Kind::kTenureDays;
    if (name == "frequency") return Kind::kFrequency;
    if (name == "monetary") return Kind::kMonetary;
    if (name == "days_since_purchase") return Kind::kDaysSincePurchase;
    return name.starts_with("count.") ? Kind::kTypeCount : Kind::kTypeDaysSince;
  }
  struct Spec {
    std::size_t column = 0;
    Kind kind = Kind::kEventCount;
    std::int64_t type_id = -1;
  };
  UnixSeconds as_of_;
  std::vector<Spec> specs_;
  std::vector<Column> columns_;
};

// Profile field columns, decoded from the stored profiles (pii ones unsealed).
Status fill_field_columns(StoreDir& sd, const std::vector<const FieldSpec*>& fields,
                          const Subjects& all, const std::vector<std::size_t>& rows,
                          std::vector<Column>* out) {
  if (fields.empty()) return Status();
  const std::vector<std::size_t> row_of = row_index(all, rows);
  const std::size_t first = out->size();
  bool any_pii = false;
  for (const FieldSpec* f : fields) {
    any_pii |= f->pii;
    const bool number = f->type != FieldType::kString && f->type != FieldType::kCategory;
    Column c = number ? number_column(f->name, rows.size()) : Column{};
    if (!number) {
      c.name = f->name;
      c.kind = ColumnKind::kCategory;
      c.codes.assign(rows.size(), -1);
    }
    out->push_back(std::move(c));
  }
  std::vector<std::unordered_map<std::string, std::int32_t>> dicts(fields.size());
  auto put = [&](std::size_t row, const FieldValues& values) {
    for (std::size_t k = 0; k < fields.size(); ++k) {
      const FieldSpec* f = fields[k];
      for (const auto& [name, v] : values) {
        if (name != f->name) continue;
        Column& c = (*out)[first + k];
        if (c.kind == ColumnKind::kNumber) {
          double x = std::holds_alternative<double>(v) ? std::get<double>(v)
                     : std::holds_alternative<std::int64_t>(v)
                         ? static_cast<double>(std::get<std::int64_t>(v))
                         : kNaN;
          if (f->type == FieldType::kDate || f->type == FieldType::kTimestamp) x /= kDay;
          c.numbers[row] = x;
        } else {
          const std::string text = canonical_text(v);
          auto [it, fresh] =
              dicts[k].try_emplace(text, static_cast<std::int32_t>(c.dictionary.size()));
          if (fresh) c.dictionary.push_back(text);
          c.codes[row] = it->second;
        }
      }
    }
  };
  Status failed;
  CONSENTRIC_RETURN_IF_ERROR(sd.store->scan_profiles([&](SubjectId id, const ProfileRow& p) {
    if (!failed.ok()) return;
    const std::size_t row = row_of_subject(row_of, id);
    if (row == kNoRow) return;
    auto plain = decode_fields(p.plain);
    if (!plain.ok()) {
      failed = plain.status();
      return;
    }
    put(row, *plain);
    if (any_pii && !p.sealed.empty()) {
      auto key = sd.keyring->subject_key(id);
      if (!key.ok()) return;  // crypto-shredded: nothing readable is left
      auto opened = crypto::open(*key, p.sealed, profile_aad(id));
      if (!opened.ok()) {
        failed = opened.status();
        return;
      }
      auto secret = decode_fields(*opened);
      if (secret.ok()) put(row, *secret);
    }
  }));
  return failed;
}

Status audit_read(Store& store, std::string_view actor, std::string_view action,
                  std::string_view purpose, const nlohmann::json& detail, UnixSeconds now) {
  return audit::append(store,
                       {.actor = std::string(actor),
                        .action = std::string(action),
                        .purpose = std::string(purpose),
                        .subject = {},
                        .detail = detail.dump()},
                       now)
      .status();
}

}  // namespace

std::vector<std::string> available_columns(const Config& config, const PurposeSpec& purpose) {
  std::vector<std::string> out;
  for (const std::string& name : purpose.fields) {
    const FieldSpec* f = config.field(name);
    if (f != nullptr && f->category != DataCategory::kSpecialCategory) out.push_back(name);
  }
  if (purpose.event_types.empty()) return out;
  for (std::string_view f : kFeatures) out.emplace_back(f);
  for (const std::string& t : purpose.event_types) {
    out.push_back("count." + t);
    out.push_back("days_since." + t);
  }
  for (std::string& w : window_feature_names(purpose)) out.push_back(std::move(w));
  return out;
}

namespace {

Result<PurposeView> build_view_in_transaction(StoreDir& sd, const ViewRequest& request,
                                              UnixSeconds now) {
  const PurposeSpec* purpose = sd.config.purpose(request.purpose);
  if (purpose == nullptr) {
    return invalid_argument(
        fmt::format("{} is not a declared purpose", quote_for_message(request.purpose)));
  }
  CONSENTRIC_ASSIGN_OR_RETURN(std::vector<std::string> names,
                              resolve_columns(sd.config, *purpose, request.columns));
  Store& store = *sd.store;
  CONSENTRIC_ASSIGN_OR_RETURN(Subjects all, all_subjects(store));
  CONSENTRIC_ASSIGN_OR_RETURN(std::vector<std::size_t> rows,
                              lawful_rows(store, *purpose, all, request.as_of));

  std::unordered_map<std::string, std::int64_t> type_ids;
  CONSENTRIC_ASSIGN_OR_RETURN(std::vector<EventTypeRow> types, store.event_types());
  for (const EventTypeRow& t : types) type_ids.emplace(t.name, t.type_id);
  FeatureColumns features(names, rows.size(), request.as_of, type_ids);
  if (!features.empty()) {
    if (request.as_of >= now) {
      // Every stored event is at or before now, so the kept rows are the features at as_of.
      const std::vector<std::size_t> row_of = row_index(all, rows);
      CONSENTRIC_RETURN_IF_ERROR(store.scan_purpose_features(purpose->id, [&](const FeatureRow& f) {
        if (const std::size_t r = row_of_subject(row_of, f.subject); r != kNoRow)
          features.fill(r, f);
      }));
    } else {
      consent::PurposeFeatureKeeper keeper(store, sd.config);
      for (std::size_t r = 0; r < rows.size(); ++r) {
        CONSENTRIC_ASSIGN_OR_RETURN(FeatureRow f,
                                    keeper.compute(all.ids[rows[r]], *purpose, request.as_of));
        if (f.events > 0) features.fill(r, f);
      }
    }
  }
  std::vector<Column> columns = features.take();
  {
    std::vector<SubjectId> subjects;
    subjects.reserve(rows.size());
    for (std::size_t r : rows) subjects.push_back(all.ids[r]);
    CONSENTRIC_RETURN_IF_ERROR(
        fill_window_features(store, *purpose, names, subjects, request.as_of, type_ids, &columns));
  }
  std::vector<const FieldSpec*> fields;
  for (const std::string& n : names) {
    if (const FieldSpec* f = sd.config.field(n)) fields.push_back(f);
  }
  CONSENTRIC_RETURN_IF_ERROR(fill_field_columns(sd, fields, all, rows, &columns));
  // Columns in the order asked for.
  std::vector<Column> ordered;
  ordered.reserve(columns.size());
  for (const std::string& n : names) {
    for (Column& c : columns) {
      if (c.name == n) ordered.push_back(std::move(c));
    }
  }
  std::vector<std::string> row_ids;
  row_ids.reserve(rows.size());
  for (std::size_t r : rows) row_ids.push_back(all.pseudonym(r));

  nlohmann::json detail = {
      {"as_of", format_timestamp(request.as_of)}, {"subjects", row_ids.size()}, {"columns", names}};
  CONSENTRIC_RETURN_IF_ERROR(
      audit_read(store, request.actor, "gate.view", purpose->id, detail, now));
  return PurposeView(purpose->id, request.as_of, std::move(row_ids), std::move(ordered));
}

Result<std::vector<GateCount>> count_lawful_in_transaction(StoreDir& sd, UnixSeconds as_of,
                                                           std::string_view actor,
                                                           UnixSeconds now) {
  CONSENTRIC_ASSIGN_OR_RETURN(Subjects all, all_subjects(*sd.store));
  std::vector<GateCount> out;
  nlohmann::json counts = nlohmann::json::object();
  for (const PurposeSpec& p : sd.config.purposes) {
    CONSENTRIC_ASSIGN_OR_RETURN(std::vector<std::size_t> rows,
                                lawful_rows(*sd.store, p, all, as_of));
    out.push_back({p.id, p.legal_basis, static_cast<std::int64_t>(all.ids.size()),
                   static_cast<std::int64_t>(rows.size())});
    counts[p.id] = rows.size();
  }
  nlohmann::json detail = {{"as_of", format_timestamp(as_of)}, {"lawful", counts}};
  CONSENTRIC_RETURN_IF_ERROR(audit_read(*sd.store, actor, "gate.count", "", detail, now));
  return out;
}

}  // namespace

Result<PurposeView> build_view(StoreDir& sd, const ViewRequest& request, UnixSeconds now) {
  return in_transaction(*sd.store, [&] { return build_view_in_transaction(sd, request, now); });
}

Result<std::vector<GateCount>> count_lawful(StoreDir& sd, UnixSeconds as_of, std::string_view actor,
                                            UnixSeconds now) {
  return in_transaction(*sd.store, [&]() -> Result<std::vector<GateCount>> {
    return count_lawful_in_transaction(sd, as_of, actor, now);
  });
}

}  // namespace consentric::gate
