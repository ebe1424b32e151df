#include "store/migrations.h"

#include <array>

namespace consentric {
namespace {

// Subject id leads every per-subject table's key: it is the distribution key when the schema
// is sharded (DESIGN.md "Storage"), and it makes erasing a subject a range delete.
constexpr std::string_view kV1 = R"sql(
CREATE TABLE meta(
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
CREATE TABLE config_versions(
  version    INTEGER PRIMARY KEY,
  yaml       TEXT NOT NULL,
  hash       TEXT NOT NULL,
  applied_at INTEGER NOT NULL
);
-- AUTOINCREMENT: an erased subject's id is never given to anyone else, because the key ring's
-- erasure record names ids, and a restored backup is erased again by them.
-- anonymous: 1 for the remnant of a person erased by anonymization (docs/rights.md): events
-- only, under a random negative id outside the sequence, so neither its id nor its times say
-- when it was made; no identifier, profile, consent or key, and never in a purpose view.
CREATE TABLE subjects(
  subject_id INTEGER PRIMARY KEY AUTOINCREMENT,
  pseudonym  TEXT NOT NULL,  -- 80 random bits: unique in practice, so no index to maintain
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  anonymous  INTEGER NOT NULL DEFAULT 0 CHECK (anonymous IN (0, 1))
);
-- Identifiers by keyed blind index only: the plaintext is never stored here.
CREATE TABLE identifiers(
  blind_index BLOB PRIMARY KEY,
  subject_id  INTEGER NOT NULL REFERENCES subjects(subject_id) ON DELETE CASCADE,
  field       TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX identifiers_by_subject ON identifiers(subject_id);
-- An anonymous remnant can never be found by an identifier.
CREATE TRIGGER identifiers_never_of_remnants BEFORE INSERT ON identifiers
WHEN (SELECT anonymous FROM subjects WHERE subject_id = NEW.subject_id) = 1
BEGIN SELECT RAISE(ABORT, 'an anonymous remnant has no identifiers'); END;
CREATE TRIGGER identifiers_never_moved_to_remnants BEFORE UPDATE OF subject_id ON identifiers
WHEN (SELECT anonymous FROM subjects WHERE subject_id = NEW.subject_id) = 1
BEGIN SELECT RAISE(ABORT, 'an anonymous remnant has no identifiers'); END;
-- plain: the non-pii fields as a JSON object; sealed: the pii fields' JSON object, encrypted
-- under the subject's data key (store/profile_doc.h).
CREATE TABLE profiles(
  subject_id INTEGER PRIMARY KEY REFERENCES subjects(subject_id) ON DELETE CASCADE,
  plain      TEXT NOT NULL,
  sealed     BLOB,
  updated_at INTEGER NOT NULL
);
CREATE TABLE event_types(
  type_id INTEGER PRIMARY KEY,
  name    TEXT NOT NULL UNIQUE
);
-- No foreign key on subject_id: a parent check per event would cost about a tenth of the
-- import rate, and only the importer writes events, for subjects it has just resolved. Erasure
-- deletes a subject's events by subject_id (the key's first column) explicitly.
CREATE TABLE events(
  subject_id INTEGER NOT NULL,
  ts         INTEGER NOT NULL,
  dedup      INTEGER NOT NULL,
  type_id    INTEGER NOT NULL,  -- event_types(type_id); no foreign key: only the importer writes it
  props      TEXT NOT NULL,
  sealed     BLOB,
  PRIMARY KEY(subject_id, ts, dedup)
) WITHOUT ROWID;
CREATE TABLE features(
  subject_id    INTEGER PRIMARY KEY REFERENCES subjects(subject_id) ON DELETE CASCADE,
  first_seen    INTEGER NOT NULL,
  last_seen     INTEGER NOT NULL,
  event_count   INTEGER NOT NULL,
  last_purchase INTEGER,
  frequency     INTEGER NOT NULL,
  monetary      REAL NOT NULL
);
CREATE TABLE feature_counts(
  subject_id INTEGER NOT NULL REFERENCES subjects(subject_id) ON DELETE CASCADE,
  type_id    INTEGER NOT NULL,
  count      INTEGER NOT NULL,
  last_ts    INTEGER NOT NULL,
  PRIMARY KEY(subject_id, type_id)
) WITHOUT ROWID;
-- Append-only: nothing updates or deletes a ledger row except erasure of its subject.
CREATE TABLE consent_ledger(
  entry_id       INTEGER PRIMARY KEY,
  subject_id     INTEGER NOT NULL REFERENCES subjects(subject_id) ON DELETE CASCADE,
  purpose        TEXT NOT NULL,
  action         TEXT NOT NULL CHECK (action IN ('grant', 'withdraw', 'refuse')),
  ts             INTEGER NOT NULL,
  recorded_at    INTEGER NOT NULL,
  source         TEXT NOT NULL,
  method         TEXT NOT NULL,
  notice_version TEXT NOT NULL,
  notice_hash    TEXT NOT NULL,
  proof          TEXT NOT NULL,
  expires_at     INTEGER
);
CREATE INDEX consent_ledger_by_subject ON consent_ledger(subject_id, purpose, ts);
CREATE TRIGGER consent_ledger_no_update BEFORE UPDATE ON consent_ledger
BEGIN SELECT RAISE(ABORT, 'the consent ledger is append-only'); END;
CREATE INDEX consent_ledger_by_purpose ON consent_ledger(purpose);
-- Restrictions (Art. 18) and objections (Art. 21), append-only like the ledger.
CREATE TABLE processing_limits(
  entry_id    INTEGER PRIMARY KEY,
  subject_id  INTEGER NOT NULL REFERENCES subjects(subject_id) ON DELETE CASCADE,
  kind        TEXT NOT NULL CHECK (kind IN ('restriction', 'objection')),
  purpose     TEXT NOT NULL,  -- empty: every purpose the limit can apply to
  lifted      INTEGER NOT NULL,
  ts          INTEGER NOT NULL,
  recorded_at INTEGER NOT NULL,
  source      TEXT NOT NULL,
  detail      TEXT NOT NULL
);
CREATE INDEX processing_limits_by_subject ON processing_limits(subject_id, ts);
CREATE TRIGGER processing_limits_no_update BEFORE UPDATE ON processing_limits
BEGIN SELECT RAISE(ABORT, 'restrictions and objections are append-only'); END;
-- Feature rows per purpose: only the purpose's event types, and for consent purposes only the
-- events that happened while the subject's consent was valid. Purpose leads the key because
-- the gate reads one purpose at a time; type_counts packs (type_id, count, last_ts) triples as
-- little-endian int64s so that a view reads one row per subject. No foreign key, as for events:
-- a cascade would need an index by subject on every ingest write; erasure deletes a subject's
-- rows purpose by purpose (each a key look-up).
CREATE TABLE purpose_features(
  purpose       TEXT NOT NULL,
  subject_id    INTEGER NOT NULL,
  first_seen    INTEGER NOT NULL,
  last_seen     INTEGER NOT NULL,
  event_count   INTEGER NOT NULL,
  last_purchase INTEGER,
  frequency     INTEGER NOT NULL,
  monetary      REAL NOT NULL,
  type_counts   BLOB NOT NULL,
  PRIMARY KEY(purpose, subject_id)
) WITHOUT ROWID;
CREATE TABLE consent_state(
  subject_id     INTEGER NOT NULL REFERENCES subjects(subject_id) ON DELETE CASCADE,
  purpose        TEXT NOT NULL,
  granted        INTEGER NOT NULL,
  ts             INTEGER NOT NULL,
  notice_version TEXT NOT NULL,
  expires_at     INTEGER,
  entry_id       INTEGER NOT NULL REFERENCES consent_ledger(entry_id),
  PRIMARY KEY(subject_id, purpose)
) WITHOUT ROWID;
-- The foreign key's child index: without it, deleting a ledger row (erasure) scans every state.
CREATE INDEX consent_state_by_entry ON consent_state(entry_id);
CREATE TABLE audit_log(
  seq       INTEGER PRIMARY KEY,
  ts        INTEGER NOT NULL,
  actor     TEXT NOT NULL,
  action    TEXT NOT NULL,
  purpose   TEXT NOT NULL,
  subject   TEXT NOT NULL,
  detail    TEXT NOT NULL,
  prev_hash BLOB NOT NULL,
  hash      BLOB NOT NULL
);
CREATE TABLE audit_checkpoints(
  size INTEGER PRIMARY KEY,
  root BLOB NOT NULL,
  ts   INTEGER NOT NULL,
  note TEXT NOT NULL
);
-- Segments (docs/segments.md): a definition, the runs that computed it, and the memberships
-- of its latest run only (older runs keep their model and sizes, not who was in them).
CREATE TABLE segments(
  segment_id INTEGER PRIMARY KEY,
  name       TEXT NOT NULL UNIQUE,
  purpose    TEXT NOT NULL,
  kind       TEXT NOT NULL CHECK (kind IN ('rule', 'rfm', 'kmeans')),
  definition TEXT NOT NULL,  -- JSON
  created_at INTEGER NOT NULL,
  created_by TEXT NOT NULL
);
CREATE TABLE segment_runs(
  run_id     INTEGER PRIMARY KEY,
  segment_id INTEGER NOT NULL REFERENCES segments(segment_id) ON DELETE CASCADE,
  as_of      INTEGER NOT NULL,
  started_at INTEGER NOT NULL,
  seconds    REAL NOT NULL,
  view_rows  INTEGER NOT NULL,
  model      TEXT NOT NULL,  -- JSON: labels, scaler, centroids, RFM cuts, profiles
  audit_seq  INTEGER NOT NULL
);
CREATE INDEX segment_runs_by_segment ON segment_runs(segment_id, run_id);
-- Subject leads the key: erasure cascades by range, withdrawal deletes by subject.
CREATE TABLE segment_members(
  subject_id INTEGER NOT NULL REFERENCES subjects(subject_id) ON DELETE CASCADE,
  run_id     INTEGER NOT NULL REFERENCES segment_runs(run_id) ON DELETE CASCADE,
  label      INTEGER NOT NULL,
  distance   REAL,     -- k-means: to the segment's centroid, in scaled units
  rfm        INTEGER,  -- RFM: the scores as one number, R*100 + F*10 + M
  PRIMARY KEY(subject_id, run_id)
) WITHOUT ROWID;
CREATE INDEX segment_members_by_run ON segment_members(run_id, label);
CREATE TABLE suppression(
  blind_index BLOB PRIMARY KEY,
  field       TEXT NOT NULL,
  reason      TEXT NOT NULL,
  added_at    INTEGER NOT NULL
) WITHOUT ROWID;
-- The register of data-subject requests (docs/rights.md): what was asked, when it is due and
-- how it was answered. The identifier's value is never kept, only which declared field it was;
-- subject_id is null when no data was held, and becomes null when the subject is erased, so the
-- record of the request outlives the person's data (GDPR Art. 5(2): accountability).
CREATE TABLE dsar_requests(
  request_id       INTEGER PRIMARY KEY,
  type             TEXT NOT NULL CHECK (type IN ('access', 'portability', 'rectification',
                                                 'erasure', 'restriction', 'objection')),
  regime           TEXT NOT NULL CHECK (regime IN ('gdpr', 'ccpa')),
  identifier_field TEXT NOT NULL,
  subject_id       INTEGER REFERENCES subjects(subject_id) ON DELETE SET NULL,
  received_at      INTEGER NOT NULL,
  verified         INTEGER NOT NULL,
  due_at           INTEGER NOT NULL,
  extended         INTEGER NOT NULL CHECK (extended IN (0, 1)),
  extension_reason TEXT NOT NULL,
  status           TEXT NOT NULL CHECK (status IN ('open', 'completed', 'refused', 'no_data')),
  completed_at     INTEGER,
  evidence         TEXT NOT NULL  -- JSON object
);
CREATE INDEX dsar_requests_by_subject ON dsar_requests(subject_id, type, status);
-- Who received a subject's data (GDPR Art. 15(1)(c)): one row per member of an export, written
-- in the same transaction as the export's audit entry, which holds its time and detail.
CREATE TABLE disclosures(
  subject_id INTEGER NOT NULL REFERENCES subjects(subject_id) ON DELETE CASCADE,
  audit_seq  INTEGER NOT NULL,  -- audit_log(seq); the chain is append-only, so no foreign key
  purpose    TEXT NOT NULL,
  recipient  TEXT NOT NULL,
  PRIMARY KEY(subject_id, audit_seq)
) WITHOUT ROWID;
CREATE TABLE imports(
  import_id   INTEGER PRIMARY KEY,
  kind        TEXT NOT NULL,
  file        TEXT NOT NULL,
  hash        TEXT NOT NULL,
  started_at  INTEGER NOT NULL,
  finished_at INTEGER NOT NULL,
  rows        INTEGER NOT NULL,
  inserted    INTEGER NOT NULL,
  updated     INTEGER NOT NULL,
  unchanged   INTEGER NOT NULL,
  rejected    INTEGER NOT NULL,
  suppressed  INTEGER NOT NULL
);
-- Which import files inserted or changed something of each person (GDPR Art. 15(1)(g): the
-- source of the data): one row per subject per import, written at the end of the import in
-- its transaction; erasure cascades. No foreign key on import_id: the import row is written
-- just before in the same transaction and imports are never deleted, and a second parent
-- look-up per person would cost the import rate for nothing.
CREATE TABLE subject_imports(
  subject_id INTEGER NOT NULL REFERENCES subjects(subject_id) ON DELETE CASCADE,
  import_id  INTEGER NOT NULL,  -- imports(import_id)
  PRIMARY KEY(subject_id, import_id)
) WITHOUT ROWID;
)sql";

// The privacy-budget ledger (docs/algorithms/differential-privacy.md, "Budget"): one row per
// differentially private release, charged against its purpose's budget. Append-only; its rows
// hold no subject, so erasure leaves them (the budget spent on a person's data stays spent).
constexpr std::string_view kV2 = R"sql(
CREATE TABLE dp_spends(
  spend_id  INTEGER PRIMARY KEY,
  purpose   TEXT NOT NULL,
  epsilon   REAL NOT NULL CHECK (epsilon > 0),
  delta     REAL NOT NULL CHECK (delta >= 0),
  query     TEXT NOT NULL,     -- JSON: statistic, column, bounds, segment, grouping
  audit_seq INTEGER NOT NULL,  -- audit_log(seq) of the dp.release entry
  spent_at  INTEGER NOT NULL
);
CREATE INDEX dp_spends_by_purpose ON dp_spends(purpose);
)sql";

// Lead-scoring models and scores (docs/algorithms/lead-scoring-models.md, issue 8). A model
// keeps the binding of its features, the fitted model and its card (JSON), and the exact set of
// subjects it was trained on (store/subject_set.h), so that a withdrawal, objection or erasure
// of any of them marks it stale. At most one model per purpose is active. Scores belong to a
// subject: erasure deletes them (the cascade covers a direct subject delete too).
constexpr std::string_view kV3 = R"sql(
CREATE TABLE score_models(
  model_id          INTEGER PRIMARY KEY,
  purpose           TEXT NOT NULL,
  kind              TEXT NOT NULL CHECK (kind IN ('lr', 'trees')),
  version           INTEGER NOT NULL,
  created_at        INTEGER NOT NULL,
  created_by        TEXT NOT NULL,
  active            INTEGER NOT NULL DEFAULT 0 CHECK (active IN (0, 1)),
  stale             INTEGER NOT NULL DEFAULT 0 CHECK (stale IN (0, 1)),
  stale_reason      TEXT NOT NULL DEFAULT '',
  review_due        INTEGER NOT NULL,
  features          TEXT NOT NULL,  -- JSON: score/lead_features.h
  model             TEXT NOT NULL,  -- JSON: coefficients and scaler, or XGBoost's model
  card              TEXT NOT NULL,  -- JSON: the model card
  training_subjects BLOB NOT NULL,  -- store/subject_set.h
  audit_seq         INTEGER NOT NULL,  -- audit_log(seq) of the score.train entry
  UNIQUE(purpose, version)
);
CREATE UNIQUE INDEX score_models_active ON score_models(purpose) WHERE active = 1;
CREATE TABLE scores(
  subject_id  INTEGER NOT NULL REFERENCES subjects(subject_id) ON DELETE CASCADE,
  model_id    INTEGER NOT NULL REFERENCES score_models(model_id) ON DELETE CASCADE,
  score       REAL NOT NULL,
  explanation TEXT NOT NULL,  -- JSON: the top contributions in plain words
  PRIMARY KEY(subject_id, model_id)
) WITHOUT ROWID;
CREATE INDEX scores_by_model ON scores(model_id, score);
)sql";

