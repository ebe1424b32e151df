#pragma once

// Store: where consentric keeps subjects, identifiers (blind index only), profile values,
// events, per-subject feature rows, the consent ledger, the audit chain and the suppression
// list. An abstract seam in the leveldb manner: SQLite is the embedded default; PostgreSQL
// follows behind the same interface and the same conformance tests. Keys live apart, in the
// key ring (crypto/key_ring.h). Not thread-safe: one Store per thread.
//
// Writes happen between begin() and commit(); rollback() (or destruction) discards them, so an
// import that fails leaves the store as it was (DESIGN.md invariant 7).

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "consentric/status.h"
#include "core/time.h"

namespace consentric {

using SubjectId = std::int64_t;

// A subject's profile as stored (store/profile_doc.h has the encoding).
struct ProfileRow {
  std::string plain;   // JSON object of the non-pii fields
  std::string sealed;  // crypto::seal of the JSON object of the pii fields; empty when none
  UnixSeconds updated_at = 0;
};

struct SubjectRow {
  SubjectId id = 0;
  std::string pseudonym;  // stable, random, carries nothing about the person
  UnixSeconds created_at = 0;
  UnixSeconds updated_at = 0;
  // An anonymous remnant of an erased person (Store::anonymize_subject): events only, no
  // identifier, profile, consent or key. Not a person: the gate never lets one into a view.
  bool anonymous = false;
};

struct EventRow {
  SubjectId subject = 0;
  UnixSeconds ts = 0;
  std::int64_t dedup = 0;  // content hash: the same event imported twice is stored once
  std::int64_t type_id = 0;
  std::string props;   // non-pii properties as compact JSON
  std::string sealed;  // pii properties, sealed JSON; empty when none
};

// Increments to a subject's feature row, applied at ingest (DESIGN.md "Storage").
struct FeatureDelta {
  SubjectId subject = 0;
  UnixSeconds first_seen = 0;
  UnixSeconds last_seen = 0;
  std::int64_t events = 0;
  std::optional<UnixSeconds> last_purchase;
  std::int64_t purchases = 0;  // frequency: events of a type with a value property
  double monetary = 0;
  struct TypeCount {
    std::int64_t type_id = 0;
    std::int64_t count = 0;
    UnixSeconds last_ts = 0;
  };
  std::vector<TypeCount> per_type;
};

// A subject's stored feature row has the same shape as the increments applied to it.
using FeatureRow = FeatureDelta;

// A withdrawal with no grant before it is recorded as a refusal: the person said no. A lapse is
// not the person's act: retention (docs/governance.md) records that a grant reached its
// expires_at, so the ledger shows why the consent ended rather than leaving it to be inferred.
enum class ConsentAction { kGrant, kWithdraw, kRefuse, kLapse };

std::string_view to_string(ConsentAction a);  // "grant", "withdraw", "refuse", "lapse"
std::optional<ConsentAction> parse_consent_action(std::string_view text);

struct ConsentEntry {
  std::int64_t entry_id = 0;  // assigned by the store
  SubjectId subject = 0;
  std::string purpose;
  ConsentAction action = ConsentAction::kGrant;
  UnixSeconds ts = 0;           // when the person acted
  UnixSeconds recorded_at = 0;  // when we recorded it
  std::string source;           // web_form, api, import, tcf, gpc, ...
  std::string method;           // checkbox, form, banner, ...
  std::string notice_version;
  std::string notice_hash;  // hex BLAKE2b of the exact notice text shown, when known
  std::string proof;        // JSON: form id, TC string, IP prefix, user agent, ...
  std::optional<UnixSeconds> expires_at;
};

struct ConsentState {
  SubjectId subject = 0;
  std::string purpose;
  bool granted = false;
  UnixSeconds ts = 0;
  std::string notice_version;
  std::optional<UnixSeconds> expires_at;
  std::int64_t entry_id = 0;
};

struct AuditRecord {
  std::int64_t seq = 0;  // 1, 2, 3, ... without gaps
  UnixSeconds ts = 0;
  std::string actor;
  std::string action;     // e.g. "import.profiles", "store.init"
  std::string purpose;    // the purpose acted under, or empty
  std::string subject;    // pseudonym, or empty
  std::string detail;     // JSON
  std::string prev_hash;  // 32 bytes
  std::string hash;       // 32 bytes
};

// Limits on processing that are not consent: a restriction (GDPR Art. 18) stops every purpose;
// an objection (Art. 21) stops legitimate-interest purposes and direct marketing. Append-only
// like the consent ledger: the state at a time is the latest entry at or before it.
enum class LimitKind { kRestriction, kObjection };

struct LimitEntry {
  std::int64_t entry_id = 0;  // assigned by the store
  SubjectId subject = 0;
  LimitKind kind = LimitKind::kRestriction;
  std::string purpose;  // an objection's purpose; empty: every purpose it can apply to
  bool lifted = false;  // false: the limit starts; true: it is lifted
  UnixSeconds ts = 0;
  UnixSeconds recorded_at = 0;
  std::string source;
  std::string detail;  // JSON
};

// A signed checkpoint of the audit Merkle tree (docs/formats/audit-chain.md).
struct AuditCheckpointRow {
  std::int64_t size = 0;
  std::string root;  // 32 bytes
  UnixSeconds ts = 0;
  std::string note;  // the signed note, as handed to outsiders
};

struct EventTypeRow {
  std::int64_t type_id = 0;
  std::string name;
};

struct ImportRecord {
  std::string kind;    // profiles, events, consents
  std::string file;    // base name only
  std::string sha256;  // hex BLAKE2b-256 of the file
  UnixSeconds started_at = 0;
  UnixSeconds finished_at = 0;
  std::int64_t rows = 0, inserted = 0, updated = 0, unchanged = 0, rejected = 0, suppressed = 0;
};

// A segment definition (docs/segments.md); kind is "rule", "rfm" or "kmeans".
struct SegmentRow {
  std::int64_t id = 0;  // assigned by the store
  std::string name;
  std::string purpose;
  std::string kind;
  std::string definition;  // JSON
  UnixSeconds created_at = 0;
  std::string created_by;
};

struct SegmentRunRow {
  std::int64_t run_id = 0;  // assigned by the store
  std::int64_t segment_id = 0;
  UnixSeconds as_of = 0;
  UnixSeconds started_at = 0;
  double seconds = 0;
  std::int64_t view_rows = 0;
  std::string model;  // JSON
  std::int64_t audit_seq = 0;
};

struct MembershipRow {
  SubjectId subject = 0;
  std::int32_t label = 0;
  std::optional<double> distance;
  std::optional<std::int32_t> rfm;
};

// A data-subject request in the register (docs/rights.md). The store keeps the row; what the
// type, regime and status mean, and the deadlines, are the rights module's.
struct DsarRow {
  std::int64_t request_id = 0;  // assigned by the store
  std::string type;    // access, portability, rectification, erasure, restriction, objection
  std::string regime;  // gdpr, ccpa
  std::string identifier_field;      // which declared identifier field was given; never the value
  std::optional<SubjectId> subject;  // none when no data was held, or after erasure
  UnixSeconds received_at = 0;
  bool verified = false;  // the requester's identity was checked
  UnixSeconds due_at = 0;
  bool extended = false;
  std::string extension_reason;
  std::string status = "open";  // open, completed, refused, no_data
  std::optional<UnixSeconds> completed_at;
  std::string evidence = "{}";  // JSON object
};

// Which requests dsar_requests() returns; every member left empty matches all.
struct DsarFilter {
  std::string status;                     // only this status
  std::optional<UnixSeconds> overdue_at;  // only open requests with due_at < this time
  std::optional<SubjectId> subject;
  std::string type;
};

// A subject's identifier as stored: its blind index and which declared field it is.
struct IdentifierRow {
  std::string blind_index;
  std::string field;
};

// What an erasure removed: how many rows of each kind ("events", "profile", ...), in the order
// they were deleted. Counts only, never content: this goes into the erasure receipt.
using RemovedCounts = std::vector<std::pair<std::string, std::int64_t>>;

// One subject's membership in the latest run of a segment (an access request shows it).
struct SubjectMembership {
  std::int64_t segment_id = 0;
  std::int64_t run_id = 0;
  MembershipRow row;
};

// Who received a subject's data (GDPR Art. 15(1)(c)): one export that included them, with the
// audit entry that recorded the export.
struct DisclosureRow {
  std::int64_t audit_seq = 0;
  std::string purpose;
  std::string recipient;  // for now the export file's name
  UnixSeconds ts = 0;     // from the audit entry
  std::string action;     // from the audit entry, e.g. segment.export
  std::string detail;     // from the audit entry (JSON)
};

// One differentially private release charged to a purpose's budget.
struct DpSpendRow {
  std::int64_t spend_id = 0;  // assigned by the store
  std::string purpose;
  double epsilon = 0;
  double delta = 0;
  std::string query;  // JSON
  std::int64_t audit_seq = 0;
  UnixSeconds spent_at = 0;
};

// An access token (docs/governance.md, "Roles and tokens"): the token itself is shown once and
// never stored; token_hash is its keyed hash.
struct AccessTokenRow {
  std::int64_t token_id = 0;  // assigned by the store
  std::string name;           // who holds it; names the actor in the audit chain
  std::string role;
  std::string token_hash;  // binary
  UnixSeconds created_at = 0;
  std::string created_by;
  UnixSeconds expires_at = 0;
  std::optional<UnixSeconds> revoked_at;
  std::string revoked_by;
};

// One published version of a purpose's privacy notice.
struct PrivacyNoticeRow {
  std::string purpose;
  std::int64_t version = 0;  // 1, 2, ... per purpose
  std::string label;         // what consent records name: "2026-01", then "2026-01.2", ...
  std::string text_hash;     // hex BLAKE2b-256 of text
  std::string text;          // Markdown
  UnixSeconds published_at = 0;
  std::string published_by;
};

// A lead-scoring model in the registry (docs/algorithms/lead-scoring-models.md); kind is "lr"
// or "trees".
struct ScoreModelRow {
  std::int64_t model_id = 0;  // assigned by the store
  std::string purpose;
  std::string kind;
  std::int64_t version = 0;  // 1, 2, ... per purpose
  UnixSeconds created_at = 0;
  std::string created_by;
  bool active = false;
  bool stale = false;
  std::string stale_reason;
  UnixSeconds review_due = 0;
  std::string features;           // JSON
  std::string model;              // JSON
  std::string card;               // JSON
  std::string training_subjects;  // store/subject_set.h
  std::int64_t audit_seq = 0;
};

struct ScoreRow {
  SubjectId subject = 0;
  std::int64_t model_id = 0;
  double score = 0;         // a probability
  std::string explanation;  // JSON
  // When it was computed; retention of the purpose's derived data counts from it. Scores from
  // before schema 7 have none stored and read back as their model's created_at.
  UnixSeconds scored_at = 0;
};

// A score queued for human review (GDPR Art. 22(3)); status open, confirmed or overridden.
struct ScoreReviewRow {
  std::int64_t review_id = 0;  // assigned by the store
  SubjectId subject = 0;
  std::string pseudonym;  // filled when read
  std::int64_t model_id = 0;
  std::string purpose;  // the model's, filled when read
  double score = 0;
  std::string direction;  // "above" or "below" the purpose's threshold
  UnixSeconds queued_at = 0;
  std::string status = "open";
  std::optional<UnixSeconds> decided_at;
  std::string decided_by;
  std::string note;
  std::optional<std::int64_t> audit_seq;
};

// Points scoring (docs/scoring.md, "Points"): one change of a subject's points. Which part of
// the points it changes is (rule, kind, event): kind "event" is one event's points as the rule
// gave them, "fit" a fit rule's, "decay" how much the rule's events have faded in all, "cap"
// what the rule's cap takes off. Amounts are milli-points.
struct PointsLogRow {
  std::int64_t entry_id = 0;  // assigned by the store
  SubjectId subject = 0;
  std::string purpose;
  std::string rule;
  std::string kind;                      // event, fit, decay, cap
  std::optional<std::int64_t> event_id;  // kind event: the event's id (gate::PurposeEvent::id)
  std::optional<UnixSeconds> event_ts;   // kind event: when it happened
  // Why it changed: event or fit (first credited), decay, cap, changed (the rule's points were
  // edited), dropped (the rule or the event no longer counts).
  std::string reason;
  std::int64_t delta_milli = 0;
  UnixSeconds at = 0;          // the time the points were computed for (score points run --as-of)
  std::int64_t audit_seq = 0;  // the points.run audit entry that wrote it
};

// What one part (subject, rule, kind, event) of a subject's points holds now: its log summed.
struct PointsBalance {
  SubjectId subject = 0;
  std::string rule;
  std::string kind;
  std::optional<std::int64_t> event_id;
  std::optional<UnixSeconds> event_ts;
  std::int64_t milli = 0;
};

// A subject's points for a purpose: the total (always the sum of its log), grade and MQL flag.
struct PointsTotalRow {
  SubjectId subject = 0;
  std::string pseudonym;  // filled when read
  std::string purpose;
  std::int64_t total_milli = 0;
  std::string grade = "D";  // A, B, C or D
  bool mql = false;
  UnixSeconds as_of = 0;
};

// What a purpose's releases have spent so far.
struct DpSpent {
  double epsilon = 0;
  double delta = 0;
  std::int64_t releases = 0;
};

// What anonymize_subject strips from the events it keeps, beyond their pii part.
struct AnonymizeOptions {
  // Properties removed from the kept events' props, by event type id (quasi-identifiers).
  std::vector<std::pair<std::int64_t, std::vector<std::string>>> drop_properties;
};

struct StoreCounts {
  std::int64_t subjects = 0;
  std::int64_t anonymous = 0;  // of the subjects, anonymous remnants of erased people
  std::int64_t identifiers = 0;
  std::int64_t profiles = 0;
  std::int64_t events = 0;
  std::int64_t consent_entries = 0;
  std::int64_t audit_entries = 0;
  std::int64_t suppressed = 0;
};

struct PurposeConsentCount {
  std::string purpose;
  std::int64_t granted = 0;
  std::int64_t withdrawn = 0;
};

class Store {
 public:
  Store() = default;
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;
  virtual ~Store() = default;

