// decode(): from the text of a TC string to a TcString, refusing anything the spec does not
// allow. The layout is in tc_fields.h; docs/formats/tcf.md lists the checks and why.

#include <algorithm>
#include <array>
#include <map>
#include <utility>

#include <fmt/format.h>

#include "tcf/bit_reader.h"
#include "tcf/tc_fields.h"
#include "tcf/tc_string.h"

namespace consentric::tcf {
namespace {

namespace f = fields;

// Inclusive run of vendor ids.
struct Interval {
  int first = 0;
  int last = 0;
};

// Sorts and joins overlapping or touching runs, so expanding them costs the size of the union
// however many times a hostile string repeats a range.
void merge(std::vector<Interval>* runs) {
  auto& v = *runs;
  std::sort(v.begin(), v.end(), [](const Interval& a, const Interval& b) {
    return a.first < b.first || (a.first == b.first && a.last < b.last);
  });
  std::size_t out = 0;
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (out > 0 && v[i].first <= v[out - 1].last + 1) {
      v[out - 1].last = std::max(v[out - 1].last, v[i].last);
    } else {
      v[out++] = v[i];
    }
  }
  v.resize(out);
}

std::size_t count_ids(const std::vector<Interval>& runs) {
  std::size_t n = 0;
  for (const Interval& r : runs) n += static_cast<std::size_t>(r.last - r.first + 1);
  return n;
}

// NumEntries(12) then entries {IsARange(1), StartOrOnlyVendorId(16), [EndVendorId(16)]}.
// Ids must be within 1..max_id. Returns the runs merged.
Result<std::vector<Interval>> read_ranges(BitReader& r, std::string_view section, int max_id,
                                          std::string_view max_name) {
  CONSENTRIC_ASSIGN_OR_RETURN(const std::uint64_t n,
                              r.read(f::kNumEntries, fmt::format("{}: NumEntries", section)));
  std::vector<Interval> runs;
  runs.reserve(n);
  for (std::uint64_t i = 1; i <= n; ++i) {
    const std::string where = fmt::format("{}: range entry {} of {}", section, i, n);
    const std::size_t at = r.position();
    CONSENTRIC_ASSIGN_OR_RETURN(const bool is_range, r.read_bool(where + ": IsARange"));
    CONSENTRIC_ASSIGN_OR_RETURN(const std::uint64_t first,
                                r.read(f::kVendorId, where + ": StartOrOnlyVendorId"));
    std::uint64_t last = first;
    if (is_range) {
      CONSENTRIC_ASSIGN_OR_RETURN(last, r.read(f::kVendorId, where + ": EndVendorId"));
    }
    if (first == 0) return r.error_at(at, where + ": vendor id 0 (vendor ids start at 1)");
    if (last < first) {
      return r.error_at(
          at, fmt::format("{}: end vendor id {} is before start vendor id {}", where, last, first));
    }
    if (last > static_cast<std::uint64_t>(max_id)) {
      return r.error_at(
          at, fmt::format("{}: vendor id {} is above {} {}", where, last, max_name, max_id));
    }
    runs.push_back({static_cast<int>(first), static_cast<int>(last)});
  }
  merge(&runs);
  return runs;
}

// MaxVendorId(16), IsRangeEncoding(1), then a bit field of MaxVendorId bits or a range list.
Result<std::set<int>> read_vendor_section(BitReader& r, std::string_view section) {
  CONSENTRIC_ASSIGN_OR_RETURN(const std::uint64_t max_id,
                              r.read(f::kMaxVendorId, fmt::format("{}: MaxVendorId", section)));
  CONSENTRIC_ASSIGN_OR_RETURN(const bool is_range,
                              r.read_bool(fmt::format("{}: IsRangeEncoding", section)));
  std::set<int> ids;
  if (!is_range) {
    // iabtcf-es#142: a bit field shorter than MaxVendorId is an error, not a short list.
    CONSENTRIC_RETURN_IF_ERROR(
        r.require(max_id, fmt::format("{}: bit field for MaxVendorId {}", section, max_id)));
    for (std::uint64_t id = 1; id <= max_id; ++id) {
      CONSENTRIC_ASSIGN_OR_RETURN(const bool set, r.read_bool(section));
      if (set) ids.insert(ids.end(), static_cast<int>(id));
    }
    return ids;
  }
  CONSENTRIC_ASSIGN_OR_RETURN(const std::vector<Interval> runs,
                              read_ranges(r, section, static_cast<int>(max_id), "MaxVendorId"));
  for (const Interval& run : runs) {
    for (int id = run.first; id <= run.last; ++id) ids.insert(ids.end(), id);
  }
  return ids;
}

// Two letters of 6 bits each, 'A' = 0 .. 'Z' = 25.
Result<std::string> read_letters(BitReader& r, std::string_view field) {
  std::string out;
  for (int i = 1; i <= 2; ++i) {
    const std::size_t at = r.position();
    CONSENTRIC_ASSIGN_OR_RETURN(const std::uint64_t v,
                                r.read(f::kLetter, fmt::format("{} letter {}", field, i)));
    if (v > 25) {
      return r.error_at(
          at, fmt::format("{} letter {} is {}, not a letter (A-Z is 0..25)", field, i, v));
    }
    out.push_back(static_cast<char>('A' + v));
  }
  return out;
}

// A 36-bit decisecond timestamp; zero or later than 2100 means a corrupt string.
Status read_date(BitReader& r, std::string_view field, UnixSeconds* seconds, int* tenths) {
  const std::size_t at = r.position();
  CONSENTRIC_ASSIGN_OR_RETURN(const std::uint64_t ds, r.read(f::kCreated, field));
  if (ds == 0) return r.error_at(at, fmt::format("{} is zero (no date)", field));
  if (ds > static_cast<std::uint64_t>(f::kLatestDeciseconds)) {
    return r.error_at(at, fmt::format("{} is {} ds, after 2100-01-01 ({})", field, ds,
                                      format_timestamp(static_cast<UnixSeconds>(ds / 10))));
  }
  *seconds = static_cast<UnixSeconds>(ds / 10);
  *tenths = static_cast<int>(ds % 10);
  return Status();
}

template <std::size_t N>
Result<std::bitset<N>> read_bits(BitReader& r, std::string_view field) {
  CONSENTRIC_RETURN_IF_ERROR(r.require(N, field));
  std::bitset<N> out;
  for (std::size_t i = 0; i < N; ++i) {
    CONSENTRIC_ASSIGN_OR_RETURN(const bool b, r.read_bool(field));
    out[i] = b;
  }
  return out;
}

Status read_version(BitReader& r) {
  CONSENTRIC_ASSIGN_OR_RETURN(const std::uint64_t version, r.read(f::kVersion, "Version"));
  if (version == 2) return Status();
  if (version == 1) {
    return invalid_argument(
        "TC string: a TCF v1 consent string (obsolete since August 2020): ask the CMP for a v2 "
        "string");
  }
  // A v2 string whose core segment is missing starts with a segment type in its top 3 bits.
  const std::uint64_t type = version >> 3;
  if (type >= 1 && type <= 3) {
    static constexpr std::array<const char*, 4> kNames{"", "disclosed vendors", "allowed vendors",
                                                       "publisher TC"};
    return invalid_argument(
        fmt::format("TC string: the first segment looks like a {} segment (type {}); the core "
                    "segment must come first",
                    kNames[type], type));
  }
  return invalid_argument(
      fmt::format("TC string: unknown version {} (this decoder reads version 2)", version));
}

Status read_core(BitReader& r, TcString* tc) {
  CONSENTRIC_RETURN_IF_ERROR(read_version(r));
  tc->version = 2;
  CONSENTRIC_RETURN_IF_ERROR(read_date(r, "Created", &tc->created, &tc->created_tenths));
  CONSENTRIC_RETURN_IF_ERROR(
      read_date(r, "LastUpdated", &tc->last_updated, &tc->last_updated_tenths));
  CONSENTRIC_ASSIGN_OR_RETURN(tc->cmp_id, r.read(f::kCmpId, "CmpId"));
  CONSENTRIC_ASSIGN_OR_RETURN(tc->cmp_version, r.read(f::kCmpVersion, "CmpVersion"));
  CONSENTRIC_ASSIGN_OR_RETURN(tc->consent_screen, r.read(f::kConsentScreen, "ConsentScreen"));
  CONSENTRIC_ASSIGN_OR_RETURN(tc->consent_language, read_letters(r, "ConsentLanguage"));
  CONSENTRIC_ASSIGN_OR_RETURN(tc->vendor_list_version,
                              r.read(f::kVendorListVersion, "VendorListVersion"));
  CONSENTRIC_ASSIGN_OR_RETURN(tc->policy_version, r.read(f::kPolicyVersion, "TcfPolicyVersion"));
  CONSENTRIC_ASSIGN_OR_RETURN(tc->is_service_specific, r.read_bool("IsServiceSpecific"));
  CONSENTRIC_ASSIGN_OR_RETURN(tc->use_non_standard_texts, r.read_bool("UseNonStandardTexts"));
  CONSENTRIC_ASSIGN_OR_RETURN(tc->special_feature_opt_ins,
                              read_bits<f::kSpecialFeatures>(r, "SpecialFeatureOptIns"));
  CONSENTRIC_ASSIGN_OR_RETURN(tc->purposes_consent, read_bits<f::kPurposes>(r, "PurposesConsent"));
  CONSENTRIC_ASSIGN_OR_RETURN(tc->purposes_li_transparency,
                              read_bits<f::kPurposes>(r, "PurposesLITransparency"));
  CONSENTRIC_ASSIGN_OR_RETURN(tc->purpose_one_treatment, r.read_bool("PurposeOneTreatment"));
  CONSENTRIC_ASSIGN_OR_RETURN(tc->publisher_cc, read_letters(r, "PublisherCC"));
  CONSENTRIC_ASSIGN_OR_RETURN(tc->vendor_consents,
                              read_vendor_section(r, "vendor consent section"));
  CONSENTRIC_ASSIGN_OR_RETURN(tc->vendor_li,
                              read_vendor_section(r, "vendor legitimate interest section"));

  // Publisher restrictions, merged by (purpose, type): the canonical form of tc_string.h.
  CONSENTRIC_ASSIGN_OR_RETURN(const std::uint64_t n,
                              r.read(f::kNumPubRestrictions, "NumPubRestrictions"));
  std::map<std::pair<int, int>, std::vector<Interval>> by_key;
  for (std::uint64_t i = 1; i <= n; ++i) {
    const std::string where = fmt::format("publisher restriction {} of {}", i, n);
    std::size_t at = r.position();
    CONSENTRIC_ASSIGN_OR_RETURN(const std::uint64_t purpose,
                                r.read(f::kPurposeId, where + ": PurposeId"));
    if (purpose == 0) return r.error_at(at, where + ": PurposeId 0 (purposes start at 1)");
    at = r.position();
    CONSENTRIC_ASSIGN_OR_RETURN(const std::uint64_t type,
                                r.read(f::kRestrictionType, where + ": RestrictionType"));
    if (type > 2) {
      return r.error_at(at, where +
                                ": RestrictionType 3 is undefined (0 not allowed, 1 require "
                                "consent, 2 require legitimate interest)");
    }
    CONSENTRIC_ASSIGN_OR_RETURN(std::vector<Interval> runs,
                                read_ranges(r, where, kMaxVendorId, "the largest id"));
    auto& all = by_key[{static_cast<int>(purpose), static_cast<int>(type)}];
    all.insert(all.end(), runs.begin(), runs.end());
  }
  std::size_t total = 0;
  for (auto& [key, runs] : by_key) {
    merge(&runs);
    total += count_ids(runs);
  }
  if (total > f::kMaxRestrictionVendorIds) {
    return r.error_at(r.position(),
                      fmt::format("publisher restrictions name {} vendor ids in total; more than "
                                  "{} is refused",
                                  total, f::kMaxRestrictionVendorIds));
  }
  for (const auto& [key, runs] : by_key) {
    PublisherRestriction pr{.purpose_id = key.first, .restriction_type = key.second};
    pr.vendors.reserve(count_ids(runs));
    for (const Interval& run : runs) {
      for (int id = run.first; id <= run.last; ++id) pr.vendors.push_back(id);
    }
    tc->publisher_restrictions.push_back(std::move(pr));
  }
  return Status();
}

Status read_publisher_tc(BitReader& r, TcString* tc) {
  PublisherTc p;
  CONSENTRIC_ASSIGN_OR_RETURN(p.purposes_consent, read_bits<f::kPurposes>(r, "PubPurposesConsent"));
  CONSENTRIC_ASSIGN_OR_RETURN(p.purposes_li,
                              read_bits<f::kPurposes>(r, "PubPurposesLITransparency"));
  CONSENTRIC_ASSIGN_OR_RETURN(p.num_custom_purposes,
                              r.read(f::kNumCustomPurposes, "NumCustomPurposes"));
  const auto n = static_cast<std::size_t>(p.num_custom_purposes);
  CONSENTRIC_RETURN_IF_ERROR(r.require(2 * n, "CustomPurposesConsent and CustomPurposesLI"));
  for (std::size_t i = 0; i < n; ++i) {
    CONSENTRIC_ASSIGN_OR_RETURN(const bool b, r.read_bool("CustomPurposesConsent"));
    p.custom_consent.push_back(b);
  }
  for (std::size_t i = 0; i < n; ++i) {
    CONSENTRIC_ASSIGN_OR_RETURN(const bool b, r.read_bool("CustomPurposesLITransparency"));
    p.custom_li.push_back(b);
  }
  tc->publisher_tc = std::move(p);
  return Status();
}

constexpr std::array<const char*, 4> kSegmentNames{"core", "disclosed vendors", "allowed vendors",
                                                   "publisher TC"};

}  // namespace