// Human review of automated decisions (GDPR Art. 22(3)): a score at or beyond a purpose's
// score_review thresholds waits here for a person's decision. One open review per subject and
// model; erasure deletes a subject's reviews (the cascade covers a direct delete too), the
// audit chain keeps what was decided.
constexpr std::string_view kV4 = R"sql(
CREATE TABLE score_reviews(
  review_id  INTEGER PRIMARY KEY,
  subject_id INTEGER NOT NULL REFERENCES subjects(subject_id) ON DELETE CASCADE,
  model_id   INTEGER NOT NULL REFERENCES score_models(model_id) ON DELETE CASCADE,
  score      REAL NOT NULL,
  direction  TEXT NOT NULL CHECK (direction IN ('above', 'below')),
  queued_at  INTEGER NOT NULL,
  status     TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'confirmed', 'overridden')),
  decided_at INTEGER,
  decided_by TEXT NOT NULL DEFAULT '',
  note       TEXT NOT NULL DEFAULT '',
  audit_seq  INTEGER  -- audit_log(seq) of the score.review entry
);
CREATE UNIQUE INDEX score_reviews_open ON score_reviews(subject_id, model_id) WHERE status = 'open';
CREATE INDEX score_reviews_by_model ON score_reviews(model_id, status);
)sql";