  // Transactions. REQUIRES: no nested begin().
  virtual Status begin() = 0;
  virtual Status commit() = 0;
  virtual void rollback() = 0;

  // Schema version after migrations.
  virtual Result<int> schema_version() = 0;

  // Store metadata (store id, creation time).
  virtual Status set_meta(std::string_view key, std::string_view value) = 0;
  virtual Result<std::optional<std::string>> meta(std::string_view key) = 0;

  // The privacy-as-code declaration in force: every version is kept.
  virtual Status put_config(std::string_view yaml, std::string_view hash_hex, UnixSeconds at) = 0;
  virtual Result<std::string> current_config() = 0;  // NotFound when none

  // Subjects and identifiers.
  virtual Result<SubjectRow> create_subject(UnixSeconds now) = 0;
  virtual Result<std::optional<SubjectRow>> subject(SubjectId id) = 0;
  virtual Result<std::optional<SubjectId>> find_subject(std::string_view blind_index) = 0;
  // find_subject and is_suppressed in one look-up: the import path asks both for every identifier.
  struct IdentifierStatus {
    std::optional<SubjectId> subject;
    bool suppressed = false;
  };
  virtual Result<IdentifierStatus> identifier_status(std::string_view blind_index) = 0;
  // AlreadyExists when the index belongs to another subject.
  virtual Status add_identifier(SubjectId subject, std::string_view blind_index,
                                std::string_view field) = 0;
  // Makes `blind_index` the subject's only identifier for `field` (an email that changed).
  virtual Status replace_identifier(SubjectId subject, std::string_view blind_index,
                                    std::string_view field) = 0;
  virtual Status touch_subject(SubjectId subject, UnixSeconds now) = 0;

