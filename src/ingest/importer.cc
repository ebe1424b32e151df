#include "ingest/importer.h"

#include <algorithm>
#include <chrono>
#include <fstream>
#include <future>
#include <unordered_map>
#include <unordered_set>

#include <fmt/format.h>

#include "audit/audit_log.h"
#include "consent/ledger.h"
#include "consent/purpose_features.h"
#include "core/text.h"
#include "crypto/blind_index.h"
#include "ingest/event_rows.h"
#include "ingest/identifier_indexer.h"
#include "ingest/pipeline.h"
#include "ingest/profile_rows.h"
#include "ingest/record_source.h"
#include "store/feature_row.h"

namespace consentric::ingest {
namespace {

namespace fs = std::filesystem;

// Keys a record may carry beside the declared fields, per kind.
constexpr std::string_view kProofPrefix = "proof_";

// Bounds on the per-import caches, so memory does not grow with the file.
constexpr std::size_t kMaxCachedSubjects = 200'000;
constexpr std::size_t kMaxPendingFeatures = 50'000;
constexpr std::int64_t kProgressEveryRows = 4096;

enum class Outcome { kInserted, kUpdated, kUnchanged, kSuppressed, kInvalid };

class Importer {
 public:
  Importer(StoreDir& sd, const ImportOptions& options)
      : sd_(sd),
        cfg_(sd.config),
        opts_(options),
        store_(*sd.store),
        keys_(*sd.keyring),
        purpose_features_(*sd.store, sd.config) {}

  Result<ImportReport> run() {
    const auto started = std::chrono::steady_clock::now();
    report_.kind = opts_.kind;
    report_.file = opts_.file.filename().string();
    CONSENTRIC_ASSIGN_OR_RETURN(std::unique_ptr<RecordSource> source, open_source());
    CONSENTRIC_RETURN_IF_ERROR(check_columns(*source));
    // The file's hash (for the import record and the audit entry) is computed on the other core
    // while this one imports.
    auto file_hash_future =
        std::async(std::launch::async, [path = opts_.file] { return crypto::hash256_file(path); });

    CONSENTRIC_RETURN_IF_ERROR(keys_.begin());
    Status s = store_.begin();
    if (!s.ok()) {
      keys_.rollback();
      return s;
    }
    s = read_all(*source);
    if (s.ok() && error_count_ > 0 && !opts_.skip_invalid) s = invalid_argument(error_summary());
    if (s.ok()) s = flush_features();
    Result<std::string> file_hash = file_hash_future.get();
    if (s.ok() && !file_hash.ok()) s = file_hash.status();
    if (s.ok()) s = finish(crypto::to_hex(*file_hash));
    // Keys commit first: if the data commit then fails, the new keys merely guard nothing.
    if (s.ok()) s = keys_.commit();
    if (s.ok()) s = store_.commit();
    if (!s.ok()) {
      store_.rollback();
      keys_.rollback();
      return s;
    }
    report_.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return report_;
  }

 private:
  Result<std::unique_ptr<RecordSource>> open_source() {
    FileFormat format = opts_.format;
    if (format == FileFormat::kAuto) {
      const std::string ext = to_lower_ascii(opts_.file.extension().string());
      if (ext == ".csv")
        format = FileFormat::kCsv;
      else if (ext == ".ndjson" || ext == ".jsonl")
        format = FileFormat::kNdjson;
      else {
        return invalid_argument(
            fmt::format("{}: cannot tell the format from the extension \"{}\" (expected .csv, "
                        ".ndjson or .jsonl, or say --format)",
                        opts_.file.string(), ext));
      }
    }
    auto source =
        format == FileFormat::kCsv ? open_csv_source(opts_.file) : open_ndjson_source(opts_.file);
    if (!source.ok() && source.status().code() == StatusCode::kInvalidArgument) {
      return source.status().with_context(opts_.file.filename().string());
    }
    return source;
  }