// Governance (issue 7). Access tokens identify who runs a command: only a keyed hash of each
// token is kept (crypto SubKey::kTokenMac), so the table cannot be replayed. Privacy notices
// are the texts generated from the declaration, one row per published version per purpose;
// consent records name the version and the text's hash they were given under.
constexpr std::string_view kV5 = R"sql(
CREATE TABLE access_tokens(
  token_id   INTEGER PRIMARY KEY,
  name       TEXT NOT NULL UNIQUE,
  role       TEXT NOT NULL,
  token_hash BLOB NOT NULL UNIQUE,
  created_at INTEGER NOT NULL,
  created_by TEXT NOT NULL,
  expires_at INTEGER NOT NULL,
  revoked_at INTEGER,
  revoked_by TEXT NOT NULL DEFAULT ''
);
CREATE TABLE privacy_notices(
  purpose      TEXT NOT NULL,
  version      INTEGER NOT NULL CHECK (version >= 1),
  label        TEXT NOT NULL,  -- what consent records name: "2026-01", "2026-01.2"
  text_hash    TEXT NOT NULL,  -- hex BLAKE2b-256 of text
  text         TEXT NOT NULL,  -- Markdown
  published_at INTEGER NOT NULL,
  published_by TEXT NOT NULL,
  PRIMARY KEY(purpose, version),
  UNIQUE(purpose, label)
) WITHOUT ROWID;
)sql";

