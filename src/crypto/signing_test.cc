#include "crypto/signing.h"

#include "testing/status_matchers.h"

namespace consentric::crypto {
namespace {

using ::consentric::testing::StatusIs;

std::string unhex(std::string_view hex) { return std::move(from_hex(hex)).value(); }

SecretKey seed_of(std::string_view hex) {
  return std::move(SecretKey::from_bytes(unhex(hex))).value();
}

// RFC 8032 §7.1, TEST 1 and TEST 2.
TEST(Ed25519, MatchesRfc8032Vectors) {
  const SigningKey k1 = signing_key_from_seed(
      seed_of("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"));
  EXPECT_EQ(to_hex(k1.public_key()),
            "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
  EXPECT_EQ(to_hex(sign_detached(k1, "")),
            "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bac"
            "c61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b");

  const SigningKey k2 = signing_key_from_seed(
      seed_of("4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb"));
  EXPECT_EQ(to_hex(k2.public_key()),
            "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c");
  const std::string sig = sign_detached(k2, unhex("72"));
  EXPECT_EQ(to_hex(sig),
            "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e"
            "458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00");
  EXPECT_TRUE(verify_detached(k2.public_key(), unhex("72"), sig));
}

TEST(Ed25519, RejectsAlteredMessageSignatureOrKey) {
  const SigningKey key = signing_key_from_seed(SecretKey::generate());
  const SigningKey other = signing_key_from_seed(SecretKey::generate());
  const std::string msg = "tree size 42";
  const std::string sig = sign_detached(key, msg);
  ASSERT_EQ(sig.size(), kSignatureBytes);
  EXPECT_TRUE(verify_detached(key.public_key(), msg, sig));
  EXPECT_FALSE(verify_detached(key.public_key(), "tree size 43", sig));
  EXPECT_FALSE(verify_detached(other.public_key(), msg, sig));
  for (std::size_t i = 0; i < sig.size(); i += 7) {
    std::string bad = sig;
    bad[i] = static_cast<char>(bad[i] ^ 0x01);
    EXPECT_FALSE(verify_detached(key.public_key(), msg, bad)) << "byte " << i;
  }
  // Wrong lengths are invalid, not undefined behaviour.
  EXPECT_FALSE(verify_detached(key.public_key(), msg, sig.substr(0, 63)));
  EXPECT_FALSE(verify_detached(key.public_key(), msg, sig + "x"));
  EXPECT_FALSE(verify_detached(key.public_key().substr(1), msg, sig));
  EXPECT_FALSE(verify_detached("", msg, ""));
}

TEST(Ed25519, SeedDeterminesKeyAndCopiesSign) {
  const SecretKey master = SecretKey::generate();
  const SigningKey a = signing_key_from_seed(derive_subkey(master, SubKey::kAuditSigning));
  const SigningKey b = signing_key_from_seed(derive_subkey(master, SubKey::kAuditSigning));
  EXPECT_EQ(a.public_key(), b.public_key());
  EXPECT_EQ(a.public_key().size(), kSigningPublicKeyBytes);
  // Another sub-key job gives another key pair.
  EXPECT_NE(a.public_key(),
            signing_key_from_seed(derive_subkey(master, SubKey::kPseudonym)).public_key());
  SigningKey c = a;
  EXPECT_EQ(sign_detached(c, "m"), sign_detached(a, "m"));
  c = signing_key_from_seed(SecretKey::generate());
  EXPECT_NE(c.public_key(), a.public_key());
}

TEST(Sha256, KnownAnswers) {
  EXPECT_EQ(to_hex(sha256("")), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(to_hex(sha256("abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Base64, StandardAlphabetWithPadding) {
  EXPECT_EQ(to_base64(""), "");
  EXPECT_EQ(to_base64("f"), "Zg==");
  EXPECT_EQ(to_base64("fo"), "Zm8=");
  EXPECT_EQ(to_base64("foo"), "Zm9v");
  EXPECT_EQ(to_base64(unhex("fbff")), "+/8=");
  for (std::string_view s : {"", "f", "fo", "foo", "foob", "fooba", "foobar"}) {
    auto back = from_base64(to_base64(s));
    ASSERT_OK(back);
    EXPECT_EQ(*back, s);
  }
}

TEST(Base64, RejectsEverySecondSpelling) {
  EXPECT_THAT(from_base64("Zg"), StatusIs(StatusCode::kInvalidArgument,
                                          "base64 text has 2 "
                                          "characters, not a multiple "
                                          "of 4 (truncated or "
                                          "missing padding?)"));
  EXPECT_THAT(from_base64("Zh=="),  // unused bits set: "Zg==" is the one spelling of "f"
              StatusIs(StatusCode::kInvalidArgument, ::testing::HasSubstr("not valid base64")));
  EXPECT_FALSE(from_base64("Zm9v====").ok());
  EXPECT_FALSE(from_base64("Zm 9").ok());
  EXPECT_FALSE(from_base64("Zm9v\n").ok());
  EXPECT_FALSE(from_base64("-_8=").ok());  // base64url alphabet
  EXPECT_FALSE(from_base64("Z===").ok());
  EXPECT_FALSE(from_base64("=Zm9").ok());
}

}  // namespace
}  // namespace consentric::crypto