  // A CSV column that no row could use is wrong for the whole file: say so once, up front.
  Status check_columns(const RecordSource& source) const {
    const std::vector<std::string>* header = source.header();
    if (header == nullptr) return Status();
    for (const std::string& name : *header) {
      if (!column_known(name)) {
        return invalid_argument(fmt::format("{}:1: column \"{}\" {}; nothing was imported",
                                            report_.file, name, unknown_column_reason()));
      }
    }
    return Status();
  }

  bool column_known(std::string_view name) const {
    switch (opts_.kind) {
      case ImportKind::kProfiles:
        return cfg_.field(name) != nullptr;
      case ImportKind::kEvents:
        if (is_reserved_event_key(name) || cfg_.identifier(name) != nullptr) return true;
        for (const EventTypeSpec& t : cfg_.event_types) {
          if (t.property(name) != nullptr) return true;
        }
        return false;
      case ImportKind::kConsents:
        return is_consent_key(name);
    }
    return false;
  }

  std::string unknown_column_reason() const {
    switch (opts_.kind) {
      case ImportKind::kProfiles:
        return "is not a declared field of consentric.yaml";
      case ImportKind::kEvents:
        return "is not type, time, event_id, an identifier or a declared event property";
      case ImportKind::kConsents:
        return "is not a field of a consent record";
    }
    return "is unknown";
  }

  bool is_consent_key(std::string_view name) const {
    static constexpr std::string_view kKnown[] = {"purpose",     "action",    "time",
                                                  "source",      "method",    "notice_version",
                                                  "notice_hash", "expires_at"};
    return std::find(std::begin(kKnown), std::end(kKnown), name) != std::end(kKnown) ||
           cfg_.identifier(name) != nullptr || name.substr(0, kProofPrefix.size()) == kProofPrefix;
  }

  Status read_all(RecordSource& source) {
    if (opts_.kind == ImportKind::kEvents) {
      EventPreparer preparer(cfg_, *sd_.indexer, opts_.now);
      return read_pipelined<PreparedEvent>(source, preparer, &Importer::apply_event);
    }
    if (opts_.kind == ImportKind::kProfiles) {
      ProfilePreparer preparer(cfg_, *sd_.indexer);
      return read_pipelined<PreparedProfile>(source, preparer, &Importer::apply_profile);
    }
    while (true) {
      auto more = source.next();
      ++report_.rows;
      if (!more.ok()) {
        if (more.status().code() != StatusCode::kInvalidArgument) return more.status();
        CONSENTRIC_RETURN_IF_ERROR(
            reject(source.line(), {"", strip_line_prefix(more.status().message())}));
        continue;
      }
      if (!*more) {
        --report_.rows;
        return Status();
      }
      row_error_.reset();
      CONSENTRIC_ASSIGN_OR_RETURN(Outcome outcome, consent_row(source));
      CONSENTRIC_RETURN_IF_ERROR(count(outcome, source.line()));
      if (opts_.progress && report_.rows % kProgressEveryRows == 0) {
        opts_.progress({source.bytes_read(), source.total_bytes(), report_.rows});
      }
    }
  }

  Status count(Outcome outcome, std::int64_t line) {
    switch (outcome) {
      case Outcome::kInserted:
        ++report_.inserted;
        break;
      case Outcome::kUpdated:
        ++report_.updated;
        break;
      case Outcome::kUnchanged:
        ++report_.unchanged;
        break;
      case Outcome::kSuppressed:
        ++report_.suppressed;
        break;
      case Outcome::kInvalid:
        return reject(line, *row_error_);
    }
    return Status();
  }

  // Profiles and events go through the two-thread pipeline (pipeline.h): prepared on the
  // worker, applied here.
  template <typename Prepared, typename Preparer>
  Status read_pipelined(RecordSource& source, Preparer& preparer,
                        Result<Outcome> (Importer::*apply)(const Prepared&)) {
    return ImportPipeline<Prepared>::run(
        source, [&](const RecordSource& src, Prepared* out) { preparer.prepare(src, out); },
        [&](Prepared& p) -> Status {
          ++report_.rows;
          row_error_.reset();
          CONSENTRIC_ASSIGN_OR_RETURN(Outcome outcome, (this->*apply)(p));
          return count(outcome, p.line);
        },
        [&](std::int64_t bytes_done) -> Status {
          if (opts_.progress) opts_.progress({bytes_done, source.total_bytes(), report_.rows});
          return features_.size() >= kMaxPendingFeatures ? flush_features() : Status();
        });
  }

