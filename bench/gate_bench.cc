// gate_bench: how fast the purpose gate builds a view (build_view at as_of = now, the kept
// feature rows), beside a deliberately straightforward SQL query that computes the same rows
// from the same database file in the same run: the latest consent decision per subject by
// window function, the latest restriction entry by a look-up per subject, joined to subjects and
// purpose_features.
//
//   gate_bench [--quick] [--subjects N] [--runs R]
//
// The store is built directly through the Store API (not timed): N subjects, about 77% with a
// grant for the "segmentation" purpose of the quickstart config (4% of grants for a limited
// time, about half of those run out), 7% of grants withdrawn later, some refusals, 1% with a
// restriction (a third lifted since) and 1% with an objection (which does not stop a consent
// purpose outside direct marketing), and one purpose_features row per subject: about 70% of
// subjects are lawful. No events are stored, so the as-of-in-the-past path (features recomputed
// from events) has nothing to read and is not measured here.
//
// Prints one "name: value unit" line per figure (STYLE.md). Exits 1 when the view and the peer
// disagree (row ids or column sums); times are reported, never asserted.

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <limits>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "bench_util.h"
#include "gate/gate.h"
#include "sqlite/db.h"
#include "store/store_dir.h"
#include "synth/generator.h"
#include "synth/rng.h"