  // Profiles: one row per subject, replaced whole.
  virtual Result<std::optional<ProfileRow>> profile(SubjectId subject) = 0;
  virtual Status put_profile(SubjectId subject, const ProfileRow& row) = 0;

  // Events; insert returns false when the same event is already stored.
  virtual Result<std::int64_t> event_type_id(std::string_view name) = 0;  // creates on first use
  virtual Result<bool> insert_event(const EventRow& event) = 0;
  virtual Status apply_features(const FeatureDelta& delta) = 0;
  virtual Result<std::optional<FeatureRow>> features(SubjectId subject) = 0;

  // Consent ledger (append-only) and the current state kept in step with it.
  virtual Result<std::int64_t> append_consent(const ConsentEntry& entry) = 0;
  virtual Result<std::optional<ConsentState>> consent_state(SubjectId subject,
                                                            std::string_view purpose) = 0;
  virtual Result<std::vector<ConsentEntry>> consent_history(SubjectId subject) = 0;
  virtual Result<std::vector<PurposeConsentCount>> consent_counts() = 0;
  // True when the ledger already holds this decision (same subject, purpose, action, time, source).
  virtual Result<bool> has_consent_entry(const ConsentEntry& entry) = 0;
  // Every ledger entry for `purpose` with ts <= as_of, in no particular order. Only the fields
  // the gate decides on are filled: subject, action, ts, entry_id, notice_version, expires_at.
  virtual Status scan_consent_decisions(std::string_view purpose, UnixSeconds as_of,
                                        const std::function<void(const ConsentEntry&)>& fn) = 0;