  Outcome invalid(std::string field, std::string message) {
    row_error_ = RowError{std::move(field), std::move(message)};
    return Outcome::kInvalid;
  }

  Status reject(std::int64_t line, const RowError& e) {
    ++error_count_;
    if (opts_.skip_invalid) {
      ++report_.rejected;
      return write_reject(line, e);
    }
    if (static_cast<std::int64_t>(errors_.size()) < opts_.max_errors_shown) {
      std::string where = fmt::format("{}:{}", report_.file, line);
      errors_.push_back(e.field.empty()
                            ? fmt::format("{}: {}", where, e.message)
                            : fmt::format("{}: field \"{}\": {}", where, e.field, e.message));
    }
    return Status();
  }

  Status write_reject(std::int64_t line, const RowError& e) {
    if (!reject_out_.is_open()) {
      const fs::path path =
          opts_.reject_file ? *opts_.reject_file : fs::path(opts_.file.string() + ".rejects.csv");
      reject_out_.open(path, std::ios::binary | std::ios::trunc);
      if (!reject_out_)
        return invalid_argument(fmt::format("cannot write the reject file {}", path.string()));
      reject_out_ << "line,field,reason\n";
      report_.reject_file = path;
    }
    // Line numbers and reasons only: the rejected values stay in the source file, not in a copy.
    reject_out_ << line << ',' << csv_field(e.field) << ',' << csv_field(e.message) << '\n';
    return Status();
  }

  std::string error_summary() const {
    std::string out = fmt::format("{} invalid {} in {}; nothing was imported:", error_count_,
                                  error_count_ == 1 ? "row" : "rows", report_.file);
    for (const auto& e : errors_) out += "\n  " + e;
    if (error_count_ > static_cast<std::int64_t>(errors_.size())) {
      out += fmt::format(
          "\n  ... and {} more (use --skip-invalid to import the valid rows and write the "
          "rejected ones to a reject file)",
          error_count_ - static_cast<std::int64_t>(errors_.size()));
    }
    return out;
  }

  // --- identifiers and subjects -------------------------------------------------------------

  using Ident = IdentIndex;

  std::optional<RowError> identifiers_of(const NamedValues& values, std::vector<Ident>* out) {
    return identifiers_.index_all(values, out);
  }

  // Who a row is about. Each identifier is looked up once (subject and suppression list in
  // one query); known subjects and the rare suppressed identifiers are cached, so a stream of
  // events for the same people costs one hash look-up each.
  struct RowSubject {
    bool suppressed = false;           // an identifier belongs to an erased person
    std::optional<SubjectId> subject;  // the person the identifiers name, if known
    std::uint32_t unknown = 0;         // bit i: idents[i] names nobody yet
  };

  // Sets *conflict when the identifiers name two different people.
  Result<RowSubject> resolve(const std::vector<Ident>& idents, std::optional<RowError>* conflict) {
    RowSubject out;
    const Ident* found_by = nullptr;
    for (std::size_t n = 0; n < idents.size(); ++n) {
      const Ident& i = idents[n];
      std::optional<SubjectId> id;
      if (auto it = subject_cache_.find(i.index); it != subject_cache_.end()) {
        id = it->second;
      } else if (suppressed_.contains(i.index)) {
        out.suppressed = true;
        return out;
      } else {
        CONSENTRIC_ASSIGN_OR_RETURN(Store::IdentifierStatus st, store_.identifier_status(i.index));
        if (st.suppressed) {
          suppressed_.insert(i.index);
          out.suppressed = true;
          return out;
        }
        if (st.subject) remember(i.index, *st.subject);
        id = st.subject;
      }
      if (!id) {
        out.unknown |= 1u << n;
        continue;
      }
      if (out.subject && *out.subject != *id) {
        *conflict = RowError{i.spec->field,
                             fmt::format("identifies a different person than {} does in this row",
                                         found_by->spec->field)};
        return out;
      }
      out.subject = id;
      found_by = &i;
    }
    return out;
  }

