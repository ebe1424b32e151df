#include "synth/tables.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace consentric::synth {
namespace {

// What goes into JSON unescaped-looking must be printable ASCII without quotes or backslashes,
// so that the files read the same in any tool.
bool json_plain(std::string_view s) {
  for (char c : s) {
    if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') return false;
  }
  return !s.empty();
}

TEST(Tables, NamesAreManyAndTheirEmailFormIsLowerCaseLetters) {
  std::set<std::string> first, last;
  for (const Country& country : countries()) {
    for (const Name& n : country.first_names) first.insert(std::string(n.display));
    for (const Name& n : country.last_names) last.insert(std::string(n.display));
    for (const auto* names : {&country.first_names, &country.last_names}) {
      for (const Name& n : *names) {
        ASSERT_FALSE(n.ascii.empty()) << n.display;
        // No digits: an address's trailing digits are then always a disambiguator.
        EXPECT_EQ(n.ascii.find_first_not_of("abcdefghijklmnopqrstuvwxyz"), std::string::npos)
            << n.display;
      }
    }
  }
  EXPECT_GE(first.size(), 60u);
  EXPECT_GE(last.size(), 60u);
}

TEST(Tables, CountriesMatchTheConfig) {
  const std::set<std::string> codes = {"DE", "FR", "GB", "NL", "ES", "IT", "SE", "PL", "US", "CA"};
  std::set<std::string> seen;
  int weight = 0;
  for (const Country& c : countries()) {
    seen.insert(std::string(c.code));
    weight += c.weight;
    const std::string_view expected = c.code == "GB"                     ? "GBP"
                                      : c.code == "US" || c.code == "CA" ? "USD"
                                                                         : "EUR";
    EXPECT_EQ(to_string(c.currency), expected) << c.code;
    EXPECT_GE(c.cities.size(), 3u);
    EXPECT_LE(c.cities.size(), 8u);  // generator.cc keeps city weights in an array of 8
    for (const City& city : c.cities) {
      EXPECT_TRUE(city.phone_pattern.starts_with("+")) << city.name;
      EXPECT_NE(city.phone_pattern.find('#'), std::string_view::npos) << city.name;
    }
    EXPECT_FALSE(c.legal_forms.empty());
    EXPECT_TRUE(c.free_mail_domain.ends_with(".test")) << c.code;
  }
  EXPECT_EQ(seen, codes);
  EXPECT_EQ(weight, 100);
}

// The generator numbers a company's domain when its (head, tail, noun) was drawn before; that
// keeps domains unique only if different triples never spell the same slug.
TEST(Tables, CompanyNamePartsSpellDistinctSlugs) {
  std::set<std::string> slugs;
  std::size_t combinations = 0;
  for (int industry = 0; industry < kIndustryCount; ++industry) {
    EXPECT_LE(industry_nouns(industry).size(), 8u);  // generator.cc's key reserves 8 per industry
    for (std::string_view head : brand_heads()) {
      for (std::string_view tail : brand_tails()) {
        for (std::string_view noun : industry_nouns(industry)) {
          std::string slug;
          for (char c : std::string(head) + std::string(tail) + "-" + std::string(noun)) {
            slug += c == ' ' ? '-' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
          }
          EXPECT_EQ(slug.find_first_of("0123456789"), std::string::npos);
          slugs.insert(slug);
          ++combinations;
        }
      }
    }
  }
  EXPECT_EQ(slugs.size(), combinations);
}

TEST(Tables, JobTitlesExistAtEveryTier) {
  for (int t = 0; t < kTierCount; ++t) EXPECT_GE(job_titles(static_cast<Tier>(t)).size(), 4u);
}

TEST(Tables, StringsWrittenToJsonArePlain) {
  for (auto list : {site_pages(), docs_pages(), campaign_themes(), campaign_links(),
                    webinar_titles(), user_agents(), global_free_mail_domains()}) {
    for (std::string_view s : list) EXPECT_TRUE(json_plain(s)) << s;
  }
  EXPECT_EQ(site_pages()[kPricingPage], "/pricing");
  EXPECT_EQ(site_pages().size(), site_page_weights().size());
  EXPECT_EQ(webinar_titles().size(), 12u);
  for (int f = 0; f <= static_cast<int>(Form::kPricingQuote); ++f) {
    EXPECT_TRUE(json_plain(to_string(static_cast<Form>(f))));
  }
}

}  // namespace
}  // namespace consentric::synth