// Points scoring (docs/scoring.md, "Points"; issue 8): every change of a subject's points as a
// log row, and the totals, which the store only ever changes together with the log (the total
// is the log's sum: users of Mautic report totals that drift from their log). Amounts are
// milli-points, integers, so the sum is exact. Both belong to their subject: erasure deletes
// them (the cascade covers a direct subject delete too).
constexpr std::string_view kV6 = R"sql(
CREATE TABLE points_log(
  entry_id   INTEGER PRIMARY KEY,
  subject_id INTEGER NOT NULL REFERENCES subjects(subject_id) ON DELETE CASCADE,
  purpose    TEXT NOT NULL,
  rule       TEXT NOT NULL,
  kind       TEXT NOT NULL CHECK (kind IN ('event', 'fit', 'decay', 'cap')),
  event_id   INTEGER,  -- kind event: the event's content hash, as events(dedup)
  event_ts   INTEGER,  -- kind event: its time
  reason     TEXT NOT NULL CHECK (reason IN ('event', 'fit', 'decay', 'cap', 'changed',
                                             'dropped')),
  delta      INTEGER NOT NULL,  -- milli-points
  at         INTEGER NOT NULL,  -- the time the points were computed for
  audit_seq  INTEGER NOT NULL   -- audit_log(seq) of the points.run entry
);
CREATE INDEX points_log_by_subject ON points_log(subject_id, purpose, entry_id);
-- The balances of a purpose's parts, read in one ordered pass at every run.
CREATE INDEX points_log_by_part ON points_log(purpose, subject_id, rule, kind, event_ts,
                                              event_id);