namespace consentric {
namespace {

namespace fs = std::filesystem;
using SteadyClock = bench::SteadyClock;
using bench::die;
using bench::median;
using bench::must;
using bench::seconds_since;
using bench::spread;

constexpr std::string_view kPurpose = "segmentation";
constexpr double kTargetSeconds = 1.5;
constexpr std::int64_t kTargetSubjects = 1'000'000;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kDay = 86400.0;

// The ten columns asked for: the six base features and four per-type ones.
const std::vector<std::string> kColumns = {
    "event_count",    "recency_days",        "tenure_days",     "frequency",
    "monetary",       "days_since_purchase", "count.page_view", "count.email_open",
    "count.purchase", "days_since.page_view"};
// The event types of the per-type columns above, in their order (count, count, count, days).
constexpr std::string_view kTypeColumns[] = {"page_view", "email_open", "purchase", "page_view"};

struct Args {
  bool quick = false;
  std::int64_t subjects = 1'000'000;
  int runs = 3;
};

void must(const Status& s, std::string_view what) {
  if (!s.ok()) die(what, s);
}

// What the setup wrote, for the printout.
struct Population {
  std::int64_t subjects = 0;
  std::int64_t granted = 0;
  std::int64_t withdrawn = 0;
  std::int64_t expired = 0;
  std::int64_t restricted = 0;  // restriction in force now
  std::int64_t objected = 0;    // no effect on a consent purpose without direct marketing
};

// Fills the store: subjects, consent ledger, limits and one feature row per subject, in one
// transaction.
Population populate(StoreDir& sd, std::int64_t n, UnixSeconds now) {
  Store& store = *sd.store;
  const PurposeSpec* purpose = sd.config.purpose(kPurpose);
  if (purpose == nullptr || purpose->event_types.size() < 4) {
    fmt::print(stderr, "gate_bench: the quickstart config has no purpose {}\n", kPurpose);
    std::exit(2);
  }
  must(store.begin(), "begin");
  std::vector<std::int64_t> type_ids;
  std::int64_t purchase_type = -1;
  for (const std::string& t : purpose->event_types) {
    type_ids.push_back(must(store.event_type_id(t), "event_type_id"));
    if (t == "purchase") purchase_type = type_ids.back();
  }
  constexpr UnixSeconds kYear = 365 * kSecondsPerDay;
  Population pop;
  ConsentEntry c;
  c.purpose = kPurpose;
  c.source = "web_form";
  c.method = "checkbox";
  c.notice_version = purpose->notice_version;
  c.proof = R"({"form":"signup"})";
  LimitEntry lim;
  lim.source = "dsar";
  for (std::int64_t i = 0; i < n; ++i) {
    synth::Rng rng(7, synth::Stream::kBehaviour, static_cast<std::uint64_t>(i));
    const UnixSeconds created = now - rng.between(30 * kSecondsPerDay, 3 * kYear);
    const SubjectId id = must(store.create_subject(created), "create_subject").id;
    ++pop.subjects;

    if (rng.chance(0.77)) {
      c.subject = id;
      c.action = ConsentAction::kGrant;
      c.ts = created + rng.between(0, now - created - 1);
      c.recorded_at = c.ts;
      c.expires_at.reset();
      if (rng.chance(0.04)) {  // a grant for a limited time; about half have run out
        c.expires_at = c.ts + rng.between(1, 2 * (now - c.ts));
        if (*c.expires_at <= now) ++pop.expired;
      }
      must(store.append_consent(c), "append_consent");
      ++pop.granted;
      if (rng.chance(0.07)) {
        c.action = ConsentAction::kWithdraw;
        c.ts = c.ts + rng.between(1, now - c.ts);
        c.recorded_at = c.ts;
        c.expires_at.reset();
        must(store.append_consent(c), "append_consent");
        ++pop.withdrawn;
      }
    } else if (rng.chance(0.2)) {
      c.subject = id;
      c.action = ConsentAction::kRefuse;
      c.ts = created + rng.between(0, now - created - 1);
      c.recorded_at = c.ts;
      c.expires_at.reset();
      must(store.append_consent(c), "append_consent");
    }

    if (rng.chance(0.01)) {  // Art. 18 restriction; a third of them lifted since
      lim.subject = id;
      lim.kind = LimitKind::kRestriction;
      lim.purpose.clear();
      lim.lifted = false;
      lim.ts = created + rng.between(0, (now - created) / 2);
      lim.recorded_at = lim.ts;
      must(store.append_limit(lim), "append_limit");
      if (rng.chance(1.0 / 3)) {
        lim.lifted = true;
        lim.ts += rng.between(1, now - lim.ts);
        lim.recorded_at = lim.ts;
        must(store.append_limit(lim), "append_limit");
      } else {
        ++pop.restricted;
      }
    }
    if (rng.chance(0.01)) {  // Art. 21 objection to this purpose
      lim.subject = id;
      lim.kind = LimitKind::kObjection;
      lim.purpose = kPurpose;
      lim.lifted = false;
      lim.ts = created + rng.between(0, now - created - 1);
      lim.recorded_at = lim.ts;
      must(store.append_limit(lim), "append_limit");
      ++pop.objected;
    }

    FeatureRow f;
    f.subject = id;
    f.first_seen = created + rng.between(0, (now - created) / 4);
    f.last_seen = f.first_seen + rng.between(0, now - f.first_seen);
    for (std::size_t t = 0; t < type_ids.size(); ++t) {
      // page_view nearly always, the rarer types less and less often.
      if (t != 0 && !rng.chance(0.8 / static_cast<double>(t))) continue;
      const std::int64_t count = 1 + rng.poisson(t == 0 ? 20.0 : 3.0);
      const UnixSeconds last = f.first_seen + rng.between(0, f.last_seen - f.first_seen);
      f.per_type.push_back({type_ids[t], count, t == 0 ? f.last_seen : last});
      f.events += count;
      if (type_ids[t] == purchase_type) {
        f.purchases = count;
        f.monetary = std::round(static_cast<double>(count) * (50 + rng.exponential(400))) / 100;
        f.last_purchase = last;
      }
    }
    std::sort(f.per_type.begin(), f.per_type.end(),
              [](const auto& a, const auto& b) { return a.type_id < b.type_id; });
    // The row is new, so this writes what replace_purpose_features would, through the store's
    // cached statement instead of one prepared per call.
    must(store.add_purpose_features(kPurpose, f), "add_purpose_features");
  }
  must(store.commit(), "commit");
  must(store.checkpoint(), "checkpoint");
  return pop;
}

// A view's worth of rows, as the peer and the gate both give them.
struct Rows {
  std::vector<std::string> ids;
  std::vector<std::vector<double>> columns;  // kColumns order
};

// Sums of each column, NaN skipped: what the check compares besides the row ids.
std::vector<double> column_sums(const Rows& r) {
  std::vector<double> out;
  for (const auto& col : r.columns) {
    double s = 0;
    for (double x : col) {
      if (!std::isnan(x)) s += x;
    }
    out.push_back(s);
  }
  return out;
}

// The peer: what a straightforward SQL query over the same tables gives. SQLite decides who
// is lawful (latest decision a grant, not expired; latest restriction entry not in force,
// looked up per subject by the (subject_id, ts) index: a window over processing_limits,
// left-joined, made SQLite rescan it for every row; the purpose has no renew_consent, so the
// notice version does not matter) and computes the base features; the per-type columns come out of
// the type_counts blob, (type_id, count, last_ts) little-endian int64 triples, decoded here.
Rows peer_query(sqlite::Db& db, UnixSeconds now, const std::vector<std::int64_t>& type_cols) {
  static constexpr std::string_view kSql = R"sql(
WITH decisions AS (
  SELECT subject_id, action, expires_at,
         row_number() OVER (PARTITION BY subject_id ORDER BY ts DESC, entry_id DESC) AS rn
  FROM consent_ledger WHERE purpose = ?1 AND ts <= ?2)
SELECT s.pseudonym, f.subject_id IS NOT NULL, f.event_count, (?2 - f.last_seen) / 86400.0,
       (?2 - f.first_seen) / 86400.0, f.frequency, f.monetary, (?2 - f.last_purchase) / 86400.0,
       f.type_counts
FROM subjects s
JOIN decisions d ON d.subject_id = s.subject_id AND d.rn = 1
LEFT JOIN purpose_features f ON f.purpose = ?1 AND f.subject_id = s.subject_id
WHERE d.action = 'grant' AND (d.expires_at IS NULL OR d.expires_at > ?2)
  AND coalesce((SELECT lifted FROM processing_limits p
                WHERE p.subject_id = s.subject_id AND p.kind = 'restriction' AND p.ts <= ?2
                ORDER BY p.ts DESC, p.entry_id DESC LIMIT 1), 1) = 1
ORDER BY s.subject_id)sql";
  sqlite::Stmt s = must(db.prepare(kSql), "prepare the peer query");
  s.bind_text(1, kPurpose).bind(2, now);
  Rows out;
  out.columns.resize(kColumns.size());
  const double t = static_cast<double>(now);
  while (must(s.step(), "peer query")) {
    out.ids.emplace_back(s.column_text(0));
    const bool has = s.column_int(1) != 0;
    auto num = [&](int col, double absent) {
      return s.is_null(col) ? absent : s.column_double(col);
    };
    out.columns[0].push_back(has ? num(2, 0) : 0);
    out.columns[1].push_back(num(3, kNaN));
    out.columns[2].push_back(num(4, kNaN));
    out.columns[3].push_back(has ? num(5, 0) : 0);
    out.columns[4].push_back(has ? num(6, 0) : 0);
    out.columns[5].push_back(num(7, kNaN));
    const std::string_view blob = has ? s.column_blob(8) : std::string_view();
    for (std::size_t k = 0; k < type_cols.size(); ++k) {
      const bool days = k == type_cols.size() - 1;  // days_since.page_view; the rest are counts
      double v = days ? kNaN : 0;
      for (std::size_t at = 0; at + 24 <= blob.size(); at += 24) {
        std::int64_t triple[3];
        std::memcpy(triple, blob.data() + at, sizeof triple);  // little-endian hosts only
        if (triple[0] != type_cols[k]) continue;
        v = days ? (t - static_cast<double>(triple[2])) / kDay : static_cast<double>(triple[1]);
      }
      out.columns[6 + k].push_back(v);
    }
  }
  return out;
}

// The floor: a bare scan of the same purpose_features rows, every column read and nothing
// decided or decoded. Returns the rows read.
std::int64_t floor_scan(sqlite::Db& db, double* sink) {
  sqlite::Stmt s = must(db.prepare("SELECT subject_id, first_seen, last_seen, event_count, "
                                   "last_purchase, frequency, monetary, type_counts FROM "
                                   "purpose_features WHERE purpose = ?1"),
                        "prepare the floor scan");
  s.bind_text(1, kPurpose);
  std::int64_t rows = 0;
  double acc = 0;
  while (must(s.step(), "floor scan")) {
    acc += static_cast<double>(s.column_int(0) + s.column_int(1) + s.column_int(2) +
                               s.column_int(3) + s.column_int(4) + s.column_int(5)) +
           s.column_double(6) + static_cast<double>(s.column_blob(7).size());
    ++rows;
  }
  *sink += acc;
  return rows;
}

Rows from_view(const gate::PurposeView& v) {
  Rows r;
  r.ids = v.row_ids();
  for (const std::string& name : kColumns) {
    const gate::Column* c = v.column(name);
    if (c == nullptr) {
      fmt::print(stderr, "gate_bench: the view has no column {}\n", name);
      std::exit(1);
    }
    r.columns.push_back(c->numbers);
  }
  return r;
}

// Whether the view and the peer hold the same rows: same ids in the same order, and the same
// column sums up to rounding.
bool same_rows(const Rows& ours, const Rows& peer) {
  if (ours.ids != peer.ids) {
    fmt::print(stderr, "gate_bench: the view has {} rows, the peer {}{}\n", ours.ids.size(),
               peer.ids.size(), ours.ids.size() == peer.ids.size() ? " (different ids)" : "");
    return false;
  }
  const std::vector<double> a = column_sums(ours), b = column_sums(peer);
  for (std::size_t k = 0; k < a.size(); ++k) {
    if (std::abs(a[k] - b[k]) > 1e-9 * std::max(1.0, std::abs(b[k]))) {
      fmt::print(stderr, "gate_bench: column {} sums to {} in the view, {} in the peer\n",
                 kColumns[k], a[k], b[k]);
      return false;
    }
  }
  return true;
}

int run(const Args& args) {
  const fs::path work =
      fs::temp_directory_path() / fmt::format("consentric-gate-bench-{}", ::getpid());
  fs::remove_all(work);
  const UnixSeconds now = *parse_date("2026-11-25");

  const auto setup_start = SteadyClock::now();
  StoreDir sd = must(init_store_dir(work / "store", synth::quickstart_config_yaml(),
                                    "consentric.yaml", now, {.durable = false}),
                     "init_store_dir");
  const Population pop = populate(sd, args.subjects, now);
  const double setup_secs = seconds_since(setup_start);

  std::vector<std::int64_t> type_cols;
  for (std::string_view t : kTypeColumns)
    type_cols.push_back(must(sd.store->event_type_id(t), "event_type_id"));
  auto peer_db =
      must(sqlite::Db::open(work / "store" / kDataFileName, {.read_only = true}), "open the db");

  const gate::ViewRequest request{
      .purpose = std::string(kPurpose), .as_of = now, .actor = "gate_bench", .columns = kColumns};
  std::vector<double> ours, peer, floor;
  std::size_t view_rows = 0;
  std::int64_t floor_rows = 0;
  double sink = 0;
  bool agree = true;
  for (int i = 0; i < args.runs; ++i) {
    auto start = SteadyClock::now();
    gate::PurposeView view = must(gate::build_view(sd, request, now), "build_view");
    ours.push_back(seconds_since(start));
    view_rows = view.rows();

    start = SteadyClock::now();
    const Rows plain = peer_query(*peer_db, now, type_cols);
    peer.push_back(seconds_since(start));

    start = SteadyClock::now();
    floor_rows = floor_scan(*peer_db, &sink);
    floor.push_back(seconds_since(start));

    agree = agree && same_rows(from_view(view), plain);
  }
  peer_db.reset();
  sd.store.reset();
  sd.keyring.reset();
  fs::remove_all(work);

  const double share = pop.subjects == 0 ? 0 : static_cast<double>(view_rows) / pop.subjects;
  fmt::print("subjects: {} rows\n", pop.subjects);
  fmt::print("granted: {} subjects\n", pop.granted);
  fmt::print("withdrawn: {} subjects\n", pop.withdrawn);
  fmt::print("expired: {} subjects\n", pop.expired);
  fmt::print("restricted: {} subjects\n", pop.restricted);
  fmt::print("objected: {} subjects\n", pop.objected);
  fmt::print("lawful_share: {:.3f}\n", share);
  fmt::print("columns: {}\n", kColumns.size());
  fmt::print("setup: {:.1f} s\n", setup_secs);
  fmt::print("view_rows: {} rows\n", view_rows);
  fmt::print("feature_rows: {} rows\n", floor_rows);
  fmt::print("gate_view: {:.3f} s{}\n", median(ours), spread(ours, 3));
  fmt::print("plain_sql: {:.3f} s{}\n", median(peer), spread(peer, 3));
  fmt::print("floor_scan: {:.3f} s{}\n", median(floor), spread(floor, 3));
  // peer time / our time and floor time / our time: higher is better (STYLE.md).
  fmt::print("ratio_vs_plain_sql: {:.2f}\n", median(peer) / median(ours));
  fmt::print("floor_fraction: {:.2f}\n", median(floor) / median(ours));
  if (args.subjects >= kTargetSubjects) {
    const double scaled =
        median(ours) * static_cast<double>(kTargetSubjects) / static_cast<double>(args.subjects);
    fmt::print("target: < {} s for 1M subjects: {}\n", kTargetSeconds,
               scaled < kTargetSeconds ? "met" : "not met");
  } else {
    fmt::print("target: < {} s for 1M subjects: not measured at {} subjects\n", kTargetSeconds,
               args.subjects);
  }
  if (sink < 0) fmt::print("\n");  // keeps the floor scan's reads alive
  if (!agree) {
    fmt::print("rows_match: no\n");
    return 1;
  }
  fmt::print("rows_match: yes\n");
  return 0;
}

}  // namespace
}  // namespace consentric

int main(int argc, char** argv) {
  consentric::bench::program_name() = "gate_bench";
  consentric::Args args;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&] { return consentric::bench::option_value("gate_bench", argc, argv, &i); };
    if (a == "--quick") {
      args.quick = true;
      args.subjects = 100'000;
      args.runs = 1;
    } else if (a == "--subjects") {
      args.subjects = std::stoll(value());
    } else if (a == "--runs") {
      args.runs = std::max(1, std::stoi(value()));
    } else {
      fmt::print(stderr, "usage: gate_bench [--quick] [--subjects N] [--runs R]\n");
      return 1;
    }
  }
  return consentric::run(args);
}
