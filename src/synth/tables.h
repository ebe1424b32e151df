#pragma once

// The word lists the synthetic customers are drawn from: names, countries and cities, job
// titles, company name parts, and the pages, campaigns, forms and webinars of a made-up B2B
// analytics vendor. All written for this project. Every table is static and read-only, so
// any thread may read it.
//
// Rules the generator relies on (checked by tables_test):
//   - a Name's `ascii` is lower-case a-z only (no digits: an email's trailing digits are then
//     unambiguously a disambiguator);
//   - every string that ends up in JSON is printable ASCII without '"' or '\\'.

#include <span>
#include <string_view>

namespace consentric::synth {

struct Name {
  std::string_view display;  // as written, UTF-8 ("Müller")
  std::string_view ascii;    // for email addresses ("mueller")
};

struct City {
  std::string_view name;           // UTF-8, local spelling
  std::string_view phone_pattern;  // '#' is replaced by a random digit
  int weight;
};

enum class Currency { kEur, kUsd, kGbp };
std::string_view to_string(Currency c);

struct Country {
  std::string_view code;  // ISO 3166-1 alpha-2
  int weight;             // share of companies, in percent
  Currency currency;      // the vendor's price list for the country
  std::span<const City> cities;
  std::span<const Name> first_names;
  std::span<const Name> last_names;
  std::span<const std::string_view> legal_forms;  // "GmbH", "Ltd", …
  std::string_view free_mail_domain;              // a made-up local free-mail provider
  int utc_offset_hours;                           // of the business day (winter time)
};

std::span<const Country> countries();
// Free-mail providers used in every country.
std::span<const std::string_view> global_free_mail_domains();

inline constexpr int kIndustryCount = 10;
inline constexpr std::string_view kIndustries[kIndustryCount] = {
    "software",  "finance", "healthcare", "retail", "manufacturing",
    "education", "media",   "logistics",  "energy", "public_sector"};
inline constexpr int kIndustryWeights[kIndustryCount] = {22, 12, 9, 10, 12, 6, 7, 8, 5, 9};

inline constexpr int kSizeCount = 5;
inline constexpr std::string_view kCompanySizes[kSizeCount] = {"1-10", "11-50", "51-200",
                                                               "201-1000", "1001+"};
inline constexpr int kCompanySizeWeights[kSizeCount] = {35, 28, 20, 11, 6};

inline constexpr int kLeadSourceCount = 6;
inline constexpr std::string_view kLeadSources[kLeadSourceCount] = {
    "organic", "paid_search", "social", "referral", "event", "partner"};
inline constexpr int kLeadSourceWeights[kLeadSourceCount] = {30, 22, 14, 12, 12, 10};

// Seniority tiers of job titles, most junior first.
inline constexpr int kTierCount = 5;
enum class Tier { kJunior = 0, kIndividual = 1, kManager = 2, kHead = 3, kExecutive = 4 };
std::span<const std::string_view> job_titles(Tier tier);

// Company names: "<head><tail> <noun> <legal form>", e.g. "Bluepeak Analytics GmbH".
std::span<const std::string_view> brand_heads();
std::span<const std::string_view> brand_tails();
std::span<const std::string_view> industry_nouns(int industry);

// The vendor's web site. Page paths.
std::span<const std::string_view> site_pages();
std::span<const int> site_page_weights();
inline constexpr int kPricingPage = 1;           // index of "/pricing" in site_pages()
std::span<const std::string_view> docs_pages();  // read by trial users and customers

// Email campaign themes; a campaign's name is "<theme>-<yyyy>-<mm>".
std::span<const std::string_view> campaign_themes();
std::span<const std::string_view> campaign_links();

std::span<const std::string_view> webinar_titles();

// Forms on the site. The first ones are the lead-capture forms used at sign-up.
enum class Form {
  kNewsletter = 0,
  kWhitepaper,
  kContactSales,
  kWebinarRegistration,
  kEventSignup,
  kPartnerReferral,
  kRoiCalculator,
  kPricingQuote,
};
std::string_view to_string(Form f);

std::span<const std::string_view> user_agents();

// The three IPv4 blocks reserved for documentation (RFC 5737), so no proof names a real network.
inline constexpr std::string_view kDocumentationPrefixes[3] = {"192.0.2.0/24", "198.51.100.0/24",
                                                               "203.0.113.0/24"};

}  // namespace consentric::synth
