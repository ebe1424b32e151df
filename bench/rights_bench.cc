// rights_bench: how fast data-subject rights are carried out on a store of realistic size
// (issue 5): an access report for one person (built, rendered as JSON and HTML, and carried out
// as a request), beside the same rows read by bare SQL; erasure of one person (key destroyed, every row deleted with secure_delete,
// identifiers suppressed, receipt signed, register and audit written, WAL truncated), and a bulk
// erasure of many people in one batch; beside the floor: the same person's rows deleted by bare
// SQL in one durable transaction, with no key ring, register, audit, receipt or checkpoint.
//
//   rights_bench [--quick] [--customers N] [--event-files F] [--samples S] [--bulk B]
//
// The store is built through the real import path (not timed): `generate` customers, their
// profiles, consents and events, and the events of F-1 more generated years for the same
// customers (default F = 2: about 36 events a customer, so 1M customers hold about 36M events).
// Then S people get an access report, S others are erased one at a time, S more are deleted
// by bare SQL, and B more are erased in one batch. Prints one "name: value unit" line per figure (STYLE.md).

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "bench_util.h"
#include "consent/subjects.h"
#include "ingest/importer.h"
#include "rights/access_report.h"
#include "rights/erasure.h"
#include "sqlite/db.h"
#include "store/store_dir.h"
#include "synth/generator.h"

namespace consentric {
namespace {

namespace fs = std::filesystem;
using bench::die;
using bench::median;
using bench::must;
using bench::seconds_since;
using bench::spread;
using bench::SteadyClock;

constexpr double kAccessTargetMs = 50;
constexpr double kEraseTargetMs = 100;
constexpr double kBulkTargetSeconds = 30;
constexpr std::int64_t kTargetCustomers = 1'000'000;
constexpr std::int64_t kTargetBulk = 10'000;

struct Args {
  std::int64_t customers = 1'000'000;
  int event_files = 2;
  int samples = 50;
  std::int64_t bulk = 10'000;
};

std::string customer(std::int64_t index) { return fmt::format("customer_id=C{:08d}", index + 1); }

double percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  if (v.empty()) return 0;
  return v[std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())))];
}

// Builds the store through the import path; returns the events stored.
std::int64_t build(const fs::path& work, const Args& args, UnixSeconds now) {
  StoreDir sd = must(init_store_dir(work / "store", synth::quickstart_config_yaml(),
                                    "consentric.yaml", now, {.durable = false}),
                     "init_store_dir");
  for (int f = 0; f < args.event_files; ++f) {
    const fs::path out = work / fmt::format("gen{}", f);
    must(synth::generate({.customers = args.customers,
                          .seed = static_cast<std::uint64_t>(f + 1),
                          .out_dir = out,
                          .as_of = now - f * 365 * kSecondsPerDay}),
         "generate");
    std::vector<std::pair<ingest::ImportKind, const char*>> files = {
        {ingest::ImportKind::kEvents, "events.ndjson"}};
    if (f == 0) {
      files.insert(files.begin(), {{ingest::ImportKind::kProfiles, "profiles.csv"},
                                   {ingest::ImportKind::kConsents, "consents.ndjson"}});
    }
    for (const auto& [kind, name] : files) {
      must(ingest::import_file(sd, {.kind = kind, .file = out / name, .now = now}), name);
    }
    fs::remove_all(out);
  }
  if (Status s = sd.store->checkpoint(); !s.ok()) die("checkpoint", s);
  return must(sd.store->counts(), "counts").events;
}

// The peer of an access report: one person's rows read by bare SQL, nothing decrypted or
// explained. Returns the rows read.
std::int64_t plain_read(sqlite::Db& db, std::int64_t subject) {
  static constexpr const char* kReads[] = {
      "SELECT * FROM profiles WHERE subject_id = ?1",
      "SELECT * FROM identifiers WHERE subject_id = ?1",
      "SELECT * FROM events WHERE subject_id = ?1",
      "SELECT * FROM consent_ledger WHERE subject_id = ?1",
      "SELECT * FROM processing_limits WHERE subject_id = ?1",
      "SELECT * FROM segment_members WHERE subject_id = ?1",
      "SELECT * FROM disclosures WHERE subject_id = ?1",
      "SELECT * FROM subject_imports WHERE subject_id = ?1"};
  std::int64_t rows = 0;
  for (const char* sql : kReads) {
    auto s = must(db.prepare(sql), sql);
    s.bind(1, subject);
    while (must(s.step(), sql)) ++rows;
  }
  return rows;
}

std::int64_t subject_of(StoreDir& sd, const std::string& identifier) {
  auto arg = must(consent::parse_identifier_arg(sd.config, identifier), "identifier");
  auto found = must(consent::find_subject(sd, arg), "find_subject");
  if (!found) die("find_subject", not_found("a sampled customer was not found"));
  return found->id;
}

