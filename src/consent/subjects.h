#pragma once

// Finding the person a request names, by one of the identifiers the declaration lists
// (`email=ada@example.com`, or a bare value whose field is recognised), through the blind
// index only.

#include <optional>
#include <string>
#include <string_view>

#include "store/store_dir.h"

namespace consentric::consent {

struct IdentifierArg {
  const IdentifierSpec* spec = nullptr;  // null: not said; every identifier field is tried
  std::string value;
};

// "field=value" (the field must be a declared identifier) or a bare value.
Result<IdentifierArg> parse_identifier_arg(const Config& config, std::string_view text);

struct SubjectRef {
  SubjectId id = 0;
  std::string pseudonym;
  bool created = false;
};

// The subject the identifier names, or nullopt. FailedPrecondition when the identifier belongs
// to an erased person (it is on the suppression list).
Result<std::optional<SubjectRef>> find_subject(StoreDir& sd, const IdentifierArg& id);

// find_subject, creating the subject (with its data key and this identifier) when nobody has
// it yet. A bare value gets the email field when it holds an '@', else the first other
// identifier field. REQUIRES: transactions open on the store and the key ring.
Result<SubjectRef> find_or_create_subject(StoreDir& sd, const IdentifierArg& id, UnixSeconds now);

}  // namespace consentric::consent