  void remember(const std::string& index, SubjectId id) {
    if (subject_cache_.size() >= kMaxCachedSubjects) subject_cache_.clear();
    subject_cache_.emplace(index, id);
  }

  Result<SubjectId> create_subject(const std::vector<Ident>& idents) {
    CONSENTRIC_ASSIGN_OR_RETURN(SubjectRow row, store_.create_subject(opts_.now));
    CONSENTRIC_ASSIGN_OR_RETURN(crypto::SecretKey key, keys_.create_subject_key(row.id));
    cache_key(row.id, key);
    for (const Ident& i : idents) {
      CONSENTRIC_RETURN_IF_ERROR(store_.add_identifier(row.id, i.index, i.spec->field));
      remember(i.index, row.id);
    }
    ++report_.subjects_created;
    return row.id;
  }

  // Adds the identifiers the row carries that named nobody yet (a changed email replaces the
  // old one for that field).
  Status attach_identifiers(SubjectId subject, const std::vector<Ident>& idents,
                            std::uint32_t unknown) {
    for (std::size_t n = 0; n < idents.size(); ++n) {
      if ((unknown & (1u << n)) == 0) continue;
      CONSENTRIC_RETURN_IF_ERROR(
          store_.replace_identifier(subject, idents[n].index, idents[n].spec->field));
      remember(idents[n].index, subject);
    }
    return Status();
  }

  void cache_key(SubjectId id, const crypto::SecretKey& key) {
    if (key_cache_.size() >= kMaxCachedSubjects) key_cache_.clear();
    key_cache_.emplace(id, key);
  }

  Result<crypto::SecretKey> data_key(SubjectId id) {
    if (auto it = key_cache_.find(id); it != key_cache_.end()) return it->second;
    CONSENTRIC_ASSIGN_OR_RETURN(crypto::SecretKey key, keys_.subject_key(id));
    cache_key(id, key);
    return key;
  }

  // --- profiles -----------------------------------------------------------------------------

  Result<Outcome> apply_profile(const PreparedProfile& p) {
    if (p.error) return invalid(p.error->field, p.error->message);
    std::optional<RowError> conflict;
    CONSENTRIC_ASSIGN_OR_RETURN(RowSubject who, resolve(p.idents, &conflict));
    if (who.suppressed) return Outcome::kSuppressed;
    if (conflict) return invalid(conflict->field, conflict->message);
    const std::optional<SubjectId>& existing = who.subject;

    if (!existing) {
      CONSENTRIC_ASSIGN_OR_RETURN(SubjectId id, create_subject(p.idents));
      CONSENTRIC_ASSIGN_OR_RETURN(crypto::SecretKey key, data_key(id));
      CONSENTRIC_RETURN_IF_ERROR(
          store_.put_profile(id, profile_row_of(id, key, p.plain, p.secret)));
      touched_.insert(id);
      return Outcome::kInserted;
    }

    // An existing person: merge the row over what is stored (an empty cell keeps the stored
    // value) and write only when something changed.
    const SubjectId id = *existing;
    CONSENTRIC_RETURN_IF_ERROR(attach_identifiers(id, p.idents, who.unknown));
    CONSENTRIC_ASSIGN_OR_RETURN(std::optional<ProfileRow> current, store_.profile(id));
    CONSENTRIC_ASSIGN_OR_RETURN(crypto::SecretKey key, data_key(id));
    FieldValues old_plain, old_secret;
    if (current) {
      CONSENTRIC_ASSIGN_OR_RETURN(old_plain, decode_fields(current->plain));
      if (!current->sealed.empty()) {
        CONSENTRIC_ASSIGN_OR_RETURN(std::string opened,
                                    crypto::open(key, current->sealed, profile_aad(id)));
        CONSENTRIC_ASSIGN_OR_RETURN(old_secret, decode_fields(opened));
      }
    }
    FieldValues plain, secret;
    for (const FieldSpec& f : cfg_.fields) {
      const TypedValue* value = nullptr;
      for (const auto& [spec, v] : p.values) {
        if (spec == &f) value = &v;
      }
      const FieldValues& old = f.pii ? old_secret : old_plain;
      if (value == nullptr) {
        for (const auto& [name, v] : old) {
          if (name == f.name) value = &v;
        }
      }
      if (value != nullptr) (f.pii ? secret : plain).emplace_back(f.name, *value);
    }
    // Compared as encoded text: a float stored as 3.0 reads back as the integer 3, same text.
    const bool same = current &&
                      encode_fields(plain) == encode_fields(in_config_order(old_plain)) &&
                      encode_fields(secret) == encode_fields(in_config_order(old_secret));
    if (same) return Outcome::kUnchanged;
    CONSENTRIC_RETURN_IF_ERROR(store_.put_profile(id, profile_row_of(id, key, plain, secret)));
    CONSENTRIC_RETURN_IF_ERROR(store_.touch_subject(id, opts_.now));
    touched_.insert(id);
    return Outcome::kUpdated;
  }

