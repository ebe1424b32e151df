#include "synth/generator.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <exception>
#include <mutex>
#include <string>
#include <system_error>
#include <thread>
#include <utility>

#include "synth/rng.h"
#include "synth/tables.h"
#include "synth/text_out.h"

namespace consentric::synth {
namespace {

__extension__ typedef unsigned __int128 Wide;  // __extension__: -Wpedantic knows no __int128

// The model's numbers are gathered here; docs/algorithms/synthetic-customers.md explains them.

constexpr std::int64_t kDay = kSecondsPerDay;
constexpr std::int64_t kHour = 3600;
constexpr std::int64_t kWindow = 365 * kDay;
constexpr std::int64_t kMaxCustomers = 99'999'999;
constexpr int kMaxThreads = 64;
// Customers per block: big enough that a block's buffers make large writes (about 3 MB of
// events), small enough that the blocks in flight stay a few tens of MB.
constexpr std::int64_t kBlockSize = 1024;

// Intent: a contact's latent interest in buying. The same number drives engagement and the
// funnel, which is what gives a model trained on engagement its signal.
constexpr double kCompanyIntentSd = 0.6;
constexpr double kPersonalIntentSd = 0.8;
constexpr double kTierIntent[kTierCount] = {-0.6, -0.15, 0.15, 0.45, 0.3};
constexpr double kSizeIntent[kSizeCount] = {-0.35, 0.0, 0.2, 0.25, 0.1};
constexpr double kSourceIntent[kLeadSourceCount] = {0.0, -0.1, -0.4, 0.5, 0.2, 0.35};
constexpr double kIndustryIntent[kIndustryCount] = {0.25, 0.1,  0.0, 0.0,  -0.05,
                                                    -0.3, 0.05, 0.0, -0.1, -0.35};
// Activity: how much someone clicks around regardless of intent (students, competitors, the
// naturally curious). It is noise on purpose.
constexpr double kActivitySd = 0.6;
constexpr double kIntentToEngagement = 0.55;

// Funnel stages: P = sigmoid(base + intent * intent_weight + log(activity) * activity_weight).
struct Logit {
  double base;
  double intent;
  double activity;
};
constexpr Logit kWebinarLogit{-3.3, 0.8, 0.4};      // registers for a given webinar
constexpr Logit kEmailOpenLogit{-1.1, 0.45, 0.35};  // opens a given mailing
constexpr Logit kEmailClickLogit{-1.8, 0.7, 0.0};   // clicks, having opened
constexpr Logit kDemoLogit{-2.3, 1.0, 0.25};
constexpr Logit kTrialAfterDemoLogit{-0.2, 0.5, 0.0};
constexpr Logit kSelfServeTrialLogit{-2.6, 0.7, 0.3};
constexpr Logit kBuyAfterTrialLogit{-0.5, 0.7, 0.0};
constexpr Logit kSalesLedBuyLogit{-1.5, 0.6, 0.0};  // demo, no trial, 201+ employees
// What the data never shows (budget, timing, a champion leaving) moves the buying decision.
constexpr double kDecisionNoiseSd = 0.7;
// Bought with barely a trace here: through a partner, or a colleague did the evaluation.
constexpr double kDirectBuyShare = 0.03;
constexpr double kDirectBuySharePartner = 0.05;

// Indices into kLeadSources.
enum LeadSource : int { kOrganic, kPaidSearch, kSocial, kReferral, kEventLead, kPartnerLead };

constexpr double kSessionsPerYear = 4.5;   // for engagement 1 and a long tenure
constexpr double kInterestDecayDays = 75;  // interest fades after sign-up

// Contacts per company beyond the first (Poisson means), by company size.
constexpr double kExtraContacts[kSizeCount] = {0.3, 0.8, 1.5, 3.0, 6.0};
constexpr int kMaxContacts = 40;
constexpr double kFreeMailShare[kSizeCount] = {0.35, 0.15, 0.07, 0.04, 0.04};
constexpr int kTierWeights[kSizeCount][kTierCount] = {{5, 25, 15, 10, 45},
                                                      {5, 30, 30, 20, 15},
                                                      {6, 34, 32, 22, 6},
                                                      {7, 38, 34, 18, 3},
                                                      {8, 42, 33, 15, 2}};
constexpr double kAgeMean[kTierCount] = {24, 33, 38, 43, 47};
constexpr double kAgeSd[kTierCount] = {3, 7, 8, 8, 9};

// Plans, list prices per month in cents (EUR, USD, GBP), and the plan mix by company size.
constexpr std::string_view kPlans[3] = {"starter", "team", "business"};
constexpr std::int64_t kMonthlyPriceCents[3][3] = {
    {4900, 19900, 79900}, {5900, 22900, 89900}, {4500, 17900, 69900}};
constexpr int kPlanWeights[kSizeCount][3] = {
    {70, 28, 2}, {35, 55, 10}, {15, 55, 30}, {5, 45, 50}, {2, 28, 70}};
constexpr int kMaxUnits[kSizeCount] = {1, 2, 3, 5, 10};
constexpr double kAnnualShare[kSizeCount] = {0.25, 0.35, 0.5, 0.65, 0.8};
constexpr double kMonthlyChurn = 0.03;
constexpr double kExpansionShare = 0.15;

constexpr double kWithdrawShare = 0.08;  // of grants, withdrawn later in the year
constexpr double kReconfirmShare = 0.6;  // of email consents renewed under a new notice

// Local hour-of-day weights for office activity.
constexpr int kHourWeights[24] = {1, 1, 1, 1, 1, 1, 2, 3, 6, 10, 10, 10,
                                  7, 9, 9, 9, 9, 6, 4, 3, 3, 3,  2,  2};

// Maps u in [0, 1) to a fraction of the day, spread like kHourWeights (read in UTC, where most
// of these customers' office hours fall). Monotone, so sign-up order survives it.
double office_day_fraction(double u) {
  int total = 0;
  for (int w : kHourWeights) total += w;
  double target = u * total;
  for (int h = 0; h < 24; ++h) {
    if (target < kHourWeights[h]) return (h + target / kHourWeights[h]) / 24.0;
    target -= kHourWeights[h];
  }
  return 23.999 / 24.0;
}

// Privacy notices of the vendor, oldest first. The config's current version is "2026-01";
// email_marketing has renew_consent, so a consent under an older notice stops counting when a
// new one takes effect (modelled below as a reconfirmation campaign).
struct Notice {
  std::string_view version;
  UnixSeconds effective;
};
constexpr Notice kNotices[] = {
    {"2024-11", 1730419200}, {"2025-06", 1748736000}, {"2026-01", 1767225600}};

// The notice shown at t (the oldest one for times before it).
std::size_t notice_index(UnixSeconds t) {
  std::size_t i = 0;
  while (i + 1 < std::size(kNotices) && kNotices[i + 1].effective <= t) ++i;
  return i;
}
std::string_view notice_at(UnixSeconds t) { return kNotices[notice_index(t)].version; }

// When the notice shown at t is replaced, or 0 when it is the current one.
UnixSeconds next_notice_after(UnixSeconds t) {
  const std::size_t i = notice_index(t) + 1;
  return i < std::size(kNotices) ? kNotices[i].effective : 0;
}

// ---------------------------------------------------------------------------------------------
// A short string in place, for names, emails and company names: no allocation per customer.
class Text {
 public:
  void clear() { size_ = 0; }
  void add(std::string_view s) {
    const std::size_t n = std::min(s.size(), sizeof(data_) - size_);
    std::memcpy(data_ + size_, s.data(), n);
    size_ += n;
  }
  void add(char c) {
    if (size_ < sizeof(data_)) data_[size_++] = c;
  }
  void add_int(std::int64_t v) {
    const fmt::format_int digits(v);
    add(std::string_view(digits.data(), digits.size()));
  }
  // Lower-cased ASCII, with spaces turned into '-'.
  void add_slug(std::string_view s) {
    for (char c : s) {
      if (c == ' ') {
        add('-');
      } else if (c >= 'A' && c <= 'Z') {
        add(static_cast<char>(c - 'A' + 'a'));
      } else {
        add(c);
      }
    }
  }
  std::string_view view() const { return {data_, size_}; }
  bool operator==(const Text& other) const { return view() == other.view(); }

