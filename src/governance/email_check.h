#pragma once

// What is wrong with a stored e-mail address, for the data-quality audit (GDPR Art. 5(1)(d):
// personal data kept accurate). The importer already refuses an address without exactly one
// '@', with no dot in its domain or with blanks (crypto::normalize_identifier), so these rules
// look for what passes that and still cannot be right: broken syntax, and domains that cannot
// receive mail as written. Reserved test domains (.example, .test, RFC 2606) are not flagged:
// they are how synthetic and test data is meant to look, not a defect of it.

#include <optional>
#include <string>
#include <string_view>

namespace consentric::governance {

// Why `address` is not a valid addr-spec in the dot-atom form (RFC 5321 4.1.2, RFC 5322
// 3.4.1): empty or over-long parts, dots at an edge or doubled, characters outside atext,
// domain labels that are empty, over-long or start or end with '-'. Nothing when valid.
// Quoted local parts and address literals ("[192.0.2.1]") count as invalid: no mail system we
// send through accepts them from a form.
std::optional<std::string> email_syntax_problem(std::string_view address);

// Why a syntactically valid `address` looks undeliverable: a top-level domain that is numeric
// or one letter, a misspelling of ".com" (".con", ".cmo", ...), or a known misspelling of a
// large mail provider ("gmial.com"). Nothing when it looks deliverable.
std::optional<std::string> email_domain_problem(std::string_view address);

// The mailbox an address reaches, for finding one person stored twice: lower-cased, with a
// sub-address ("+tag" in the local part, RFC 5233) removed. "Ann+News@Example.com" and
// "ann@example.com" reach the same mailbox.
std::string mailbox_key(std::string_view address);

}  // namespace consentric::governance