  // Decoded fields come back sorted by name; this puts them in the config's order.
  FieldValues in_config_order(const FieldValues& values) const {
    FieldValues out;
    for (const FieldSpec& f : cfg_.fields) {
      for (const auto& [name, v] : values) {
        if (name == f.name) out.emplace_back(name, v);
      }
    }
    return out;
  }

  ProfileRow profile_row_of(SubjectId id, const crypto::SecretKey& key, const FieldValues& plain,
                            const FieldValues& secret) const {
    ProfileRow row;
    row.plain = encode_fields(plain);
    if (!secret.empty()) row.sealed = crypto::seal(key, encode_fields(secret), profile_aad(id));
    row.updated_at = opts_.now;
    return row;
  }

  // --- events -------------------------------------------------------------------------------

  Result<Outcome> apply_event(const PreparedEvent& e) {
    if (e.error) return invalid(e.error->field, e.error->message);
    std::optional<RowError> conflict;
    CONSENTRIC_ASSIGN_OR_RETURN(RowSubject who, resolve(e.idents, &conflict));
    if (who.suppressed) return Outcome::kSuppressed;
    if (conflict) return invalid(conflict->field, conflict->message);
    SubjectId id = 0;
    if (who.subject) {
      id = *who.subject;
    } else {
      CONSENTRIC_ASSIGN_OR_RETURN(id, create_subject(e.idents));
    }
    CONSENTRIC_ASSIGN_OR_RETURN(std::int64_t type_id, type_id_of(e.type->name));
    EventRow row{.subject = id,
                 .ts = e.ts,
                 .dedup = e.dedup,
                 .type_id = type_id,
                 .props = e.plain,
                 .sealed = {}};
    if (!e.secret.empty()) {
      CONSENTRIC_ASSIGN_OR_RETURN(crypto::SecretKey key, data_key(id));
      row.sealed = crypto::seal(key, e.secret, event_aad(id, row.ts, row.dedup));
    }
    CONSENTRIC_ASSIGN_OR_RETURN(bool inserted, store_.insert_event(row));
    if (!inserted) return Outcome::kUnchanged;
    add_feature(id, e.ts, type_id, e.has_value, e.value);
    CONSENTRIC_RETURN_IF_ERROR(purpose_features_.add_event(id, e.ts, *e.type, type_id, e.value));
    touched_.insert(id);
    return Outcome::kInserted;
  }

