// ingest_bench: events and profiles per second through the real import path (parse, validate,
// resolve identifiers by blind index, encrypt pii, dedup, features, audit), beside a plain
// SQLite bulk insert of the same event rows in the same run: the peer is what SQLite itself
// does with pre-parsed rows, one prepared INSERT, one transaction.
//
//   ingest_bench [--quick] [--events N] [--profiles N] [--runs R] [--data DIR]
//
// --data DIR takes files in the layout `consentric generate` writes (consentric.yaml,
// profiles.csv, events.ndjson). Prints one "name: value unit" line per figure (STYLE.md).

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "bench_util.h"
#include "core/text.h"
#include "ingest/importer.h"
#include "ingest/ndjson_reader.h"
#include "sqlite/db.h"
#include "synth/generator.h"

namespace consentric {
namespace {

namespace fs = std::filesystem;
using Clock = bench::SteadyClock;
using bench::median;
using bench::seconds_since;
using bench::spread;

struct Args {
  bool quick = false;
  std::int64_t events = 1'000'000;
  std::int64_t profiles = 1'000'000;
  int runs = 3;
  std::string data;
};

// Truncates a file after its first n lines.
bool keep_first_lines(const fs::path& path, std::int64_t n) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) return false;
  std::int64_t lines = 0, offset = 0;
  char buf[1 << 16];
  std::size_t got = 0;
  while (lines < n && (got = std::fread(buf, 1, sizeof buf, f)) > 0) {
    for (std::size_t i = 0; i < got && lines < n; ++i) {
      ++offset;
      if (buf[i] == '\n') ++lines;
    }
  }
  std::fclose(f);
  std::error_code ec;
  if (lines == n) fs::resize_file(path, static_cast<std::uintmax_t>(offset), ec);
  return !ec;
}

struct PlainRow {
  std::int64_t subject;
  std::int64_t ts;
  std::string type;
  std::string props;
};

// Reads the events file once, outside any timing, into the rows the plain insert writes.
std::vector<PlainRow> load_plain_rows(const fs::path& events) {
  std::vector<PlainRow> rows;
  auto reader = std::move(ingest::NdjsonReader::open(events)).value();
  ingest::JsonRecord rec;
  while (true) {
    auto more = reader->next(&rec);
    if (!more.ok() || !*more) break;
    PlainRow row{};
    std::string props = "{";
    for (const auto& [k, v] : rec.fields) {
      if (k == "customer_id")
        parse_int64(v.s.substr(1), &row.subject);
      else if (k == "type")
        row.type = v.s;
      else if (k == "time")
        row.ts = parse_timestamp(v.s).value();
    }
    for (const auto& [k, v] : rec.properties) {
      if (props.size() > 1) props += ',';
      props += fmt::format("\"{}\":", k);
      if (v.kind == ingest::JsonScalar::Kind::kString)
        props += fmt::format("\"{}\"", v.s);
      else if (v.kind == ingest::JsonScalar::Kind::kInt)
        props += std::to_string(v.i);
      else if (v.kind == ingest::JsonScalar::Kind::kDouble)
        props += fmt::format("{}", v.d);
      else
        props += v.b ? "true" : "false";
    }
    row.props = props + "}";
    rows.push_back(std::move(row));
  }
  return rows;
}

// The peer: a plain bulk insert with SQLite's own defaults for a WAL database.
double plain_insert_rate(const std::vector<PlainRow>& rows, const fs::path& dir, bool indexed) {
  fs::remove_all(dir);
  fs::create_directories(dir);
  auto db = std::move(sqlite::Db::open(dir / "plain.db", {.create = true})).value();
  (void)db->exec("CREATE TABLE events(subject_id INTEGER, ts INTEGER, type TEXT, props TEXT)");
  if (indexed) (void)db->exec("CREATE INDEX events_by_subject_time ON events(subject_id, ts)");
  auto ins = std::move(db->prepare("INSERT INTO events VALUES (?1, ?2, ?3, ?4)")).value();
  const auto start = Clock::now();
  auto tx = std::move(sqlite::Tx::begin(*db)).value();
  for (const PlainRow& r : rows) {
    if (!ins.bind(1, r.subject).bind(2, r.ts).bind_text(3, r.type).bind_text(4, r.props).run().ok())
      std::abort();
  }
  if (!tx.commit().ok()) std::abort();
  return static_cast<double>(rows.size()) / seconds_since(start);
}

struct OurRates {
  double profiles = 0;
  double events = 0;
  std::int64_t profile_rows = 0;
  std::int64_t event_rows = 0;
};