  // Restrictions and objections (append-only).
  virtual Result<std::int64_t> append_limit(const LimitEntry& entry) = 0;
  virtual Result<std::vector<LimitEntry>> limit_history(SubjectId subject) = 0;
  // Every limit entry with ts <= as_of, in no particular order.
  virtual Status scan_limits(UnixSeconds as_of,
                             const std::function<void(const LimitEntry&)>& fn) = 0;

  // Feature rows per subject and purpose: built only from the event types the purpose declares
  // and, for consent purposes, only from events inside the subject's consent (gate/README).
  virtual Status add_purpose_features(std::string_view purpose, const FeatureDelta& delta) = 0;
  virtual Status replace_purpose_features(std::string_view purpose, SubjectId subject,
                                          const std::optional<FeatureRow>& row) = 0;
  virtual Result<std::optional<FeatureRow>> purpose_features(SubjectId subject,
                                                             std::string_view purpose) = 0;
  virtual Status scan_purpose_features(std::string_view purpose,
                                       const std::function<void(const FeatureRow&)>& fn) = 0;
  virtual Status clear_purpose_features(std::string_view purpose) = 0;

  // Bulk reads for the gate and for rebuilds.
  virtual Result<std::vector<EventTypeRow>> event_types() = 0;
  virtual Status scan_subjects(const std::function<void(const SubjectRow&)>& fn) = 0;
  virtual Status scan_profiles(const std::function<void(SubjectId, const ProfileRow&)>& fn) = 0;
  // One subject's events with ts <= until, in time order.
  virtual Status scan_subject_events(SubjectId subject, UnixSeconds until,
                                     const std::function<void(const EventRow&)>& fn) = 0;
  // One subject's events with after < ts <= until, in time order, with only subject, ts, dedup
  // and type_id filled: what counting events in a time window needs.
  virtual Status scan_subject_event_times(SubjectId subject, UnixSeconds after, UnixSeconds until,
                                          const std::function<void(const EventRow&)>& fn) = 0;
  // Every subject id that has events, ascending.
  virtual Result<std::vector<SubjectId>> subjects_with_events() = 0;