  Result<std::int64_t> type_id_of(const std::string& name) {
    if (auto it = type_ids_.find(name); it != type_ids_.end()) return it->second;
    CONSENTRIC_ASSIGN_OR_RETURN(std::int64_t id, store_.event_type_id(name));
    type_ids_.emplace(name, id);
    return id;
  }

  void add_feature(SubjectId id, UnixSeconds ts, std::int64_t type_id, bool is_purchase,
                   double value) {
    auto [it, fresh] = features_.try_emplace(id);
    if (fresh) it->second.subject = id;
    add_event(&it->second, ts, type_id, is_purchase, value);
  }

  Status flush_features() {
    for (const auto& [id, delta] : features_)
      CONSENTRIC_RETURN_IF_ERROR(store_.apply_features(delta));
    features_.clear();
    return purpose_features_.flush();
  }

  // --- consent records ----------------------------------------------------------------------

  Result<Outcome> consent_row(RecordSource& source) {
    const NamedValues& values = source.fields();
    auto text_of = [&](std::string_view name) -> std::optional<std::string_view> {
      const InputValue* v = find_value(values, name);
      if (v == nullptr || v->missing() || v->kind != InputValue::Kind::kText) return std::nullopt;
      return trim(v->text);
    };
    for (const auto& [name, v] : values) {
      if (!is_consent_key(name))
        return invalid(std::string(name), "not a field of a consent record");
    }
    consent::Decision d;
    const auto purpose = text_of("purpose");
    if (!purpose) return invalid("purpose", "expected the purpose id");
    d.purpose = std::string(*purpose);
    const auto action = text_of("action");
    if (action == "grant")
      d.action = ConsentAction::kGrant;
    else if (action == "withdraw")
      d.action = ConsentAction::kWithdraw;
    else
      return invalid("action", fmt::format("expected grant or withdraw, got {}",
                                           quote_for_message(action.value_or(""))));
    const auto time = text_of("time");
    if (!time) return invalid("time", "expected the time of the decision as an ISO 8601 string");
    auto ts = parse_timestamp(*time);
    if (!ts.ok()) return invalid("time", ts.status().message());
    if (Status future = check_not_future(*ts, opts_.now); !future.ok())
      return invalid("time", future.message());
    d.ts = *ts;
    d.source = std::string(text_of("source").value_or("import"));
    d.method = std::string(text_of("method").value_or("unspecified"));
    d.notice_version = std::string(text_of("notice_version").value_or(""));
    d.notice_hash = std::string(text_of("notice_hash").value_or(""));
    if (const auto expires = text_of("expires_at")) {
      auto x = parse_timestamp(*expires);
      if (!x.ok()) return invalid("expires_at", x.status().message());
      d.expires_at = *x;
    }
    auto proof = consent::normalize_proof(proof_json(values, source.proof()));
    if (!proof.ok()) return invalid("proof", proof.status().message());
    d.proof = *std::move(proof);
    if (auto err = consent::check_decision(cfg_, d, opts_.now))
      return invalid(err->field, err->message);

    std::vector<Ident>& idents = idents_;
    if (auto err = identifiers_of(values, &idents)) return invalid(err->field, err->message);
    std::optional<RowError> conflict;
    CONSENTRIC_ASSIGN_OR_RETURN(RowSubject who, resolve(idents, &conflict));
    if (who.suppressed) return Outcome::kSuppressed;
    if (conflict) return invalid(conflict->field, conflict->message);
    SubjectId subject = 0;
    if (who.subject) {
      subject = *who.subject;
    } else {
      // A consent for an identifier not yet known creates the subject it belongs to.
      CONSENTRIC_ASSIGN_OR_RETURN(subject, create_subject(idents));
    }
    CONSENTRIC_ASSIGN_OR_RETURN(consent::Appended appended,
                                consent::append_decision(store_, cfg_, purpose_features_, subject,
                                                         d, opts_.actor, opts_.now));
    if (appended.entry_id == 0) return Outcome::kUnchanged;
    touched_.insert(subject);
    return Outcome::kInserted;
  }