CREATE TABLE points_totals(
  subject_id INTEGER NOT NULL REFERENCES subjects(subject_id) ON DELETE CASCADE,
  purpose    TEXT NOT NULL,
  total      INTEGER NOT NULL,  -- milli-points: the sum of the subject's log for the purpose
  grade      TEXT NOT NULL CHECK (grade IN ('A', 'B', 'C', 'D')),
  mql        INTEGER NOT NULL CHECK (mql IN (0, 1)),
  as_of      INTEGER NOT NULL,
  PRIMARY KEY(subject_id, purpose)
) WITHOUT ROWID;
CREATE INDEX points_totals_by_purpose ON points_totals(purpose, total);
)sql";

// Governance (docs/governance.md), issue 7. The consent ledger learns the action 'lapse': a
// grant that reached its expires_at, recorded by a retention run so the ledger says why the
// consent ended. SQLite cannot change a CHECK in place, so the ledger and the state that
// references it are rebuilt, rows and ids kept (the 12-step procedure of sqlite.org/lang_
// altertable.html, inside the migration's transaction: the new state table references the new
// ledger, so dropping the old ones orphans nothing, and the renames rewrite the reference).
// Scores learn when they were computed, so a purpose's retention can reach them; rows from
// before stay null and count from their model's creation (Store::count_scores_before).
constexpr std::string_view kV7 = R"sql(
CREATE TABLE consent_ledger_v7(
  entry_id       INTEGER PRIMARY KEY,
  subject_id     INTEGER NOT NULL REFERENCES subjects(subject_id) ON DELETE CASCADE,
  purpose        TEXT NOT NULL,
  action         TEXT NOT NULL CHECK (action IN ('grant', 'withdraw', 'refuse', 'lapse')),
  ts             INTEGER NOT NULL,
  recorded_at    INTEGER NOT NULL,
  source         TEXT NOT NULL,
  method         TEXT NOT NULL,
  notice_version TEXT NOT NULL,
  notice_hash    TEXT NOT NULL,
  proof          TEXT NOT NULL,
  expires_at     INTEGER
);
INSERT INTO consent_ledger_v7 SELECT entry_id, subject_id, purpose, action, ts, recorded_at,
  source, method, notice_version, notice_hash, proof, expires_at FROM consent_ledger;