// The floor: one person's rows deleted by bare SQL in one durable transaction.
double plain_delete(sqlite::Db& db, std::int64_t subject) {
  static constexpr const char* kTables[] = {
      "events", "feature_counts", "features", "segment_members", "consent_state",
      "consent_ledger", "processing_limits", "identifiers", "profiles"};
  const auto start = SteadyClock::now();
  if (!db.exec("BEGIN IMMEDIATE").ok()) die("begin", db.error("begin"));
  for (const char* t : kTables) {
    auto s = must(db.prepare(fmt::format("DELETE FROM {} WHERE subject_id = ?1", t)), t);
    if (Status st = s.bind(1, subject).run(); !st.ok()) die(t, st);
  }
  auto pf = must(db.prepare("DELETE FROM purpose_features WHERE subject_id = ?1"), "pf");
  if (Status st = pf.bind(1, subject).run(); !st.ok()) die("purpose_features", st);
  auto s = must(db.prepare("DELETE FROM subjects WHERE subject_id = ?1"), "subjects");
  if (Status st = s.bind(1, subject).run(); !st.ok()) die("subjects", st);
  if (Status st = db.exec("COMMIT"); !st.ok()) die("commit", st);
  return seconds_since(start);
}

int run(const Args& args) {
  const fs::path work =
      fs::temp_directory_path() / fmt::format("consentric-rights-bench-{}", ::getpid());
  fs::remove_all(work);
  const UnixSeconds now = *parse_date("2026-11-25");

  const auto setup_start = SteadyClock::now();
  const std::int64_t events = build(work, args, now);
  const double setup_secs = seconds_since(setup_start);

  // Distinct people for each measurement, drawn at random with a fixed seed.
  std::vector<std::int64_t> people(static_cast<std::size_t>(args.customers));
  std::iota(people.begin(), people.end(), 0);
  std::shuffle(people.begin(), people.end(), std::mt19937_64(42));
  const auto need = static_cast<std::size_t>(3 * args.samples + args.bulk);
  if (need > people.size()) {
    fmt::print(stderr, "rights_bench: {} customers are too few for {} samples and a bulk of {}\n",
               args.customers, args.samples, args.bulk);
    return 1;
  }
  std::size_t next = 0;

  // Measured as production runs: durable commits (synchronous=FULL) on both files.
  StoreDir sd = must(open_store_dir(work / "store"), "open_store_dir");

  // Access: the report built and rendered (JSON and HTML) in memory, then the whole request as
  // the CLI carries it out (register, files written, audit, durable commit); the peer reads the
  // same person's rows by bare SQL.
  std::vector<double> report_ms, request_ms, read_ms;
  std::int64_t report_bytes = 0, events_in_report = 0;
  {
    auto db = must(sqlite::Db::open(work / "store" / kDataFileName, {.read_only = true}), "open");
    for (int i = 0; i < args.samples; ++i) {
      const std::string who = customer(people[next++]);
      const std::int64_t subject = subject_of(sd, who);
      auto start = SteadyClock::now();
      nlohmann::json report = must(rights::build_access_report(sd, subject, now), "report");
      const std::string page = rights::render_access_html(report);
      const std::string text = report.dump(2);
      report_ms.push_back(seconds_since(start) * 1000);
      report_bytes += static_cast<std::int64_t>(page.size() + text.size());
      events_in_report += rights::access_report_counts(report).value("events", std::int64_t{0});

      start = SteadyClock::now();
      must(rights::access(sd, {.identifier = who,
                               .now = now,
                               .json_out = work / fmt::format("access-{}.json", i),
                               .html_out = work / fmt::format("access-{}.html", i)}),
           "access");
      request_ms.push_back(seconds_since(start) * 1000);

      start = SteadyClock::now();
      if (plain_read(*db, subject) <= 0) die("plain read", not_found("no rows"));
      read_ms.push_back(seconds_since(start) * 1000);
    }
  }
  std::vector<double> erase_ms;
  std::int64_t erased_events = 0;
  for (int i = 0; i < args.samples; ++i) {
    rights::EraseRequest req{.identifiers = {customer(people[next++])}, .now = now};
    const auto start = SteadyClock::now();
    rights::EraseOutcome out = must(rights::erase(sd, req), "erase");
    erase_ms.push_back(seconds_since(start) * 1000);
    if (out.erased.size() != 1) die("erase", not_found("a sampled customer was not found"));
    for (const auto& [kind, n] : out.erased[0].removed) {
      if (kind == "events") erased_events += n;
    }
  }

  // The floor, on other people of the same store, through a connection of its own.
  std::vector<double> floor_ms;
  {
    auto db = must(sqlite::Db::open(work / "store" / kDataFileName, {}), "open the db");
    for (int i = 0; i < args.samples; ++i) {
      const std::int64_t subject = subject_of(sd, customer(people[next++]));
      floor_ms.push_back(plain_delete(*db, subject) * 1000);
    }
  }

  rights::EraseRequest bulk{.now = now};
  for (std::int64_t i = 0; i < args.bulk; ++i) bulk.identifiers.push_back(customer(people[next++]));
  const auto bulk_start = SteadyClock::now();
  rights::EraseOutcome bulk_out = must(rights::erase(sd, bulk), "bulk erase");
  const double bulk_secs = seconds_since(bulk_start);
  if (static_cast<std::int64_t>(bulk_out.erased.size()) != args.bulk) {
    die("bulk erase", not_found("some sampled customers were not found"));
  }
  const std::int64_t db_bytes = static_cast<std::int64_t>(fs::file_size(work / "store" / kDataFileName));
  sd.store.reset();
  sd.keyring.reset();
  fs::remove_all(work);

  fmt::print("customers: {} subjects\n", args.customers);
  fmt::print("events: {} rows\n", events);
  fmt::print("store_size: {:.2f} GiB\n", static_cast<double>(db_bytes) / (1 << 30));
  fmt::print("setup: {:.1f} s\n", setup_secs);
  fmt::print("events_per_access_report: {:.1f} rows\n",
             static_cast<double>(events_in_report) / args.samples);
  fmt::print("access_report_size: {:.0f} KiB\n",
             static_cast<double>(report_bytes) / args.samples / 1024);
  fmt::print("access_report: {:.2f} ms{}\n", median(report_ms), spread(report_ms, 2));
  fmt::print("access_report_p95: {:.2f} ms\n", percentile(report_ms, 0.95));
  fmt::print("access_request: {:.2f} ms{}\n", median(request_ms), spread(request_ms, 2));
  fmt::print("plain_sql_read: {:.2f} ms{}\n", median(read_ms), spread(read_ms, 2));
  fmt::print("access_ratio_vs_plain_sql_read: {:.2f}\n", median(read_ms) / median(report_ms));
  fmt::print("erased_events_per_person: {:.1f} rows\n",
             static_cast<double>(erased_events) / args.samples);
  fmt::print("erase_one: {:.1f} ms{}\n", median(erase_ms), spread(erase_ms, 1));
  fmt::print("erase_one_p95: {:.1f} ms\n", percentile(erase_ms, 0.95));
  fmt::print("plain_sql_delete_one: {:.1f} ms{}\n", median(floor_ms), spread(floor_ms, 1));
  fmt::print("erase_ratio_vs_plain_sql: {:.2f}\n", median(floor_ms) / median(erase_ms));
  fmt::print("bulk_erase: {:.2f} s for {} people ({:.2f} ms each)\n", bulk_secs, args.bulk,
             bulk_secs * 1000 / static_cast<double>(args.bulk));
  const bool full = args.customers >= kTargetCustomers;
  fmt::print("target: access report < {} ms at 1M subjects: {}\n", kAccessTargetMs,
             !full ? "not measured at this size"
                   : (median(request_ms) < kAccessTargetMs ? "met" : "not met"));
  fmt::print("target: erase one < {} ms at 1M subjects: {}\n", kEraseTargetMs,
             !full ? "not measured at this size"
                   : (median(erase_ms) < kEraseTargetMs ? "met" : "not met"));
  fmt::print("target: bulk erase of 10,000 < {} s: {}\n", kBulkTargetSeconds,
             !full || args.bulk < kTargetBulk
                 ? "not measured at this size"
                 : (bulk_secs < kBulkTargetSeconds ? "met" : "not met"));
  return 0;
}

}  // namespace
}  // namespace consentric

int main(int argc, char** argv) {
  consentric::bench::program_name() = "rights_bench";
  consentric::Args args;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&] { return consentric::bench::option_value("rights_bench", argc, argv, &i); };
    if (a == "--quick") {
      args.customers = 20'000;
      args.event_files = 1;
      args.samples = 20;
      args.bulk = 500;
    } else if (a == "--customers") {
      args.customers = std::stoll(value());
    } else if (a == "--event-files") {
      args.event_files = std::max(1, std::stoi(value()));
    } else if (a == "--samples") {
      args.samples = std::max(1, std::stoi(value()));
    } else if (a == "--bulk") {
      args.bulk = std::max<std::int64_t>(1, std::stoll(value()));
    } else {
      fmt::print(stderr,
                 "usage: rights_bench [--quick] [--customers N] [--event-files F] [--samples S] "
                 "[--bulk B]\n");
      return 1;
    }
  }
  return consentric::run(args);
}
