#pragma once

// A small store with a custom role, for the access tests.

#include <string_view>

#include "store/store_dir.h"
#include "testing/status_matchers.h"

namespace consentric::access {

inline constexpr std::string_view kAccessTestConfig = R"(version: 1
controller: {name: Test Ltd, contact: dpo@test.example, country: DE}
identifiers:
  - {field: email, kind: email}
fields:
  - {name: email, type: string, category: contact, pii: true, required: true}
  - {name: age, type: int, category: demographic}
event_types:
  - name: page_view
    properties:
      - {name: page, type: string}
purposes:
  - id: segmentation
    description: marketing segments
    legal_basis: consent
    notice_version: "1"
    fields: [age]
    event_types: [page_view]
roles:
  - {name: admin, actions: ["*"]}
  - {name: auditor, actions: ["audit.*", "report.read"]}
)";

inline constexpr UnixSeconds kAccessTestNow = 1'780'000'000;

}  // namespace consentric::access
