#include "synth/generator.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/time.h"
#include "testing/status_matchers.h"

namespace consentric::synth {
namespace {

using ::consentric::testing::read_file;
using ::consentric::testing::StatusIs;
using ::consentric::testing::TempDir;
using ::consentric::testing::write_file;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using Json = nlohmann::json;

constexpr std::string_view kFiles[] = {"profiles.csv", "events.ndjson", "consents.ndjson",
                                       "outcomes.csv", "consentric.yaml"};
constexpr std::string_view kProfileHeader =
    "customer_id,email,first_name,last_name,phone,company,job_title,industry,company_size,"
    "country,city,age,signup_date,lead_source";

UnixSeconds test_as_of() { return *parse_date("2026-11-25"); }

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

// RFC 4180, one record per line (the generator never writes line breaks inside a field).
// Returns false on a malformed line.
bool parse_csv_line(const std::string& line, std::vector<std::string>* fields) {
  fields->clear();
  std::string field;
  std::size_t i = 0;
  while (true) {
    field.clear();
    if (i < line.size() && line[i] == '"') {
      ++i;
      while (true) {
        if (i >= line.size()) return false;
        if (line[i] == '"') {
          if (i + 1 < line.size() && line[i + 1] == '"') {
            field += '"';
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        field += line[i++];
      }
      if (i < line.size() && line[i] != ',') return false;
    } else {
      while (i < line.size() && line[i] != ',') {
        if (line[i] == '"') return false;
        field += line[i++];
      }
    }
    fields->push_back(field);
    if (i >= line.size()) return true;
    ++i;  // the comma
  }
}

GenerateOptions options_for(const TempDir& dir, std::int64_t customers, std::uint64_t seed,
                            int threads = 2) {
  GenerateOptions o;
  o.customers = customers;
  o.seed = seed;
  o.out_dir = dir.path();
  o.as_of = test_as_of();
  o.threads = threads;
  return o;
}

struct Profile {
  std::string email;
  std::string country;
  UnixSeconds signup = 0;
};

// One generated data set, parsed once and shared by the tests that only read it.
class GeneratedData : public ::testing::Test {
 protected:
  static constexpr std::int64_t kCustomers = 5000;

  static void SetUpTestSuite() {
    dir_ = new TempDir();
    auto summary = generate(options_for(*dir_, kCustomers, 20261125));
    ASSERT_OK(summary);
    summary_ = new GenerateSummary(*summary);
    profiles_ = new std::vector<std::string>(split_lines(read_file(*dir_ / "profiles.csv")));
    events_ = new std::vector<std::string>(split_lines(read_file(*dir_ / "events.ndjson")));
    consents_ = new std::vector<std::string>(split_lines(read_file(*dir_ / "consents.ndjson")));
    outcomes_ = new std::vector<std::string>(split_lines(read_file(*dir_ / "outcomes.csv")));
  }
  static void TearDownTestSuite() {
    delete profiles_;
    delete events_;
    delete consents_;
    delete outcomes_;
    delete summary_;
    delete dir_;
  }

  static std::map<std::string, Profile> profiles_by_id() {
    std::map<std::string, Profile> out;
    std::vector<std::string> f;
    for (std::size_t i = 1; i < profiles_->size(); ++i) {
      if (!parse_csv_line((*profiles_)[i], &f) || f.size() != 14) continue;
      out[f[0]] = {f[1], f[9], *parse_date(f[12])};
    }
    return out;
  }

  // Events per customer and type.
  static std::map<std::string, std::map<std::string, int>> event_counts() {
    std::map<std::string, std::map<std::string, int>> counts;
    for (const std::string& line : *events_) {
      const Json j = Json::parse(line, nullptr, false);
      if (j.is_discarded()) continue;
      counts[j["customer_id"].get<std::string>()][j["type"].get<std::string>()]++;
    }
    return counts;
  }

  static std::map<std::string, std::string> outcome_by_id() {  // id -> converted_at or ""
    std::map<std::string, std::string> out;
    std::vector<std::string> f;
    for (std::size_t i = 1; i < outcomes_->size(); ++i) {
      if (parse_csv_line((*outcomes_)[i], &f) && f.size() == 3) out[f[0]] = f[1] == "1" ? f[2] : "";
    }
    return out;
  }

  static inline TempDir* dir_ = nullptr;
  static inline GenerateSummary* summary_ = nullptr;
  static inline std::vector<std::string>* profiles_ = nullptr;
  static inline std::vector<std::string>* events_ = nullptr;
  static inline std::vector<std::string>* consents_ = nullptr;
  static inline std::vector<std::string>* outcomes_ = nullptr;
};

TEST_F(GeneratedData, WritesEveryFileWithHeadersAndCounts) {
  std::vector<std::string> names;
  for (const auto& p : summary_->files) names.push_back(p.filename().string());
  EXPECT_THAT(names, ElementsAre("profiles.csv", "events.ndjson", "consents.ndjson", "outcomes.csv",
                                 "consentric.yaml"));
  for (const auto& entry : std::filesystem::directory_iterator(dir_->path())) {
    EXPECT_NE(entry.path().extension(), ".partial") << "left behind: " << entry.path();
  }
  ASSERT_FALSE(profiles_->empty());
  EXPECT_EQ((*profiles_)[0], kProfileHeader);
  EXPECT_EQ(static_cast<std::int64_t>(profiles_->size()), kCustomers + 1);
  EXPECT_EQ((*outcomes_)[0], "customer_id,converted,converted_at");
  EXPECT_EQ(static_cast<std::int64_t>(outcomes_->size()), kCustomers + 1);
  EXPECT_EQ(summary_->customers, kCustomers);
  EXPECT_EQ(summary_->events, static_cast<std::int64_t>(events_->size()));
  EXPECT_EQ(summary_->consents, static_cast<std::int64_t>(consents_->size()));
  EXPECT_EQ(read_file(*dir_ / "consentric.yaml"), std::string(quickstart_config_yaml()));
}

TEST_F(GeneratedData, ProfilesHaveTheDeclaredShape) {
  const std::set<std::string> industries = {
      "software",  "finance", "healthcare", "retail", "manufacturing",
      "education", "media",   "logistics",  "energy", "public_sector"};
  const std::set<std::string> sizes = {"1-10", "11-50", "51-200", "201-1000", "1001+"};
  const std::map<std::string, std::string> calling_codes = {
      {"DE", "+49 "}, {"FR", "+33 "}, {"GB", "+44 "}, {"NL", "+31 "}, {"ES", "+34 "},
      {"IT", "+39 "}, {"SE", "+46 "}, {"PL", "+48 "}, {"US", "+1 "},  {"CA", "+1 "}};
  const std::set<std::string> sources = {"organic",  "paid_search", "social",
                                         "referral", "event",       "partner"};
  const UnixSeconds start = test_as_of() - 365 * kSecondsPerDay;
  std::set<std::string> emails;
  std::vector<std::string> f;
  int phones = 0, quoted = 0;
  for (std::size_t i = 1; i < profiles_->size(); ++i) {
    const std::string& line = (*profiles_)[i];
    ASSERT_TRUE(parse_csv_line(line, &f)) << line;
    ASSERT_EQ(f.size(), 14u) << line;
    EXPECT_EQ(f[0], fmt::format("C{:08}", i)) << line;
    const std::string& email = f[1];
    EXPECT_TRUE(emails.insert(email).second) << "duplicate email " << email;
    const std::size_t at = email.find('@');
    ASSERT_NE(at, std::string::npos) << email;
    EXPECT_TRUE(email.ends_with(".example") || email.ends_with(".test")) << email;
    EXPECT_EQ(email.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789._-@"),
              std::string::npos)
        << email;
    EXPECT_FALSE(f[2].empty());
    EXPECT_FALSE(f[3].empty());
    ASSERT_TRUE(calling_codes.contains(f[9])) << line;
    if (!f[4].empty()) {
      ++phones;
      EXPECT_TRUE(f[4].starts_with(calling_codes.at(f[9]))) << line;
    }
    EXPECT_FALSE(f[5].empty());
    EXPECT_FALSE(f[6].empty());
    EXPECT_TRUE(industries.contains(f[7])) << line;
    EXPECT_TRUE(sizes.contains(f[8])) << line;
    EXPECT_FALSE(f[10].empty());
    const int age = std::stoi(f[11]);
    EXPECT_GE(age, 18);
    EXPECT_LE(age, 75);
    auto signup = parse_date(f[12]);
    ASSERT_OK(signup);
    EXPECT_GE(*signup, start - kSecondsPerDay);
    EXPECT_LT(*signup, test_as_of());
    EXPECT_TRUE(sources.contains(f[13])) << line;
    if (line.find('"') != std::string::npos) ++quoted;
  }
  EXPECT_NEAR(static_cast<double>(phones) / kCustomers, 0.6, 0.05);
  EXPECT_GT(quoted, 0) << "expected some company names or titles with a comma";
}

// Every event line is one JSON object with exactly the keys and property types of the
// B2B config; times lie in the twelve months and are in order per customer; customers come
// one after another.
TEST_F(GeneratedData, EventsHaveTheDeclaredShapeAndOrder) {
  const auto profiles = profiles_by_id();
  const std::map<std::string, std::string> currency_of = {
      {"DE", "EUR"}, {"FR", "EUR"}, {"NL", "EUR"}, {"ES", "EUR"}, {"IT", "EUR"},
      {"SE", "EUR"}, {"PL", "EUR"}, {"GB", "GBP"}, {"US", "USD"}, {"CA", "USD"}};
  const std::set<std::string> plans = {"starter", "team", "business"};
  const UnixSeconds start = test_as_of() - 365 * kSecondsPerDay;
  const auto keys = [](const Json& object) {
    std::set<std::string> out;
    for (const auto& item : object.items()) out.insert(item.key());
    return out;
  };
  using Keys = std::set<std::string>;
  std::string previous_id;
  UnixSeconds previous_time = 0;
  std::set<std::string> finished_customers, order_ids;
  for (const std::string& line : *events_) {
    const Json j = Json::parse(line, nullptr, false);
    ASSERT_FALSE(j.is_discarded()) << line;
    ASSERT_TRUE(j.is_object()) << line;
    ASSERT_EQ(keys(j), (Keys{"customer_id", "type", "time", "properties"})) << line;
    ASSERT_TRUE(j["customer_id"].is_string() && j["type"].is_string() && j["time"].is_string() &&
                j["properties"].is_object())
        << line;
    const std::string id = j["customer_id"];
    ASSERT_TRUE(profiles.contains(id)) << line;
    const std::string type = j["type"];
    const Json& p = j["properties"];
    auto time = parse_timestamp(j["time"].get<std::string>());
    ASSERT_OK(time);
    EXPECT_GE(*time, start) << line;
    EXPECT_LT(*time, test_as_of()) << line;
    EXPECT_GE(*time, profiles.at(id).signup) << "before sign-up: " << line;

    if (id != previous_id) {
      EXPECT_TRUE(finished_customers.insert(previous_id).second) << "customer again: " << line;
      EXPECT_FALSE(finished_customers.contains(id)) << "customer again: " << line;
      EXPECT_LT(previous_id, id) << line;
      previous_id = id;
    } else {
      EXPECT_LT(previous_time, *time) << "out of order or same second: " << line;
    }
    previous_time = *time;

    if (type == "page_view") {
      ASSERT_EQ(keys(p), (Keys{"page", "duration_s"})) << line;
      EXPECT_TRUE(p["page"].is_string());
      EXPECT_TRUE(p["duration_s"].is_number_integer());
      EXPECT_GE(p["duration_s"].get<std::int64_t>(), 0);
    } else if (type == "email_open") {
      ASSERT_EQ(keys(p), (Keys{"campaign"})) << line;
      EXPECT_TRUE(p["campaign"].is_string());
    } else if (type == "email_click") {
      ASSERT_EQ(keys(p), (Keys{"campaign", "link"})) << line;
      EXPECT_TRUE(p["campaign"].is_string() && p["link"].is_string());
    } else if (type == "form_submit") {
      ASSERT_EQ(keys(p), (Keys{"form"})) << line;
      EXPECT_TRUE(p["form"].is_string());
    } else if (type == "webinar") {
      ASSERT_EQ(keys(p), (Keys{"webinar", "attended"})) << line;
      EXPECT_TRUE(p["webinar"].is_string() && p["attended"].is_boolean());
    } else if (type == "demo_request") {
      EXPECT_TRUE(p.empty()) << line;
      EXPECT_NE(line.find(R"("properties":{})"), std::string::npos) << line;
    } else if (type == "trial_start") {
      ASSERT_EQ(keys(p), (Keys{"plan"})) << line;
      EXPECT_TRUE(plans.contains(p["plan"].get<std::string>())) << line;
    } else if (type == "purchase") {
      ASSERT_EQ(keys(p), (Keys{"amount", "currency", "order_id", "plan"})) << line;
      EXPECT_TRUE(p["amount"].is_number_float()) << line;
      EXPECT_GE(p["amount"].get<double>(), 0.0);
      // Two decimals, always.
      const std::size_t at = line.find(R"("amount":)") + 9;
      const std::size_t dot = line.find('.', at);
      EXPECT_EQ(line.find(',', at), dot + 3) << line;
      EXPECT_EQ(p["currency"], currency_of.at(profiles.at(id).country)) << line;
      EXPECT_TRUE(order_ids.insert(p["order_id"].get<std::string>()).second) << line;
      EXPECT_TRUE(plans.contains(p["plan"].get<std::string>())) << line;
    } else {
      ADD_FAILURE() << "unknown type: " << line;
    }
  }
  const double per_customer = static_cast<double>(events_->size()) / kCustomers;
  EXPECT_GE(per_customer, 15.0);
  EXPECT_LE(per_customer, 25.0);
}

TEST_F(GeneratedData, EventVolumeIsHeavyTailed) {
  std::vector<int> totals;
  for (const auto& [id, by_type] : event_counts()) {
    int n = 0;
    for (const auto& [type, count] : by_type) n += count;
    totals.push_back(n);
  }
  std::sort(totals.begin(), totals.end());
  const int median = totals[totals.size() / 2];
  const int p99 = totals[totals.size() * 99 / 100];
  EXPECT_GE(p99, 4 * median) << "median " << median << ", p99 " << p99;
}

TEST_F(GeneratedData, ConsentsFollowTheirRules) {
  std::map<std::string, UnixSeconds> signup_of;
  for (const auto& [id, p] : profiles_by_id()) signup_of[p.email] = p.signup;
  const std::set<std::string> prefixes = {"192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24"};
  const std::set<std::string> grant_sources = {"web_form", "newsletter_footer",
                                               "webinar_registration", "import"};
  using Keys = std::set<std::string>;
  std::map<std::pair<std::string, std::string>, UnixSeconds> last_grant;
  std::map<std::string, std::set<std::string>> granted;  // purpose -> emails
  int grants = 0, withdrawals = 0, objections = 0;
  for (const std::string& line : *consents_) {
    const Json j = Json::parse(line, nullptr, false);
    ASSERT_FALSE(j.is_discarded()) << line;
    Keys keys;
    for (const auto& item : j.items()) keys.insert(item.key());
    ASSERT_EQ(keys, (Keys{"email", "purpose", "action", "time", "source", "method",
                          "notice_version", "proof"}))
        << line;
    Keys proof_keys;
    for (const auto& item : j["proof"].items()) proof_keys.insert(item.key());
    ASSERT_EQ(proof_keys, (Keys{"form_id", "ip_prefix", "user_agent"})) << line;
    EXPECT_TRUE(prefixes.contains(j["proof"]["ip_prefix"].get<std::string>())) << line;

    const std::string email = j["email"], purpose = j["purpose"], action = j["action"];
    ASSERT_TRUE(signup_of.contains(email)) << line;
    auto time = parse_timestamp(j["time"].get<std::string>());
    ASSERT_OK(time);
    EXPECT_GE(*time, signup_of[email]) << line;
    EXPECT_LT(*time, test_as_of()) << line;
    if (purpose == "lead_scoring") {
      EXPECT_EQ(action, "withdraw") << "legitimate interest has no grants: " << line;
      EXPECT_TRUE(j["source"] == "api" || j["source"] == "email_request") << line;
      ++objections;
      continue;
    }
    ASSERT_TRUE(purpose == "segmentation" || purpose == "email_marketing") << line;
    if (action == "grant") {
      EXPECT_TRUE(grant_sources.contains(j["source"].get<std::string>())) << line;
      last_grant[{email, purpose}] = *time;
      granted[purpose].insert(email);
      ++grants;
    } else {
      ASSERT_EQ(action, "withdraw") << line;
      const auto key = std::make_pair(email, purpose);
      ASSERT_TRUE(last_grant.contains(key)) << "withdrawal without grant: " << line;
      EXPECT_GT(*time, last_grant[key]) << line;
      ++withdrawals;
    }
  }
  const auto share = [](std::size_t n) { return static_cast<double>(n) / kCustomers; };
  EXPECT_NEAR(share(granted["segmentation"].size()), 0.55, 0.06);
  EXPECT_NEAR(share(granted["email_marketing"].size()), 0.40, 0.06);
  EXPECT_NEAR(static_cast<double>(withdrawals) / grants, 0.08, 0.04);
  EXPECT_NEAR(share(static_cast<std::size_t>(objections)), 0.03, 0.015);
}

TEST_F(GeneratedData, EmailsGoOnlyToPeopleWhoAgreed) {
  std::map<std::string, std::string> id_of;  // email -> customer id
  for (const auto& [id, p] : profiles_by_id()) id_of[p.email] = id;
  std::set<std::string> ever_granted;
  for (const std::string& line : *consents_) {
    const Json j = Json::parse(line);
    if (j["purpose"] == "email_marketing" && j["action"] == "grant") {
      ever_granted.insert(id_of[j["email"].get<std::string>()]);
    }
  }
  int mailed = 0;
  for (const auto& [id, by_type] : event_counts()) {
    if (by_type.contains("email_open") || by_type.contains("email_click")) {
      ++mailed;
      EXPECT_TRUE(ever_granted.contains(id)) << id;
    }
  }
  EXPECT_GT(mailed, 0);
}

TEST_F(GeneratedData, ConvertedExactlyWhenThereIsAPurchase) {
  std::map<std::string, std::string> first_purchase;
  for (const std::string& line : *events_) {
    const Json j = Json::parse(line);
    if (j["type"] == "purchase") first_purchase.emplace(j["customer_id"], j["time"]);
  }
  const auto outcomes = outcome_by_id();
  ASSERT_EQ(static_cast<std::int64_t>(outcomes.size()), kCustomers);
  std::int64_t converted = 0;
  for (const auto& [id, at] : outcomes) {
    if (first_purchase.contains(id)) {
      EXPECT_EQ(at, first_purchase[id]) << id;
      ++converted;
    } else {
      EXPECT_EQ(at, "") << id;
    }
  }
  EXPECT_EQ(converted, summary_->converted);
  const double rate = static_cast<double>(converted) / kCustomers;
  EXPECT_GE(rate, 0.08);
  EXPECT_LE(rate, 0.15);
}

// Conversion is driven by the intent that also drives engagement, with noise: converted
// customers engage clearly more, and an engagement score ranks them well but not perfectly.
TEST_F(GeneratedData, EngagementCarriesSignalButNotTheAnswer) {
  const auto counts = event_counts();
  const auto outcomes = outcome_by_id();
  struct Row {
    double score;
    bool converted;
  };
  std::vector<Row> rows;
  double sum_yes = 0, sum_no = 0;
  int yes = 0, no = 0;
  for (const auto& [id, converted_at] : outcomes) {
    const auto it = counts.find(id);
    const auto count = [&](const char* type) {
      if (it == counts.end()) return 0;
      const auto c = it->second.find(type);
      return c == it->second.end() ? 0 : c->second;
    };
    const bool converted = !converted_at.empty();
    const double clicks_and_demos = count("email_click") + count("demo_request");
    (converted ? sum_yes : sum_no) += clicks_and_demos;
    (converted ? yes : no)++;
    // Engagement only: no purchase and no trial (the trial is one step from the label).
    rows.push_back({count("page_view") * 0.05 + count("email_open") * 0.2 +
                        count("email_click") * 0.5 + count("webinar") * 0.5 +
                        count("form_submit") * 0.3 + count("demo_request") * 2.0,
                    converted});
  }
  ASSERT_GT(yes, 0);
  EXPECT_GT(sum_yes / yes, 2.0 * (sum_no / no));
  // AUC by the rank-sum formula, ties counting half.
  std::sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) { return a.score < b.score; });
  double rank_sum = 0;
  for (std::size_t i = 0; i < rows.size();) {
    std::size_t j = i;
    while (j < rows.size() && rows[j].score == rows[i].score) ++j;
    const double mid_rank = (static_cast<double>(i + 1) + static_cast<double>(j)) / 2;
    for (std::size_t k = i; k < j; ++k) {
      if (rows[k].converted) rank_sum += mid_rank;
    }
    i = j;
  }
  const double auc = (rank_sum - yes * (yes + 1.0) / 2) / (static_cast<double>(yes) * no);
  EXPECT_GE(auc, 0.7);
  EXPECT_LE(auc, 0.92);
}

TEST(Generate, IsDeterministicWhateverTheThreads) {
  TempDir a, b, c;
  ASSERT_OK(generate(options_for(a, 2500, 99, 2)));
  ASSERT_OK(generate(options_for(b, 2500, 99, 2)));
  ASSERT_OK(generate(options_for(c, 2500, 99, 1)));
  for (std::string_view name : kFiles) {
    const std::string first = read_file(a / std::string(name));
    EXPECT_FALSE(first.empty()) << name;
    EXPECT_TRUE(first == read_file(b / std::string(name))) << name << " differs between runs";
    EXPECT_TRUE(first == read_file(c / std::string(name))) << name << " differs with 1 thread";
  }
}

TEST(Generate, DifferentSeedsGiveDifferentData) {
  TempDir a, b;
  ASSERT_OK(generate(options_for(a, 500, 1)));
  ASSERT_OK(generate(options_for(b, 500, 2)));
  for (std::string_view name : {"profiles.csv", "events.ndjson", "consents.ndjson"}) {
    EXPECT_NE(read_file(a / std::string(name)), read_file(b / std::string(name))) << name;
  }
}

TEST(Generate, ReplacesExistingFilesAndReportsProgress) {
  TempDir dir;
  write_file(dir / "profiles.csv", "old,stuff\n");
  write_file(dir / "keep.txt", "mine");
  GenerateOptions o = options_for(dir, 3000, 5);
  std::vector<std::pair<std::int64_t, std::int64_t>> calls;
  o.progress = [&](std::int64_t done, std::int64_t total) { calls.emplace_back(done, total); };
  ASSERT_OK(generate(o));
  EXPECT_TRUE(read_file(dir / "profiles.csv").starts_with(kProfileHeader));
  EXPECT_EQ(read_file(dir / "keep.txt"), "mine");
  ASSERT_FALSE(calls.empty());
  EXPECT_EQ(calls.back(), std::make_pair(std::int64_t{3000}, std::int64_t{3000}));
  for (std::size_t i = 1; i < calls.size(); ++i) EXPECT_LT(calls[i - 1].first, calls[i].first);
}

TEST(Generate, AFailureLeavesNoFilesBehind) {
  TempDir dir;
  GenerateOptions o = options_for(dir, 3000, 5);
  o.progress = [](std::int64_t, std::int64_t) { throw std::runtime_error("stop here"); };
  EXPECT_THAT(generate(o), StatusIs(StatusCode::kInternal, HasSubstr("stop here")));
  EXPECT_TRUE(std::filesystem::is_empty(dir.path()));
}

TEST(Generate, CreatesMissingFolders) {
  TempDir dir;
  GenerateOptions o = options_for(dir, 10, 5);
  o.out_dir = dir / "a/b";
  auto summary = generate(o);
  ASSERT_OK(summary);
  EXPECT_EQ(summary->customers, 10);
  EXPECT_TRUE(std::filesystem::exists(dir / "a/b/events.ndjson"));
}

TEST(Generate, RefusesBadOptions) {
  TempDir dir;
  GenerateOptions o = options_for(dir, 0, 1);
  EXPECT_THAT(generate(o), StatusIs(StatusCode::kInvalidArgument, HasSubstr("customers")));
  o.customers = 100'000'000;
  EXPECT_THAT(generate(o), StatusIs(StatusCode::kInvalidArgument, HasSubstr("eight digits")));
  o = options_for(dir, 10, 1, 0);
  EXPECT_THAT(generate(o), StatusIs(StatusCode::kInvalidArgument, HasSubstr("threads")));
  o = options_for(dir, 10, 1);
  o.as_of = 0;
  EXPECT_THAT(generate(o), StatusIs(StatusCode::kInvalidArgument, HasSubstr("as_of")));
  o = options_for(dir, 10, 1);
  o.out_dir.clear();
  EXPECT_THAT(generate(o), StatusIs(StatusCode::kInvalidArgument, HasSubstr("out_dir")));
}

TEST(Generate, NamesTheFolderItCannotCreate) {
  TempDir dir;
  write_file(dir / "file", "x");
  GenerateOptions o = options_for(dir, 10, 1);
  o.out_dir = dir / "file" / "sub";
  auto result = generate(o);
  ASSERT_FALSE(result.ok());
  EXPECT_THAT(result.status().message(), HasSubstr((dir / "file").string()));
}

TEST(QuickstartConfig, IsTheB2bExample) {
  const std::string_view yaml = quickstart_config_yaml();
  EXPECT_THAT(std::string(yaml), HasSubstr("email_marketing"));
  EXPECT_THAT(std::string(yaml), HasSubstr("lead_scoring"));
  const auto source =
      std::filesystem::path(CONSENTRIC_SOURCE_DIR) / "examples/b2b_saas/consentric.yaml";
  ASSERT_TRUE(std::filesystem::exists(source));
  EXPECT_EQ(std::string(yaml), read_file(source));
}

// The 1,000,000-customer run of the speed target. Not run by default (it writes several GB):
//   build/src/synth/synth_test --gtest_also_run_disabled_tests --gtest_filter='*Million*'
TEST(GenerateBenchmark, DISABLED_Million) {
  TempDir dir;
  GenerateOptions o = options_for(dir, 1'000'000, 42, 2);
  const auto t0 = std::chrono::steady_clock::now();
  auto summary = generate(o);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  ASSERT_OK(summary);
  std::printf("customers: %lld\nevents: %lld\nconsents: %lld\nconverted: %lld\nseconds: %.2f\n",
              static_cast<long long>(summary->customers), static_cast<long long>(summary->events),
              static_cast<long long>(summary->consents), static_cast<long long>(summary->converted),
              seconds);
  for (const auto& f : summary->files) {
    std::printf("%s: %.1f MB\n", f.filename().c_str(),
                static_cast<double>(std::filesystem::file_size(f)) / 1e6);
  }
  EXPECT_LT(seconds, 60.0);
}

}  // namespace
}  // namespace consentric::synth