OurRates import_rates(const fs::path& data, const fs::path& dir) {
  fs::remove_all(dir);
  std::string yaml;
  {
    std::FILE* f = std::fopen((data / "consentric.yaml").c_str(), "rb");
    if (f == nullptr) std::abort();
    char buf[65536];
    std::size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) yaml.append(buf, n);
    std::fclose(f);
  }
  const UnixSeconds now = make_system_clock()->now();
  auto sd = init_store_dir(dir, yaml, "consentric.yaml", now);
  if (!sd.ok()) {
    fmt::print(stderr, "ingest_bench: {}\n", sd.status().to_string());
    std::exit(2);
  }
  OurRates r;
  for (auto kind : {ingest::ImportKind::kProfiles, ingest::ImportKind::kEvents}) {
    const bool profiles = kind == ingest::ImportKind::kProfiles;
    const auto start = Clock::now();
    auto report = ingest::import_file(
        *sd,
        {.kind = kind, .file = data / (profiles ? "profiles.csv" : "events.ndjson"), .now = now});
    const double secs = seconds_since(start);
    if (!report.ok()) {
      fmt::print(stderr, "ingest_bench: {}\n", report.status().to_string());
      std::exit(2);
    }
    (profiles ? r.profiles : r.events) = static_cast<double>(report->rows) / secs;
    (profiles ? r.profile_rows : r.event_rows) = report->rows;
  }
  return r;
}

int run(const Args& args) {
  const fs::path work =
      fs::temp_directory_path() / fmt::format("consentric-ingest-bench-{}", ::getpid());
  fs::create_directories(work);
  fs::path data = args.data;
  if (data.empty()) {
    data = work / "data";
    // One customer per profile row; the generator writes about 18 events per customer, so the
    // events file is cut to the first N lines below.
    synth::GenerateOptions g;
    g.customers = std::max<std::int64_t>(args.profiles, args.events / 15);
    g.seed = 1;
    g.out_dir = data;
    g.as_of = *parse_date("2026-06-30");
    auto summary = synth::generate(g);
    if (!summary.ok()) {
      fmt::print(stderr, "ingest_bench: {}\n", summary.status().to_string());
      return 2;
    }
    if (!keep_first_lines(data / "events.ndjson", args.events)) {
      fmt::print(stderr, "ingest_bench: cannot cut {}\n", (data / "events.ndjson").string());
      return 2;
    }
  }
  const std::vector<PlainRow> rows = load_plain_rows(data / "events.ndjson");

  std::vector<double> ev, pr, plain, plain_idx;
  OurRates last;
  for (int i = 0; i < args.runs; ++i) {
    last = import_rates(data, work / "store");
    ev.push_back(last.events);
    pr.push_back(last.profiles);
    plain.push_back(plain_insert_rate(rows, work / "plain", false));
    plain_idx.push_back(plain_insert_rate(rows, work / "plain", true));
  }
  fs::remove_all(work);

  fmt::print("events: {} rows\n", last.event_rows);
  fmt::print("profiles: {} rows\n", last.profile_rows);
  fmt::print("events_import: {:.0f} rows/s{}\n", median(ev), spread(ev, 0));
  fmt::print("profiles_import: {:.0f} rows/s{}\n", median(pr), spread(pr, 0));
  fmt::print("plain_insert: {:.0f} rows/s{}\n", median(plain), spread(plain, 0));
  fmt::print("plain_insert_indexed: {:.0f} rows/s{}\n", median(plain_idx), spread(plain_idx, 0));
  // peer time / our time = our rate / peer rate: higher is better (STYLE.md).
  fmt::print("ratio_vs_plain_insert: {:.2f}\n", median(ev) / median(plain));
  fmt::print("ratio_vs_plain_insert_indexed: {:.2f}\n", median(ev) / median(plain_idx));
  return 0;
}

}  // namespace
}  // namespace consentric

int main(int argc, char** argv) {
  consentric::Args args;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&] { return consentric::bench::option_value("ingest_bench", argc, argv, &i); };
    if (a == "--quick") {
      args.quick = true;
      args.events = 50'000;
      args.profiles = 20'000;
      args.runs = 1;
    } else if (a == "--events") {
      args.events = std::stoll(value());
    } else if (a == "--profiles") {
      args.profiles = std::stoll(value());
    } else if (a == "--runs") {
      args.runs = std::stoi(value());
    } else if (a == "--data") {
      args.data = value();
    } else {
      fmt::print(
          stderr,
          "usage: ingest_bench [--quick] [--events N] [--profiles N] [--runs R] [--data DIR]\n");
      return 1;
    }
  }
  return consentric::run(args);
}