 private:
  char data_[192];
  std::size_t size_ = 0;
};

// ---------------------------------------------------------------------------------------------
// Companies. Contacts are grouped into companies so that colleagues share a domain, an
// industry, a size and part of their intent (account-level interest, as in account-based
// marketing). The table is built once, serially, before the parallel part.

struct Company {
  std::int64_t first_slot = 0;  // its contacts occupy [first_slot, next company's first_slot)
  float intent = 0;
  std::uint32_t duplicate = 0;  // earlier companies with the same name; the domain gets "-(n+1)"
  std::uint16_t head = 0;
  std::uint16_t tail = 0;
  std::uint8_t noun = 0;
  std::uint8_t industry = 0;
  std::uint8_t size = 0;
  std::uint8_t country = 0;
  std::uint8_t legal_form = 0;
  std::uint8_t email_style = 0;
};

enum EmailStyle : std::uint8_t { kFirstDotLast, kFLast, kFDotLast, kFirstUnderLast, kFirstOnly };

std::array<int, 10> country_weights() {
  std::array<int, 10> w{};
  const auto list = countries();
  for (std::size_t i = 0; i < list.size() && i < w.size(); ++i) w[i] = list[i].weight;
  return w;
}

Company draw_company(std::uint64_t seed, std::int64_t index, const std::array<int, 10>& cw,
                     int* contacts) {
  Rng rng(seed, Stream::kCompany, static_cast<std::uint64_t>(index));
  Company c;
  c.country = static_cast<std::uint8_t>(rng.weighted(cw));
  c.industry = static_cast<std::uint8_t>(rng.weighted(kIndustryWeights));
  c.size = static_cast<std::uint8_t>(rng.weighted(kCompanySizeWeights));
  c.head = static_cast<std::uint16_t>(rng.below(brand_heads().size()));
  c.tail = static_cast<std::uint16_t>(rng.below(brand_tails().size()));
  c.noun = static_cast<std::uint8_t>(rng.below(industry_nouns(c.industry).size()));
  c.legal_form = static_cast<std::uint8_t>(rng.below(countries()[c.country].legal_forms.size()));
  const int styles[5] = {50, 15, 15, 10, c.size <= 1 ? 10 : 0};
  c.email_style = static_cast<std::uint8_t>(rng.weighted(styles));
  c.intent = static_cast<float>(kCompanyIntentSd * rng.normal());
  *contacts = std::min(kMaxContacts, 1 + rng.poisson(kExtraContacts[c.size]));
  return c;
}

void put_company_name(Text& out, const Company& c) {
  out.add(brand_heads()[c.head]);
  out.add(brand_tails()[c.tail]);
  out.add(' ');
  out.add(industry_nouns(c.industry)[c.noun]);
  if (kIndustries[c.industry] == "public_sector") return;  // public bodies have no legal form
  const std::string_view form = countries()[c.country].legal_forms[c.legal_form];
  if (form.front() != ',') out.add(' ');
  out.add(form);
}

void put_company_domain(Text& out, const Company& c) {
  out.add_slug(brand_heads()[c.head]);
  out.add(brand_tails()[c.tail]);
  out.add('-');
  out.add_slug(industry_nouns(c.industry)[c.noun]);
  if (c.duplicate > 0) {
    out.add('-');
    out.add_int(static_cast<std::int64_t>(c.duplicate) + 1);
  }
  out.add(".example");
}

// ---------------------------------------------------------------------------------------------
// What every worker reads: options, the company table, the mailing and webinar calendars.

struct Campaign {
  UnixSeconds sent;
  std::string name;  // "<theme>-<yyyy>-<mm>"
};

struct Webinar {
  UnixSeconds start;
  int title;
};

struct World {
  std::int64_t customers = 0;
  std::uint64_t seed = 0;
  UnixSeconds as_of = 0;
  UnixSeconds start = 0;  // as_of - 365 days
  std::array<int, 10> country_weights{};
  std::vector<Company> companies;
  // customer index -> slot: an affine permutation, so colleagues get scattered customer ids
  // (ids follow sign-up order, and colleagues rarely sign up one after another).
  std::uint64_t slot_mul = 1;
  std::uint64_t slot_add = 0;
  // Free-mail addresses end in a number that is an injective function of the slot.
  std::uint64_t mail_mod = 10'000;
  std::uint64_t mail_add = 0;
  std::vector<Campaign> campaigns;
  std::vector<Webinar> webinars;
  DateTable dates;

  explicit World(const GenerateOptions& o)
      : customers(o.customers),
        seed(o.seed),
        as_of(o.as_of),
        start(o.as_of - kWindow),
        dates(o.as_of - kWindow, o.as_of) {}

