#pragma once

// Bit widths and limits of the TC string layout, shared by the decoder and the encoder so the
// two cannot drift apart. Source: "IAB Tech Lab - Consent string and vendor list formats v2",
// section "TC String Format" (core, disclosed/allowed vendors and publisher TC segments).

#include <cstddef>
#include <cstdint>

namespace consentric::tcf::fields {

// Core segment, in order.
inline constexpr int kVersion = 6;
inline constexpr int kCreated = 36;  // deciseconds since the epoch
inline constexpr int kLastUpdated = 36;
inline constexpr int kCmpId = 12;
inline constexpr int kCmpVersion = 12;
inline constexpr int kConsentScreen = 6;
inline constexpr int kLetter = 6;  // languages and countries: two letters, 'A' = 0 .. 'Z' = 25
inline constexpr int kVendorListVersion = 12;
inline constexpr int kPolicyVersion = 6;
inline constexpr int kSpecialFeatures = 12;
inline constexpr int kPurposes = 24;

// Vendor sections (core consent and LI, disclosed and allowed vendors).
inline constexpr int kMaxVendorId = 16;
inline constexpr int kNumEntries = 12;
inline constexpr int kVendorId = 16;

// Publisher restrictions.
inline constexpr int kNumPubRestrictions = 12;
inline constexpr int kPurposeId = 6;
inline constexpr int kRestrictionType = 2;

// Segment headers and the publisher TC segment.
inline constexpr int kSegmentType = 3;
inline constexpr int kNumCustomPurposes = 6;

inline constexpr int kSegmentCore = 0;
inline constexpr int kSegmentDisclosedVendors = 1;
inline constexpr int kSegmentAllowedVendors = 2;
inline constexpr int kSegmentPublisherTc = 3;

inline constexpr std::uint64_t kMaxNumEntries = (1u << kNumEntries) - 1;  // 4095

// 2100-01-01T00:00:00Z in deciseconds: a later Created or LastUpdated is a corrupt string.
inline constexpr std::int64_t kLatestDeciseconds = 4'102'444'800LL * 10;

// Caps that keep a hostile string from costing much. TC strings travel in cookies and URLs
// (a few KB); 1 MiB leaves room for four full 65535-bit vendor bit fields many times over.
inline constexpr std::size_t kMaxStringLength = std::size_t{1} << 20;
// Publisher restrictions expand ranges into vendor lists; at most this many ids in total over
// all restrictions (4 MB of ints). The whole GVL has about a thousand vendors.
inline constexpr std::size_t kMaxRestrictionVendorIds = std::size_t{1} << 20;

}  // namespace consentric::tcf::fields
