#include "crypto/recipient_tokens.h"

#include <gtest/gtest.h>

namespace consentric::crypto {
namespace {

TEST(RecipientTokens, StablePerRecipientAndUnrelatedAcrossRecipients) {
  const SecretKey master = SecretKey::generate();
  const RecipientTokens adnet(master, "adnet");
  const RecipientTokens crm(master, "crm_partner");
  const std::string a1 = adnet.token("p-1");
  EXPECT_EQ(a1.size(), 32u);
  EXPECT_EQ(a1, RecipientTokens(master, "adnet").token("p-1"));  // same in every export
  EXPECT_NE(a1, adnet.token("p-2"));
  EXPECT_NE(a1, crm.token("p-1"));  // two recipients cannot join on the token
  // Another installation's key gives other tokens for the same names.
  EXPECT_NE(a1, RecipientTokens(SecretKey::generate(), "adnet").token("p-1"));
  // The token is not the pseudonym's plain hash or the pseudonym itself.
  EXPECT_EQ(a1.find("p-1"), std::string::npos);
  EXPECT_NE(a1, to_hex(hash256("p-1")).substr(0, 32));
}

}  // namespace
}  // namespace consentric::crypto