  std::uint64_t slot_of(std::int64_t index) const {
    return static_cast<std::uint64_t>(
        (static_cast<Wide>(static_cast<std::uint64_t>(index)) * slot_mul + slot_add) %
        static_cast<std::uint64_t>(customers));
  }
  const Company& company_of(std::uint64_t slot) const {
    auto it = std::upper_bound(companies.begin(), companies.end(), static_cast<std::int64_t>(slot),
                               [](std::int64_t s, const Company& c) { return s < c.first_slot; });
    return *(it - 1);
  }
};

std::uint64_t gcd(std::uint64_t a, std::uint64_t b) {
  while (b != 0) a = std::exchange(b, a % b);
  return a;
}

World build_world(const GenerateOptions& options) {
  World w(options);
  w.country_weights = country_weights();

  // Companies until every slot has one. A name that was drawn before gets a numbered domain,
  // which keeps every company domain, and so every company email, unique.
  const std::size_t nouns_max = 8;
  std::vector<std::uint32_t> name_count(brand_heads().size() * brand_tails().size() *
                                        kIndustryCount * nouns_max);
  std::int64_t slot = 0;
  for (std::int64_t index = 0; slot < w.customers; ++index) {
    int contacts = 0;
    Company c = draw_company(w.seed, index, w.country_weights, &contacts);
    c.first_slot = slot;
    const std::size_t key =
        ((static_cast<std::size_t>(c.head) * brand_tails().size() + c.tail) * kIndustryCount +
         c.industry) *
            nouns_max +
        c.noun;
    c.duplicate = name_count[key]++;
    w.companies.push_back(c);
    slot += contacts;
  }

  const auto n = static_cast<std::uint64_t>(w.customers);
  w.slot_mul = 1;
  if (n > 2) {
    for (std::uint64_t k = 0;; ++k) {
      const std::uint64_t candidate = 1 + mix64(w.seed ^ (0x5107 + k)) % (n - 1);
      if (gcd(candidate, n) == 1) {
        w.slot_mul = candidate;
        break;
      }
    }
  }
  w.slot_add = mix64(w.seed ^ 0xADD) % n;
  while (w.mail_mod < 10 * n) w.mail_mod *= 10;
  w.mail_add = mix64(w.seed ^ 0xFEE) % w.mail_mod;

  // A mailing every two weeks at 09:00 UTC and a webinar every 30 days at 15:00 UTC.
  for (UnixSeconds t = w.start + 3 * kDay + 9 * kHour; t < w.as_of; t += 14 * kDay) {
    const CivilDate d = civil_from_days(floor_div(t, kDay));
    const auto themes = campaign_themes();
    const std::string_view theme = themes[w.campaigns.size() % themes.size()];
    w.campaigns.push_back({t, fmt::format("{}-{:04}-{:02}", theme, d.year, d.month)});
  }
  int title = 0;
  for (UnixSeconds t = w.start + 20 * kDay + 15 * kHour; t < w.as_of; t += 30 * kDay) {
    w.webinars.push_back({t, title});
    title = (title + 1) % static_cast<int>(webinar_titles().size());
  }
  return w;
}

// ---------------------------------------------------------------------------------------------
// Per-customer records, kept small and plain so that a customer costs no allocation once the
// worker's vectors have grown.

enum class EventType : std::uint8_t {
  kPageView,
  kEmailOpen,
  kEmailClick,
  kFormSubmit,
  kWebinar,
  kDemoRequest,
  kTrialStart,
  kPurchase,
};

enum class PageKind : std::uint8_t { kSite, kDocs, kLink };

struct Event {
  UnixSeconds time;
  std::uint32_t seq;  // creation order: breaks ties so that sorting is deterministic
  EventType type;
  std::uint8_t flag;   // page_view: PageKind; webinar: attended
  std::uint16_t item;  // page, campaign, form, webinar or plan index
  std::uint16_t link;  // email_click: link index
  std::int64_t value;  // page_view: duration in seconds; purchase: amount in cents
};

enum class Purpose : std::uint8_t { kSegmentation, kEmailMarketing, kLeadScoring };
constexpr std::string_view kPurposeNames[] = {"segmentation", "email_marketing", "lead_scoring"};

enum class Source : std::uint8_t {
  kWebForm,
  kNewsletterFooter,
  kWebinarRegistration,
  kImport,
  kPreferenceCenter,
  kUnsubscribeLink,
  kEmailRequest,
  kApi,
};
constexpr std::string_view kSourceNames[] = {
    "web_form",          "newsletter_footer", "webinar_registration", "import",
    "preference_center", "unsubscribe_link",  "email_request",        "api"};

enum class Method : std::uint8_t {
  kCheckbox,
  kDoubleOptIn,
  kImport,
  kToggle,
  kLinkClick,
  kEmail,
  kApi
};
constexpr std::string_view kMethodNames[] = {"checkbox",   "double_opt_in", "import", "toggle",
                                             "link_click", "email",         "api"};

// Where a proof comes from: the person's browser, or one of our systems.
enum class ProofOrigin : std::uint8_t { kBrowser, kImport, kCrm, kMailbox };

struct ConsentRecord {
  UnixSeconds time;
  std::uint32_t seq;
  Purpose purpose;
  bool grant;
  Source source;
  Method method;
  ProofOrigin origin;
  std::string_view form_id;
};

struct Interval {
  UnixSeconds from;
  UnixSeconds until;
};

// A worker's reusable scratch space.
struct Scratch {
  std::vector<Event> events;
  std::vector<ConsentRecord> consents;
  std::vector<Interval> email_ok;  // when email_marketing consent is valid
  std::vector<UnixSeconds> registrations;
};

struct BlockOutput {
  Buffer profiles;
  Buffer events;
  Buffer consents;
  Buffer outcomes;
  std::int64_t event_count = 0;
  std::int64_t consent_count = 0;
  std::int64_t converted = 0;

  void clear() {
    profiles.clear();
    events.clear();
    consents.clear();
    outcomes.clear();
    event_count = consent_count = converted = 0;
  }
};

// ---------------------------------------------------------------------------------------------
// Identity: name and email. Drawn first from the contact's stream, so that a colleague's name
// can be drawn again cheaply to detect two identical addresses at one company.

struct Identity {
  std::uint8_t country;
  const Name* first;
  const Name* last;
};

Identity draw_identity(Rng& rng, const World& w, const Company& company) {
  Identity id;
  id.country = rng.chance(0.92) ? company.country
                                : static_cast<std::uint8_t>(rng.weighted(w.country_weights));
  // A quarter of people carry names from another country's pool: Europe and North America
  // are not one heritage per country.
  const auto pool = [&](double own) -> const Country& {
    return countries()[rng.chance(own) ? id.country : rng.weighted(w.country_weights)];
  };
  const Country& first_pool = pool(0.75);
  id.first = &first_pool.first_names[rng.below(first_pool.first_names.size())];
  const Country& last_pool = pool(0.75);
  id.last = &last_pool.last_names[rng.below(last_pool.last_names.size())];
  return id;
}

void put_local_part(Text& out, const Identity& id, int style) {
  switch (style) {
    case kFirstDotLast:
      out.add(id.first->ascii);
      out.add('.');
      out.add(id.last->ascii);
      break;
    case kFLast:
      out.add(id.first->ascii.front());
      out.add(id.last->ascii);
      break;
    case kFDotLast:
      out.add(id.first->ascii.front());
      out.add('.');
      out.add(id.last->ascii);
      break;
    case kFirstUnderLast:
      out.add(id.first->ascii);
      out.add('_');
      out.add(id.last->ascii);
      break;
    default:
      out.add(id.first->ascii);
      break;
  }
}

// ---------------------------------------------------------------------------------------------
// One customer: draws everything, then appends its lines to the block's buffers.

class CustomerSim {
 public:
  CustomerSim(const World& w, Scratch& scratch, std::int64_t index)
      : w_(w),
        s_(scratch),
        index_(index),
        rng_(w.seed, Stream::kBehaviour, static_cast<std::uint64_t>(index)) {}

  void run(BlockOutput& out) {
    s_.events.clear();
    s_.consents.clear();
    s_.email_ok.clear();
    s_.registrations.clear();
    seq_ = 0;
    draw_contact();
    draw_signup();
    draw_intent();
    draw_webinars();  // registrations can carry an email consent
    draw_consents();
    draw_web_sessions();
    draw_email_engagement();
    draw_funnel();
    std::sort(s_.events.begin(), s_.events.end(), [](const Event& a, const Event& b) {
      return a.time != b.time ? a.time < b.time : a.seq < b.seq;
    });
    make_times_distinct();
    std::sort(s_.consents.begin(), s_.consents.end(),
              [](const ConsentRecord& a, const ConsentRecord& b) {
                return a.time != b.time ? a.time < b.time : a.seq < b.seq;
              });
    write_profile(out.profiles);
    write_events(out);
    write_consents(out);
    write_outcome(out);
  }

 private:
  // Moves an event that shares its second with the one before it a second later, so that a
  // person's events are strictly ordered and no two lines are identical (the importer
  // deduplicates events by content). One pushed to as_of or beyond is dropped.
  void make_times_distinct() {
    std::size_t kept = 0;
    UnixSeconds last = signup_ - 1;
    for (const Event& e : s_.events) {
      const UnixSeconds t = std::max(e.time, last + 1);
      if (t >= w_.as_of) continue;
      s_.events[kept] = e;
      s_.events[kept++].time = t;
      last = t;
    }
    s_.events.resize(kept);
  }