CREATE TABLE consent_state_v7(
  subject_id     INTEGER NOT NULL REFERENCES subjects(subject_id) ON DELETE CASCADE,
  purpose        TEXT NOT NULL,
  granted        INTEGER NOT NULL,
  ts             INTEGER NOT NULL,
  notice_version TEXT NOT NULL,
  expires_at     INTEGER,
  entry_id       INTEGER NOT NULL REFERENCES consent_ledger_v7(entry_id),
  PRIMARY KEY(subject_id, purpose)
) WITHOUT ROWID;
INSERT INTO consent_state_v7 SELECT subject_id, purpose, granted, ts, notice_version,
  expires_at, entry_id FROM consent_state;
DROP TABLE consent_state;
DROP TABLE consent_ledger;
ALTER TABLE consent_ledger_v7 RENAME TO consent_ledger;
ALTER TABLE consent_state_v7 RENAME TO consent_state;
CREATE INDEX consent_ledger_by_subject ON consent_ledger(subject_id, purpose, ts);
CREATE TRIGGER consent_ledger_no_update BEFORE UPDATE ON consent_ledger
BEGIN SELECT RAISE(ABORT, 'the consent ledger is append-only'); END;
CREATE INDEX consent_ledger_by_purpose ON consent_ledger(purpose);
CREATE INDEX consent_state_by_entry ON consent_state(entry_id);
ALTER TABLE scores ADD COLUMN scored_at INTEGER;
)sql";

constexpr std::array kMigrations = {
    Migration{1, "subjects, identifiers, profiles, events, features, consent, audit, suppression",
              kV1},
    Migration{2, "privacy-budget ledger", kV2},
    Migration{3, "lead-scoring models and scores", kV3},
    Migration{4, "human review of automated scoring decisions", kV4},
    Migration{5, "access tokens and privacy notices", kV5},
    Migration{6, "points scoring: the points log and totals", kV6},
    Migration{7, "consent lapse in the ledger; when scores were computed", kV7},
};

}  // namespace

std::span<const Migration> sqlite_migrations() { return kMigrations; }

}  // namespace consentric
