#pragma once

// IAB Europe Transparency & Consent Framework (TCF) v2.2 / v2.3 consent strings ("TC strings"):
// a strict decoder, an encoder, and the policy checks a vendor should run before trusting one.
// Format: "IAB Tech Lab - Consent string and vendor list formats v2" (docs/formats/tcf.md
// summarises what we read and which test vectors we use).
//
// A TC string is one to four base64url segments joined by '.': the core segment first, then
// optionally Disclosed Vendors, Allowed Vendors and Publisher TC, each at most once. decode()
// never crashes on any input, and its memory is bounded whatever it is given (input over 1 MiB
// is refused; expanded publisher-restriction vendor lists are capped at 2^20 ids).
//
// Canonical form. decode() returns a TcString in canonical form: vendor ids in 1..65535,
// publisher restrictions sorted by (purpose_id, restriction_type) with one entry per pair (a
// string that repeats a pair has its vendors merged, as iabtcf-es#201 shows CMPs do), each
// entry's vendors sorted and unique, and publisher_tc's custom vectors of length
// num_custom_purposes. For every TcString x in canonical form with validate(x).ok(),
// decode(encode(x)) == x exactly (the sub-second tenths included).

#include <bitset>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "consentric/status.h"
#include "core/time.h"

namespace consentric::tcf {

// RestrictionType values of a publisher restriction. 3 is "undefined" in the spec and refused.
inline constexpr int kRestrictionNotAllowed = 0;
inline constexpr int kRestrictionRequireConsent = 1;
inline constexpr int kRestrictionRequireLegitimateInterest = 2;

// Vendor ids are 16-bit in the string; 0 is not a vendor.
inline constexpr int kMaxVendorId = 65535;

// "Purpose P is restricted for these vendors": a publisher overriding a vendor's declared legal
// basis (or forbidding the purpose) for a flexible purpose.
struct PublisherRestriction {
  int purpose_id = 0;        // 1..63
  int restriction_type = 0;  // kRestriction*: 0 not allowed, 1 require consent, 2 require LI
  std::vector<int> vendors;  // sorted, unique, each 1..65535; may be empty
  bool operator==(const PublisherRestriction&) const = default;
};

// The Publisher TC segment: the publisher's own purposes (standard and custom).
struct PublisherTc {
  std::bitset<24> purposes_consent;  // bit i is purpose i + 1
  std::bitset<24> purposes_li;       // legitimate-interest transparency
  int num_custom_purposes = 0;       // 0..63
  std::vector<bool> custom_consent;  // [i] is custom purpose i + 1; size num_custom_purposes
  std::vector<bool> custom_li;       // size num_custom_purposes
  bool operator==(const PublisherTc&) const = default;
};

struct TcString {
  int version = 2;  // only 2 is encoded or decoded
  // The string stores deciseconds since the epoch; created = floor(ds / 10) and
  // created_tenths = ds % 10, so the round trip is exact. Since TCF 2.2 CMPs write the day
  // only, and created == last_updated.
  UnixSeconds created = 0, last_updated = 0;
  int created_tenths = 0, last_updated_tenths = 0;  // 0..9
  int cmp_id = 0, cmp_version = 0;                  // 0..4095 each
  int consent_screen = 0;                           // 0..63
  std::string consent_language;                     // two upper-case letters, e.g. "EN"
  int vendor_list_version = 0;                      // 0..4095
  int policy_version = 0;                           // 0..63; 4 from TCF 2.2 on (later is higher)
  bool is_service_specific = false, use_non_standard_texts = false, purpose_one_treatment = false;
  std::bitset<12> special_feature_opt_ins;                     // bit i is special feature i + 1
  std::bitset<24> purposes_consent, purposes_li_transparency;  // bit i is purpose i + 1
  std::string publisher_cc;                                    // two upper-case letters
  std::set<int> vendor_consents, vendor_li;                    // vendor ids (1-based)
  std::vector<PublisherRestriction> publisher_restrictions;
  std::optional<std::set<int>> disclosed_vendors, allowed_vendors;  // absent: no segment
  std::optional<PublisherTc> publisher_tc;

  bool operator==(const TcString&) const = default;

  // 1-based; false outside 1..24.
  bool purpose_consent(int purpose) const;
  // 1-based; false for ids that are not in the string.
  bool vendor_consent(int vendor) const;
};

// A concern that does not stop a string from decoding but should stop a vendor from relying
// on it (or tell the CMP to fix it). field names the TcString member ("policy_version").
struct PolicyWarning {
  std::string field;
  std::string message;
  bool operator==(const PolicyWarning&) const = default;
};

// Decodes a TC string strictly. Every failure is InvalidArgument with a message that says
// what and where, e.g. "TC string: core segment truncated at bit 213 (vendor consent section:
// MaxVendorId needs 16 bits, 3 left)". Refused: empty input, characters outside base64url (named
// with their position), '=' padding, truncated segments, versions other than 2 (a v1 string is
// recognised and named as such), zero dates or dates after 2100, range and bit-field
// inconsistencies, unknown, repeated or misplaced segments, letters outside A-Z. Padding bits
// at the end of a segment are ignored. Thread-safe.
Result<TcString> decode(std::string_view tc_string);

// Checks that every field fits its width in the string and holds an allowed value (the
// things decode() would refuse). OK for everything decode() returns.
Status validate(const TcString& tc);

// Encodes tc as base64url segments without '=', each padded with zero bits to whole bytes.
// Vendor sections use a bit field or ranges, whichever is shorter (ties go to the bit field).
// Segments are written in the order core, disclosed, allowed, publisher TC, each only when
// present. REQUIRES: validate(tc).ok(); otherwise numbers are cut to their field widths,
// letters outside A-Z are written as 'A' and vendor ids outside 1..65535 are dropped (never
// UB). Non-canonical input (unsorted restrictions, repeated pairs) is encoded as given.
std::string encode(const TcString& tc);

// The checks a vendor should make before relying on a decoded string, at time `now`:
//   - policy_version below 4 (TCF 2.2): such strings are invalid since 30 Sep 2023;
//   - is_service_specific must be 1 (global scope was retired);
//   - legitimate interest signalled for purposes 1 and 3-6, which TCF 2.2 reserves to consent
//     (in the core string and in the publisher TC segment);
//   - TCF 2.3: the disclosed vendors segment is mandatory;
//   - created or last_updated in the future or before 2018, last_updated before created.
// An empty vector means no concern. Thread-safe.
std::vector<PolicyWarning> check_policy(const TcString& tc, UnixSeconds now);

// (label, value) rows for an aligned text table, in a fixed order, e.g.
// {"Purposes (consent)", "1, 2, 3, 4, 7"}. Vendor lists collapse runs ("1-40, 52").
std::vector<std::pair<std::string, std::string>> describe(const TcString& tc);

// "not allowed", "require consent", "require legitimate interest", or "undefined (N)".
std::string restriction_type_name(int restriction_type);

}  // namespace consentric::tcf