  // --- who -----------------------------------------------------------------------------------
  void draw_contact() {
    const std::uint64_t slot = w_.slot_of(index_);
    company_ = &w_.company_of(slot);
    Rng rng(w_.seed, Stream::kContact, slot);
    id_ = draw_identity(rng, w_, *company_);
    const Country& country = countries()[id_.country];

    email_.clear();
    if (!rng.chance(kFreeMailShare[company_->size])) {
      put_local_part(email_, id_, company_->email_style);
      // Two colleagues with the same address: the later one gets its ordinal in the company
      // appended. Bases never end in a digit, so the result cannot meet another address.
      const auto ordinal = static_cast<std::int64_t>(slot) - company_->first_slot;
      for (std::int64_t r = 0; r < ordinal; ++r) {
        Rng other(w_.seed, Stream::kContact, static_cast<std::uint64_t>(company_->first_slot + r));
        const Identity colleague = draw_identity(other, w_, *company_);
        Text theirs;
        put_local_part(theirs, colleague, company_->email_style);
        if (theirs == email_) {
          email_.add_int(ordinal + 1);
          break;
        }
      }
      email_.add('@');
      put_company_domain(email_, *company_);
    } else {
      put_local_part(email_, id_, static_cast<int>(rng.below(4)));
      // The number is a bijection of the slot, so free-mail addresses are unique too.
      email_.add_int(
          static_cast<std::int64_t>((static_cast<Wide>(slot) * 7919 + w_.mail_add) % w_.mail_mod));
      email_.add('@');
      const auto global = global_free_mail_domains();
      email_.add(rng.chance(0.5) ? country.free_mail_domain : global[rng.below(global.size())]);
    }

    int city_weights[8] = {};
    for (std::size_t i = 0; i < country.cities.size() && i < 8; ++i) {
      city_weights[i] = country.cities[i].weight;
    }
    city_ =
        &country.cities[rng.weighted(std::span<const int>(city_weights, country.cities.size()))];
    phone_.clear();
    if (rng.chance(0.6)) {
      for (char c : city_->phone_pattern) {
        phone_.add(c == '#' ? static_cast<char>('0' + rng.below(10)) : c);
      }
    }
    tier_ = static_cast<int>(rng.weighted(kTierWeights[company_->size]));
    const auto titles = job_titles(static_cast<Tier>(tier_));
    title_ = titles[rng.below(titles.size())];
    const double age = kAgeMean[tier_] + kAgeSd[tier_] * rng.normal();
    age_ = std::clamp(static_cast<int>(std::lround(age)), tier_ == 0 ? 18 : 21, 75);
    utc_offset_ = country.utc_offset_hours;
    ip_prefix_ = static_cast<int>(rng.below(std::size(kDocumentationPrefixes)));
    user_agent_ = static_cast<int>(rng.below(user_agents().size()));
  }

  // --- when: ids follow sign-up order; sign-ups grow through the year -------------------------
  void draw_signup() {
    lead_source_ = static_cast<int>(rng_.weighted(kLeadSourceWeights));
    constexpr double kGrowth = 0.7;  // about twice as many sign-ups per day at the end
    const double x =
        (static_cast<double>(index_) + rng_.uniform()) / static_cast<double>(w_.customers);
    const double days = std::log1p(x * std::expm1(kGrowth)) / kGrowth * (kWindow / kDay);
    const double day = std::floor(days);
    const double in_day = office_day_fraction(days - day);
    const UnixSeconds latest = w_.as_of - 2 * kHour;
    signup_ = std::clamp<UnixSeconds>(w_.start + static_cast<UnixSeconds>((day + in_day) * kDay),
                                      w_.start, latest);
    tenure_days_ = static_cast<double>(w_.as_of - signup_) / kDay;
    // The lead-capture form follows from the lead source.
    static constexpr Form kOrganicForms[] = {Form::kNewsletter, Form::kWhitepaper,
                                             Form::kContactSales, Form::kRoiCalculator};
    static constexpr int kOrganicW[] = {30, 45, 12, 13};
    static constexpr Form kPaidForms[] = {Form::kWhitepaper, Form::kContactSales,
                                          Form::kPricingQuote, Form::kNewsletter};
    static constexpr int kPaidW[] = {50, 20, 15, 15};
    static constexpr Form kSocialForms[] = {Form::kWhitepaper, Form::kNewsletter,
                                            Form::kWebinarRegistration};
    static constexpr int kSocialW[] = {55, 30, 15};
    static constexpr Form kReferralForms[] = {Form::kContactSales, Form::kNewsletter,
                                              Form::kRoiCalculator};
    static constexpr int kReferralW[] = {60, 20, 20};
    switch (lead_source_) {
      case kOrganic:
        signup_form_ = kOrganicForms[rng_.weighted(kOrganicW)];
        break;
      case kPaidSearch:
        signup_form_ = kPaidForms[rng_.weighted(kPaidW)];
        break;
      case kSocial:
        signup_form_ = kSocialForms[rng_.weighted(kSocialW)];
        break;
      case kReferral:
        signup_form_ = kReferralForms[rng_.weighted(kReferralW)];
        break;
      case kEventLead:
        signup_form_ = rng_.chance(0.8) ? Form::kEventSignup : Form::kWebinarRegistration;
        break;
      default:
        signup_form_ = Form::kPartnerReferral;
        break;
    }
    landing_page_ = static_cast<int>(rng_.weighted(site_page_weights()));
    signup_form_time_ = signup_ + 30 + static_cast<UnixSeconds>(rng_.below(570));
  }

  void draw_intent() {
    intent_ = company_->intent + kPersonalIntentSd * rng_.normal() + kTierIntent[tier_] +
              kSizeIntent[company_->size] + kSourceIntent[lead_source_] +
              kIndustryIntent[company_->industry];
    activity_ = std::exp(kActivitySd * rng_.normal());
    engagement_ = std::exp(kIntentToEngagement * intent_) * activity_;
  }

  double chance_of(const Logit& l, double extra = 0) const {
    return sigmoid(l.base + l.intent * intent_ + l.activity * std::log(activity_) + extra);
  }

  // --- event helpers ---------------------------------------------------------------------------
  // Adds an event unless it falls outside [signup, as_of): the customer did not exist before,
  // and the future has not happened.
  bool add(EventType type, UnixSeconds t, int item = 0, std::int64_t value = 0,
           std::uint8_t flag = 0, int link = 0) {
    if (t < signup_ || t >= w_.as_of) return false;
    s_.events.push_back({t, seq_++, type, flag, static_cast<std::uint16_t>(item),
                         static_cast<std::uint16_t>(link), value});
    return true;
  }

  void add_page_view(UnixSeconds t, PageKind kind, int page, double dwell_boost = 1.0) {
    const double seconds = std::exp(3.4 + 0.8 * rng_.normal()) * dwell_boost;
    add(EventType::kPageView, t, page, std::min<std::int64_t>(1800, std::llround(seconds)),
        static_cast<std::uint8_t>(kind));
  }

  // A moment in office hours of the customer's time zone on the day that is `days` after `from`.
  UnixSeconds office_time(UnixSeconds from, double days) {
    const UnixSeconds day = floor_div(from + static_cast<UnixSeconds>(days * kDay), kDay) * kDay;
    const auto hour = static_cast<std::int64_t>(rng_.weighted(kHourWeights));
    UnixSeconds t = day + (hour - utc_offset_) * kHour + static_cast<UnixSeconds>(rng_.below(3600));
    if (t < from) t = from + 60 + static_cast<UnixSeconds>(rng_.below(3600));
    return t;
  }

  // Days after sign-up drawn from interest that decays with kInterestDecayDays, truncated to
  // the customer's tenure.
  double interest_days() {
    const double span = tenure_days_;
    const double mass = -std::expm1(-span / kInterestDecayDays);
    return -kInterestDecayDays * std::log1p(-rng_.uniform() * mass);
  }

  // --- awareness ---------------------------------------------------------------------------------
  void draw_web_sessions() {
    // The visit that led to the sign-up form.
    add_page_view(signup_, PageKind::kSite, landing_page_);
    add(EventType::kFormSubmit, signup_form_time_, static_cast<int>(signup_form_));

    const double exposure = -std::expm1(-tenure_days_ / kInterestDecayDays);
    const int sessions = std::min(400, rng_.poisson(kSessionsPerYear * engagement_ * exposure));
    const double pricing_share = 0.04 + 0.16 * sigmoid(intent_);
    for (int k = 0; k < sessions; ++k) {
      UnixSeconds t = office_time(signup_, interest_days());
      const int pages = 1 + std::min(30, static_cast<int>(rng_.exponential(1.6)));
      for (int p = 0; p < pages; ++p) {
        const bool pricing = rng_.chance(pricing_share);
        const int page =
            pricing ? kPricingPage : static_cast<int>(rng_.weighted(site_page_weights()));
        add_page_view(t, PageKind::kSite, page, pricing ? 1.0 + 0.3 * sigmoid(intent_) : 1.0);
        t += 15 + static_cast<UnixSeconds>(rng_.exponential(60));
      }
      // Now and then a session ends in a content download or a calculator.
      if (rng_.chance(0.06)) {
        constexpr Form kForms[] = {Form::kWhitepaper, Form::kRoiCalculator, Form::kNewsletter,
                                   Form::kPricingQuote};
        const Form form = kForms[rng_.below(intent_ > 0.8 ? 4 : 3)];
        add(EventType::kFormSubmit, t + 20, static_cast<int>(form));
      }
    }
  }

