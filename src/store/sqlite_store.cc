#include "store/sqlite_store.h"

#include <algorithm>
#include <array>
#include <cstring>

#include <fmt/format.h>

#include "crypto/keys.h"
#include "sqlite/db.h"
#include "store/feature_row.h"
#include "store/migrations.h"
#include "store/profile_doc.h"
#include "store/subject_set.h"

namespace consentric {
namespace {

using sqlite::Db;
using sqlite::Stmt;

// Every statement the store runs, prepared once on first use.
enum class Q : std::size_t {
  kCreateSubject,
  kSubject,
  kFindSubject,
  kIdentifierStatus,
  kAddIdentifier,
  kDropIdentifiers,
  kTouchSubject,
  kProfile,
  kPutProfile,
  kEventTypeId,
  kInsertEventType,
  kInsertEvent,
  kUpsertFeatures,
  kUpsertFeatureCount,
  kFeatures,
  kFeatureCounts,
  kAppendConsent,
  kPutConsentState,
  kConsentState,
  kConsentHistory,
  kHasConsentEntry,
  kIsSuppressed,
  kSuppress,
  kLastAudit,
  kAppendAudit,
  kPutPurposeFeatures,
  kPurposeFeatures,
  kSubjectEvents,
  kSubjectEventTimes,
  kMembershipPurposes,
  kCount
};

constexpr std::array<std::string_view, static_cast<std::size_t>(Q::kCount)> kSql = {
    "INSERT INTO subjects(pseudonym, created_at, updated_at) VALUES (?1, ?2, ?2)",
    "SELECT subject_id, pseudonym, created_at, updated_at, anonymous FROM subjects WHERE "
    "subject_id = ?1",
    "SELECT subject_id FROM identifiers WHERE blind_index = ?1",
    "SELECT (SELECT subject_id FROM identifiers WHERE blind_index = ?1), "
    "EXISTS (SELECT 1 FROM suppression WHERE blind_index = ?1)",
    "INSERT INTO identifiers(blind_index, subject_id, field) VALUES (?1, ?2, ?3)",
    "DELETE FROM identifiers WHERE subject_id = ?1 AND field = ?2",
    "UPDATE subjects SET updated_at = ?2 WHERE subject_id = ?1",
    "SELECT plain, sealed, updated_at FROM profiles WHERE subject_id = ?1",
    "INSERT OR REPLACE INTO profiles(subject_id, plain, sealed, updated_at) VALUES (?1, ?2, ?3, "
    "?4)",
    "SELECT type_id FROM event_types WHERE name = ?1",
    "INSERT INTO event_types(name) VALUES (?1)",
    "INSERT OR IGNORE INTO events(subject_id, ts, dedup, type_id, props, sealed) VALUES (?1, ?2, "
    "?3, ?4, ?5, ?6)",
    "INSERT INTO features(subject_id, first_seen, last_seen, event_count, last_purchase, "
    "frequency, monetary) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT(subject_id) DO UPDATE SET "
    "first_seen = min(first_seen, excluded.first_seen), last_seen = max(last_seen, "
    "excluded.last_seen), "
    "event_count = event_count + excluded.event_count, "
    "last_purchase = CASE WHEN excluded.last_purchase IS NULL THEN last_purchase "
    "  WHEN last_purchase IS NULL THEN excluded.last_purchase "
    "  ELSE max(last_purchase, excluded.last_purchase) END, "
    "frequency = frequency + excluded.frequency, monetary = monetary + excluded.monetary",
    "INSERT INTO feature_counts(subject_id, type_id, count, last_ts) VALUES (?1, ?2, ?3, ?4) "
    "ON CONFLICT(subject_id, type_id) DO UPDATE SET count = count + excluded.count, "
    "last_ts = max(last_ts, excluded.last_ts)",
    "SELECT first_seen, last_seen, event_count, last_purchase, frequency, monetary FROM features "
    "WHERE subject_id = ?1",
    "SELECT type_id, count, last_ts FROM feature_counts WHERE subject_id = ?1 ORDER BY type_id",
    "INSERT INTO consent_ledger(subject_id, purpose, action, ts, recorded_at, source, method, "
    "notice_version, "
    "notice_hash, proof, expires_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    // The state follows the ledger entry with the latest time; a late-arriving older entry does
    // not overwrite a newer decision.
    "INSERT INTO consent_state(subject_id, purpose, granted, ts, notice_version, expires_at, "
    "entry_id) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT(subject_id, purpose) DO UPDATE SET "
    "granted = excluded.granted, ts = excluded.ts, notice_version = excluded.notice_version, "
    "expires_at = excluded.expires_at, entry_id = excluded.entry_id WHERE excluded.ts >= "
    "consent_state.ts",
    "SELECT granted, ts, notice_version, expires_at, entry_id FROM consent_state WHERE subject_id "
    "= ?1 AND purpose = ?2",
    "SELECT entry_id, purpose, action, ts, recorded_at, source, method, notice_version, "
    "notice_hash, proof, "
    "expires_at FROM consent_ledger WHERE subject_id = ?1 ORDER BY ts, entry_id",
    "SELECT 1 FROM consent_ledger WHERE subject_id = ?1 AND purpose = ?2 AND ts = ?3 AND action = "
    "?4 AND source = ?5",
    "SELECT 1 FROM suppression WHERE blind_index = ?1",
    "INSERT OR IGNORE INTO suppression(blind_index, field, reason, added_at) VALUES (?1, ?2, ?3, "
    "?4)",
    "SELECT seq, ts, actor, action, purpose, subject, detail, prev_hash, hash FROM audit_log "
    "ORDER BY seq DESC LIMIT 1",
    "INSERT INTO audit_log(seq, ts, actor, action, purpose, subject, detail, prev_hash, hash) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    "INSERT OR REPLACE INTO purpose_features(purpose, subject_id, first_seen, last_seen, "
    "event_count, last_purchase, frequency, monetary, type_counts) VALUES (?1, ?2, ?3, ?4, ?5, ?6, "
    "?7, ?8, ?9)",
    "SELECT subject_id, first_seen, last_seen, event_count, last_purchase, frequency, monetary, "
    "type_counts FROM purpose_features WHERE purpose = ?1 AND subject_id = ?2",
    "SELECT subject_id, ts, dedup, type_id, props, sealed FROM events WHERE subject_id = ?1 AND "
    "ts <= ?2 ORDER BY ts",
    "SELECT ts, dedup, type_id FROM events WHERE subject_id = ?1 AND ts > ?2 AND ts <= ?3 "
    "ORDER BY ts",
    // Asked on every consent decision and limit (consent::forget_unlawful_memberships).
    "SELECT DISTINCT g.purpose FROM segment_members m JOIN segment_runs r USING (run_id) "
    "JOIN segments g USING (segment_id) WHERE m.subject_id = ?1 ORDER BY g.purpose",
};

std::string read_text(const Stmt& s) { return std::string(s.column_text(0)); }

AuditRecord read_audit(const Stmt& s) {
  AuditRecord r;
  r.seq = s.column_int(0);
  r.ts = s.column_int(1);
  r.actor = s.column_text(2);
  r.action = s.column_text(3);
  r.purpose = s.column_text(4);
  r.subject = s.column_text(5);
  r.detail = s.column_text(6);
  r.prev_hash = s.column_blob(7);
  r.hash = s.column_blob(8);
  return r;
}

FeatureRow read_purpose_features(const Stmt& s) {
  FeatureRow f;
  f.subject = s.column_int(0);
  f.first_seen = s.column_int(1);
  f.last_seen = s.column_int(2);
  f.events = s.column_int(3);
  if (!s.is_null(4)) f.last_purchase = s.column_int(4);
  f.purchases = s.column_int(5);
  f.monetary = s.column_double(6);
  f.per_type = decode_type_counts(s.column_blob(7));
  return f;
}

LimitEntry read_limit(const Stmt& s) {
  LimitEntry e;
  e.entry_id = s.column_int(0);
  e.subject = s.column_int(1);
  e.kind = s.column_text(2) == "objection" ? LimitKind::kObjection : LimitKind::kRestriction;
  e.purpose = s.column_text(3);
  e.lifted = s.column_int(4) != 0;
  e.ts = s.column_int(5);
  e.recorded_at = s.column_int(6);
  e.source = s.column_text(7);
  e.detail = s.column_text(8);
  return e;
}

// Runs `stmt` to the end, calling fn with it at each row.
template <typename Fn>
Status for_each_row(Stmt& stmt, Fn&& fn) {
  while (true) {
    CONSENTRIC_ASSIGN_OR_RETURN(bool row, stmt.step());
    if (!row) return Status();
    fn(stmt);
  }
}

class SqliteStore final : public Store {
 public:
  explicit SqliteStore(std::unique_ptr<Db> db) : db_(std::move(db)) {}

  Status migrate() {
    CONSENTRIC_RETURN_IF_ERROR(
        db_->exec("CREATE TABLE IF NOT EXISTS schema_migrations(version INTEGER PRIMARY KEY, "
                  "description TEXT NOT NULL, applied_at INTEGER NOT NULL)"));
    CONSENTRIC_ASSIGN_OR_RETURN(
        std::int64_t current,
        db_->query_int("SELECT coalesce(max(version), 0) FROM schema_migrations"));
    const auto all = sqlite_migrations();
    if (!all.empty() && current > all.back().version) {
      return failed_precondition(
          fmt::format("the store has schema version {}, newer than this consentric knows ({}); "
                      "upgrade consentric",
                      current, all.back().version));
    }
    // Each migration not yet recorded, not only those above the highest: numbers are handed out
    // to branches ahead of time (6 may land before 5), and a store that has 6 must still get 5.
    std::vector<std::int64_t> applied;
    {
      CONSENTRIC_ASSIGN_OR_RETURN(Stmt q, db_->prepare("SELECT version FROM schema_migrations"));
      CONSENTRIC_RETURN_IF_ERROR(
          for_each_row(q, [&](const Stmt& r) { applied.push_back(r.column_int(0)); }));
    }
    const UnixSeconds now = make_system_clock()->now();
    for (const Migration& m : all) {
      if (std::find(applied.begin(), applied.end(), m.version) != applied.end()) continue;
      CONSENTRIC_ASSIGN_OR_RETURN(sqlite::Tx tx, sqlite::Tx::begin(*db_));
      Status s = db_->exec(m.sql);
      if (!s.ok()) return s.with_context(fmt::format("migration {}", m.version));
      CONSENTRIC_ASSIGN_OR_RETURN(Stmt ins,
                                  db_->prepare("INSERT INTO schema_migrations(version, "
                                               "description, applied_at) VALUES (?1, ?2, ?3)"));
      CONSENTRIC_RETURN_IF_ERROR(
          ins.bind(1, m.version).bind_text(2, m.description).bind(3, now).run());
      CONSENTRIC_RETURN_IF_ERROR(tx.commit());
    }
    return Status();
  }

  Status begin() override {
    if (in_tx_) return failed_precondition("a transaction is already open");
    CONSENTRIC_RETURN_IF_ERROR(db_->exec("BEGIN IMMEDIATE"));
    in_tx_ = true;
    return Status();
  }
  Status commit() override {
    if (!in_tx_) return failed_precondition("no transaction is open");
    Status s = db_->exec("COMMIT");
    if (!s.ok()) rollback();
    in_tx_ = false;
    return s;
  }
  void rollback() override {
    if (in_tx_) (void)db_->exec("ROLLBACK");
    in_tx_ = false;
  }

  Result<int> schema_version() override {
    CONSENTRIC_ASSIGN_OR_RETURN(std::int64_t v,
                                db_->query_int("SELECT max(version) FROM schema_migrations"));
    return static_cast<int>(v);
  }

  Status set_meta(std::string_view key, std::string_view value) override {
    CONSENTRIC_ASSIGN_OR_RETURN(Stmt s,
                                db_->prepare("INSERT INTO meta(key, value) VALUES (?1, ?2) ON "
                                             "CONFLICT(key) DO UPDATE SET value = excluded.value"));
    return s.bind_text(1, key).bind_text(2, value).run();
  }
  Result<std::optional<std::string>> meta(std::string_view key) override {
    CONSENTRIC_ASSIGN_OR_RETURN(Stmt s, db_->prepare("SELECT value FROM meta WHERE key = ?1"));
    s.bind_text(1, key);
    return sqlite::read_one(s, read_text);
  }

  Status put_config(std::string_view yaml, std::string_view hash_hex, UnixSeconds at) override {
    CONSENTRIC_ASSIGN_OR_RETURN(
        Stmt s,
        db_->prepare("INSERT INTO config_versions(yaml, hash, applied_at) VALUES (?1, ?2, ?3)"));
    return s.bind_text(1, yaml).bind_text(2, hash_hex).bind(3, at).run();
  }
  Result<std::string> current_config() override {
    CONSENTRIC_ASSIGN_OR_RETURN(
        Stmt s, db_->prepare("SELECT yaml FROM config_versions ORDER BY version DESC LIMIT 1"));
    CONSENTRIC_ASSIGN_OR_RETURN(std::optional<std::string> yaml, sqlite::read_one(s, read_text));
    if (!yaml) return not_found("the store holds no configuration");
    return *std::move(yaml);
  }

  Result<SubjectRow> create_subject(UnixSeconds now) override {
    CONSENTRIC_ASSIGN_OR_RETURN(Stmt * s, stmt(Q::kCreateSubject));
    SubjectRow row;
    row.pseudonym = random_pseudonym();
    row.created_at = row.updated_at = now;
    CONSENTRIC_RETURN_IF_ERROR(s->bind_text(1, row.pseudonym).bind(2, now).run());
    row.id = db_->last_insert_rowid();
    return row;
  }

  Result<std::optional<SubjectRow>> subject(SubjectId id) override {
    CONSENTRIC_ASSIGN_OR_RETURN(Stmt * s, stmt(Q::kSubject));
    s->bind(1, id);
    return sqlite::read_one(*s, [](const Stmt& r) {
      return SubjectRow{r.column_int(0), std::string(r.column_text(1)), r.column_int(2),
                        r.column_int(3), r.column_int(4) != 0};
    });
  }

  Result<std::optional<SubjectId>> find_subject(std::string_view blind_index) override {
    CONSENTRIC_ASSIGN_OR_RETURN(Stmt * s, stmt(Q::kFindSubject));
    s->bind_blob(1, blind_index);
    return sqlite::read_one(*s, [](const Stmt& r) { return r.column_int(0); });
  }

  Result<IdentifierStatus> identifier_status(std::string_view blind_index) override {
    CONSENTRIC_ASSIGN_OR_RETURN(Stmt * s, stmt(Q::kIdentifierStatus));
    s->bind_blob(1, blind_index);
    // The query always returns one row.
    CONSENTRIC_ASSIGN_OR_RETURN(auto status, sqlite::read_one(*s, [](const Stmt& r) {
                                  IdentifierStatus st;
                                  if (!r.is_null(0)) st.subject = r.column_int(0);
                                  st.suppressed = r.column_int(1) != 0;
                                  return st;
                                }));
    return status.value_or(IdentifierStatus{});
  }

  Status add_identifier(SubjectId subject, std::string_view blind_index,
                        std::string_view field) override {
    CONSENTRIC_ASSIGN_OR_RETURN(Stmt * s, stmt(Q::kAddIdentifier));
    return s->bind_blob(1, blind_index).bind(2, subject).bind_text(3, field).run();
  }

  Status replace_identifier(SubjectId subject, std::string_view blind_index,
                            std::string_view field) override {
    CONSENTRIC_ASSIGN_OR_RETURN(Stmt * drop, stmt(Q::kDropIdentifiers));
    CONSENTRIC_RETURN_IF_ERROR(drop->bind(1, subject).bind_text(2, field).run());
    return add_identifier(subject, blind_index, field);
  }

  Status touch_subject(SubjectId subject, UnixSeconds now) override {
    CONSENTRIC_ASSIGN_OR_RETURN(Stmt * s, stmt(Q::kTouchSubject));
    return s->bind(1, subject).bind(2, now).run();
  }

  Result<std::optional<ProfileRow>> profile(SubjectId subject) override {
    CONSENTRIC_ASSIGN_OR_RETURN(Stmt * s, stmt(Q::kProfile));
    s->bind(1, subject);
    return sqlite::read_one(*s, [](const Stmt& r) {
      return ProfileRow{std::string(r.column_text(0)), std::string(r.column_blob(1)),
                        r.column_int(2)};
    });
  }

  Status put_profile(SubjectId subject, const ProfileRow& p) override {
    CONSENTRIC_ASSIGN_OR_RETURN(Stmt * s, stmt(Q::kPutProfile));
    s->bind(1, subject).bind_text(2, p.plain);
    if (p.sealed.empty())
      s->bind_null(3);
    else
      s->bind_blob(3, p.sealed);
    return s->bind(4, p.updated_at).run();
  }

  Result<std::int64_t> event_type_id(std::string_view name) override {
    CONSENTRIC_ASSIGN_OR_RETURN(Stmt * s, stmt(Q::kEventTypeId));
    s->bind_text(1, name);
    CONSENTRIC_ASSIGN_OR_RETURN(
        auto known, sqlite::read_one(*s, [](const Stmt& r) { return r.column_int(0); }));
    if (known) return *known;
    CONSENTRIC_ASSIGN_OR_RETURN(Stmt * ins, stmt(Q::kInsertEventType));
    CONSENTRIC_RETURN_IF_ERROR(ins->bind_text(1, name).run());
    return db_->last_insert_rowid();
  }

  Result<bool> insert_event(const EventRow& e) override {
    CONSENTRIC_ASSIGN_OR_RETURN(Stmt * s, stmt(Q::kInsertEvent));
    s->bind(1, e.subject).bind(2, e.ts).bind(3, e.dedup).bind(4, e.type_id).bind_text(5, e.props);
    if (e.sealed.empty())
      s->bind_null(6);
    else
      s->bind_blob(6, e.sealed);
    CONSENTRIC_RETURN_IF_ERROR(s->run());
    return db_->changes() > 0;
  }

  Status apply_features(const FeatureDelta& d) override {
    CONSENTRIC_ASSIGN_OR_RETURN(Stmt * s, stmt(Q::kUpsertFeatures));
    s->bind(1, d.subject).bind(2, d.first_seen).bind(3, d.last_seen).bind(4, d.events);
    if (d.last_purchase)
      s->bind(5, *d.last_purchase);
    else
      s->bind_null(5);
    CONSENTRIC_RETURN_IF_ERROR(s->bind(6, d.purchases).bind(7, d.monetary).run());
    CONSENTRIC_ASSIGN_OR_RETURN(Stmt * c, stmt(Q::kUpsertFeatureCount));
    for (const auto& t : d.per_type) {
      CONSENTRIC_RETURN_IF_ERROR(
          c->bind(1, d.subject).bind(2, t.type_id).bind(3, t.count).bind(4, t.last_ts).run());
    }
    return Status();
  }

  Result<std::optional<FeatureRow>> features(SubjectId subject) override {
    CONSENTRIC_ASSIGN_OR_RETURN(Stmt * s, stmt(Q::kFeatures));
    s->bind(1, subject);
    CONSENTRIC_ASSIGN_OR_RETURN(std::optional<FeatureRow> row,
                                sqlite::read_one(*s, [&](const Stmt& r) {
                                  FeatureRow f;
                                  f.subject = subject;
                                  f.first_seen = r.column_int(0);
                                  f.last_seen = r.column_int(1);
                                  f.events = r.column_int(2);
                                  if (!r.is_null(3)) f.last_purchase = r.column_int(3);
                                  f.purchases = r.column_int(4);
                                  f.monetary = r.column_double(5);
                                  return f;
                                }));
    if (!row) return row;
    FeatureRow& f = *row;
    CONSENTRIC_ASSIGN_OR_RETURN(Stmt * c, stmt(Q::kFeatureCounts));
    c->bind(1, subject);
    while (true) {
      CONSENTRIC_ASSIGN_OR_RETURN(bool more, c->step());
      if (!more) break;
      f.per_type.push_back({c->column_int(0), c->column_int(1), c->column_int(2)});
    }
    return row;
  }

  Result<std::int64_t> append_consent(const ConsentEntry& e) override {
    CONSENTRIC_ASSIGN_OR_RETURN(Stmt * s, stmt(Q::kAppendConsent));
    const bool grant = e.action == ConsentAction::kGrant;
    s->bind(1, e.subject)
        .bind_text(2, e.purpose)
        .bind_text(3, to_string(e.action))
        .bind(4, e.ts)
        .bind(5, e.recorded_at)
        .bind_text(6, e.source)
        .bind_text(7, e.method)
        .bind_text(8, e.notice_version)
        .bind_text(9, e.notice_hash)
        .bind_text(10, e.proof);
    if (e.expires_at)
      s->bind(11, *e.expires_at);
    else
      s->bind_null(11);
    CONSENTRIC_RETURN_IF_ERROR(s->run());
    const std::int64_t entry_id = db_->last_insert_rowid();
    CONSENTRIC_ASSIGN_OR_RETURN(Stmt * st, stmt(Q::kPutConsentState));
    st->bind(1, e.subject)
        .bind_text(2, e.purpose)
        .bind(3, grant ? 1 : 0)
        .bind(4, e.ts)
        .bind_text(5, e.notice_version);
    if (e.expires_at)
      st->bind(6, *e.expires_at);
    else
      st->bind_null(6);
    CONSENTRIC_RETURN_IF_ERROR(st->bind(7, entry_id).run());
    return entry_id;
  }

  Result<std::optional<ConsentState>> consent_state(SubjectId subject,
                                                    std::string_view purpose) override {
    CONSENTRIC_ASSIGN_OR_RETURN(Stmt * s, stmt(Q::kConsentState));
    s->bind(1, subject).bind_text(2, purpose);
    return sqlite::read_one(*s, [&](const Stmt& r) {
      ConsentState c;
      c.subject = subject;
      c.purpose = purpose;
      c.granted = r.column_int(0) != 0;
      c.ts = r.column_int(1);
      c.notice_version = r.column_text(2);
      if (!r.is_null(3)) c.expires_at = r.column_int(3);
      c.entry_id = r.column_int(4);
      return c;
    });
  }

  Result<std::vector<ConsentEntry>> consent_history(SubjectId subject) override {
    CONSENTRIC_ASSIGN_OR_RETURN(Stmt * s, stmt(Q::kConsentHistory));
    s->bind(1, subject);
    std::vector<ConsentEntry> out;
    while (true) {
      CONSENTRIC_ASSIGN_OR_RETURN(bool row, s->step());
      if (!row) break;
      ConsentEntry e;
      e.entry_id = s->column_int(0);
      e.subject = subject;
      e.purpose = s->column_text(1);
      e.action = parse_consent_action(s->column_text(2)).value_or(ConsentAction::kWithdraw);
      e.ts = s->column_int(3);
      e.recorded_at = s->column_int(4);
      e.source = s->column_text(5);
      e.method = s->column_text(6);
      e.notice_version = s->column_text(7);
      e.notice_hash = s->column_text(8);
      e.proof = s->column_text(9);
      if (!s->is_null(10)) e.expires_at = s->column_int(10);
      out.push_back(std::move(e));
    }
    return out;
  }

  Result<std::vector<PurposeConsentCount>> consent_counts() override {
    CONSENTRIC_ASSIGN_OR_RETURN(Stmt s,
                                db_->prepare("SELECT purpose, sum(granted), sum(1 - granted) FROM "
                                             "consent_state GROUP BY purpose ORDER BY purpose"));
    std::vector<PurposeConsentCount> out;
    while (true) {
      CONSENTRIC_ASSIGN_OR_RETURN(bool row, s.step());
      if (!row) break;
      out.push_back({std::string(s.column_text(0)), s.column_int(1), s.column_int(2)});
    }
    return out;
  }

  Result<bool> has_consent_entry(const ConsentEntry& e) override {
    CONSENTRIC_ASSIGN_OR_RETURN(Stmt * s, stmt(Q::kHasConsentEntry));
    s->bind(1, e.subject)
        .bind_text(2, e.purpose)
        .bind(3, e.ts)
        .bind_text(4, to_string(e.action))
        .bind_text(5, e.source);
    CONSENTRIC_ASSIGN_OR_RETURN(auto row, sqlite::read_one(*s, [](const Stmt&) { return true; }));
    return row.has_value();
  }

  Result<std::int64_t> add_dp_spend(const DpSpendRow& row) override {
    CONSENTRIC_ASSIGN_OR_RETURN(
        Stmt s, db_->prepare("INSERT INTO dp_spends(purpose, epsilon, delta, query, audit_seq, "
                             "spent_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"));
    CONSENTRIC_RETURN_IF_ERROR(s.bind_text(1, row.purpose)
                                   .bind(2, row.epsilon)
                                   .bind(3, row.delta)
                                   .bind_text(4, row.query)
                                   .bind(5, row.audit_seq)
                                   .bind(6, row.spent_at)
                                   .run());
    return db_->last_insert_rowid();
  }

  Result<DpSpent> dp_spent(std::string_view purpose) override {
    CONSENTRIC_ASSIGN_OR_RETURN(
        Stmt s, db_->prepare("SELECT total(epsilon), total(delta), count(*) FROM dp_spends "
                             "WHERE purpose = ?1"));
    s.bind_text(1, purpose);
    CONSENTRIC_ASSIGN_OR_RETURN(
        auto row, sqlite::read_one(s, [](const Stmt& r) {
          return DpSpent{r.column_double(0), r.column_double(1), r.column_int(2)};
        }));
    return row.value_or(DpSpent{});
  }

  Result<std::vector<DpSpendRow>> dp_spends(std::string_view purpose) override {
    CONSENTRIC_ASSIGN_OR_RETURN(
        Stmt s, db_->prepare("SELECT spend_id, purpose, epsilon, delta, query, audit_seq, "
                             "spent_at FROM dp_spends WHERE purpose = ?1 ORDER BY spend_id"));
    s.bind_text(1, purpose);
    std::vector<DpSpendRow> out;
    CONSENTRIC_RETURN_IF_ERROR(for_each_row(s, [&](const Stmt& r) {
      out.push_back({.spend_id = r.column_int(0),
                     .purpose = std::string(r.column_text(1)),
                     .epsilon = r.column_double(2),
                     .delta = r.column_double(3),
                     .query = std::string(r.column_text(4)),
                     .audit_seq = r.column_int(5),
                     .spent_at = r.column_int(6)});
    }));
    return out;
  }

  Result<std::int64_t> add_access_token(const AccessTokenRow& row) override {
    CONSENTRIC_ASSIGN_OR_RETURN(
        Stmt s, db_->prepare("INSERT INTO access_tokens(name, role, token_hash, created_at, "
                             "created_by, expires_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"));
    Status st = s.bind_text(1, row.name)
                    .bind_text(2, row.role)
                    .bind_blob(3, row.token_hash)
                    .bind(4, row.created_at)
                    .bind_text(5, row.created_by)
                    .bind(6, row.expires_at)
                    .run();
    if (st.code() == StatusCode::kAlreadyExists) {
      return already_exists(fmt::format("a token named \"{}\" already exists", row.name));
    }
    CONSENTRIC_RETURN_IF_ERROR(st);
    return db_->last_insert_rowid();
  }

  Result<std::optional<AccessTokenRow>> access_token_by_hash(std::string_view hash) override {
    CONSENTRIC_ASSIGN_OR_RETURN(
        Stmt s, db_->prepare(std::string(kAccessTokenColumns) + " WHERE token_hash = ?1"));
    s.bind_blob(1, hash);
    return sqlite::read_one(s, read_access_token);
  }

  Result<std::vector<AccessTokenRow>> access_tokens() override {
    CONSENTRIC_ASSIGN_OR_RETURN(Stmt s,
                                db_->prepare(std::string(kAccessTokenColumns) + " ORDER BY name"));
    std::vector<AccessTokenRow> out;
    CONSENTRIC_RETURN_IF_ERROR(
        for_each_row(s, [&](const Stmt& r) { out.push_back(read_access_token(r)); }));
    return out;
  }

  Status revoke_access_token(std::string_view name, std::string_view by, UnixSeconds at) override {
    CONSENTRIC_ASSIGN_OR_RETURN(
        Stmt find, db_->prepare("SELECT revoked_at FROM access_tokens WHERE name = ?1"));
    find.bind_text(1, name);
    CONSENTRIC_ASSIGN_OR_RETURN(
        auto revoked, sqlite::read_one(find, [](const Stmt& r) { return !r.is_null(0); }));
    if (!revoked) return not_found(fmt::format("no token is named \"{}\"", name));
    if (*revoked) {
      return failed_precondition(fmt::format("the token \"{}\" is already revoked", name));
    }
    CONSENTRIC_ASSIGN_OR_RETURN(
        Stmt s, db_->prepare("UPDATE access_tokens SET revoked_at = ?2, revoked_by = ?3 "
                             "WHERE name = ?1"));
    return s.bind_text(1, name).bind(2, at).bind_text(3, by).run();
  }

  Status add_privacy_notice(const PrivacyNoticeRow& row) override {
    CONSENTRIC_ASSIGN_OR_RETURN(
        Stmt s, db_->prepare("INSERT INTO privacy_notices(purpose, version, label, text_hash, "
                             "text, published_at, published_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, "
                             "?7)"));
    Status st = s.bind_text(1, row.purpose)
                    .bind(2, row.version)
                    .bind_text(3, row.label)
                    .bind_text(4, row.text_hash)
                    .bind_text(5, row.text)
                    .bind(6, row.published_at)
                    .bind_text(7, row.published_by)
                    .run();
    if (st.code() == StatusCode::kAlreadyExists) {
      return already_exists(fmt::format("version {} of the notice of purpose {} already exists",
                                        row.version, row.purpose));
    }
    return st;
  }

  Result<std::vector<PrivacyNoticeRow>> privacy_notices(std::string_view purpose) override {
    CONSENTRIC_ASSIGN_OR_RETURN(
        Stmt s, db_->prepare("SELECT purpose, version, label, text_hash, text, published_at, "
                             "published_by FROM privacy_notices WHERE purpose = ?1 "
                             "ORDER BY version"));
    s.bind_text(1, purpose);
    std::vector<PrivacyNoticeRow> out;
    CONSENTRIC_RETURN_IF_ERROR(for_each_row(s, [&](const Stmt& r) {
      out.push_back({.purpose = std::string(r.column_text(0)),
                     .version = r.column_int(1),
                     .label = std::string(r.column_text(2)),
                     .text_hash = std::string(r.column_text(3)),
                     .text = std::string(r.column_text(4)),
                     .published_at = r.column_int(5),
                     .published_by = std::string(r.column_text(6))});
    }));
    return out;
  }

  Result<EventsBefore> events_before(std::int64_t type_id, UnixSeconds before) override {
    // No index leads with type or time (events are keyed by subject): one scan of the table,
    // which a retention run pays once per event type with a retention.
    CONSENTRIC_ASSIGN_OR_RETURN(
        Stmt s, db_->prepare("SELECT subject_id, count(*) FROM events WHERE type_id = ?1 AND "
                             "ts < ?2 GROUP BY subject_id ORDER BY subject_id"));
    s.bind(1, type_id).bind(2, before);
    EventsBefore out;
    CONSENTRIC_RETURN_IF_ERROR(for_each_row(s, [&](const Stmt& r) {
      out.subjects.push_back(r.column_int(0));
      out.events += r.column_int(1);
    }));
    return out;
  }

  Result<std::int64_t> delete_events_before(std::int64_t type_id, UnixSeconds before) override {
    CONSENTRIC_ASSIGN_OR_RETURN(Stmt s,
                                db_->prepare("DELETE FROM events WHERE type_id = ?1 AND ts < ?2"));
    CONSENTRIC_RETURN_IF_ERROR(s.bind(1, type_id).bind(2, before).run());
    return static_cast<std::int64_t>(db_->changes());
  }

  Status replace_features(SubjectId subject, const std::optional<FeatureRow>& row) override {
    CONSENTRIC_ASSIGN_OR_RETURN(Stmt counts,
                                db_->prepare("DELETE FROM feature_counts WHERE subject_id = ?1"));
    CONSENTRIC_RETURN_IF_ERROR(counts.bind(1, subject).run());
    CONSENTRIC_ASSIGN_OR_RETURN(Stmt main,
                                db_->prepare("DELETE FROM features WHERE subject_id = ?1"));
    CONSENTRIC_RETURN_IF_ERROR(main.bind(1, subject).run());
    if (!row || row->events == 0) return Status();
    FeatureDelta d = *row;
    d.subject = subject;
    return apply_features(d);
  }

  // Scores stored before schema 7 have no scored_at: they count from their model's creation,
  // which is no later than theirs, so they may go early but never late.
  Result<std::int64_t> clear_memberships(std::int64_t segment_id) override {
    CONSENTRIC_ASSIGN_OR_RETURN(
        Stmt s, db_->prepare("DELETE FROM segment_members WHERE run_id IN (SELECT run_id FROM "
                             "segment_runs WHERE segment_id = ?1)"));
    CONSENTRIC_RETURN_IF_ERROR(s.bind(1, segment_id).run());
    return static_cast<std::int64_t>(db_->changes());
  }

  Result<std::int64_t> count_scores_before(std::string_view purpose, UnixSeconds before) override {
    CONSENTRIC_ASSIGN_OR_RETURN(
        Stmt s,
        db_->prepare("SELECT count(*) FROM scores c JOIN score_models m USING (model_id) WHERE "
                     "m.purpose = ?1 AND coalesce(c.scored_at, m.created_at) < ?2"));
    s.bind_text(1, purpose).bind(2, before);
    CONSENTRIC_ASSIGN_OR_RETURN(std::optional<std::int64_t> n,
                                sqlite::read_one(s, [](const Stmt& r) { return r.column_int(0); }));
    return n.value_or(0);
  }

  Result<std::int64_t> remove_scores_before(std::string_view purpose, UnixSeconds before) override {
    // An open review of a score that is gone would ask a person to judge nothing.
    CONSENTRIC_ASSIGN_OR_RETURN(
        Stmt reviews,
        db_->prepare("DELETE FROM score_reviews WHERE status = 'open' AND (subject_id, model_id) "
                     "IN (SELECT c.subject_id, c.model_id FROM scores c JOIN score_models m "
                     "USING (model_id) WHERE m.purpose = ?1 AND coalesce(c.scored_at, "
                     "m.created_at) < ?2)"));
    CONSENTRIC_RETURN_IF_ERROR(reviews.bind_text(1, purpose).bind(2, before).run());
    CONSENTRIC_ASSIGN_OR_RETURN(
        Stmt s, db_->prepare("DELETE FROM scores WHERE (subject_id, model_id) IN (SELECT "
                             "c.subject_id, c.model_id FROM scores c JOIN score_models m USING "
                             "(model_id) WHERE m.purpose = ?1 AND coalesce(c.scored_at, "
                             "m.created_at) < ?2)"));
    CONSENTRIC_RETURN_IF_ERROR(s.bind_text(1, purpose).bind(2, before).run());
    return static_cast<std::int64_t>(db_->changes());
  }

  Result<bool> is_suppressed(std::string_view blind_index) override {
    CONSENTRIC_ASSIGN_OR_RETURN(Stmt * s, stmt(Q::kIsSuppressed));
    s->bind_blob(1, blind_index);
    CONSENTRIC_ASSIGN_OR_RETURN(auto row, sqlite::read_one(*s, [](const Stmt&) { return true; }));
    return row.has_value();
  }

  Status suppress(std::string_view blind_index, std::string_view field, std::string_view reason,
                  UnixSeconds now) override {
    CONSENTRIC_ASSIGN_OR_RETURN(Stmt * s, stmt(Q::kSuppress));
    return s->bind_blob(1, blind_index).bind_text(2, field).bind_text(3, reason).bind(4, now).run();
  }

  Result<std::optional<AuditRecord>> last_audit() override {
    CONSENTRIC_ASSIGN_OR_RETURN(Stmt * s, stmt(Q::kLastAudit));
    return sqlite::read_one(*s, read_audit);
  }

  Status append_audit(const AuditRecord& r) override {
    CONSENTRIC_ASSIGN_OR_RETURN(Stmt * s, stmt(Q::kAppendAudit));
    return s->bind(1, r.seq)
        .bind(2, r.ts)
        .bind_text(3, r.actor)
        .bind_text(4, r.action)
        .bind_text(5, r.purpose)
        .bind_text(6, r.subject)
        .bind_text(7, r.detail)
        .bind_blob(8, r.prev_hash)
        .bind_blob(9, r.hash)
        .run();
  }

  Status scan_audit(const std::function<Status(const AuditRecord&)>& fn) override {
    CONSENTRIC_ASSIGN_OR_RETURN(
        Stmt s, db_->prepare("SELECT seq, ts, actor, action, purpose, subject, "
                             "detail, prev_hash, hash FROM audit_log ORDER BY seq"));
    while (true) {
      CONSENTRIC_ASSIGN_OR_RETURN(bool row, s.step());
      if (!row) return Status();
      CONSENTRIC_RETURN_IF_ERROR(fn(read_audit(s)));
    }
  }

  Status scan_consent_decisions(std::string_view purpose, UnixSeconds as_of,
                                const std::function<void(const ConsentEntry&)>& fn) override {
    CONSENTRIC_ASSIGN_OR_RETURN(
        Stmt s, db_->prepare("SELECT subject_id, action, ts, entry_id, notice_version, expires_at "
                             "FROM consent_ledger WHERE purpose = ?1 AND ts <= ?2"));
    s.bind_text(1, purpose).bind(2, as_of);
    ConsentEntry e;
    e.purpose = purpose;
    return for_each_row(s, [&](const Stmt& r) {
      e.subject = r.column_int(0);
      e.action = parse_consent_action(r.column_text(1)).value_or(ConsentAction::kWithdraw);
      e.ts = r.column_int(2);
      e.entry_id = r.column_int(3);
      e.notice_version.assign(r.column_text(4));
      e.expires_at.reset();
      if (!r.is_null(5)) e.expires_at = r.column_int(5);
      fn(e);
    });
  }

  Result<std::int64_t> append_limit(const LimitEntry& e) override {
    CONSENTRIC_ASSIGN_OR_RETURN(
        Stmt s,
        db_->prepare("INSERT INTO processing_limits(subject_id, kind, purpose, lifted, ts, "
                     "recorded_at, source, detail) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"));
    CONSENTRIC_RETURN_IF_ERROR(
        s.bind(1, e.subject)
            .bind_text(2, e.kind == LimitKind::kObjection ? "objection" : "restriction")
            .bind_text(3, e.purpose)
            .bind(4, e.lifted ? 1 : 0)
            .bind(5, e.ts)
            .bind(6, e.recorded_at)
            .bind_text(7, e.source)
            .bind_text(8, e.detail.empty() ? std::string_view("{}") : std::string_view(e.detail))
            .run());
    return db_->last_insert_rowid();
  }

  Result<std::vector<LimitEntry>> limit_history(SubjectId subject) override {
    CONSENTRIC_ASSIGN_OR_RETURN(
        Stmt s, db_->prepare("SELECT entry_id, subject_id, kind, purpose, lifted, ts, recorded_at, "
                             "source, detail FROM processing_limits WHERE subject_id = ?1 "
                             "ORDER BY ts, entry_id"));
    s.bind(1, subject);
    std::vector<LimitEntry> out;
    CONSENTRIC_RETURN_IF_ERROR(
        for_each_row(s, [&](const Stmt& r) { out.push_back(read_limit(r)); }));
    return out;
  }

  Status scan_limits(UnixSeconds as_of, const std::function<void(const LimitEntry&)>& fn) override {
    CONSENTRIC_ASSIGN_OR_RETURN(
        Stmt s, db_->prepare("SELECT entry_id, subject_id, kind, purpose, lifted, ts, recorded_at, "
                             "source, detail FROM processing_limits WHERE ts <= ?1"));
    s.bind(1, as_of);
    return for_each_row(s, [&](const Stmt& r) { fn(read_limit(r)); });
  }

  Status add_purpose_features(std::string_view purpose, const FeatureDelta& d) override {
    CONSENTRIC_ASSIGN_OR_RETURN(std::optional<FeatureRow> row,
                                purpose_features(d.subject, purpose));
    FeatureRow merged = row.value_or(FeatureRow{.subject = d.subject});
    merge_features(&merged, d);
    CONSENTRIC_ASSIGN_OR_RETURN(Stmt * s, stmt(Q::kPutPurposeFeatures));
    return bind_purpose_features(*s, purpose, merged).run();
  }

  Status replace_purpose_features(std::string_view purpose, SubjectId subject,
                                  const std::optional<FeatureRow>& row) override {
    CONSENTRIC_ASSIGN_OR_RETURN(
        Stmt del,
        db_->prepare("DELETE FROM purpose_features WHERE purpose = ?1 AND subject_id = ?2"));
    CONSENTRIC_RETURN_IF_ERROR(del.bind_text(1, purpose).bind(2, subject).run());
    if (!row || row->events == 0) return Status();
    CONSENTRIC_ASSIGN_OR_RETURN(Stmt * s, stmt(Q::kPutPurposeFeatures));
    FeatureRow r = *row;
    r.subject = subject;
    return bind_purpose_features(*s, purpose, r).run();
  }

  Result<std::optional<FeatureRow>> purpose_features(SubjectId subject,
                                                     std::string_view purpose) override {
    CONSENTRIC_ASSIGN_OR_RETURN(Stmt * s, stmt(Q::kPurposeFeatures));
    s->bind_text(1, purpose).bind(2, subject);
    return sqlite::read_one(*s, read_purpose_features);
  }

  Status scan_purpose_features(std::string_view purpose,
                               const std::function<void(const FeatureRow&)>& fn) override {
    CONSENTRIC_ASSIGN_OR_RETURN(
        Stmt s, db_->prepare("SELECT subject_id, first_seen, last_seen, event_count, "
                             "last_purchase, frequency, monetary, type_counts FROM "
                             "purpose_features WHERE purpose = ?1 ORDER BY subject_id"));
    s.bind_text(1, purpose);
    return for_each_row(s, [&](const Stmt& r) { fn(read_purpose_features(r)); });
  }

  Status clear_purpose_features(std::string_view purpose) override {
    CONSENTRIC_ASSIGN_OR_RETURN(Stmt s,
                                db_->prepare("DELETE FROM purpose_features WHERE purpose = ?1"));
    return s.bind_text(1, purpose).run();
  }

  Result<std::vector<EventTypeRow>> event_types() override {
    CONSENTRIC_ASSIGN_OR_RETURN(
        Stmt s, db_->prepare("SELECT type_id, name FROM event_types ORDER BY type_id"));
    std::vector<EventTypeRow> out;
    CONSENTRIC_RETURN_IF_ERROR(for_each_row(s, [&](const Stmt& r) {
      out.push_back({r.column_int(0), std::string(r.column_text(1))});
    }));
    return out;
  }

  Status scan_subjects(const std::function<void(const SubjectRow&)>& fn) override {
    CONSENTRIC_ASSIGN_OR_RETURN(
        Stmt s, db_->prepare("SELECT subject_id, pseudonym, created_at, updated_at, anonymous "
                             "FROM subjects ORDER BY subject_id"));
    SubjectRow row;
    return for_each_row(s, [&](const Stmt& r) {
      row.id = r.column_int(0);
      row.pseudonym.assign(r.column_text(1));
      row.created_at = r.column_int(2);
      row.updated_at = r.column_int(3);
      row.anonymous = r.column_int(4) != 0;
      fn(row);
    });
  }

  Status scan_profiles(const std::function<void(SubjectId, const ProfileRow&)>& fn) override {
    CONSENTRIC_ASSIGN_OR_RETURN(
        Stmt s, db_->prepare("SELECT subject_id, plain, sealed, updated_at FROM profiles ORDER BY "
                             "subject_id"));
    ProfileRow row;
    return for_each_row(s, [&](const Stmt& r) {
      row.plain.assign(r.column_text(1));
      row.sealed.assign(r.column_blob(2));
      row.updated_at = r.column_int(3);
      fn(r.column_int(0), row);
    });
  }

  Status scan_subject_events(SubjectId subject, UnixSeconds until,
                             const std::function<void(const EventRow&)>& fn) override {
    CONSENTRIC_ASSIGN_OR_RETURN(Stmt * s, stmt(Q::kSubjectEvents));
    s->bind(1, subject).bind(2, until);
    EventRow e;
    Status st = for_each_row(*s, [&](const Stmt& r) {
      e.subject = r.column_int(0);
      e.ts = r.column_int(1);
      e.dedup = r.column_int(2);
      e.type_id = r.column_int(3);
      e.props.assign(r.column_text(4));
      e.sealed.assign(r.column_blob(5));
      fn(e);
    });
    s->reset();
    return st;
  }

  Status scan_subject_event_times(SubjectId subject, UnixSeconds after, UnixSeconds until,
                                  const std::function<void(const EventRow&)>& fn) override {
    CONSENTRIC_ASSIGN_OR_RETURN(Stmt * s, stmt(Q::kSubjectEventTimes));
    s->bind(1, subject).bind(2, after).bind(3, until);
    EventRow e;
    e.subject = subject;
    Status st = for_each_row(*s, [&](const Stmt& r) {
      e.ts = r.column_int(0);
      e.dedup = r.column_int(1);
      e.type_id = r.column_int(2);
      fn(e);
    });
    s->reset();
    return st;
  }

  Result<std::vector<SubjectId>> subjects_with_events() override {
    CONSENTRIC_ASSIGN_OR_RETURN(Stmt s,
                                db_->prepare("SELECT DISTINCT subject_id FROM events ORDER BY 1"));
    std::vector<SubjectId> out;
    CONSENTRIC_RETURN_IF_ERROR(
        for_each_row(s, [&](const Stmt& r) { out.push_back(r.column_int(0)); }));
    return out;
  }

  Status put_audit_checkpoint(const AuditCheckpointRow& row) override {
    CONSENTRIC_ASSIGN_OR_RETURN(
        Stmt s, db_->prepare("INSERT OR REPLACE INTO audit_checkpoints(size, root, ts, note) "
                             "VALUES (?1, ?2, ?3, ?4)"));
    return s.bind(1, row.size).bind_blob(2, row.root).bind(3, row.ts).bind_text(4, row.note).run();
  }

  Result<std::vector<AuditCheckpointRow>> audit_checkpoints() override {
    CONSENTRIC_ASSIGN_OR_RETURN(
        Stmt s, db_->prepare("SELECT size, root, ts, note FROM audit_checkpoints ORDER BY size"));
    std::vector<AuditCheckpointRow> out;
    CONSENTRIC_RETURN_IF_ERROR(for_each_row(s, [&](const Stmt& r) {
      out.push_back({r.column_int(0), std::string(r.column_blob(1)), r.column_int(2),
                     std::string(r.column_text(3))});
    }));
    return out;
  }

  Result<std::int64_t> create_segment(const SegmentRow& row) override {
    CONSENTRIC_ASSIGN_OR_RETURN(
        Stmt s, db_->prepare("INSERT INTO segments(name, purpose, kind, definition, created_at, "
                             "created_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"));
    Status st = s.bind_text(1, row.name)
                    .bind_text(2, row.purpose)
                    .bind_text(3, row.kind)
                    .bind_text(4, row.definition)
                    .bind(5, row.created_at)
                    .bind_text(6, row.created_by)
                    .run();
    if (st.code() == StatusCode::kAlreadyExists) {
      return already_exists(fmt::format("a segment named \"{}\" already exists", row.name));
    }
    CONSENTRIC_RETURN_IF_ERROR(st);
    return db_->last_insert_rowid();
  }

  Result<std::optional<SegmentRow>> segment(std::string_view name) override {
    CONSENTRIC_ASSIGN_OR_RETURN(Stmt s,
                                db_->prepare(std::string(kSegmentColumns) + " WHERE name = ?1"));
    s.bind_text(1, name);
    return sqlite::read_one(s, read_segment);
  }

  Result<std::vector<SegmentRow>> segments() override {
    CONSENTRIC_ASSIGN_OR_RETURN(Stmt s,
                                db_->prepare(std::string(kSegmentColumns) + " ORDER BY name"));
    std::vector<SegmentRow> out;
    CONSENTRIC_RETURN_IF_ERROR(
        for_each_row(s, [&](const Stmt& r) { out.push_back(read_segment(r)); }));
    return out;
  }

  Result<std::int64_t> add_segment_run(const SegmentRunRow& row) override {
    CONSENTRIC_ASSIGN_OR_RETURN(
        Stmt s, db_->prepare("INSERT INTO segment_runs(segment_id, as_of, started_at, seconds, "
                             "view_rows, model, audit_seq) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"));
    CONSENTRIC_RETURN_IF_ERROR(s.bind(1, row.segment_id)
                                   .bind(2, row.as_of)
                                   .bind(3, row.started_at)
                                   .bind(4, row.seconds)
                                   .bind(5, row.view_rows)
                                   .bind_text(6, row.model)
                                   .bind(7, row.audit_seq)
                                   .run());
    return db_->last_insert_rowid();
  }

  Result<std::vector<SegmentRunRow>> segment_runs(std::int64_t segment_id) override {
    CONSENTRIC_ASSIGN_OR_RETURN(
        Stmt s, db_->prepare("SELECT run_id, segment_id, as_of, started_at, seconds, view_rows, "
                             "model, audit_seq FROM segment_runs WHERE segment_id = ?1 "
                             "ORDER BY run_id"));
    s.bind(1, segment_id);
    std::vector<SegmentRunRow> out;
    CONSENTRIC_RETURN_IF_ERROR(for_each_row(s, [&](const Stmt& r) {
      out.push_back({r.column_int(0), r.column_int(1), r.column_int(2), r.column_int(3),
                     r.column_double(4), r.column_int(5), std::string(r.column_text(6)),
                     r.column_int(7)});
    }));
    return out;
  }

  Status put_memberships(std::int64_t segment_id, std::int64_t run_id,
                         const std::vector<MembershipRow>& rows) override {
    CONSENTRIC_ASSIGN_OR_RETURN(
        Stmt clear, db_->prepare("DELETE FROM segment_members WHERE run_id IN (SELECT run_id FROM "
                                 "segment_runs WHERE segment_id = ?1 AND run_id <> ?2)"));
    CONSENTRIC_RETURN_IF_ERROR(clear.bind(1, segment_id).bind(2, run_id).run());
    CONSENTRIC_ASSIGN_OR_RETURN(
        Stmt s,
        db_->prepare("INSERT INTO segment_members(subject_id, run_id, label, distance, rfm) "
                     "VALUES (?1, ?2, ?3, ?4, ?5)"));
    for (const MembershipRow& m : rows) {
      s.bind(1, m.subject).bind(2, run_id).bind(3, m.label);
      if (m.distance)
        s.bind(4, *m.distance);
      else
        s.bind_null(4);
      if (m.rfm)
        s.bind(5, *m.rfm);
      else
        s.bind_null(5);
      CONSENTRIC_RETURN_IF_ERROR(s.run());
      s.reset();
    }
    return Status();
  }

  Result<std::vector<std::pair<std::int32_t, std::int64_t>>> membership_counts(
      std::int64_t run_id) override {
    CONSENTRIC_ASSIGN_OR_RETURN(
        Stmt s, db_->prepare("SELECT label, count(*) FROM segment_members WHERE run_id = ?1 "
                             "GROUP BY label ORDER BY label"));
    s.bind(1, run_id);
    std::vector<std::pair<std::int32_t, std::int64_t>> out;
    CONSENTRIC_RETURN_IF_ERROR(for_each_row(s, [&](const Stmt& r) {
      out.emplace_back(static_cast<std::int32_t>(r.column_int(0)), r.column_int(1));
    }));
    return out;
  }

  Status scan_memberships(
      std::int64_t run_id,
      const std::function<void(const MembershipRow&, std::string_view)>& fn) override {
    CONSENTRIC_ASSIGN_OR_RETURN(
        Stmt s, db_->prepare("SELECT m.subject_id, m.label, m.distance, m.rfm, s.pseudonym "
                             "FROM segment_members m JOIN subjects s USING (subject_id) "
                             "WHERE m.run_id = ?1 ORDER BY m.label, s.pseudonym"));
    s.bind(1, run_id);
    return for_each_row(s, [&](const Stmt& r) {
      MembershipRow m{.subject = r.column_int(0),
                      .label = static_cast<std::int32_t>(r.column_int(1))};
      if (!r.is_null(2)) m.distance = r.column_double(2);
      if (!r.is_null(3)) m.rfm = static_cast<std::int32_t>(r.column_int(3));
      fn(m, r.column_text(4));
    });
  }

  Result<std::vector<std::string>> membership_purposes(SubjectId subject) override {
    CONSENTRIC_ASSIGN_OR_RETURN(Stmt * s, stmt(Q::kMembershipPurposes));
    s->bind(1, subject);
    std::vector<std::string> out;
    Status st = for_each_row(*s, [&](const Stmt& r) { out.emplace_back(r.column_text(0)); });
    s->reset();
    CONSENTRIC_RETURN_IF_ERROR(st);
    return out;
  }

  Result<std::int64_t> remove_memberships(SubjectId subject, std::string_view purpose) override {
    CONSENTRIC_ASSIGN_OR_RETURN(
        Stmt s, db_->prepare("DELETE FROM segment_members WHERE subject_id = ?1 AND run_id IN "
                             "(SELECT r.run_id FROM segment_runs r JOIN segments g "
                             "USING (segment_id) WHERE g.purpose = ?2)"));
    CONSENTRIC_RETURN_IF_ERROR(s.bind(1, subject).bind_text(2, purpose).run());
    return static_cast<std::int64_t>(db_->changes());
  }

  Result<std::int64_t> add_score_model(const ScoreModelRow& row) override {
    CONSENTRIC_ASSIGN_OR_RETURN(
        Stmt s, db_->prepare("INSERT INTO score_models(purpose, kind, version, created_at, "
                             "created_by, active, stale, stale_reason, review_due, features, "
                             "model, card, training_subjects, audit_seq) VALUES (?1, ?2, ?3, ?4, "
                             "?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)"));
    const Status st = s.bind_text(1, row.purpose)
                          .bind_text(2, row.kind)
                          .bind(3, row.version)
                          .bind(4, row.created_at)
                          .bind_text(5, row.created_by)
                          .bind(6, row.active ? 1 : 0)
                          .bind(7, row.stale ? 1 : 0)
                          .bind_text(8, row.stale_reason)
                          .bind(9, row.review_due)
                          .bind_text(10, row.features)
                          .bind_text(11, row.model)
                          .bind_text(12, row.card)
                          .bind_blob(13, row.training_subjects)
                          .bind(14, row.audit_seq)
                          .run();
    if (st.code() == StatusCode::kAlreadyExists) {
      return already_exists(
          fmt::format("purpose \"{}\" has a model version {} already", row.purpose, row.version));
    }
    CONSENTRIC_RETURN_IF_ERROR(st);
    return db_->last_insert_rowid();
  }

  Result<std::vector<ScoreModelRow>> score_models(std::string_view purpose) override {
    CONSENTRIC_ASSIGN_OR_RETURN(
        Stmt s, db_->prepare(std::string(kScoreModelColumns) +
                             " WHERE ?1 = '' OR purpose = ?1 ORDER BY purpose, version"));
    s.bind_text(1, purpose);
    std::vector<ScoreModelRow> out;
    CONSENTRIC_RETURN_IF_ERROR(
        for_each_row(s, [&](const Stmt& r) { out.push_back(read_score_model(r)); }));
    return out;
  }

  Result<std::optional<ScoreModelRow>> score_model(std::int64_t model_id) override {
    CONSENTRIC_ASSIGN_OR_RETURN(
        Stmt s, db_->prepare(std::string(kScoreModelColumns) + " WHERE model_id = ?1"));
    s.bind(1, model_id);
    return sqlite::read_one(s, read_score_model);
  }

  Status activate_score_model(std::int64_t model_id) override {
    CONSENTRIC_ASSIGN_OR_RETURN(std::optional<ScoreModelRow> m, score_model(model_id));
    if (!m) return not_found(fmt::format("no model {}", model_id));
    // Off first: at most one active model per purpose (score_models_active).
    CONSENTRIC_ASSIGN_OR_RETURN(
        Stmt off, db_->prepare("UPDATE score_models SET active = 0 WHERE purpose = ?1 AND "
                               "active = 1 AND model_id <> ?2"));
    CONSENTRIC_RETURN_IF_ERROR(off.bind_text(1, m->purpose).bind(2, model_id).run());
    CONSENTRIC_ASSIGN_OR_RETURN(
        Stmt on, db_->prepare("UPDATE score_models SET active = 1 WHERE model_id = ?1"));
    return on.bind(1, model_id).run();
  }

  Status put_scores(std::int64_t model_id, const std::vector<ScoreRow>& rows) override {
    CONSENTRIC_ASSIGN_OR_RETURN(
        Stmt clear, db_->prepare("DELETE FROM scores WHERE model_id IN (SELECT model_id FROM "
                                 "score_models WHERE purpose = (SELECT purpose FROM "
                                 "score_models WHERE model_id = ?1))"));
    CONSENTRIC_RETURN_IF_ERROR(clear.bind(1, model_id).run());
    CONSENTRIC_ASSIGN_OR_RETURN(
        Stmt s, db_->prepare("INSERT INTO scores(subject_id, model_id, score, explanation, "
                             "scored_at) VALUES (?1, ?2, ?3, ?4, ?5)"));
    for (const ScoreRow& r : rows) {
      CONSENTRIC_RETURN_IF_ERROR(s.bind(1, r.subject)
                                     .bind(2, model_id)
                                     .bind(3, r.score)
                                     .bind_text(4, r.explanation)
                                     .bind(5, r.scored_at)
                                     .run());
      s.reset();
    }
    return Status();
  }

  Status scan_scores(std::int64_t model_id,
                     const std::function<void(const ScoreRow&, std::string_view)>& fn) override {
    CONSENTRIC_ASSIGN_OR_RETURN(
        Stmt s, db_->prepare("SELECT c.subject_id, c.model_id, c.score, c.explanation, "
                             "s.pseudonym FROM scores c JOIN subjects s USING (subject_id) "
                             "WHERE c.model_id = ?1 ORDER BY c.score DESC, s.pseudonym"));
    s.bind(1, model_id);
    return for_each_row(s, [&](const Stmt& r) {
      fn({r.column_int(0), r.column_int(1), r.column_double(2), std::string(r.column_text(3))},
         r.column_text(4));
    });
  }

  Result<std::vector<ScoreRow>> subject_scores(SubjectId subject) override {
    CONSENTRIC_ASSIGN_OR_RETURN(
        Stmt s, db_->prepare("SELECT subject_id, model_id, score, explanation FROM scores "
                             "WHERE subject_id = ?1 ORDER BY model_id"));
    s.bind(1, subject);
    std::vector<ScoreRow> out;
    CONSENTRIC_RETURN_IF_ERROR(for_each_row(s, [&](const Stmt& r) {
      out.push_back(
          {r.column_int(0), r.column_int(1), r.column_double(2), std::string(r.column_text(3))});
    }));
    return out;
  }

  Result<std::int64_t> remove_scores(SubjectId subject, std::string_view purpose) override {
    CONSENTRIC_ASSIGN_OR_RETURN(
        Stmt reviews, db_->prepare("DELETE FROM score_reviews WHERE subject_id = ?1 AND status = "
                                   "'open' AND model_id IN (SELECT model_id FROM score_models "
                                   "WHERE purpose = ?2)"));
    CONSENTRIC_RETURN_IF_ERROR(reviews.bind(1, subject).bind_text(2, purpose).run());
    CONSENTRIC_ASSIGN_OR_RETURN(
        Stmt s, db_->prepare("DELETE FROM scores WHERE subject_id = ?1 AND model_id IN "
                             "(SELECT model_id FROM score_models WHERE purpose = ?2)"));
    CONSENTRIC_RETURN_IF_ERROR(s.bind(1, subject).bind_text(2, purpose).run());
    return static_cast<std::int64_t>(db_->changes());
  }

  Result<std::vector<std::string>> scoring_purposes(SubjectId subject) override {
    std::vector<std::string> out;
    CONSENTRIC_ASSIGN_OR_RETURN(const auto* sets, training_sets());
    for (const TrainingSet& t : *sets) {
      if (!t.stale && std::binary_search(t.subjects.begin(), t.subjects.end(), subject)) {
        out.push_back(t.purpose);
      }
    }
    CONSENTRIC_ASSIGN_OR_RETURN(
        Stmt s, db_->prepare("SELECT DISTINCT m.purpose FROM scores c JOIN score_models m "
                             "USING (model_id) WHERE c.subject_id = ?1"));
    s.bind(1, subject);
    CONSENTRIC_RETURN_IF_ERROR(
        for_each_row(s, [&](const Stmt& r) { out.emplace_back(r.column_text(0)); }));
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
  }

  Result<std::vector<std::int64_t>> mark_models_stale(SubjectId subject, std::string_view purpose,
                                                      std::string_view reason) override {
    std::vector<std::int64_t> out;
    CONSENTRIC_ASSIGN_OR_RETURN(auto* sets, training_sets());
    CONSENTRIC_ASSIGN_OR_RETURN(Stmt s,
                                db_->prepare("UPDATE score_models SET stale = 1, stale_reason = ?2 "
                                             "WHERE model_id = ?1 AND stale = 0"));
    for (TrainingSet& t : *sets) {
      if (t.stale || (!purpose.empty() && t.purpose != purpose)) continue;
      if (!std::binary_search(t.subjects.begin(), t.subjects.end(), subject)) continue;
      CONSENTRIC_RETURN_IF_ERROR(s.bind(1, t.model_id).bind_text(2, reason).run());
      s.reset();
      out.push_back(t.model_id);
    }
    // The cache follows the database only once the transaction commits.
    training_cache_.reset();
    return out;
  }

  // Points scoring (docs/scoring.md, "Points").
  Status scan_points_balances(std::string_view purpose,
                              const std::function<void(const PointsBalance&)>& fn) override {
    CONSENTRIC_ASSIGN_OR_RETURN(
        Stmt s, db_->prepare("SELECT subject_id, rule, kind, event_id, event_ts, sum(delta) "
                             "FROM points_log WHERE purpose = ?1 GROUP BY subject_id, rule, "
                             "kind, event_ts, event_id HAVING sum(delta) != 0 "
                             "ORDER BY subject_id, rule, kind, event_ts, event_id"));
    s.bind_text(1, purpose);
    return for_each_row(s, [&](const Stmt& r) {
      PointsBalance b{.subject = r.column_int(0),
                      .rule = std::string(r.column_text(1)),
                      .kind = std::string(r.column_text(2)),
                      .milli = r.column_int(5)};
      if (!r.is_null(3)) b.event_id = r.column_int(3);
      if (!r.is_null(4)) b.event_ts = r.column_int(4);
      fn(b);
    });
  }

  Status add_points_log(const std::vector<PointsLogRow>& rows) override {
    CONSENTRIC_ASSIGN_OR_RETURN(
        Stmt log, db_->prepare("INSERT INTO points_log(subject_id, purpose, rule, kind, "
                               "event_id, event_ts, reason, delta, at, audit_seq) VALUES "
                               "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"));
    CONSENTRIC_ASSIGN_OR_RETURN(
        Stmt total, db_->prepare("INSERT INTO points_totals(subject_id, purpose, total, grade, "
                                 "mql, as_of) VALUES (?1, ?2, ?3, 'D', 0, ?4) ON CONFLICT("
                                 "subject_id, purpose) DO UPDATE SET total = total + "
                                 "excluded.total"));
    for (const PointsLogRow& r : rows) {
      log.bind(1, r.subject)
          .bind_text(2, r.purpose)
          .bind_text(3, r.rule)
          .bind_text(4, r.kind)
          .bind_text(7, r.reason)
          .bind(8, r.delta_milli)
          .bind(9, r.at)
          .bind(10, r.audit_seq);
      if (r.event_id)
        log.bind(5, *r.event_id);
      else
        log.bind_null(5);
      if (r.event_ts)
        log.bind(6, *r.event_ts);
      else
        log.bind_null(6);
      CONSENTRIC_RETURN_IF_ERROR(log.run());
      log.reset();
      CONSENTRIC_RETURN_IF_ERROR(total.bind(1, r.subject)
                                     .bind_text(2, r.purpose)
                                     .bind(3, r.delta_milli)
                                     .bind(4, r.at)
                                     .run());
      total.reset();
    }
    return Status();
  }

  Status put_points_grades(const std::vector<PointsTotalRow>& rows) override {
    CONSENTRIC_ASSIGN_OR_RETURN(
        Stmt s, db_->prepare("INSERT INTO points_totals(subject_id, purpose, total, grade, mql, "
                             "as_of) VALUES (?1, ?2, 0, ?3, ?4, ?5) ON CONFLICT(subject_id, "
                             "purpose) DO UPDATE SET grade = excluded.grade, mql = excluded.mql, "
                             "as_of = excluded.as_of"));
    for (const PointsTotalRow& r : rows) {
      CONSENTRIC_RETURN_IF_ERROR(s.bind(1, r.subject)
                                     .bind_text(2, r.purpose)
                                     .bind_text(3, r.grade)
                                     .bind(4, r.mql ? 1 : 0)
                                     .bind(5, r.as_of)
                                     .run());
      s.reset();
    }
    return Status();
  }

  static PointsTotalRow points_total_of(const Stmt& r) {
    return {.subject = r.column_int(0),
            .pseudonym = std::string(r.column_text(1)),
            .purpose = std::string(r.column_text(2)),
            .total_milli = r.column_int(3),
            .grade = std::string(r.column_text(4)),
            .mql = r.column_int(5) != 0,
            .as_of = r.column_int(6)};
  }

  Result<std::vector<PointsTotalRow>> points_totals(std::string_view purpose,
                                                    std::int64_t limit) override {
    CONSENTRIC_ASSIGN_OR_RETURN(
        Stmt s, db_->prepare("SELECT t.subject_id, s.pseudonym, t.purpose, t.total, t.grade, "
                             "t.mql, t.as_of FROM points_totals t JOIN subjects s USING "
                             "(subject_id) WHERE t.purpose = ?1 ORDER BY t.total DESC, "
                             "s.pseudonym LIMIT ?2"));
    s.bind_text(1, purpose).bind(2, limit > 0 ? limit : std::int64_t{-1});
    std::vector<PointsTotalRow> out;
    CONSENTRIC_RETURN_IF_ERROR(
        for_each_row(s, [&](const Stmt& r) { out.push_back(points_total_of(r)); }));
    return out;
  }

  Result<std::vector<PointsTotalRow>> subject_points(SubjectId subject) override {
    CONSENTRIC_ASSIGN_OR_RETURN(
        Stmt s, db_->prepare("SELECT t.subject_id, s.pseudonym, t.purpose, t.total, t.grade, "
                             "t.mql, t.as_of FROM points_totals t JOIN subjects s USING "
                             "(subject_id) WHERE t.subject_id = ?1 ORDER BY t.purpose"));
    s.bind(1, subject);
    std::vector<PointsTotalRow> out;
    CONSENTRIC_RETURN_IF_ERROR(
        for_each_row(s, [&](const Stmt& r) { out.push_back(points_total_of(r)); }));
    return out;
  }

  Result<std::vector<PointsLogRow>> points_log(SubjectId subject,
                                               std::string_view purpose) override {
    CONSENTRIC_ASSIGN_OR_RETURN(
        Stmt s, db_->prepare("SELECT entry_id, subject_id, purpose, rule, kind, event_id, "
                             "event_ts, reason, delta, at, audit_seq FROM points_log WHERE "
                             "subject_id = ?1 AND purpose = ?2 ORDER BY entry_id"));
    s.bind(1, subject).bind_text(2, purpose);
    std::vector<PointsLogRow> out;
    CONSENTRIC_RETURN_IF_ERROR(for_each_row(s, [&](const Stmt& r) {
      PointsLogRow row{.entry_id = r.column_int(0),
                       .subject = r.column_int(1),
                       .purpose = std::string(r.column_text(2)),
                       .rule = std::string(r.column_text(3)),
                       .kind = std::string(r.column_text(4)),
                       .reason = std::string(r.column_text(7)),
                       .delta_milli = r.column_int(8),
                       .at = r.column_int(9),
                       .audit_seq = r.column_int(10)};
      if (!r.is_null(5)) row.event_id = r.column_int(5);
      if (!r.is_null(6)) row.event_ts = r.column_int(6);
      out.push_back(std::move(row));
    }));
    return out;
  }

  Result<std::vector<std::string>> points_purposes(SubjectId subject) override {
    CONSENTRIC_ASSIGN_OR_RETURN(
        Stmt s, db_->prepare("SELECT purpose FROM points_totals WHERE subject_id = ?1 UNION "
                             "SELECT DISTINCT purpose FROM points_log WHERE subject_id = ?1 "
                             "ORDER BY 1"));
    s.bind(1, subject);
    std::vector<std::string> out;
    CONSENTRIC_RETURN_IF_ERROR(
        for_each_row(s, [&](const Stmt& r) { out.emplace_back(r.column_text(0)); }));
    return out;
  }

  Result<std::int64_t> remove_points(SubjectId subject, std::string_view purpose) override {
    CONSENTRIC_ASSIGN_OR_RETURN(Stmt total,
                                db_->prepare("DELETE FROM points_totals WHERE subject_id = ?1 AND "
                                             "purpose = ?2"));
    CONSENTRIC_RETURN_IF_ERROR(total.bind(1, subject).bind_text(2, purpose).run());
    CONSENTRIC_ASSIGN_OR_RETURN(
        Stmt log, db_->prepare("DELETE FROM points_log WHERE subject_id = ?1 AND purpose = ?2"));
    CONSENTRIC_RETURN_IF_ERROR(log.bind(1, subject).bind_text(2, purpose).run());
    return static_cast<std::int64_t>(db_->changes());
  }

  Result<std::int64_t> queue_score_reviews(const std::vector<ScoreReviewRow>& rows) override {
    CONSENTRIC_ASSIGN_OR_RETURN(
        Stmt s, db_->prepare("INSERT OR IGNORE INTO score_reviews(subject_id, model_id, score, "
                             "direction, queued_at) VALUES (?1, ?2, ?3, ?4, ?5)"));
    std::int64_t added = 0;
    for (const ScoreReviewRow& r : rows) {
      CONSENTRIC_RETURN_IF_ERROR(s.bind(1, r.subject)
                                     .bind(2, r.model_id)
                                     .bind(3, r.score)
                                     .bind_text(4, r.direction)
                                     .bind(5, r.queued_at)
                                     .run());
      added += static_cast<std::int64_t>(db_->changes());
      s.reset();
    }
    return added;
  }

  static constexpr std::string_view kReviewColumns =
      "SELECT v.review_id, v.subject_id, s.pseudonym, v.model_id, m.purpose, v.score, "
      "v.direction, v.queued_at, v.status, v.decided_at, v.decided_by, v.note, v.audit_seq "
      "FROM score_reviews v JOIN subjects s USING (subject_id) JOIN score_models m "
      "USING (model_id)";
  static ScoreReviewRow read_review(const Stmt& r) {
    ScoreReviewRow v{.review_id = r.column_int(0),
                     .subject = r.column_int(1),
                     .pseudonym = std::string(r.column_text(2)),
                     .model_id = r.column_int(3),
                     .purpose = std::string(r.column_text(4)),
                     .score = r.column_double(5),
                     .direction = std::string(r.column_text(6)),
                     .queued_at = r.column_int(7),
                     .status = std::string(r.column_text(8)),
                     .decided_by = std::string(r.column_text(10)),
                     .note = std::string(r.column_text(11))};
    if (!r.is_null(9)) v.decided_at = r.column_int(9);
    if (!r.is_null(12)) v.audit_seq = r.column_int(12);
    return v;
  }

  Result<std::vector<ScoreReviewRow>> score_reviews(std::string_view purpose,
                                                    std::string_view status) override {
    CONSENTRIC_ASSIGN_OR_RETURN(
        Stmt s, db_->prepare(std::string(kReviewColumns) +
                             " WHERE (?1 = '' OR m.purpose = ?1) AND (?2 = '' OR v.status = ?2) "
                             "ORDER BY v.review_id"));
    s.bind_text(1, purpose).bind_text(2, status);
    std::vector<ScoreReviewRow> out;
    CONSENTRIC_RETURN_IF_ERROR(
        for_each_row(s, [&](const Stmt& r) { out.push_back(read_review(r)); }));
    return out;
  }

  Result<std::optional<ScoreReviewRow>> score_review(std::int64_t review_id) override {
    CONSENTRIC_ASSIGN_OR_RETURN(
        Stmt s, db_->prepare(std::string(kReviewColumns) + " WHERE v.review_id = ?1"));
    s.bind(1, review_id);
    return sqlite::read_one(s, read_review);
  }

  Status decide_score_review(const ScoreReviewRow& d) override {
    CONSENTRIC_ASSIGN_OR_RETURN(
        Stmt s, db_->prepare("UPDATE score_reviews SET status = ?2, decided_at = ?3, "
                             "decided_by = ?4, note = ?5, audit_seq = ?6 "
                             "WHERE review_id = ?1 AND status = 'open'"));
    s.bind(1, d.review_id)
        .bind_text(2, d.status)
        .bind(3, d.decided_at.value_or(0))
        .bind_text(4, d.decided_by)
        .bind_text(5, d.note);
    if (d.audit_seq)
      s.bind(6, *d.audit_seq);
    else
      s.bind_null(6);
    CONSENTRIC_RETURN_IF_ERROR(s.run());
    if (db_->changes() == 0) {
      return failed_precondition(fmt::format("review {} is not open", d.review_id));
    }
    return Status();
  }

  Result<std::int64_t> record_import(const ImportRecord& r) override {
    CONSENTRIC_ASSIGN_OR_RETURN(
        Stmt s, db_->prepare(
                    "INSERT INTO imports(kind, file, hash, started_at, finished_at, rows, "
                    "inserted, updated, unchanged, "
                    "rejected, suppressed) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"));
    CONSENTRIC_RETURN_IF_ERROR(s.bind_text(1, r.kind)
                                   .bind_text(2, r.file)
                                   .bind_text(3, r.sha256)
                                   .bind(4, r.started_at)
                                   .bind(5, r.finished_at)
                                   .bind(6, r.rows)
                                   .bind(7, r.inserted)
                                   .bind(8, r.updated)
                                   .bind(9, r.unchanged)
                                   .bind(10, r.rejected)
                                   .bind(11, r.suppressed)
                                   .run());
    return db_->last_insert_rowid();
  }

  Result<StoreCounts> counts() override {
    StoreCounts c;
    const std::pair<std::int64_t*, std::string_view> queries[] = {
        {&c.subjects, "SELECT count(*) FROM subjects"},
        {&c.anonymous, "SELECT count(*) FROM subjects WHERE anonymous = 1"},
        {&c.identifiers, "SELECT count(*) FROM identifiers"},
        {&c.profiles, "SELECT count(*) FROM profiles"},
        {&c.events, "SELECT count(*) FROM events"},
        {&c.consent_entries, "SELECT count(*) FROM consent_ledger"},
        {&c.audit_entries, "SELECT count(*) FROM audit_log"},
        {&c.suppressed, "SELECT count(*) FROM suppression"},
    };
    for (const auto& [out, sql] : queries) {
      CONSENTRIC_ASSIGN_OR_RETURN(*out, db_->query_int(sql));
    }
    return c;
  }

  Result<std::int64_t> add_dsar(const DsarRow& row) override {
    CONSENTRIC_ASSIGN_OR_RETURN(
        Stmt s, db_->prepare("INSERT INTO dsar_requests(type, regime, identifier_field, "
                             "subject_id, received_at, verified, due_at, extended, "
                             "extension_reason, status, completed_at, evidence) VALUES (?2, ?3, "
                             "?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)"));
    CONSENTRIC_RETURN_IF_ERROR(bind_dsar(s, row).run());
    return db_->last_insert_rowid();
  }

  Result<std::optional<DsarRow>> dsar(std::int64_t request_id) override {
    CONSENTRIC_ASSIGN_OR_RETURN(Stmt s,
                                db_->prepare(std::string(kDsarColumns) + " WHERE request_id = ?1"));
    s.bind(1, request_id);
    return sqlite::read_one(s, read_dsar);
  }

  Status update_dsar(const DsarRow& row) override {
    CONSENTRIC_ASSIGN_OR_RETURN(
        Stmt s, db_->prepare("UPDATE dsar_requests SET type = ?2, regime = ?3, "
                             "identifier_field = ?4, subject_id = ?5, received_at = ?6, "
                             "verified = ?7, due_at = ?8, extended = ?9, extension_reason = ?10, "
                             "status = ?11, completed_at = ?12, evidence = ?13 "
                             "WHERE request_id = ?1"));
    CONSENTRIC_RETURN_IF_ERROR(bind_dsar(s, row).bind(1, row.request_id).run());
    if (db_->changes() == 0) return not_found(fmt::format("no request {}", row.request_id));
    return Status();
  }

  Result<std::vector<DsarRow>> dsars(const DsarFilter& f) override {
    // Only the filters given go into the statement, so a look-up by subject uses its index
    // (an "?n IS NULL OR ..." form would scan the register on every erasure of a batch).
    std::string sql = std::string(kDsarColumns) + " WHERE 1";
    if (!f.status.empty()) sql += " AND status = ?1";
    if (f.overdue_at) sql += " AND status = 'open' AND due_at < ?2";
    if (f.subject) sql += " AND subject_id = ?3";
    if (!f.type.empty()) sql += " AND type = ?4";
    CONSENTRIC_ASSIGN_OR_RETURN(Stmt s, db_->prepare(sql + " ORDER BY request_id"));
    if (!f.status.empty()) s.bind_text(1, f.status);
    if (f.overdue_at) s.bind(2, *f.overdue_at);
    if (f.subject) s.bind(3, *f.subject);
    if (!f.type.empty()) s.bind_text(4, f.type);
    std::vector<DsarRow> out;
    CONSENTRIC_RETURN_IF_ERROR(
        for_each_row(s, [&](const Stmt& r) { out.push_back(read_dsar(r)); }));
    return out;
  }

  Result<std::vector<SubjectMembership>> subject_memberships(SubjectId subject) override {
    CONSENTRIC_ASSIGN_OR_RETURN(
        Stmt s, db_->prepare("SELECT r.segment_id, m.run_id, m.label, m.distance, m.rfm "
                             "FROM segment_members m JOIN segment_runs r USING (run_id) "
                             "WHERE m.subject_id = ?1 ORDER BY r.segment_id"));
    s.bind(1, subject);
    std::vector<SubjectMembership> out;
    CONSENTRIC_RETURN_IF_ERROR(for_each_row(s, [&](const Stmt& r) {
      SubjectMembership m{.segment_id = r.column_int(0), .run_id = r.column_int(1)};
      m.row = {.subject = subject, .label = static_cast<std::int32_t>(r.column_int(2))};
      if (!r.is_null(3)) m.row.distance = r.column_double(3);
      if (!r.is_null(4)) m.row.rfm = static_cast<std::int32_t>(r.column_int(4));
      out.push_back(m);
    }));
    return out;
  }

  Status add_disclosures(std::int64_t audit_seq, std::string_view purpose,
                         std::string_view recipient,
                         const std::vector<SubjectId>& subjects) override {
    CONSENTRIC_ASSIGN_OR_RETURN(
        Stmt s, db_->prepare("INSERT INTO disclosures(subject_id, audit_seq, purpose, recipient) "
                             "VALUES (?1, ?2, ?3, ?4)"));
    for (SubjectId subject : subjects) {
      CONSENTRIC_RETURN_IF_ERROR(s.bind(1, subject)
                                     .bind(2, audit_seq)
                                     .bind_text(3, purpose)
                                     .bind_text(4, recipient)
                                     .run());
    }
    return Status();
  }

  Result<std::vector<DisclosureRow>> disclosures(SubjectId subject) override {
    CONSENTRIC_ASSIGN_OR_RETURN(
        Stmt s, db_->prepare("SELECT d.audit_seq, d.purpose, d.recipient, a.ts, a.action, a.detail "
                             "FROM disclosures d JOIN audit_log a ON a.seq = d.audit_seq "
                             "WHERE d.subject_id = ?1 ORDER BY d.audit_seq"));
    s.bind(1, subject);
    std::vector<DisclosureRow> out;
    CONSENTRIC_RETURN_IF_ERROR(for_each_row(s, [&](const Stmt& r) {
      out.push_back({.audit_seq = r.column_int(0),
                     .purpose = std::string(r.column_text(1)),
                     .recipient = std::string(r.column_text(2)),
                     .ts = r.column_int(3),
                     .action = std::string(r.column_text(4)),
                     .detail = std::string(r.column_text(5))});
    }));
    return out;
  }

  Status add_subject_imports(std::int64_t import_id,
                             const std::vector<SubjectId>& subjects) override {
    CONSENTRIC_ASSIGN_OR_RETURN(
        Stmt s, db_->prepare("INSERT OR IGNORE INTO subject_imports(subject_id, import_id) "
                             "VALUES (?1, ?2)"));
    for (SubjectId subject : subjects) {
      CONSENTRIC_RETURN_IF_ERROR(s.bind(1, subject).bind(2, import_id).run());
    }
    return Status();
  }

  Result<std::vector<ImportRecord>> subject_imports(SubjectId subject) override {
    CONSENTRIC_ASSIGN_OR_RETURN(
        Stmt s, db_->prepare("SELECT i.kind, i.file, i.hash, i.started_at, i.finished_at, i.rows, "
                             "i.inserted, i.updated, i.unchanged, i.rejected, i.suppressed "
                             "FROM subject_imports si JOIN imports i USING (import_id) "
                             "WHERE si.subject_id = ?1 ORDER BY i.import_id"));
    s.bind(1, subject);
    std::vector<ImportRecord> out;
    CONSENTRIC_RETURN_IF_ERROR(for_each_row(s, [&](const Stmt& r) {
      out.push_back({.kind = std::string(r.column_text(0)),
                     .file = std::string(r.column_text(1)),
                     .sha256 = std::string(r.column_text(2)),
                     .started_at = r.column_int(3),
                     .finished_at = r.column_int(4),
                     .rows = r.column_int(5),
                     .inserted = r.column_int(6),
                     .updated = r.column_int(7),
                     .unchanged = r.column_int(8),
                     .rejected = r.column_int(9),
                     .suppressed = r.column_int(10)});
    }));
    return out;
  }

  Status checkpoint() override { return db_->checkpoint_truncate(); }

  Status backup_to(const std::filesystem::path& to) override { return db_->backup_to(to); }

  Status restore_from(const std::filesystem::path& from) override {
    if (in_tx_) return failed_precondition("restore: a transaction is open");
    // The copy's schema may differ from what the cached statements were prepared against.
    for (auto& slot : stmts_) slot.reset();
    erase_stmts_.clear();
    training_cache_.reset();
    return db_->restore_from(from);
  }

  Result<std::vector<IdentifierRow>> subject_identifiers(SubjectId subject) override {
    CONSENTRIC_ASSIGN_OR_RETURN(
        Stmt s, db_->prepare("SELECT blind_index, field FROM identifiers WHERE subject_id = ?1 "
                             "ORDER BY field, blind_index"));
    s.bind(1, subject);
    std::vector<IdentifierRow> out;
    CONSENTRIC_RETURN_IF_ERROR(for_each_row(s, [&](const Stmt& r) {
      out.push_back({std::string(r.column_blob(0)), std::string(r.column_text(1))});
    }));
    return out;
  }

  Result<RemovedCounts> erase_subject(SubjectId subject) override {
    // Children before parents, so each count is that table's own (a cascade would not say), and
    // consent_state before the ledger rows it points at. The register's rows are kept: the
    // foreign key sets their subject to none. Tables without a foreign key (events,
    // purpose_features) are reached by their key's subject column.
    static constexpr std::pair<std::string_view, std::string_view> kSteps[] = {
        {"events", "DELETE FROM events WHERE subject_id = ?1"},
        // One key look-up per purpose: the purposes are found by skipping through the key.
        {"purpose feature rows",
         "DELETE FROM purpose_features WHERE subject_id = ?1 AND purpose IN ("
         "WITH RECURSIVE p(x) AS (SELECT min(purpose) FROM purpose_features UNION ALL "
         "SELECT (SELECT min(purpose) FROM purpose_features WHERE purpose > x) FROM p "
         "WHERE x IS NOT NULL) SELECT x FROM p WHERE x IS NOT NULL)"},
        {"event counts", "DELETE FROM feature_counts WHERE subject_id = ?1"},
        {"feature rows", "DELETE FROM features WHERE subject_id = ?1"},
        {"segment memberships", "DELETE FROM segment_members WHERE subject_id = ?1"},
        {"scores", "DELETE FROM scores WHERE subject_id = ?1"},
        {"score reviews", "DELETE FROM score_reviews WHERE subject_id = ?1"},
        {"points log entries", "DELETE FROM points_log WHERE subject_id = ?1"},
        {"points totals", "DELETE FROM points_totals WHERE subject_id = ?1"},
        {"disclosure records", "DELETE FROM disclosures WHERE subject_id = ?1"},
        {"import records", "DELETE FROM subject_imports WHERE subject_id = ?1"},
        {"consent states", "DELETE FROM consent_state WHERE subject_id = ?1"},
        {"consent records", "DELETE FROM consent_ledger WHERE subject_id = ?1"},
        {"restrictions and objections", "DELETE FROM processing_limits WHERE subject_id = ?1"},
        {"identifiers", "DELETE FROM identifiers WHERE subject_id = ?1"},
        {"profiles", "DELETE FROM profiles WHERE subject_id = ?1"},
        {"subjects", "DELETE FROM subjects WHERE subject_id = ?1"},
    };
    if (erase_stmts_.empty()) {
      for (const auto& [kind, sql] : kSteps) {
        CONSENTRIC_ASSIGN_OR_RETURN(Stmt st, db_->prepare(sql));
        erase_stmts_.push_back(std::move(st));
      }
    }
    RemovedCounts removed;
    for (std::size_t i = 0; i < std::size(kSteps); ++i) {
      CONSENTRIC_RETURN_IF_ERROR(erase_stmts_[i].bind(1, subject).run());
      removed.emplace_back(kSteps[i].first, db_->changes());
    }
    if (removed.back().second == 0) {
      return not_found(fmt::format("no subject {} to erase", subject));
    }
    return removed;
  }

  Result<RemovedCounts> anonymize_subject(SubjectId subject,
                                          const AnonymizeOptions& options) override {
    CONSENTRIC_ASSIGN_OR_RETURN(std::optional<SubjectRow> from, this->subject(subject));
    if (!from) return not_found(fmt::format("no subject {} to anonymize", subject));
    if (from->anonymous) {
      return failed_precondition(
          fmt::format("subject {} is an anonymous remnant already", subject));
    }
    RemovedCounts kept{{"events", 0}, {"event counts", 0}, {"feature rows", 0}};
    CONSENTRIC_ASSIGN_OR_RETURN(Stmt first,
                                db_->prepare("SELECT min(ts) FROM events WHERE subject_id = ?1"));
    first.bind(1, subject);
    CONSENTRIC_ASSIGN_OR_RETURN(std::optional<std::optional<UnixSeconds>> first_ts,
                                sqlite::read_one(first, [](const Stmt& r) {
                                  return r.is_null(0) ? std::optional<UnixSeconds>()
                                                      : std::optional<UnixSeconds>(r.column_int(0));
                                }));
    if (!first_ts || !*first_ts) return kept;  // nothing to keep

    // A random negative id: never one the sequence gives out, and in no order with them.
    CONSENTRIC_ASSIGN_OR_RETURN(
        Stmt make, db_->prepare("INSERT INTO subjects(subject_id, pseudonym, created_at, "
                                "updated_at, anonymous) VALUES (?1, ?2, ?3, ?3, 1)"));
    SubjectId remnant = 0;
    for (int attempt = 0;; ++attempt) {
      std::uint64_t bits = 0;
      const std::string r = crypto::random_bytes(sizeof bits);
      std::memcpy(&bits, r.data(), sizeof bits);
      remnant = -static_cast<SubjectId>(bits >> 2) - 1;  // in [-2^62, -1]
      CONSENTRIC_ASSIGN_OR_RETURN(Stmt taken,
                                  db_->prepare("SELECT 1 FROM subjects WHERE subject_id = ?1"));
      taken.bind(1, remnant);
      CONSENTRIC_ASSIGN_OR_RETURN(std::optional<int> hit,
                                  sqlite::read_one(taken, [](const Stmt&) { return 1; }));
      if (!hit) break;
      if (attempt == 8) return internal_error("no free id for an anonymous remnant");
    }
    CONSENTRIC_RETURN_IF_ERROR(
        make.bind(1, remnant).bind_text(2, random_pseudonym()).bind(3, **first_ts).run());

    // The events, in time order, under sequence numbers in place of their content hashes; the
    // sealed part is dropped, and so are the properties the options name.
    std::string props = "props";
    for (const auto& [type_id, names] : options.drop_properties) {
      if (names.empty()) continue;
      std::string paths;
      for (const std::string& n : names) {
        std::string quoted;
        append_json_string(&quoted, n);
        paths += fmt::format(", '$.' || {}", sqlite_string_literal(quoted));
      }
      props = fmt::format("CASE WHEN type_id = {} THEN json_remove(props{}) ELSE {} END", type_id,
                          paths, props);
    }
    CONSENTRIC_ASSIGN_OR_RETURN(
        Stmt move,
        db_->prepare(fmt::format(
            "INSERT INTO events(subject_id, ts, dedup, type_id, props, sealed) "
            "SELECT ?2, ts, row_number() OVER (ORDER BY ts, type_id, props), type_id, {}, NULL "
            "FROM events WHERE subject_id = ?1",
            props)));
    CONSENTRIC_RETURN_IF_ERROR(move.bind(1, subject).bind(2, remnant).run());
    kept[0].second = db_->changes();
    CONSENTRIC_ASSIGN_OR_RETURN(Stmt drop,
                                db_->prepare("DELETE FROM events WHERE subject_id = ?1"));
    CONSENTRIC_RETURN_IF_ERROR(drop.bind(1, subject).run());

    // The all-events feature rows are sums over exactly these events: they move as they are.
    static constexpr std::pair<std::size_t, std::string_view> kMoves[] = {
        {1, "UPDATE feature_counts SET subject_id = ?2 WHERE subject_id = ?1"},
        {2, "UPDATE features SET subject_id = ?2 WHERE subject_id = ?1"},
    };
    for (const auto& [slot, sql] : kMoves) {
      CONSENTRIC_ASSIGN_OR_RETURN(Stmt st, db_->prepare(sql));
      CONSENTRIC_RETURN_IF_ERROR(st.bind(1, subject).bind(2, remnant).run());
      kept[slot].second = db_->changes();
    }
    return kept;
  }

 private:
  // A random pseudonym: stable for the subject, linkable to nothing outside the store.
  static std::string random_pseudonym() { return "s_" + crypto::to_hex(crypto::random_bytes(10)); }

  // s as an SQL string literal ('...' with quotes doubled).
  static std::string sqlite_string_literal(std::string_view s) {
    std::string out = "'";
    for (const char c : s) {
      out += c;
      if (c == '\'') out += '\'';
    }
    out += '\'';
    return out;
  }

  static Stmt& bind_purpose_features(Stmt& s, std::string_view purpose, const FeatureDelta& d) {
    s.bind_text(1, purpose)
        .bind(2, d.subject)
        .bind(3, d.first_seen)
        .bind(4, d.last_seen)
        .bind(5, d.events);
    if (d.last_purchase)
      s.bind(6, *d.last_purchase);
    else
      s.bind_null(6);
    return s.bind(7, d.purchases).bind(8, d.monetary).bind_blob(9, encode_type_counts(d.per_type));
  }

  static constexpr std::string_view kAccessTokenColumns =
      "SELECT token_id, name, role, token_hash, created_at, created_by, expires_at, revoked_at, "
      "revoked_by FROM access_tokens";
  static AccessTokenRow read_access_token(const Stmt& r) {
    AccessTokenRow t{.token_id = r.column_int(0),
                     .name = std::string(r.column_text(1)),
                     .role = std::string(r.column_text(2)),
                     .token_hash = std::string(r.column_blob(3)),
                     .created_at = r.column_int(4),
                     .created_by = std::string(r.column_text(5)),
                     .expires_at = r.column_int(6),
                     .revoked_at = std::nullopt,
                     .revoked_by = std::string(r.column_text(8))};
    if (!r.is_null(7)) t.revoked_at = r.column_int(7);
    return t;
  }

  static constexpr std::string_view kSegmentColumns =
      "SELECT segment_id, name, purpose, kind, definition, created_at, created_by FROM segments";
  static SegmentRow read_segment(const Stmt& r) {
    return {r.column_int(0),
            std::string(r.column_text(1)),
            std::string(r.column_text(2)),
            std::string(r.column_text(3)),
            std::string(r.column_text(4)),
            r.column_int(5),
            std::string(r.column_text(6))};
  }

  static constexpr std::string_view kScoreModelColumns =
      "SELECT model_id, purpose, kind, version, created_at, created_by, active, stale, "
      "stale_reason, review_due, features, model, card, training_subjects, audit_seq "
      "FROM score_models";
  static ScoreModelRow read_score_model(const Stmt& r) {
    return {.model_id = r.column_int(0),
            .purpose = std::string(r.column_text(1)),
            .kind = std::string(r.column_text(2)),
            .version = r.column_int(3),
            .created_at = r.column_int(4),
            .created_by = std::string(r.column_text(5)),
            .active = r.column_int(6) != 0,
            .stale = r.column_int(7) != 0,
            .stale_reason = std::string(r.column_text(8)),
            .review_due = r.column_int(9),
            .features = std::string(r.column_text(10)),
            .model = std::string(r.column_text(11)),
            .card = std::string(r.column_text(12)),
            .training_subjects = std::string(r.column_blob(13)),
            .audit_seq = r.column_int(14)};
  }

  // The training sets of the models, decoded once and kept until a model is added or marked
  // stale (each consent decision asks scoring_purposes, so decoding per question would cost
  // O(subjects) each time). Models are few; their sets are immutable once written.
  struct TrainingSet {
    std::int64_t model_id = 0;
    std::string purpose;
    bool stale = false;
    std::vector<SubjectId> subjects;  // ascending
  };
  Result<std::vector<TrainingSet>*> training_sets() {
    CONSENTRIC_ASSIGN_OR_RETURN(Stmt count,
                                db_->prepare("SELECT count(*), coalesce(sum(stale), 0), "
                                             "coalesce(max(model_id), 0) FROM score_models"));
    CONSENTRIC_ASSIGN_OR_RETURN(
        auto key, sqlite::read_one(count, [](const Stmt& r) {
          return std::array<std::int64_t, 3>{r.column_int(0), r.column_int(1), r.column_int(2)};
        }));
    if (training_cache_ && key && training_cache_key_ == *key) return &*training_cache_;
    CONSENTRIC_ASSIGN_OR_RETURN(
        Stmt s, db_->prepare("SELECT model_id, purpose, stale, training_subjects FROM "
                             "score_models ORDER BY model_id"));
    std::vector<TrainingSet> sets;
    Status bad;
    CONSENTRIC_RETURN_IF_ERROR(for_each_row(s, [&](const Stmt& r) {
      auto ids = decode_subject_set(r.column_blob(3));
      if (!ids.ok()) {
        bad = ids.status().with_context(fmt::format("model {}", r.column_int(0)));
        return;
      }
      sets.push_back({r.column_int(0), std::string(r.column_text(1)), r.column_int(2) != 0,
                      std::move(ids).value()});
    }));
    CONSENTRIC_RETURN_IF_ERROR(bad);
    training_cache_ = std::move(sets);
    training_cache_key_ = key.value_or(std::array<std::int64_t, 3>{});
    return &*training_cache_;
  }

  static constexpr std::string_view kDsarColumns =
      "SELECT request_id, type, regime, identifier_field, subject_id, received_at, verified, "
      "due_at, extended, extension_reason, status, completed_at, evidence FROM dsar_requests";
  static DsarRow read_dsar(const Stmt& r) {
    DsarRow d;
    d.request_id = r.column_int(0);
    d.type = r.column_text(1);
    d.regime = r.column_text(2);
    d.identifier_field = r.column_text(3);
    if (!r.is_null(4)) d.subject = r.column_int(4);
    d.received_at = r.column_int(5);
    d.verified = r.column_int(6) != 0;
    d.due_at = r.column_int(7);
    d.extended = r.column_int(8) != 0;
    d.extension_reason = r.column_text(9);
    d.status = r.column_text(10);
    if (!r.is_null(11)) d.completed_at = r.column_int(11);
    d.evidence = r.column_text(12);
    return d;
  }
  // Binds columns ?2..?13 in the order of kDsarColumns (?1 is the request id).
  static Stmt& bind_dsar(Stmt& s, const DsarRow& d) {
    s.bind_text(2, d.type).bind_text(3, d.regime).bind_text(4, d.identifier_field);
    if (d.subject)
      s.bind(5, *d.subject);
    else
      s.bind_null(5);
    s.bind(6, d.received_at)
        .bind(7, d.verified ? 1 : 0)
        .bind(8, d.due_at)
        .bind(9, d.extended ? 1 : 0)
        .bind_text(10, d.extension_reason)
        .bind_text(11, d.status);
    if (d.completed_at)
      s.bind(12, *d.completed_at);
    else
      s.bind_null(12);
    return s.bind_text(13,
                       d.evidence.empty() ? std::string_view("{}") : std::string_view(d.evidence));
  }

  Result<Stmt*> stmt(Q q) {
    auto& slot = stmts_[static_cast<std::size_t>(q)];
    if (!slot) {
      CONSENTRIC_ASSIGN_OR_RETURN(Stmt s, db_->prepare(kSql[static_cast<std::size_t>(q)]));
      slot.emplace(std::move(s));
    }
    return &*slot;
  }

  std::unique_ptr<Db> db_;
  std::array<std::optional<Stmt>, static_cast<std::size_t>(Q::kCount)> stmts_;
  std::vector<Stmt> erase_stmts_;  // erase_subject's steps, prepared on first use
  std::optional<std::vector<TrainingSet>> training_cache_;
  std::array<std::int64_t, 3> training_cache_key_{};  // models, stale models, highest id
  bool in_tx_ = false;
};

}  // namespace

Result<std::unique_ptr<Store>> open_sqlite_store(const std::filesystem::path& path,
                                                 const SqliteStoreOptions& options) {
  CONSENTRIC_ASSIGN_OR_RETURN(std::unique_ptr<Db> db, Db::open(path, {.create = options.create,
                                                                      .durable = options.durable}));
  auto store = std::make_unique<SqliteStore>(std::move(db));
  CONSENTRIC_RETURN_IF_ERROR(store->migrate());
  return std::unique_ptr<Store>(std::move(store));
}

Result<BackupFacts> read_backup_facts(const std::filesystem::path& path) {
  const std::string not_store =
      fmt::format("{} is not a consentric store or a backup of one", path.string());
  Result<std::unique_ptr<Db>> opened = Db::open(path, {.read_only = true});
  if (opened.status().code() == StatusCode::kNotFound) return opened.status();
  // SQLite says "file is not a database" only when it first reads the file.
  if (!opened.ok()) return failed_precondition(not_store);
  std::unique_ptr<Db> db = std::move(*opened);
  Result<std::int64_t> tables = db->query_int(
      "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('meta', "
      "'subjects', 'audit_log')");
  if (!tables.ok() || *tables != 3) return failed_precondition(not_store);
  CONSENTRIC_ASSIGN_OR_RETURN(Stmt s, db->prepare("SELECT value FROM meta WHERE key = 'store_id'"));
  CONSENTRIC_ASSIGN_OR_RETURN(bool row, s.step());
  if (!row) return failed_precondition(not_store);
  BackupFacts facts;
  facts.store_id = std::string(s.column_text(0));
  CONSENTRIC_ASSIGN_OR_RETURN(facts.audit_entries, db->query_int("SELECT count(*) FROM audit_log"));
  CONSENTRIC_ASSIGN_OR_RETURN(facts.subjects, db->query_int("SELECT count(*) FROM subjects"));
  return facts;
}

}  // namespace consentric
