#include "governance/email_check.h"

#include <gtest/gtest.h>

namespace consentric::governance {
namespace {

TEST(EmailSyntax, AcceptsOrdinaryAddresses) {
  for (const char* ok : {"ann@example.com", "a.b-c_d+tag@mail.example.co.uk", "x@y.test",
                         "o'brien@shop.example", "ANN@EXAMPLE.COM", "x@a-b.example"}) {
    EXPECT_EQ(email_syntax_problem(ok), std::nullopt) << ok;
  }
}

TEST(EmailSyntax, NamesWhatIsBroken) {
  const std::pair<const char*, const char*> cases[] = {
      {"ann..b@example.com", "two dots in a row before the @"},
      {".ann@example.com", "a dot at the edge of the local part"},
      {"ann.@example.com", "a dot at the edge of the local part"},
      {"ann@example..com", "an empty part in the domain"},
      {"ann@example.com.", "an empty part in the domain"},
      {"ann@-shop.example", "starting or ending with -"},
      {"ann@shop_x.example", "a character not allowed in a domain ('_')"},
      {"an,n@example.com", "a character not allowed in an address (',')"},
      {"a@b@example.com", "more than one @"},
      {"@example.com", "nothing before the @"},
      {"ann@", "nothing after the @"},
      {"ann", "no @"},
      {"ann@localhost", "no dot in the domain"},
  };
  for (const auto& [address, why] : cases) {
    const auto problem = email_syntax_problem(address);
    ASSERT_TRUE(problem.has_value()) << address;
    EXPECT_NE(problem->find(why), std::string::npos) << address << ": " << *problem;
  }
  EXPECT_TRUE(email_syntax_problem(std::string(65, 'a') + "@example.com").has_value());
  EXPECT_FALSE(email_syntax_problem(std::string(64, 'a') + "@example.com").has_value());
}

TEST(EmailDomain, FlagsTyposAndImpossibleTopLevelDomains) {
  EXPECT_NE(email_domain_problem("ann@gmial.com")->find("gmail.com"), std::string::npos);
  EXPECT_NE(email_domain_problem("ann@HOTMIAL.COM")->find("hotmail.com"), std::string::npos);
  EXPECT_NE(email_domain_problem("ann@shop.con")->find(".com"), std::string::npos);
  EXPECT_NE(email_domain_problem("ann@shop.x")->find("one-letter"), std::string::npos);
  EXPECT_NE(email_domain_problem("ann@192.0.2.10")->find("numeric"), std::string::npos);
}

TEST(EmailDomain, LeavesRealAndReservedDomainsAlone) {
  // Reserved test domains (RFC 2606) are what the synthetic data uses: not a defect.
  for (const char* ok : {"ann@gmail.com", "ann@northwind.example", "ann@inbox.test", "ann@shop.cm",
                         "ann@firma.de", "ann@mail.co.uk", "ann@company.com"}) {
    EXPECT_EQ(email_domain_problem(ok), std::nullopt) << ok;
  }
}

TEST(MailboxKey, DropsSubAddressAndCase) {
  EXPECT_EQ(mailbox_key("Ann+News@Example.com"), "ann@example.com");
  EXPECT_EQ(mailbox_key("ann@example.com"), "ann@example.com");
  EXPECT_NE(mailbox_key("ann.b@example.com"), mailbox_key("annb@example.com"));
  EXPECT_EQ(mailbox_key("no-at-sign"), "no-at-sign");
}

}  // namespace
}  // namespace consentric::governance
