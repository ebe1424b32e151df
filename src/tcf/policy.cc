// check_policy(): what TCF policy says about a string that decodes fine. Sources: the TCF v2
// spec (TcfPolicyVersion, IsServiceSpecific, PurposesLITransparency) and its TCF 2.3 FAQ
// ("Why was the disclosed vendors section made mandatory in TCF 2.3?").

#include <utility>

#include <fmt/format.h>

#include "tcf/tc_format.h"
#include "tcf/tc_string.h"

namespace consentric::tcf {
namespace {

// 2018-01-01T00:00:00Z: TCF v2 did not exist before, so an earlier date is a CMP bug.
constexpr UnixSeconds kTcfEpoch = 1'514'764'800;

// TCF 2.2 policy: purposes 1 and 3-6 may only rely on consent, never on legitimate interest.
constexpr int kConsentOnlyPurposes[] = {1, 3, 4, 5, 6};

void check_li(const std::bitset<24>& li, const char* field, std::vector<PolicyWarning>* out) {
  std::vector<int> bad;
  for (const int p : kConsentOnlyPurposes) {
    if (li[static_cast<std::size_t>(p - 1)]) bad.push_back(p);
  }
  if (bad.empty()) return;
  out->push_back({field, fmt::format("legitimate interest signalled for purpose{} {}; TCF 2.2 "
                                     "allows only consent for purposes 1 and 3-6",
                                     bad.size() == 1 ? "" : "s", join_ids(bad))});
}

void check_date(UnixSeconds t, int tenths, const char* field, UnixSeconds now,
                std::vector<PolicyWarning>* out) {
  if (t < kTcfEpoch) {
    out->push_back({field, fmt::format("{} is before 2018, when TCF v2 did not exist",
                                       format_tc_time(t, tenths))});
  } else if (t > now) {
    out->push_back({field, fmt::format("{} is in the future (now is {})", format_tc_time(t, tenths),
                                       format_timestamp(now))});
  }
}

}  // namespace

std::vector<PolicyWarning> check_policy(const TcString& tc, UnixSeconds now) {
  std::vector<PolicyWarning> out;
  // Spec: from 30 September 2023 a string with TcfPolicyVersion below 4 is invalid.
  if (tc.policy_version < 4) {
    out.push_back({"policy_version",
                   fmt::format("TCF policy version {} is below 4 (TCF 2.2); such strings are "
                               "invalid since 30 Sep 2023",
                               tc.policy_version)});
  }
  // TCF 2.2 retired globally-scoped strings: vendors must treat IsServiceSpecific 0 as invalid.
  if (!tc.is_service_specific) {
    out.push_back({"is_service_specific",
                   "IsServiceSpecific is 0; only service-specific strings are valid since TCF "
                   "2.2"});
  }
  check_li(tc.purposes_li_transparency, "purposes_li_transparency", &out);
  if (tc.publisher_tc) check_li(tc.publisher_tc->purposes_li, "publisher_tc.purposes_li", &out);
  if (!tc.disclosed_vendors) {
    out.push_back(
        {"disclosed_vendors", "no disclosed vendors segment; it is mandatory since TCF 2.3"});
  }
  check_date(tc.created, tc.created_tenths, "created", now, &out);
  check_date(tc.last_updated, tc.last_updated_tenths, "last_updated", now, &out);
  if (std::pair(tc.last_updated, tc.last_updated_tenths) <
      std::pair(tc.created, tc.created_tenths)) {
    out.push_back(
        {"last_updated", fmt::format("last updated {} before it was created {}",
                                     format_tc_time(tc.last_updated, tc.last_updated_tenths),
                                     format_tc_time(tc.created, tc.created_tenths))});
  }
  return out;
}

}  // namespace consentric::tcf