  // Segments, their runs and the latest run's memberships.
  virtual Result<std::int64_t> create_segment(const SegmentRow& row) = 0;  // AlreadyExists
  virtual Result<std::optional<SegmentRow>> segment(std::string_view name) = 0;
  virtual Result<std::vector<SegmentRow>> segments() = 0;  // by name
  virtual Result<std::int64_t> add_segment_run(const SegmentRunRow& row) = 0;
  virtual Result<std::vector<SegmentRunRow>> segment_runs(
      std::int64_t segment_id) = 0;  // oldest first
  // Replaces the segment's memberships with those of `run_id`.
  virtual Status put_memberships(std::int64_t segment_id, std::int64_t run_id,
                                 const std::vector<MembershipRow>& rows) = 0;
  // Members per label of a run: (label, count), ascending by label.
  virtual Result<std::vector<std::pair<std::int32_t, std::int64_t>>> membership_counts(
      std::int64_t run_id) = 0;
  // A run's members with their pseudonyms, by label then pseudonym.
  virtual Status scan_memberships(
      std::int64_t run_id,
      const std::function<void(const MembershipRow&, std::string_view pseudonym)>& fn) = 0;
  // The purposes of the segments a subject is a member of.
  virtual Result<std::vector<std::string>> membership_purposes(SubjectId subject) = 0;
  // Removes the subject from every segment of `purpose`; returns how many memberships went.
  virtual Result<std::int64_t> remove_memberships(SubjectId subject, std::string_view purpose) = 0;

