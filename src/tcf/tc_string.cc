// The small members of tc_string.h: accessors, validate() and names.

#include "tcf/tc_string.h"

#include <fmt/format.h>

#include "tcf/tc_fields.h"

namespace consentric::tcf {
namespace {

namespace f = fields;

Status check_range(std::string_view field, std::int64_t v, int bits) {
  const std::int64_t max = (std::int64_t{1} << bits) - 1;
  if (v >= 0 && v <= max) return Status();
  return invalid_argument(
      fmt::format("TcString: {} is {}; the string holds 0..{} ({} bits)", field, v, max, bits));
}

Status check_letters(std::string_view field, const std::string& s) {
  if (s.size() == 2 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z') return Status();
  return invalid_argument(fmt::format(
      "TcString: {} must be two upper-case letters A-Z, got {} characters", field, s.size()));
}

template <typename Ids>
Status check_ids(std::string_view field, const Ids& ids) {
  for (const int id : ids) {
    if (id < 1 || id > kMaxVendorId) {
      return invalid_argument(fmt::format("TcString: {} holds vendor id {}; vendor ids are 1..{}",
                                          field, id, kMaxVendorId));
    }
  }
  return Status();
}

Status check_date(std::string_view field, UnixSeconds s, int tenths) {
  if (tenths < 0 || tenths > 9) {
    return invalid_argument(fmt::format("TcString: {}_tenths is {}; expected 0..9", field, tenths));
  }
  if (s < 0 || s > f::kLatestDeciseconds / 10 || s * 10 + tenths == 0 ||
      s * 10 + tenths > f::kLatestDeciseconds) {
    return invalid_argument(fmt::format(
        "TcString: {} is {}; expected after 1970-01-01 and before 2100-01-01", field, s));
  }
  return Status();
}

}  // namespace

bool TcString::purpose_consent(int purpose) const {
  return purpose >= 1 && purpose <= 24 && purposes_consent[static_cast<std::size_t>(purpose - 1)];
}

bool TcString::vendor_consent(int vendor) const { return vendor_consents.contains(vendor); }

Status validate(const TcString& tc) {
  if (tc.version != 2) {
    return invalid_argument(
        fmt::format("TcString: version is {}; only 2 is supported", tc.version));
  }
  CONSENTRIC_RETURN_IF_ERROR(check_date("created", tc.created, tc.created_tenths));
  CONSENTRIC_RETURN_IF_ERROR(check_date("last_updated", tc.last_updated, tc.last_updated_tenths));
  CONSENTRIC_RETURN_IF_ERROR(check_range("cmp_id", tc.cmp_id, f::kCmpId));
  CONSENTRIC_RETURN_IF_ERROR(check_range("cmp_version", tc.cmp_version, f::kCmpVersion));
  CONSENTRIC_RETURN_IF_ERROR(check_range("consent_screen", tc.consent_screen, f::kConsentScreen));
  CONSENTRIC_RETURN_IF_ERROR(check_letters("consent_language", tc.consent_language));
  CONSENTRIC_RETURN_IF_ERROR(
      check_range("vendor_list_version", tc.vendor_list_version, f::kVendorListVersion));
  CONSENTRIC_RETURN_IF_ERROR(check_range("policy_version", tc.policy_version, f::kPolicyVersion));
  CONSENTRIC_RETURN_IF_ERROR(check_letters("publisher_cc", tc.publisher_cc));
  CONSENTRIC_RETURN_IF_ERROR(check_ids("vendor_consents", tc.vendor_consents));
  CONSENTRIC_RETURN_IF_ERROR(check_ids("vendor_li", tc.vendor_li));
  if (tc.disclosed_vendors) {
    CONSENTRIC_RETURN_IF_ERROR(check_ids("disclosed_vendors", *tc.disclosed_vendors));
  }
  if (tc.allowed_vendors) {
    CONSENTRIC_RETURN_IF_ERROR(check_ids("allowed_vendors", *tc.allowed_vendors));
  }
  // Each restriction may need several entries (4095 runs each); 4095 entries in all.
  std::size_t entries = 0;
  for (const PublisherRestriction& pr : tc.publisher_restrictions) {
    if (pr.purpose_id < 1 || pr.purpose_id > 63) {
      return invalid_argument(fmt::format(
          "TcString: publisher restriction purpose_id is {}; expected 1..63", pr.purpose_id));
    }
    if (pr.restriction_type < 0 || pr.restriction_type > 2) {
      return invalid_argument(fmt::format(
          "TcString: publisher restriction for purpose {} has restriction_type {}; expected 0..2",
          pr.purpose_id, pr.restriction_type));
    }
    CONSENTRIC_RETURN_IF_ERROR(check_ids("publisher restriction vendors", pr.vendors));
    std::size_t runs = 0;
    int prev = -1;
    for (const int id : pr.vendors) {
      if (id <= prev) {
        return invalid_argument(fmt::format(
            "TcString: publisher restriction for purpose {}: vendors must be sorted and unique "
            "({} after {})",
            pr.purpose_id, id, prev));
      }
      if (id != prev + 1) ++runs;
      prev = id;
    }
    entries += runs == 0 ? 1 : (runs + f::kMaxNumEntries - 1) / f::kMaxNumEntries;
  }
  if (entries > f::kMaxNumEntries) {
    return invalid_argument(
        fmt::format("TcString: publisher restrictions need {} entries; the string holds at most {}",
                    entries, f::kMaxNumEntries));
  }
  if (tc.publisher_tc) {
    const PublisherTc& p = *tc.publisher_tc;
    CONSENTRIC_RETURN_IF_ERROR(
        check_range("publisher_tc.num_custom_purposes", p.num_custom_purposes, 6));
    const auto n = static_cast<std::size_t>(p.num_custom_purposes);
    if (p.custom_consent.size() != n || p.custom_li.size() != n) {
      return invalid_argument(fmt::format(
          "TcString: publisher_tc has {} custom purposes but {} consent and {} LI flags", n,
          p.custom_consent.size(), p.custom_li.size()));
    }
  }
  return Status();
}

std::string restriction_type_name(int restriction_type) {
  switch (restriction_type) {
    case kRestrictionNotAllowed:
      return "not allowed";
    case kRestrictionRequireConsent:
      return "require consent";
    case kRestrictionRequireLegitimateInterest:
      return "require legitimate interest";
    default:
      return fmt::format("undefined ({})", restriction_type);
  }
}

}  // namespace consentric::tcf
