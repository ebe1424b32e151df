// encode(): a TcString to its TC string. Byte-aligned segments, base64url without '=', and
// for each vendor section the shorter of bit field and range list, as the spec asks.

#include <algorithm>
#include <map>

#include "tcf/bit_writer.h"
#include "tcf/tc_fields.h"
#include "tcf/tc_string.h"

namespace consentric::tcf {
namespace {

namespace f = fields;

struct Run {
  int first = 0;
  int last = 0;
};

std::uint64_t unsigned_field(std::int64_t v) { return v < 0 ? 0 : static_cast<std::uint64_t>(v); }

bool valid_id(int id) { return id >= 1 && id <= kMaxVendorId; }

// Consecutive runs of the valid ids, in order. REQUIRES: ids sorted ascending.
template <typename Ids>
std::vector<Run> runs_of(const Ids& ids) {
  std::vector<Run> runs;
  for (const int id : ids) {
    if (!valid_id(id)) continue;
    if (!runs.empty() && id == runs.back().last + 1) {
      runs.back().last = id;
    } else if (runs.empty() || id > runs.back().last) {
      runs.push_back({id, id});
    }
  }
  return runs;
}

std::size_t range_bits(const std::vector<Run>& runs) {
  std::size_t bits = f::kNumEntries;
  for (const Run& r : runs) bits += 1 + f::kVendorId + (r.first == r.last ? 0 : f::kVendorId);
  return bits;
}

void write_runs(BitWriter& w, const std::vector<Run>& runs, std::size_t begin, std::size_t end) {
  w.write(end - begin, f::kNumEntries);
  for (std::size_t i = begin; i < end; ++i) {
    const Run& r = runs[i];
    w.write_bool(r.first != r.last);
    w.write(static_cast<std::uint64_t>(r.first), f::kVendorId);
    if (r.first != r.last) w.write(static_cast<std::uint64_t>(r.last), f::kVendorId);
  }
}

void write_vendor_section(BitWriter& w, const std::set<int>& ids) {
  const std::vector<Run> runs = runs_of(ids);
  const int max_id = runs.empty() ? 0 : runs.back().last;
  w.write(static_cast<std::uint64_t>(max_id), f::kMaxVendorId);
  // A range list holds at most 4095 entries; beyond that only the bit field can say it.
  const bool use_ranges =
      runs.size() <= f::kMaxNumEntries && range_bits(runs) < static_cast<std::size_t>(max_id);
  w.write_bool(use_ranges);
  if (use_ranges) {
    write_runs(w, runs, 0, runs.size());
    return;
  }
  std::size_t next = 0;  // index into runs
  for (int id = 1; id <= max_id; ++id) {
    while (next < runs.size() && runs[next].last < id) ++next;
    w.write_bool(next < runs.size() && runs[next].first <= id);
  }
}

void write_letters(BitWriter& w, const std::string& letters) {
  for (std::size_t i = 0; i < 2; ++i) {
    const char c = i < letters.size() ? letters[i] : 'A';
    w.write(c >= 'A' && c <= 'Z' ? static_cast<std::uint64_t>(c - 'A') : 0, f::kLetter);
  }
}

template <std::size_t N>
void write_bits(BitWriter& w, const std::bitset<N>& bits) {
  for (std::size_t i = 0; i < N; ++i) w.write_bool(bits[i]);
}

// Unsigned arithmetic: out-of-contract values wrap (and are cut to 36 bits) instead of
// overflowing.
std::uint64_t deciseconds(UnixSeconds s, int tenths) {
  return static_cast<std::uint64_t>(s) * 10u + static_cast<std::uint64_t>(tenths);
}

// One entry per restriction, except that a vendor list of more than 4095 runs is split over
// several entries with the same (purpose, type); decode() merges them back.
void write_restrictions(BitWriter& w, const std::vector<PublisherRestriction>& restrictions) {
  struct Entry {
    const PublisherRestriction* pr;
    std::size_t runs, begin, end;  // runs indexes all_runs
  };
  std::vector<std::vector<Run>> all_runs;
  std::vector<Entry> entries;
  for (const PublisherRestriction& pr : restrictions) {
    std::vector<int> sorted = pr.vendors;
    std::sort(sorted.begin(), sorted.end());
    all_runs.push_back(runs_of(sorted));
    const std::size_t n = all_runs.back().size();
    std::size_t begin = 0;
    do {
      const std::size_t end = std::min(n, begin + f::kMaxNumEntries);
      entries.push_back({&pr, all_runs.size() - 1, begin, end});
      begin = end;
    } while (begin < n);
  }
  const std::size_t count = std::min<std::size_t>(entries.size(), f::kMaxNumEntries);
  w.write(count, f::kNumPubRestrictions);
  for (std::size_t i = 0; i < count; ++i) {
    const Entry& e = entries[i];
    w.write(unsigned_field(e.pr->purpose_id), f::kPurposeId);
    w.write(unsigned_field(e.pr->restriction_type), f::kRestrictionType);
    write_runs(w, all_runs[e.runs], e.begin, e.end);
  }
}

std::string core_segment(const TcString& tc) {
  BitWriter w;
  w.write(unsigned_field(tc.version), f::kVersion);
  w.write(deciseconds(tc.created, tc.created_tenths), f::kCreated);
  w.write(deciseconds(tc.last_updated, tc.last_updated_tenths), f::kLastUpdated);
  w.write(unsigned_field(tc.cmp_id), f::kCmpId);
  w.write(unsigned_field(tc.cmp_version), f::kCmpVersion);
  w.write(unsigned_field(tc.consent_screen), f::kConsentScreen);
  write_letters(w, tc.consent_language);
  w.write(unsigned_field(tc.vendor_list_version), f::kVendorListVersion);
  w.write(unsigned_field(tc.policy_version), f::kPolicyVersion);
  w.write_bool(tc.is_service_specific);
  w.write_bool(tc.use_non_standard_texts);
  write_bits(w, tc.special_feature_opt_ins);
  write_bits(w, tc.purposes_consent);
  write_bits(w, tc.purposes_li_transparency);
  w.write_bool(tc.purpose_one_treatment);
  write_letters(w, tc.publisher_cc);
  write_vendor_section(w, tc.vendor_consents);
  write_vendor_section(w, tc.vendor_li);
  write_restrictions(w, tc.publisher_restrictions);
  return w.to_base64url();
}

std::string vendors_segment(int type, const std::set<int>& ids) {
  BitWriter w;
  w.write(static_cast<std::uint64_t>(type), f::kSegmentType);
  write_vendor_section(w, ids);
  return w.to_base64url();
}

std::string publisher_segment(const PublisherTc& p) {
  BitWriter w;
  w.write(f::kSegmentPublisherTc, f::kSegmentType);
  write_bits(w, p.purposes_consent);
  write_bits(w, p.purposes_li);
  const std::uint64_t n = unsigned_field(p.num_custom_purposes) & 63u;
  w.write(n, f::kNumCustomPurposes);
  for (std::size_t i = 0; i < n; ++i)
    w.write_bool(i < p.custom_consent.size() && p.custom_consent[i]);
  for (std::size_t i = 0; i < n; ++i) w.write_bool(i < p.custom_li.size() && p.custom_li[i]);
  return w.to_base64url();
}

}  // namespace

std::string encode(const TcString& tc) {
  std::string out = core_segment(tc);
  if (tc.disclosed_vendors) {
    out += '.';
    out += vendors_segment(f::kSegmentDisclosedVendors, *tc.disclosed_vendors);
  }
  if (tc.allowed_vendors) {
    out += '.';
    out += vendors_segment(f::kSegmentAllowedVendors, *tc.allowed_vendors);
  }
  if (tc.publisher_tc) {
    out += '.';
    out += publisher_segment(*tc.publisher_tc);
  }
  return out;
}

}  // namespace consentric::tcf