  // Lead-scoring models and their scores. add_score_model returns the model id; AlreadyExists
  // when the purpose has that version already.
  virtual Result<std::int64_t> add_score_model(const ScoreModelRow& row) = 0;
  // The purpose's models (every model when empty), by purpose then version.
  virtual Result<std::vector<ScoreModelRow>> score_models(std::string_view purpose) = 0;
  virtual Result<std::optional<ScoreModelRow>> score_model(std::int64_t model_id) = 0;
  // Makes the model its purpose's only active one; NotFound when there is no such model.
  virtual Status activate_score_model(std::int64_t model_id) = 0;
  // Replaces every score of the model's purpose with `rows` (all of model `model_id`).
  virtual Status put_scores(std::int64_t model_id, const std::vector<ScoreRow>& rows) = 0;
  // A model's scores with their subjects' pseudonyms, highest score first (ties by pseudonym).
  virtual Status scan_scores(
      std::int64_t model_id,
      const std::function<void(const ScoreRow&, std::string_view pseudonym)>& fn) = 0;
  // A subject's scores, by model id.
  virtual Result<std::vector<ScoreRow>> subject_scores(SubjectId subject) = 0;
  // Deletes the subject's scores, and open reviews, from the models of `purpose`; returns how
  // many scores went.
  virtual Result<std::int64_t> remove_scores(SubjectId subject, std::string_view purpose) = 0;
  // The purposes of the models not yet stale whose training set holds the subject, and of the
  // models that hold a score of it. Asked on every consent decision and limit.
  virtual Result<std::vector<std::string>> scoring_purposes(SubjectId subject) = 0;
  // Marks stale, with `reason`, every model of `purpose` (of any purpose when empty) not yet
  // stale whose training set holds the subject; returns their ids.
  virtual Result<std::vector<std::int64_t>> mark_models_stale(SubjectId subject,
                                                              std::string_view purpose,
                                                              std::string_view reason) = 0;

  // Points scoring. Every part of the subjects' points for `purpose` whose log does not sum to
  // zero, by subject.
  virtual Status scan_points_balances(std::string_view purpose,
                                      const std::function<void(const PointsBalance&)>& fn) = 0;
  // Appends the log rows and adds each one's delta to its subject's total (a total starts at
  // 0, grade D), so a total is always the sum of its log.
  virtual Status add_points_log(const std::vector<PointsLogRow>& rows) = 0;
  // Sets each row's grade, MQL flag and as-of on its subject's total (creating it at 0); the
  // total itself only ever changes through add_points_log.
  virtual Status put_points_grades(const std::vector<PointsTotalRow>& rows) = 0;
  // The purpose's totals with their pseudonyms, highest first (ties by pseudonym); `limit` 0:
  // all of them.
  virtual Result<std::vector<PointsTotalRow>> points_totals(std::string_view purpose,
                                                            std::int64_t limit) = 0;
  // A subject's totals (by purpose) and log (oldest first) for an access request.
  virtual Result<std::vector<PointsTotalRow>> subject_points(SubjectId subject) = 0;
  virtual Result<std::vector<PointsLogRow>> points_log(SubjectId subject,
                                                       std::string_view purpose) = 0;
  // The purposes the subject holds points under.
  virtual Result<std::vector<std::string>> points_purposes(SubjectId subject) = 0;
  // Deletes the subject's total and log for `purpose`; returns how many log rows went.
  virtual Result<std::int64_t> remove_points(SubjectId subject, std::string_view purpose) = 0;

