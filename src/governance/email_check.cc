#include "governance/email_check.h"

#include <algorithm>
#include <array>
#include <cctype>

#include <fmt/format.h>

namespace consentric::governance {
namespace {

// RFC 5322 atext: what a dot-atom may hold besides dots.
bool is_atext(char c) {
  if (std::isalnum(static_cast<unsigned char>(c))) return true;
  return std::string_view("!#$%&'*+-/=?^_`{|}~").find(c) != std::string_view::npos;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Misspellings of the largest providers' domains seen in sign-up forms, with the domain meant.
constexpr std::array<std::pair<std::string_view, std::string_view>, 24> kTypoDomains{{
    {"gmial.com", "gmail.com"},
    {"gmai.com", "gmail.com"},
    {"gamil.com", "gmail.com"},
    {"gnail.com", "gmail.com"},
    {"gmaill.com", "gmail.com"},
    {"gmail.co", "gmail.com"},
    {"gmail.cm", "gmail.com"},
    {"gmal.com", "gmail.com"},
    {"googlemail.co", "googlemail.com"},
    {"hotmial.com", "hotmail.com"},
    {"hotmal.com", "hotmail.com"},
    {"hotmail.co", "hotmail.com"},
    {"hotmai.com", "hotmail.com"},
    {"hotmil.com", "hotmail.com"},
    {"yaho.com", "yahoo.com"},
    {"yahooo.com", "yahoo.com"},
    {"yahoo.co", "yahoo.com"},
    {"outlok.com", "outlook.com"},
    {"outloo.com", "outlook.com"},
    {"outlook.co", "outlook.com"},
    {"iclod.com", "icloud.com"},
    {"icloud.co", "icloud.com"},
    {"aol.co", "aol.com"},
    {"gmx.dee", "gmx.de"},
}};

// Misspellings of ".com" that are not top-level domains.
constexpr std::array<std::string_view, 7> kComTypos{"con", "cmo",  "ocm", "vom",
                                                    "xom", "comm", "cpm"};

}  // namespace

std::optional<std::string> email_syntax_problem(std::string_view address) {
  const std::size_t at = address.rfind('@');
  if (at == std::string_view::npos) return "no @";
  const std::string_view local = address.substr(0, at);
  const std::string_view domain = address.substr(at + 1);
  if (local.empty()) return "nothing before the @";
  if (local.size() > 64) return "more than 64 characters before the @";
  if (domain.empty()) return "nothing after the @";
  if (domain.size() > 253) return "a domain longer than 253 characters";
  if (address.size() > 254) return "longer than 254 characters";
  if (local.front() == '.' || local.back() == '.') return "a dot at the edge of the local part";
  if (local.find("..") != std::string_view::npos) return "two dots in a row before the @";
  for (char c : local) {
    if (c != '.' && !is_atext(c)) {
      return c == '@' ? std::string("more than one @")
                      : fmt::format("a character not allowed in an address ('{}')", c);
    }
  }
  std::size_t start = 0;
  while (true) {
    const std::size_t dot = domain.find('.', start);
    const std::string_view label =
        domain.substr(start, dot == std::string_view::npos ? domain.npos : dot - start);
    if (label.empty()) return "an empty part in the domain (a dot at its edge or two in a row)";
    if (label.size() > 63) return "a domain part longer than 63 characters";
    if (label.front() == '-' || label.back() == '-')
      return "a domain part starting or ending with -";
    for (char c : label) {
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-')
        return fmt::format("a character not allowed in a domain ('{}')", c);
    }
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  if (domain.find('.') == std::string_view::npos) return "no dot in the domain";
  return std::nullopt;
}

std::optional<std::string> email_domain_problem(std::string_view address) {
  const std::size_t at = address.rfind('@');
  if (at == std::string_view::npos) return std::nullopt;  // a syntax problem, reported as such
  const std::string domain = lower(address.substr(at + 1));
  const std::size_t dot = domain.rfind('.');
  if (dot == std::string::npos) return std::nullopt;
  const std::string_view tld = std::string_view(domain).substr(dot + 1);
  if (tld.size() < 2) return "a one-letter top-level domain";
  if (std::all_of(tld.begin(), tld.end(), [](char c) { return std::isdigit(c) != 0; }))
    return "a numeric top-level domain";
  if (std::find(kComTypos.begin(), kComTypos.end(), tld) != kComTypos.end())
    return fmt::format("\".{}\" looks like a misspelt \".com\"", tld);
  for (const auto& [typo, meant] : kTypoDomains) {
    if (domain == typo) return fmt::format("\"{}\" looks like a misspelt \"{}\"", typo, meant);
  }
  return std::nullopt;
}

std::string mailbox_key(std::string_view address) {
  std::string key = lower(address);
  const std::size_t at = key.rfind('@');
  if (at == std::string::npos) return key;
  const std::size_t plus = key.find('+');
  if (plus != std::string::npos && plus < at) key.erase(plus, at - plus);
  return key;
}

}  // namespace consentric::governance
