#include "crypto/blind_index.h"

#include "testing/status_matchers.h"

namespace consentric::crypto {
namespace {

using ::consentric::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::Not;

Result<std::string> norm(IdentifierKind kind, std::string_view v) {
  return normalize_identifier(kind, v);
}

TEST(NormalizeIdentifier, EmailIsTrimmedAndLowerCased) {
  EXPECT_EQ(*norm(IdentifierKind::kEmail, " Ann@Example.COM "), "ann@example.com");
  EXPECT_EQ(*norm(IdentifierKind::kEmail, "\tbob.smith+tag@mail.example.org\n"),
            "bob.smith+tag@mail.example.org");
  // Non-ASCII bytes are kept as they are.
  EXPECT_EQ(*norm(IdentifierKind::kEmail, "J\xc3\xbcrgen@Example.de"), "j\xc3\xbcrgen@example.de");
}

TEST(NormalizeIdentifier, BadEmailsAreRefusedWithAnExample) {
  for (const char* bad :
       {"", "   ", "ann", "ann@", "@example.com", "ann@example", "ann@@example.com",
        "a@b@example.com", "ann smith@example.com", "ann@exa\x01mple.com"}) {
    EXPECT_THAT(norm(IdentifierKind::kEmail, bad),
                StatusIs(StatusCode::kInvalidArgument,
                         HasSubstr("expected an email address such as ann@example.com")))
        << bad;
  }
  EXPECT_THAT(norm(IdentifierKind::kEmail, "not-an-email"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("got \"not-an-email\"")));
}

TEST(NormalizeIdentifier, LongBadValuesAreNotEchoedWhole) {
  const std::string long_value = std::string(60, 'a') + "SECRET-TAIL";
  auto r = norm(IdentifierKind::kEmail, long_value);
  EXPECT_THAT(r, StatusIs(StatusCode::kInvalidArgument, HasSubstr("...")));
  EXPECT_THAT(r.status().message(), Not(HasSubstr("SECRET-TAIL")));
}

TEST(NormalizeIdentifier, PhoneKeepsDigitsAndALeadingPlus) {
  EXPECT_EQ(*norm(IdentifierKind::kPhone, "+49 (30) 1234-567"), "+49301234567");
  EXPECT_EQ(*norm(IdentifierKind::kPhone, " 030.1234.567 "), "0301234567");
  EXPECT_EQ(*norm(IdentifierKind::kPhone, "12345"), "12345");
}

TEST(NormalizeIdentifier, BadPhonesAreRefused) {
  for (const char* bad : {"", "+", "1234", "+49 12", "49+301234567", "++49301234567",
                          "030 1234 567 ext 2", "030/1234567", "tel:+49301234567"}) {
    EXPECT_THAT(norm(IdentifierKind::kPhone, bad),
                StatusIs(StatusCode::kInvalidArgument, HasSubstr("expected a phone number")))
        << bad;
  }
}

TEST(NormalizeIdentifier, CustomerIdAndOtherAreTrimmedWithCaseKept) {
  EXPECT_EQ(*norm(IdentifierKind::kCustomerId, "  C-00042 "), "C-00042");
  EXPECT_EQ(*norm(IdentifierKind::kOther, "AbC"), "AbC");
  EXPECT_THAT(norm(IdentifierKind::kCustomerId, " \t "),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("non-empty customer id")));
  EXPECT_THAT(norm(IdentifierKind::kOther, ""),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("empty")));
}

TEST(BlindIndexer, EqualForEqualNormalizedInput) {
  const SecretKey master = SecretKey::generate();
  const BlindIndexer a(master);
  const BlindIndexer b(master);
  const std::string x = a.index("email", *norm(IdentifierKind::kEmail, " Ann@Example.COM"));
  EXPECT_EQ(x.size(), 16u);
  EXPECT_EQ(x, a.index("email", "ann@example.com"));
  EXPECT_EQ(x, b.index("email", "ann@example.com"));
  EXPECT_NE(x, a.index("email", "bob@example.com"));
}

TEST(BlindIndexer, DiffersAcrossDomainsAndMasterKeys) {
  const SecretKey master = SecretKey::generate();
  const BlindIndexer a(master);
  EXPECT_NE(a.index("phone", "4930123"), a.index("customer_id", "4930123"));
  // The separator keeps the boundary between domain and value.
  EXPECT_NE(a.index("ab", "c"), a.index("a", "bc"));
  const BlindIndexer other(SecretKey::generate());
  EXPECT_NE(a.index("email", "ann@example.com"), other.index("email", "ann@example.com"));
}

TEST(BlindIndexer, IsKeyedBlake2bOverDomainNulValue) {
  const SecretKey master = SecretKey::generate();
  const BlindIndexer a(master);
  const std::string expected = keyed_hash(derive_subkey(master, SubKey::kBlindIndex),
                                          std::string("email\0ann@example.com", 21), 16);
  EXPECT_EQ(a.index("email", "ann@example.com"), expected);
  EXPECT_EQ(a.index("", ""),
            keyed_hash(derive_subkey(master, SubKey::kBlindIndex), std::string(1, '\0'), 16));
  // Not the plain hash of the value: without the key it cannot be recomputed.
  EXPECT_NE(a.index("email", "ann@example.com"), hash256("ann@example.com").substr(0, 16));
}

}  // namespace
}  // namespace consentric::crypto