  // Human review of scores. queue_score_reviews adds each row unless the subject already has an
  // open review of that model; returns how many were added.
  virtual Result<std::int64_t> queue_score_reviews(const std::vector<ScoreReviewRow>& rows) = 0;
  // The reviews of `purpose` (every purpose when empty) with `status` (any when empty), oldest
  // first.
  virtual Result<std::vector<ScoreReviewRow>> score_reviews(std::string_view purpose,
                                                            std::string_view status) = 0;
  virtual Result<std::optional<ScoreReviewRow>> score_review(std::int64_t review_id) = 0;
  // Records the decision on an open review; FailedPrecondition when it is not open.
  virtual Status decide_score_review(const ScoreReviewRow& decided) = 0;

  // The register of data-subject requests.
  virtual Result<std::int64_t> add_dsar(const DsarRow& row) = 0;  // returns the request id
  virtual Result<std::optional<DsarRow>> dsar(std::int64_t request_id) = 0;
  // Replaces every column of the row with row.request_id; NotFound when there is none.
  virtual Status update_dsar(const DsarRow& row) = 0;
  // The requests that match, by request id.
  virtual Result<std::vector<DsarRow>> dsars(const DsarFilter& filter) = 0;

  // A subject's identifiers, by field.
  virtual Result<std::vector<IdentifierRow>> subject_identifiers(SubjectId subject) = 0;

  // Deletes every row about the subject, table by table, the subject row last; requests in the
  // register stay with their subject set to none. With secure_delete the deleted content is
  // overwritten in the pages written; old page images leave the WAL at the next checkpoint().
  // Returns the rows removed by kind; NotFound when there is no such subject.
  virtual Result<RemovedCounts> erase_subject(SubjectId subject) = 0;

  // What one person may learn about themselves (access and portability, docs/rights.md).
  // The subject's memberships in the latest run of every segment, by segment id.
  virtual Result<std::vector<SubjectMembership>> subject_memberships(SubjectId subject) = 0;
  // Records that the export audited as `audit_seq` carried each of `subjects` to `recipient`.
  // REQUIRES: the audit entry is written in the same transaction.
  virtual Status add_disclosures(std::int64_t audit_seq, std::string_view purpose,
                                 std::string_view recipient,
                                 const std::vector<SubjectId>& subjects) = 0;
  // The disclosures of one subject with their audit entries, oldest first.
  virtual Result<std::vector<DisclosureRow>> disclosures(SubjectId subject) = 0;
  // Records that import `import_id` inserted or changed something of each of `subjects`.
  virtual Status add_subject_imports(std::int64_t import_id,
                                     const std::vector<SubjectId>& subjects) = 0;
  // The imports that touched a subject, oldest first.
  virtual Result<std::vector<ImportRecord>> subject_imports(SubjectId subject) = 0;

  // Anonymization instead of deletion (docs/rights.md): moves the subject's events and its
  // all-events feature rows ("feature rows", "event counts") to a new anonymous subject, and
  // returns how many rows of each kind moved ("events" first). The new subject has a fresh
  // random pseudonym, a random negative id (an id from the sequence would tell when it was
  // made, and so which erasure it came from), created_at and updated_at both the first kept
  // event's time, and nothing else: no identifier, profile, consent, limit, membership, purpose
  // feature row or request. The kept events lose their sealed (pii) part, the properties that
  // `options` names, and their content hash (a hash of what they held, pii included), which a
  // sequence number replaces. Nothing records which subject the remnant came from; the caller
  // must not either. When the subject has no events nothing is made and every count is 0.
  // The subject itself is left as it was otherwise: erase_subject it next, in the same
  // transaction. NotFound when there is no such subject; FailedPrecondition for a remnant.
  virtual Result<RemovedCounts> anonymize_subject(SubjectId subject,
                                                  const AnonymizeOptions& options) = 0;