  // --- consent -------------------------------------------------------------------------------
  void add_consent(UnixSeconds t, Purpose purpose, bool grant, Source source, Method method,
                   ProofOrigin origin, std::string_view form_id) {
    s_.consents.push_back({t, seq_++, purpose, grant, source, method, origin, form_id});
  }

  // A random moment in (after + 1h, as_of), or 0 when there is no room.
  UnixSeconds later_than(UnixSeconds after) {
    const UnixSeconds lo = after + kHour;
    if (lo >= w_.as_of - 1) return 0;
    return rng_.between(lo, w_.as_of - 1);
  }

  void draw_consents() {
    struct Capture {
      Source source;
      Method method;
      ProofOrigin origin;
      std::string_view form_id;
    };
    Capture at_signup{Source::kWebForm, Method::kCheckbox, ProofOrigin::kBrowser, "signup-v3"};
    switch (signup_form_) {
      case Form::kNewsletter:
        at_signup = {Source::kNewsletterFooter, Method::kDoubleOptIn, ProofOrigin::kBrowser,
                     "newsletter-footer-v2"};
        break;
      case Form::kWebinarRegistration:
        at_signup = {Source::kWebinarRegistration, Method::kCheckbox, ProofOrigin::kBrowser,
                     "webinar-registration-v4"};
        break;
      case Form::kEventSignup:
        at_signup = {Source::kImport, Method::kImport, ProofOrigin::kImport, "event-badge-import"};
        break;
      case Form::kPartnerReferral:
        at_signup = {Source::kImport, Method::kImport, ProofOrigin::kImport, "partner-lead-import"};
        break;
      case Form::kContactSales:
        at_signup.form_id = "contact-sales-v2";
        break;
      default:
        break;
    }
    const UnixSeconds form_time = signup_form_time_;  // the boxes are on the sign-up form

    // Segmentation: opt-in on the sign-up form, about 55%.
    const double seg_p =
        (at_signup.source == Source::kImport ? 0.45 : 0.57) + 0.05 * std::tanh(intent_);
    if (rng_.chance(seg_p)) {
      add_consent(form_time, Purpose::kSegmentation, true, at_signup.source, at_signup.method,
                  at_signup.origin, at_signup.form_id);
      if (rng_.chance(kWithdrawShare)) {
        if (const UnixSeconds t = later_than(form_time)) {
          const bool email = rng_.chance(0.2);
          add_consent(t, Purpose::kSegmentation, false,
                      email ? Source::kEmailRequest : Source::kPreferenceCenter,
                      email ? Method::kEmail : Method::kToggle,
                      email ? ProofOrigin::kMailbox : ProofOrigin::kBrowser,
                      email ? "privacy-inbox" : "preferences-v2");
        }
      }
    }

    // Email marketing: how often people tick the box depends on where they are asked.
    double email_p = 0.2;
    switch (at_signup.source) {
      case Source::kNewsletterFooter:
        email_p = 0.85;
        break;
      case Source::kWebinarRegistration:
        email_p = 0.40;
        break;
      case Source::kImport:
        email_p = 0.30;
        break;
      default:
        break;
    }
    email_p = std::clamp(email_p + 0.04 * std::tanh(intent_), 0.0, 1.0);
    if (rng_.chance(email_p)) {
      add_email_marketing(form_time, at_signup.source, at_signup.method, at_signup.origin,
                          at_signup.form_id);
    } else {
      // Later chances: the box on a webinar registration, or the newsletter footer.
      bool granted = false;
      for (UnixSeconds reg : s_.registrations) {
        if (rng_.chance(0.2)) {
          add_email_marketing(reg, Source::kWebinarRegistration, Method::kCheckbox,
                              ProofOrigin::kBrowser, "webinar-registration-v4");
          granted = true;
          break;
        }
      }
      if (!granted && rng_.chance(0.05)) {
        const UnixSeconds t = office_time(signup_, interest_days());
        if (t < w_.as_of) {
          add_email_marketing(t, Source::kNewsletterFooter, Method::kDoubleOptIn,
                              ProofOrigin::kBrowser, "newsletter-footer-v2");
        }
      }
    }

    // Lead scoring rests on legitimate interest: no grants, only objections (GDPR Art. 21(1)),
    // a little more often from people who are not interested anyway.
    if (rng_.chance(0.03 * std::exp(-0.3 * intent_))) {
      if (const UnixSeconds t = later_than(signup_)) {
        const bool api = rng_.chance(0.6);
        add_consent(t, Purpose::kLeadScoring, false, api ? Source::kApi : Source::kEmailRequest,
                    api ? Method::kApi : Method::kEmail,
                    api ? ProofOrigin::kCrm : ProofOrigin::kMailbox,
                    api ? "crm-objection-sync" : "privacy-inbox");
      }
    }
  }

  // An email_marketing grant and what follows: a withdrawal for some, and at each new notice
  // a reconfirmation (renew_consent) that some give and the rest let lapse. Records the
  // intervals in which mail may be sent.
  void add_email_marketing(UnixSeconds t, Source source, Method method, ProofOrigin origin,
                           std::string_view form_id) {
    if (t >= w_.as_of) return;
    add_consent(t, Purpose::kEmailMarketing, true, source, method, origin, form_id);
    UnixSeconds withdraw_at = w_.as_of;
    if (rng_.chance(kWithdrawShare)) {
      if (const UnixSeconds at = later_than(t)) withdraw_at = at;
    }
    UnixSeconds valid_from = t;
    while (true) {
      const UnixSeconds change = next_notice_after(valid_from);
      const UnixSeconds lapse = (change != 0 && change < w_.as_of) ? change : w_.as_of;
      if (withdraw_at <= lapse) {
        s_.email_ok.push_back({valid_from, withdraw_at});
        break;
      }
      s_.email_ok.push_back({valid_from, lapse});
      if (lapse == w_.as_of || !rng_.chance(kReconfirmShare)) break;
      const UnixSeconds renewed =
          lapse + kHour + static_cast<UnixSeconds>(rng_.exponential(8 * kDay));
      if (renewed >= withdraw_at) break;
      add_consent(renewed, Purpose::kEmailMarketing, true, Source::kWebForm, Method::kCheckbox,
                  ProofOrigin::kBrowser, "reconfirm-notice");
      valid_from = renewed;
    }
    if (withdraw_at < w_.as_of) {
      const bool link = rng_.chance(0.7);
      add_consent(withdraw_at, Purpose::kEmailMarketing, false,
                  link ? Source::kUnsubscribeLink : Source::kPreferenceCenter,
                  link ? Method::kLinkClick : Method::kToggle, ProofOrigin::kBrowser,
                  link ? "unsubscribe-v1" : "preferences-v2");
    }
  }

  bool may_email(UnixSeconds t) const {
    for (const Interval& i : s_.email_ok) {
      if (t >= i.from && t < i.until) return true;
    }
    return false;
  }