  static std::string proof_json(const NamedValues& values, const NamedValues& proof) {
    std::string out = "{";
    auto add = [&](std::string_view name, const InputValue& v) {
      if (v.missing()) return;
      if (out.size() > 1) out += ',';
      append_json_string(&out, name);
      out += ':';
      switch (v.kind) {
        case InputValue::Kind::kBool:
          out += v.b ? "true" : "false";
          break;
        case InputValue::Kind::kInt:
          out += std::to_string(v.i);
          break;
        case InputValue::Kind::kDouble:
          out += fmt::format("{}", v.d);
          break;
        default:
          append_json_string(&out, v.text);
      }
    };
    for (const auto& [name, v] : proof) add(name, v);
    for (const auto& [name, v] : values) {
      if (name.substr(0, kProofPrefix.size()) == kProofPrefix)
        add(name.substr(kProofPrefix.size()), v);
    }
    return out + "}";
  }

  // --- the end ------------------------------------------------------------------------------

  Status finish(const std::string& file_hash) {
    ImportRecord rec{to_string(opts_.kind).data(),
                     report_.file,
                     file_hash,
                     opts_.now,
                     opts_.now,
                     report_.rows,
                     report_.inserted,
                     report_.updated,
                     report_.unchanged,
                     report_.rejected,
                     report_.suppressed};
    CONSENTRIC_ASSIGN_OR_RETURN(std::int64_t import_id, store_.record_import(rec));
    // In key order, so the rows append to the table's B-tree instead of landing at random.
    std::vector<SubjectId> touched(touched_.begin(), touched_.end());
    std::sort(touched.begin(), touched.end());
    CONSENTRIC_RETURN_IF_ERROR(store_.add_subject_imports(import_id, touched));
    std::string detail = "{";
    detail += "\"file\":";
    append_json_string(&detail, report_.file);
    detail += fmt::format(
        ",\"hash\":\"{}\",\"rows\":{},\"inserted\":{},\"updated\":{},\"unchanged\":{},"
        "\"rejected\":{},\"suppressed\":{},\"subjects_created\":{}}}",
        file_hash, report_.rows, report_.inserted, report_.updated, report_.unchanged,
        report_.rejected, report_.suppressed, report_.subjects_created);
    return audit::append(store_,
                         {.actor = opts_.actor,
                          .action = fmt::format("import.{}", to_string(opts_.kind)),
                          .detail = detail},
                         opts_.now)
        .status();
  }

  StoreDir& sd_;
  const Config& cfg_;
  const ImportOptions& opts_;
  Store& store_;
  crypto::KeyRing& keys_;
  ImportReport report_;
  std::optional<RowError> row_error_;
  std::int64_t error_count_ = 0;
  std::vector<std::string> errors_;
  std::ofstream reject_out_;
  IdentifierIndexer identifiers_{cfg_, *sd_.indexer};
  std::unordered_set<std::string> suppressed_;                // blind indexes on the list
  std::unordered_set<SubjectId> touched_;  // subjects this import inserted or changed something of
  std::unordered_map<std::string, SubjectId> subject_cache_;  // blind index -> subject
  std::unordered_map<SubjectId, crypto::SecretKey> key_cache_;
  std::unordered_map<std::string, std::int64_t> type_ids_;
  std::unordered_map<SubjectId, FeatureDelta> features_;
  consent::PurposeFeatureKeeper purpose_features_;
  std::vector<Ident> idents_;
};

}  // namespace

std::string_view to_string(ImportKind kind) {
  switch (kind) {
    case ImportKind::kProfiles:
      return "profiles";
    case ImportKind::kEvents:
      return "events";
    case ImportKind::kConsents:
      return "consents";
  }
  return "unknown";
}

Result<ImportReport> import_file(StoreDir& store_dir, const ImportOptions& options) {
  if (!std::filesystem::exists(options.file)) {
    return not_found(fmt::format("{}: no such file", options.file.string()));
  }
  Importer importer(store_dir, options);
  return importer.run();
}

}  // namespace consentric::ingest