  // Retention (docs/governance.md). Events of one type with ts < before: how many and whose
  // (subject ids, ascending); nothing changes.
  struct EventsBefore {
    std::int64_t events = 0;
    std::vector<SubjectId> subjects;
  };
  virtual Result<EventsBefore> events_before(std::int64_t type_id, UnixSeconds before) = 0;
  // Deletes the events of one type with ts < before (secure_delete overwrites them); returns
  // how many went. Feature rows are the caller's to rebuild.
  virtual Result<std::int64_t> delete_events_before(std::int64_t type_id, UnixSeconds before) = 0;
  // Replaces the subject's all-events feature row (features, per-type counts) with `row`; none
  // or events == 0 leaves the subject without one.
  virtual Status replace_features(SubjectId subject, const std::optional<FeatureRow>& row) = 0;
  // The scores of `purpose`'s models computed before `before` (ScoreRow::scored_at): how many,
  // or deleted with their open reviews, returning how many scores went.
  // Deletes every membership of the segment (its latest run's: older runs keep none); returns how
  // many went. The runs stay, with their sizes.
  virtual Result<std::int64_t> clear_memberships(std::int64_t segment_id) = 0;
  virtual Result<std::int64_t> count_scores_before(std::string_view purpose,
                                                   UnixSeconds before) = 0;
  virtual Result<std::int64_t> remove_scores_before(std::string_view purpose,
                                                    UnixSeconds before) = 0;

  // Suppression list: blind indexes of erased people; a re-import of them is refused.
  // The privacy-budget ledger (append-only).
  virtual Result<std::int64_t> add_dp_spend(const DpSpendRow& row) = 0;
  virtual Result<DpSpent> dp_spent(std::string_view purpose) = 0;
  virtual Result<std::vector<DpSpendRow>> dp_spends(std::string_view purpose) = 0;  // oldest first

  // Access tokens. add: AlreadyExists when the name is taken. revoke: NotFound when no token has
  // that name; FailedPrecondition when it is already revoked.
  virtual Result<std::int64_t> add_access_token(const AccessTokenRow& row) = 0;
  virtual Result<std::optional<AccessTokenRow>> access_token_by_hash(std::string_view hash) = 0;
  virtual Result<std::vector<AccessTokenRow>> access_tokens() = 0;  // by name
  virtual Status revoke_access_token(std::string_view name, std::string_view by,
                                     UnixSeconds at) = 0;

  // Privacy notices: each purpose's published versions, oldest first. add: AlreadyExists when
  // the version is taken.
  virtual Status add_privacy_notice(const PrivacyNoticeRow& row) = 0;
  virtual Result<std::vector<PrivacyNoticeRow>> privacy_notices(std::string_view purpose) = 0;

  virtual Result<bool> is_suppressed(std::string_view blind_index) = 0;
  virtual Status suppress(std::string_view blind_index, std::string_view field,
                          std::string_view reason, UnixSeconds now) = 0;

  // Audit chain rows; the chain itself (hashing, verification) is the audit module's.
  virtual Result<std::optional<AuditRecord>> last_audit() = 0;
  virtual Status append_audit(const AuditRecord& record) = 0;
  // Calls fn for each record in sequence order until it returns a non-ok Status.
  virtual Status scan_audit(const std::function<Status(const AuditRecord&)>& fn) = 0;
  virtual Status put_audit_checkpoint(const AuditCheckpointRow& row) = 0;
  virtual Result<std::vector<AuditCheckpointRow>> audit_checkpoints() = 0;  // by size

  // Returns the import's id.
  virtual Result<std::int64_t> record_import(const ImportRecord& record) = 0;
  virtual Result<StoreCounts> counts() = 0;

  // Moves all committed data into the main file and truncates the write-ahead log.
  virtual Status checkpoint() = 0;

  // A consistent copy of the data (never the keys, which live in the key ring) in a new file
  // `to`, mode 0600; AlreadyExists when it exists.
  virtual Status backup_to(const std::filesystem::path& to) = 0;
  // Replaces the whole content with that of a copy made by backup_to. REQUIRES: no transaction
  // open. Callers check the copy is of this store first (docs/rights.md, "Backup and restore").
  virtual Status restore_from(const std::filesystem::path& from) = 0;
};

}  // namespace consentric