  // --- engagement --------------------------------------------------------------------------------
  void draw_webinars() {
    const double p = chance_of(kWebinarLogit, lead_source_ == kEventLead ? 0.6 : 0.0);
    const double show_up = std::clamp(0.45 + 0.12 * intent_, 0.15, 0.85);
    for (const Webinar& webinar : w_.webinars) {
      if (webinar.start - kDay <= signup_ || !rng_.chance(p)) continue;
      const UnixSeconds registered =
          std::max<UnixSeconds>(signup_ + kHour, webinar.start - rng_.between(kDay, 14 * kDay));
      if (add(EventType::kFormSubmit, registered, static_cast<int>(Form::kWebinarRegistration))) {
        s_.registrations.push_back(registered);
      }
      add(EventType::kWebinar, webinar.start + rng_.between(0, 600), webinar.title, 0,
          rng_.chance(show_up) ? 1 : 0);
    }
  }

  void draw_email_engagement() {
    if (s_.email_ok.empty()) return;
    const double open_p = std::clamp(chance_of(kEmailOpenLogit), 0.02, 0.9);
    const double click_p = chance_of(kEmailClickLogit);
    for (std::size_t k = 0; k < w_.campaigns.size(); ++k) {
      const Campaign& campaign = w_.campaigns[k];
      if (!may_email(campaign.sent) || !rng_.chance(open_p)) continue;
      const UnixSeconds opened =
          campaign.sent + 60 + static_cast<UnixSeconds>(rng_.exponential(6 * kHour));
      if (!add(EventType::kEmailOpen, opened, static_cast<int>(k))) continue;
      if (rng_.chance(0.1)) {
        add(EventType::kEmailOpen, opened + static_cast<UnixSeconds>(rng_.exponential(kDay)),
            static_cast<int>(k));
      }
      if (!rng_.chance(click_p)) continue;
      const UnixSeconds clicked = opened + rng_.between(5, 300);
      const int link = static_cast<int>(rng_.below(campaign_links().size()));
      if (add(EventType::kEmailClick, clicked, static_cast<int>(k), 0, 0, link)) {
        add_page_view(clicked + rng_.between(2, 15), PageKind::kLink, link);
      }
    }
  }

  // --- the funnel: demo -> trial -> purchase, with renewals and expansions ----------------------
  int draw_plan() { return static_cast<int>(rng_.weighted(kPlanWeights[company_->size])); }

  void draw_funnel() {
    const double noise = kDecisionNoiseSd * rng_.normal();
    UnixSeconds demo = 0, trial = 0, purchase = 0;
    int plan = -1;

    if (rng_.chance(chance_of(kDemoLogit))) {
      const UnixSeconds t = office_time(signup_, 1.0 / 24 + rng_.exponential(35));
      if (t < w_.as_of) {
        if (rng_.chance(0.6)) {
          add_page_view(t - rng_.between(60, 600), PageKind::kSite, kPricingPage, 1.5);
        }
        if (add(EventType::kDemoRequest, t)) demo = t;
      }
    }

    if (rng_.chance(chance_of(demo != 0 ? kTrialAfterDemoLogit : kSelfServeTrialLogit))) {
      const UnixSeconds t = demo != 0 ? demo + rng_.between(kDay, 10 * kDay)
                                      : office_time(signup_, 1.0 / 24 + rng_.exponential(40));
      plan = draw_plan();
      if (add(EventType::kTrialStart, t, plan)) {
        trial = t;
        // Trial users read the docs.
        const int visits = 1 + rng_.poisson(1.0 + engagement_);
        for (int v = 0; v < visits; ++v) {
          add_page_view(t + rng_.between(kHour, 14 * kDay), PageKind::kDocs,
                        static_cast<int>(rng_.below(docs_pages().size())));
        }
      }
    }

    if (trial != 0) {
      if (rng_.chance(chance_of(kBuyAfterTrialLogit, noise))) {
        purchase =
            trial + std::max<UnixSeconds>(kHour, 14 * kDay + rng_.between(-3 * kDay, 5 * kDay));
      }
    } else if (demo != 0 && company_->size >= 3) {
      // Large accounts often buy through sales after the demo, without a trial.
      if (rng_.chance(chance_of(kSalesLedBuyLogit, noise))) {
        purchase = demo + rng_.between(20 * kDay, 60 * kDay);
        plan = draw_plan();
      }
    } else if (demo == 0 && rng_.chance(lead_source_ == kPartnerLead ? kDirectBuySharePartner
                                                                     : kDirectBuyShare)) {
      purchase = office_time(signup_, rng_.uniform() * tenure_days_);
      plan = draw_plan();
    }
    if (purchase != 0 && purchase < w_.as_of) add_purchases(purchase, plan);
  }

  std::int64_t price(int plan, int units, int months) const {
    const int currency = static_cast<int>(countries()[id_.country].currency);
    return kMonthlyPriceCents[currency][plan] * units * months * (100 - discount_pct_) / 100;
  }

  void add_purchases(UnixSeconds first, int plan) {
    static constexpr int kDiscounts[] = {0, 10, 15, 20};
    static constexpr int kDiscountW[] = {60, 25, 10, 5};
    discount_pct_ = kDiscounts[rng_.weighted(kDiscountW)];
    int units = static_cast<int>(rng_.between(1, kMaxUnits[company_->size]));
    const bool annual = rng_.chance(kAnnualShare[company_->size]);
    add(EventType::kPurchase, first, plan, price(plan, units, annual ? 10 : 1));

    // An upgrade, for some, a few months in: charged pro rata for the rest of the period.
    UnixSeconds expansion = 0;
    if (rng_.chance(kExpansionShare)) expansion = first + rng_.between(30 * kDay, 200 * kDay);
    const int new_plan = std::min(plan + 1, 2);
    const int new_units = plan == 2 ? units + static_cast<int>(rng_.between(1, 3)) : units;

    if (!annual) {
      for (UnixSeconds t = first + 30 * kDay; t < w_.as_of; t += 30 * kDay) {
        if (expansion != 0 && expansion < t) {
          const std::int64_t diff = price(new_plan, new_units, 1) - price(plan, units, 1);
          const auto left = static_cast<double>(t - expansion) / static_cast<double>(30 * kDay);
          add(EventType::kPurchase, expansion, new_plan,
              std::llround(static_cast<double>(diff) * left));
          plan = new_plan;
          units = new_units;
          expansion = 0;
        }
        if (rng_.chance(kMonthlyChurn)) break;
        add(EventType::kPurchase, t, plan, price(plan, units, 1));
      }
    } else if (expansion != 0 && expansion < w_.as_of) {
      const std::int64_t diff = price(new_plan, new_units, 10) - price(plan, units, 10);
      const auto left =
          static_cast<double>(first + kWindow - expansion) / static_cast<double>(kWindow);
      add(EventType::kPurchase, expansion, new_plan,
          std::llround(static_cast<double>(diff) * left));
    }
    // Customers keep using the docs.
    const double months = static_cast<double>(w_.as_of - first) / static_cast<double>(30 * kDay);
    const int visits = rng_.poisson(0.8 * months * std::sqrt(engagement_));
    for (int v = 0; v < visits; ++v) {
      add_page_view(office_time(first, rng_.uniform() * months * 30), PageKind::kDocs,
                    static_cast<int>(rng_.below(docs_pages().size())));
    }
  }

  // --- output ------------------------------------------------------------------------------------
  void put_customer_id(Buffer& out) const {
    put(out, 'C');
    put_padded(out, index_ + 1, 8);
  }

  void write_profile(Buffer& out) const {
    const Country& country = countries()[id_.country];
    put_customer_id(out);
    put(out, ',');
    put_csv_field(out, email_.view());
    put(out, ',');
    put_csv_field(out, id_.first->display);
    put(out, ',');
    put_csv_field(out, id_.last->display);
    put(out, ',');
    put_csv_field(out, phone_.view());
    put(out, ',');
    Text company;
    put_company_name(company, *company_);
    put_csv_field(out, company.view());
    put(out, ',');
    put_csv_field(out, title_);
    put(out, ',');
    put(out, kIndustries[company_->industry]);
    put(out, ',');
    put(out, kCompanySizes[company_->size]);
    put(out, ',');
    put(out, country.code);
    put(out, ',');
    put_csv_field(out, city_->name);
    put(out, ',');
    put_int(out, age_);
    put(out, ',');
    w_.dates.put_date(out, signup_);
    put(out, ',');
    put(out, kLeadSources[lead_source_]);
    put(out, '\n');
  }