Result<TcString> decode(std::string_view text) {
  if (text.empty()) return invalid_argument("TC string: empty");
  if (text.size() > f::kMaxStringLength) {
    return invalid_argument(fmt::format("TC string: {} characters; more than {} is refused",
                                        text.size(), f::kMaxStringLength));
  }
  TcString tc;
  std::array<bool, 4> seen{};  // by segment type
  std::size_t start = 0;
  for (int index = 1;; ++index) {
    const std::size_t dot = text.find('.', start);
    const std::size_t end = dot == std::string_view::npos ? text.size() : dot;
    const std::string_view segment = text.substr(start, end - start);
    if (segment.empty()) {
      return invalid_argument(fmt::format(
          "TC string: segment {} at offset {} is empty (a '.' too many)", index, start));
    }
    if (index == 1) {
      CONSENTRIC_ASSIGN_OR_RETURN(BitReader r,
                                  BitReader::from_base64url(segment, start, "core segment"));
      CONSENTRIC_RETURN_IF_ERROR(read_core(r, &tc));
      seen[f::kSegmentCore] = true;
    } else {
      CONSENTRIC_ASSIGN_OR_RETURN(
          BitReader r, BitReader::from_base64url(segment, start, fmt::format("segment {}", index)));
      CONSENTRIC_ASSIGN_OR_RETURN(const std::uint64_t type, r.read(f::kSegmentType, "SegmentType"));
      if (type > 3) {
        return invalid_argument(fmt::format(
            "TC string: segment {} has unknown segment type {} (1 disclosed vendors, 2 allowed "
            "vendors, 3 publisher TC)",
            index, type));
      }
      if (seen[type]) {
        return invalid_argument(fmt::format("TC string: segment {} is a second {} segment", index,
                                            kSegmentNames[type]));
      }
      seen[type] = true;
      // From here on, messages name the segment by its type.
      r.set_segment(fmt::format("{} segment (segment {})", kSegmentNames[type], index));
      if (type == f::kSegmentDisclosedVendors) {
        CONSENTRIC_ASSIGN_OR_RETURN(tc.disclosed_vendors,
                                    read_vendor_section(r, "disclosed vendors section"));
      } else if (type == f::kSegmentAllowedVendors) {
        CONSENTRIC_ASSIGN_OR_RETURN(tc.allowed_vendors,
                                    read_vendor_section(r, "allowed vendors section"));
      } else {
        CONSENTRIC_RETURN_IF_ERROR(read_publisher_tc(r, &tc));
      }
    }
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return tc;
}

}  // namespace consentric::tcf