  void write_events(BlockOutput& block) {
    Buffer& out = block.events;
    const std::string_view currency = to_string(countries()[id_.country].currency);
    int orders = 0;
    for (const Event& e : s_.events) {
      put(out, R"({"customer_id":")");
      put_customer_id(out);
      put(out, R"(","type":")");
      switch (e.type) {
        case EventType::kPageView: {
          put(out, R"(page_view","time":")");
          w_.dates.put_timestamp(out, e.time);
          put(out, R"(","properties":{"page":)");
          const auto kind = static_cast<PageKind>(e.flag);
          put_json_string(out, kind == PageKind::kSite   ? site_pages()[e.item]
                               : kind == PageKind::kDocs ? docs_pages()[e.item]
                                                         : campaign_links()[e.item]);
          put(out, R"(,"duration_s":)");
          put_int(out, e.value);
          put(out, "}}\n");
          break;
        }
        case EventType::kEmailOpen:
          put(out, R"(email_open","time":")");
          w_.dates.put_timestamp(out, e.time);
          put(out, R"(","properties":{"campaign":)");
          put_json_string(out, w_.campaigns[e.item].name);
          put(out, "}}\n");
          break;
        case EventType::kEmailClick:
          put(out, R"(email_click","time":")");
          w_.dates.put_timestamp(out, e.time);
          put(out, R"(","properties":{"campaign":)");
          put_json_string(out, w_.campaigns[e.item].name);
          put(out, R"(,"link":)");
          put_json_string(out, campaign_links()[e.link]);
          put(out, "}}\n");
          break;
        case EventType::kFormSubmit:
          put(out, R"(form_submit","time":")");
          w_.dates.put_timestamp(out, e.time);
          put(out, R"(","properties":{"form":)");
          put_json_string(out, to_string(static_cast<Form>(e.item)));
          put(out, "}}\n");
          break;
        case EventType::kWebinar:
          put(out, R"(webinar","time":")");
          w_.dates.put_timestamp(out, e.time);
          put(out, R"(","properties":{"webinar":)");
          put_json_string(out, webinar_titles()[e.item]);
          put(out, e.flag != 0 ? R"(,"attended":true}})"
                                 "\n"
                               : R"(,"attended":false}})"
                                 "\n");
          break;
        case EventType::kDemoRequest:
          put(out, R"(demo_request","time":")");
          w_.dates.put_timestamp(out, e.time);
          put(out, R"(","properties":{}})"
                   "\n");
          break;
        case EventType::kTrialStart:
          put(out, R"(trial_start","time":")");
          w_.dates.put_timestamp(out, e.time);
          put(out, R"(","properties":{"plan":")");
          put(out, kPlans[e.item]);
          put(out, "\"}}\n");
          break;
        case EventType::kPurchase:
          put(out, R"(purchase","time":")");
          w_.dates.put_timestamp(out, e.time);
          put(out, R"(","properties":{"amount":)");
          put_cents(out, e.value);
          put(out, R"(,"currency":")");
          put(out, currency);
          put(out, R"(","order_id":"ORD-)");
          put_padded(out, index_ + 1, 8);
          put(out, '-');
          put_padded(out, ++orders, 3);
          put(out, R"(","plan":")");
          put(out, kPlans[e.item]);
          put(out, "\"}}\n");
          if (first_purchase_ == 0) first_purchase_ = e.time;
          break;
      }
    }
    block.event_count += static_cast<std::int64_t>(s_.events.size());
  }

  void write_consents(BlockOutput& block) const {
    Buffer& out = block.consents;
    for (const ConsentRecord& c : s_.consents) {
      put(out, R"({"email":)");
      put_json_string(out, email_.view());
      put(out, R"(,"purpose":")");
      put(out, kPurposeNames[static_cast<int>(c.purpose)]);
      put(out, c.grant ? R"(","action":"grant","time":")" : R"(","action":"withdraw","time":")");
      w_.dates.put_timestamp(out, c.time);
      put(out, R"(","source":")");
      put(out, kSourceNames[static_cast<int>(c.source)]);
      put(out, R"(","method":")");
      put(out, kMethodNames[static_cast<int>(c.method)]);
      put(out, R"(","notice_version":")");
      put(out, notice_at(c.time));
      put(out, R"(","proof":{"form_id":)");
      put_json_string(out, c.form_id);
      put(out, R"(,"ip_prefix":")");
      switch (c.origin) {
        case ProofOrigin::kBrowser:
          put(out, kDocumentationPrefixes[ip_prefix_]);
          put(out, R"(","user_agent":)");
          put_json_string(out, user_agents()[user_agent_]);
          break;
        case ProofOrigin::kImport:
          put(out, kDocumentationPrefixes[1]);
          put(out, R"(","user_agent":"consentric-import/0.1")");
          break;
        case ProofOrigin::kCrm:
          put(out, kDocumentationPrefixes[1]);
          put(out, R"(","user_agent":"crm-sync/2.3")");
          break;
        case ProofOrigin::kMailbox:
          put(out, kDocumentationPrefixes[2]);
          put(out, R"(","user_agent":"mail-gateway/1.0")");
          break;
      }
      put(out, "}}\n");
    }
    block.consent_count += static_cast<std::int64_t>(s_.consents.size());
  }

  void write_outcome(BlockOutput& block) const {
    Buffer& out = block.outcomes;
    put_customer_id(out);
    if (first_purchase_ != 0) {
      put(out, ",1,");
      w_.dates.put_timestamp(out, first_purchase_);
      ++block.converted;
    } else {
      put(out, ",0,");
    }
    put(out, '\n');
  }

  const World& w_;
  Scratch& s_;
  const std::int64_t index_;
  Rng rng_;
  std::uint32_t seq_ = 0;

  const Company* company_ = nullptr;
  Identity id_{};
  Text email_;
  Text phone_;
  const City* city_ = nullptr;
  std::string_view title_;
  int tier_ = 0;
  int age_ = 0;
  int utc_offset_ = 0;
  int lead_source_ = 0;
  Form signup_form_ = Form::kNewsletter;
  UnixSeconds signup_form_time_ = 0;
  int landing_page_ = 0;
  UnixSeconds signup_ = 0;
  double tenure_days_ = 0;
  double intent_ = 0;
  double activity_ = 1;
  double engagement_ = 1;
  int discount_pct_ = 0;
  UnixSeconds first_purchase_ = 0;
  // The browser a person consents from: one network and one user agent each.
  int ip_prefix_ = 0;
  int user_agent_ = 0;
};

void generate_block(const World& w, std::int64_t block, Scratch& scratch, BlockOutput& out) {
  out.clear();
  const std::int64_t first = block * kBlockSize;
  const std::int64_t last = std::min(w.customers, first + kBlockSize);
  for (std::int64_t i = first; i < last; ++i) {
    CustomerSim(w, scratch, i).run(out);
  }
}

// ---------------------------------------------------------------------------------------------
// Files: written under a temporary name, renamed into place only when all are complete.

Status io_error(std::string_view what, const std::filesystem::path& path, int err) {
  std::string message = fmt::format("{} {}: {}", what, path.string(), std::strerror(err));
  switch (err) {
    case ENOENT:
    case ENOTDIR:
      return not_found(std::move(message));
    case EACCES:
    case EPERM:
    case EROFS:
      return permission_denied(std::move(message));
    default:
      return internal_error(std::move(message));
  }
}

class OutputFile {
 public:
  explicit OutputFile(std::filesystem::path path)
      : path_(std::move(path)), temp_(path_.string() + ".partial") {}
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;
  ~OutputFile() {
    if (file_ != nullptr) std::fclose(file_);
    if (!committed_) {
      std::error_code ignored;
      std::filesystem::remove(temp_, ignored);
    }
  }

  Status open() {
    file_ = std::fopen(temp_.c_str(), "wb");
    if (file_ == nullptr) return io_error("cannot create", temp_, errno);
    return Status();
  }

  Status write(std::string_view data) {
    if (data.empty()) return Status();
    if (std::fwrite(data.data(), 1, data.size(), file_) != data.size()) {
      return io_error("cannot write", temp_, errno);
    }
    return Status();
  }

  Status close() {
    std::FILE* f = std::exchange(file_, nullptr);
    if (std::fclose(f) != 0) return io_error("cannot write", temp_, errno);
    return Status();
  }

  // REQUIRES: close() succeeded.
  Status commit() {
    std::error_code ec;
    std::filesystem::rename(temp_, path_, ec);
    if (ec) return io_error("cannot rename to", path_, ec.value());
    committed_ = true;
    return Status();
  }

  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
  std::filesystem::path temp_;
  std::FILE* file_ = nullptr;
  bool committed_ = false;
};

Status check_options(const GenerateOptions& o) {
  if (o.customers < 1 || o.customers > kMaxCustomers) {
    return invalid_argument(fmt::format(
        "customers: expected 1 to {} (ids have eight digits), got {}", kMaxCustomers, o.customers));
  }
  if (o.threads < 1 || o.threads > kMaxThreads) {
    return invalid_argument(
        fmt::format("threads: expected 1 to {}, got {}", kMaxThreads, o.threads));
  }
  if (o.as_of < 366 * kDay || o.as_of >= 253402300800) {  // 1971-01-02 .. 9999-12-31
    return invalid_argument(
        fmt::format("as_of: expected a time between 1971 and 9999, got {}", o.as_of));
  }
  if (o.out_dir.empty()) return invalid_argument("out_dir: expected a folder, got an empty path");
  return Status();
}

// Generates blocks on worker threads and hands them to the calling thread in order. At most
// `slots` blocks are in flight, which bounds memory whatever the customer count.
class Pipeline {
 public:
  Pipeline(const World& w, int threads)
      : w_(w),
        blocks_((w.customers + kBlockSize - 1) / kBlockSize),
        slots_(static_cast<std::size_t>(threads) * 3) {}

  // Runs the workers and calls write(block_output) for every block in order; stops at the
  // first non-ok Status from write or a worker.
  template <typename Write>
  Status run(int threads, Write&& write) {
    std::vector<std::thread> workers;
    workers.reserve(static_cast<std::size_t>(threads));
    for (int t = 0; t < threads; ++t) workers.emplace_back([this] { work(); });
    Status status;
    for (std::int64_t b = 0; b < blocks_ && status.ok(); ++b) {
      Slot& slot = slots_[static_cast<std::size_t>(b) % slots_.size()];
      {
        std::unique_lock lock(mu_);
        cv_.wait(lock, [&] { return slot.ready || !failure_.ok(); });
        if (!failure_.ok()) {
          status = failure_;
          break;
        }
      }
      try {
        status = write(slot.output);
      } catch (const std::exception& e) {  // from the progress callback: join the workers first
        status = internal_error(fmt::format("writing block {}: {}", b, e.what()));
      }
      std::lock_guard lock(mu_);
      slot.ready = false;
      ++written_;
      cv_.notify_all();
    }
    {
      std::lock_guard lock(mu_);
      stop_ = true;
      cv_.notify_all();
    }
    for (std::thread& t : workers) t.join();
    return status;
  }

 private:
  struct Slot {
    BlockOutput output;
    bool ready = false;
  };

  void work() {
    Scratch scratch;
    while (true) {
      std::int64_t block = 0;
      {
        std::unique_lock lock(mu_);
        cv_.wait(lock, [&] {
          return stop_ || next_ >= blocks_ ||
                 next_ < written_ + static_cast<std::int64_t>(slots_.size());
        });
        if (stop_ || next_ >= blocks_) return;
        block = next_++;
      }
      Slot& slot = slots_[static_cast<std::size_t>(block) % slots_.size()];
      Status failure;
      try {
        generate_block(w_, block, scratch, slot.output);
      } catch (const std::exception& e) {
        failure = internal_error(fmt::format("generating block {}: {}", block, e.what()));
      }
      std::lock_guard lock(mu_);
      if (!failure.ok()) {
        if (failure_.ok()) failure_ = failure;
      } else {
        slot.ready = true;
      }
      cv_.notify_all();
    }
  }

  const World& w_;
  const std::int64_t blocks_;
  std::vector<Slot> slots_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::int64_t next_ = 0;     // next block to claim; guarded by mu_
  std::int64_t written_ = 0;  // blocks handed to write; guarded by mu_
  bool stop_ = false;         // guarded by mu_
  Status failure_;            // guarded by mu_
};

Result<GenerateSummary> generate_unchecked(const GenerateOptions& options) {
  std::error_code ec;
  std::filesystem::create_directories(options.out_dir, ec);
  if (ec) return io_error("cannot create folder", options.out_dir, ec.value());

  const World world = build_world(options);
  OutputFile profiles(options.out_dir / "profiles.csv");
  OutputFile events(options.out_dir / "events.ndjson");
  OutputFile consents(options.out_dir / "consents.ndjson");
  OutputFile outcomes(options.out_dir / "outcomes.csv");
  OutputFile config(options.out_dir / "consentric.yaml");
  OutputFile* files[] = {&profiles, &events, &consents, &outcomes, &config};
  for (OutputFile* f : files) CONSENTRIC_RETURN_IF_ERROR(f->open());
  CONSENTRIC_RETURN_IF_ERROR(profiles.write(
      "customer_id,email,first_name,last_name,phone,company,job_title,industry,company_size,"
      "country,city,age,signup_date,lead_source\n"));
  CONSENTRIC_RETURN_IF_ERROR(outcomes.write("customer_id,converted,converted_at\n"));
  CONSENTRIC_RETURN_IF_ERROR(config.write(quickstart_config_yaml()));

  GenerateSummary summary;
  summary.customers = options.customers;
  std::int64_t done = 0;
  Pipeline pipeline(world, options.threads);
  const auto write_block = [&](const BlockOutput& block) -> Status {
    const auto view = [](const Buffer& b) { return std::string_view(b.data(), b.size()); };
    CONSENTRIC_RETURN_IF_ERROR(profiles.write(view(block.profiles)));
    CONSENTRIC_RETURN_IF_ERROR(events.write(view(block.events)));
    CONSENTRIC_RETURN_IF_ERROR(consents.write(view(block.consents)));
    CONSENTRIC_RETURN_IF_ERROR(outcomes.write(view(block.outcomes)));
    summary.events += block.event_count;
    summary.consents += block.consent_count;
    summary.converted += block.converted;
    done = std::min(options.customers, done + kBlockSize);
    if (options.progress) options.progress(done, options.customers);
    return Status();
  };
  CONSENTRIC_RETURN_IF_ERROR(pipeline.run(options.threads, write_block));
  for (OutputFile* f : files) CONSENTRIC_RETURN_IF_ERROR(f->close());
  for (OutputFile* f : files) {
    CONSENTRIC_RETURN_IF_ERROR(f->commit());
    summary.files.push_back(f->path());
  }
  return summary;
}

}  // namespace

Result<GenerateSummary> generate(const GenerateOptions& options) {
  CONSENTRIC_RETURN_IF_ERROR(check_options(options));
  try {
    return generate_unchecked(options);
  } catch (const std::exception& e) {
    return internal_error(fmt::format("generate: {}", e.what()));
  }
}

}  // namespace consentric::synth
