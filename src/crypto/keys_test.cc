#include "crypto/keys.h"

#include <sys/stat.h>

#include <set>

#include "testing/status_matchers.h"

namespace consentric::crypto {
namespace {

using ::consentric::testing::StatusIs;
using ::consentric::testing::TempDir;
using ::testing::HasSubstr;
using ::testing::Not;

SecretKey key_of(char fill) {
  return std::move(SecretKey::from_bytes(std::string(kKeyBytes, fill))).value();
}

TEST(SecretKey, DefaultIsZeroAndGenerateIsRandom) {
  EXPECT_EQ(SecretKey().view(), std::string(kKeyBytes, '\0'));
  const SecretKey a = SecretKey::generate();
  const SecretKey b = SecretKey::generate();
  EXPECT_NE(a.view(), b.view());
  EXPECT_NE(a.view(), SecretKey().view());
}

TEST(SecretKey, CopiesHoldTheSameBytes) {
  const SecretKey a = SecretKey::generate();
  SecretKey b(a);
  EXPECT_EQ(a.view(), b.view());
  SecretKey c;
  c = a;
  EXPECT_EQ(c.view(), a.view());
  c = c;  // self-assignment keeps the key
  EXPECT_EQ(c.view(), a.view());
}

TEST(SecretKey, FromBytesChecksTheLength) {
  EXPECT_THAT(SecretKey::from_bytes("short"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("32 bytes")));
  EXPECT_THAT(SecretKey::from_bytes(std::string(33, 'x')),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("33")));
  ASSERT_OK(SecretKey::from_bytes(std::string(32, 'x')));
}

TEST(DeriveSubkey, DiffersPerJobAndIsDeterministic) {
  const SecretKey master = SecretKey::generate();
  std::set<std::string> seen;
  for (SubKey k : {SubKey::kWrap, SubKey::kBlindIndex, SubKey::kTokenMac, SubKey::kKeyCheck,
                   SubKey::kPseudonym}) {
    const std::string v(derive_subkey(master, k).view());
    EXPECT_EQ(v, derive_subkey(master, k).view());
    EXPECT_NE(v, master.view());
    seen.insert(v);
  }
  EXPECT_EQ(seen.size(), 5u);
  EXPECT_NE(derive_subkey(master, SubKey::kWrap).view(),
            derive_subkey(SecretKey::generate(), SubKey::kWrap).view());
}

TEST(DeriveSubkey, IsPinnedToContextAndId) {
  // A change of KDF context or sub-key numbering would make every existing store unreadable.
  // Expected values computed independently: BLAKE2b-256 keyed with the master key, salt = the
  // sub-key id (little-endian), personalization = "cnsntrc1" (libsodium 1.0.18's crypto_kdf).
  const SecretKey master = key_of('\x01');
  EXPECT_EQ(to_hex(derive_subkey(master, SubKey::kWrap).view()),
            "c9e14f351a1b493820d4b800462f13c0512fdc513c952e1ef152a5d19df99850");
  EXPECT_EQ(to_hex(derive_subkey(master, SubKey::kBlindIndex).view()),
            "1e872c30cd9e55fd6197dfbcca868ad490f1568eaa50b106a2dbbaf83de03cea");
}

TEST(Seal, RoundTrips) {
  const SecretKey key = SecretKey::generate();
  for (const std::string& pt : {std::string(), std::string("ann@example.com"),
                                std::string(10000, 'z'), std::string("\0\1\2", 3)}) {
    const std::string sealed = seal(key, pt, "profiles|email|42|1");
    EXPECT_EQ(sealed.size(), pt.size() + 41);
    EXPECT_EQ(sealed[0], '\x01');
    auto opened = open(key, sealed, "profiles|email|42|1");
    ASSERT_OK(opened);
    EXPECT_EQ(*opened, pt);
  }
}

TEST(Seal, SamePlaintextSealsDifferently) {
  const SecretKey key = SecretKey::generate();
  const std::string a = seal(key, "same", "aad");
  const std::string b = seal(key, "same", "aad");
  EXPECT_NE(a, b);
  EXPECT_NE(a.substr(1, 24), b.substr(1, 24));  // the nonces differ
}

TEST(Seal, CiphertextDoesNotContainThePlaintext) {
  const std::string sealed = seal(SecretKey::generate(), "ann@example.com", "");
  EXPECT_EQ(sealed.find("ann@example.com"), std::string::npos);
}

TEST(Open, TamperedCiphertextIsDataLoss) {
  const SecretKey key = SecretKey::generate();
  const std::string sealed = seal(key, "secret value", "aad");
  for (std::size_t i = 1; i < sealed.size(); ++i) {  // every byte of nonce, ciphertext and tag
    std::string bad = sealed;
    bad[i] = static_cast<char>(bad[i] ^ 0x01);
    EXPECT_THAT(open(key, bad, "aad"), StatusIs(StatusCode::kDataLoss, HasSubstr("authentication")))
        << "byte " << i;
  }
}

TEST(Open, TamperedAadIsDataLoss) {
  const SecretKey key = SecretKey::generate();
  const std::string sealed = seal(key, "secret value", "profiles|email|42|1");
  EXPECT_THAT(open(key, sealed, "profiles|email|43|1"),
              StatusIs(StatusCode::kDataLoss, HasSubstr("altered")));
  EXPECT_THAT(open(key, sealed, ""), StatusIs(StatusCode::kDataLoss, HasSubstr("altered")));
}

TEST(Open, WrongKeyIsDataLoss) {
  const std::string sealed = seal(SecretKey::generate(), "secret value", "aad");
  EXPECT_THAT(open(SecretKey::generate(), sealed, "aad"),
              StatusIs(StatusCode::kDataLoss, HasSubstr("key")));
}

TEST(Open, TruncatedInputIsDataLoss) {
  const SecretKey key = SecretKey::generate();
  const std::string sealed = seal(key, "secret value", "aad");
  for (std::size_t n = 0; n < sealed.size(); ++n) {
    EXPECT_THAT(open(key, std::string_view(sealed).substr(0, n), "aad"),
                StatusIs(StatusCode::kDataLoss, ::testing::_))
        << "length " << n;
  }
  EXPECT_THAT(open(key, "", "aad"), StatusIs(StatusCode::kDataLoss, HasSubstr("shorter than")));
  EXPECT_THAT(open(key, std::string_view(sealed).substr(0, 40), "aad"),
              StatusIs(StatusCode::kDataLoss, HasSubstr("40 bytes")));
}

TEST(Open, WrongVersionIsDataLoss) {
  const SecretKey key = SecretKey::generate();
  std::string sealed = seal(key, "secret value", "aad");
  sealed[0] = '\x02';
  EXPECT_THAT(open(key, sealed, "aad"),
              StatusIs(StatusCode::kDataLoss, HasSubstr("version 2, expected 1")));
  sealed[0] = '\x00';
  EXPECT_THAT(open(key, sealed, "aad"), StatusIs(StatusCode::kDataLoss, HasSubstr("version 0")));
}

TEST(Open, SurvivesArbitraryInput) {
  const SecretKey key = SecretKey::generate();
  for (std::size_t n = 0; n < 200; ++n) {
    std::string junk = random_bytes(n);
    if (!junk.empty()) junk[0] = '\x01';
    EXPECT_THAT(open(key, junk, ""), StatusIs(StatusCode::kDataLoss, ::testing::_));
  }
}

TEST(Hash, KeyedHashIsKeyedAndSized) {
  const SecretKey a = SecretKey::generate();
  const SecretKey b = SecretKey::generate();
  EXPECT_EQ(keyed_hash(a, "m", 16).size(), 16u);
  EXPECT_EQ(keyed_hash(a, "m", 64).size(), 64u);
  EXPECT_EQ(keyed_hash(a, "m", 32), keyed_hash(a, "m", 32));
  EXPECT_NE(keyed_hash(a, "m", 32), keyed_hash(b, "m", 32));
  EXPECT_NE(keyed_hash(a, "m", 32), keyed_hash(a, "n", 32));
  EXPECT_EQ(keyed_hash(a, "", 32).size(), 32u);
}

TEST(Hash, Hash256MatchesBlake2bTestVector) {
  // BLAKE2b-256 of the empty string and of "abc".
  EXPECT_EQ(to_hex(hash256("")),
            "0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8");
  EXPECT_EQ(to_hex(hash256("abc")),
            "bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319");
}

TEST(Hex, RoundTripsAndNamesBadInput) {
  const std::string bytes("\x00\x01\xab\xff", 4);
  EXPECT_EQ(to_hex(bytes), "0001abff");
  EXPECT_EQ(*from_hex("0001abff"), bytes);
  EXPECT_EQ(*from_hex("0001ABFF"), bytes);
  EXPECT_EQ(*from_hex(""), "");
  EXPECT_THAT(from_hex("abc"), StatusIs(StatusCode::kInvalidArgument, HasSubstr("odd number")));
  EXPECT_THAT(from_hex("ab g1"), StatusIs(StatusCode::kInvalidArgument, HasSubstr("offset 2")));
  EXPECT_THAT(from_hex("zz"), StatusIs(StatusCode::kInvalidArgument, HasSubstr("\"z\"")));
}

TEST(Base64url, RoundTripsEveryLength) {
  for (std::size_t n = 0; n < 70; ++n) {
    const std::string bytes = random_bytes(n);
    const std::string text = to_base64url(bytes);
    EXPECT_EQ(text.find_first_of("+/="), std::string::npos);
    auto back = from_base64url(text);
    ASSERT_OK(back);
    EXPECT_EQ(*back, bytes);
  }
}

TEST(Base64url, KnownValuesAndPadding) {
  EXPECT_EQ(to_base64url("\xfb\xff"), "-_8");
  EXPECT_EQ(*from_base64url("-_8"), "\xfb\xff");
  EXPECT_EQ(*from_base64url("-_8="), "\xfb\xff");
  EXPECT_EQ(*from_base64url("YQ=="), "a");
  EXPECT_EQ(*from_base64url("YQ"), "a");
}

TEST(Base64url, NamesBadInput) {
  EXPECT_THAT(from_base64url("+/8"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("'-' and '_'")));
  EXPECT_THAT(from_base64url("ab c"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("offset 2")));
  EXPECT_THAT(from_base64url("a=bc"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("offset 1")));
  EXPECT_THAT(from_base64url("abcde"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("5 characters")));
  EXPECT_THAT(from_base64url("YR"), StatusIs(StatusCode::kInvalidArgument, HasSubstr("canonical")));
  EXPECT_THAT(from_base64url("YQ==="), StatusIs(StatusCode::kInvalidArgument, ::testing::_));
}

TEST(MasterKey, EncodeDecodeRoundTrip) {
  const SecretKey key = SecretKey::generate();
  const std::string text = encode_master_key(key);
  EXPECT_TRUE(text.starts_with("consentric-key-v1:"));
  EXPECT_EQ(text.size(), 18u + 43u);
  auto back = decode_master_key(text);
  ASSERT_OK(back);
  EXPECT_EQ(back->view(), key.view());
  auto with_newline = decode_master_key(text + "\n");
  ASSERT_OK(with_newline);
  EXPECT_EQ(with_newline->view(), key.view());
  ASSERT_OK(decode_master_key("  " + text + " \r\n"));
}

TEST(MasterKey, MalformedTextIsRefusedWithoutEchoingIt) {
  const std::string good = encode_master_key(SecretKey::generate());
  const std::string body = good.substr(18);
  EXPECT_THAT(decode_master_key(""),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("must start with")));
  EXPECT_THAT(decode_master_key(body),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("must start with")));
  EXPECT_THAT(decode_master_key("consentric-key-v2:" + body),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("must start with")));
  EXPECT_THAT(decode_master_key("consentric-key-v1:" + to_base64url(random_bytes(31))),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("31 bytes, expected 32")));
  EXPECT_THAT(decode_master_key(good.substr(0, good.size() - 4)),
              StatusIs(StatusCode::kInvalidArgument, ::testing::_));
  EXPECT_THAT(decode_master_key(good + "AAAA"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("35 bytes")));
  std::string bad = good;
  bad[30] = '!';
  const auto r = decode_master_key(bad);
  EXPECT_THAT(r, StatusIs(StatusCode::kInvalidArgument, HasSubstr("base64url")));
  EXPECT_THAT(r.status().message(), Not(HasSubstr(body.substr(0, 8))));
}

TEST(MasterKeyFile, WritesMode0600AndReadsBack) {
  TempDir dir;
  const auto path = dir / "master.key";
  const SecretKey key = SecretKey::generate();
  ::umask(022);
  ASSERT_OK(write_master_key_file(path, key));
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(::consentric::testing::read_file(path), encode_master_key(key) + "\n");
  auto back = read_master_key_file(path);
  ASSERT_OK(back);
  EXPECT_EQ(back->view(), key.view());
}

TEST(MasterKeyFile, NeverOverwritesAKey) {
  TempDir dir;
  const auto path = dir / "master.key";
  const SecretKey key = SecretKey::generate();
  ASSERT_OK(write_master_key_file(path, key));
  EXPECT_THAT(write_master_key_file(path, SecretKey::generate()),
              StatusIs(StatusCode::kAlreadyExists, HasSubstr("master.key")));
  EXPECT_EQ(read_master_key_file(path)->view(), key.view());
  EXPECT_THAT(write_master_key_file(dir / "no" / "such.key", key),
              StatusIs(StatusCode::kNotFound, HasSubstr("folder")));
}

TEST(MasterKeyFile, RefusesAFileOthersCanRead) {
  // The check reads the mode bits, so it holds even for root, who could read the file anyway.
  TempDir dir;
  const auto path = dir / "master.key";
  ASSERT_OK(write_master_key_file(path, SecretKey::generate()));
  ASSERT_EQ(::chmod(path.c_str(), 0644), 0);
  EXPECT_THAT(read_master_key_file(path),
              StatusIs(StatusCode::kPermissionDenied, HasSubstr("chmod 600 " + path.string())));
  ASSERT_EQ(::chmod(path.c_str(), 0640), 0);
  EXPECT_THAT(read_master_key_file(path),
              StatusIs(StatusCode::kPermissionDenied, HasSubstr("0640")));
  ASSERT_EQ(::chmod(path.c_str(), 0602), 0);
  EXPECT_THAT(read_master_key_file(path), StatusIs(StatusCode::kPermissionDenied, ::testing::_));
  ASSERT_EQ(::chmod(path.c_str(), 0400), 0);
  EXPECT_OK(read_master_key_file(path));
}

TEST(MasterKeyFile, MissingAndMalformedFiles) {
  TempDir dir;
  EXPECT_THAT(read_master_key_file(dir / "none.key"),
              StatusIs(StatusCode::kNotFound, HasSubstr("none.key")));
  const auto path = dir / "bad.key";
  ::consentric::testing::write_file(path, "not a key\n");
  ASSERT_EQ(::chmod(path.c_str(), 0600), 0);
  EXPECT_THAT(read_master_key_file(path),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("bad.key")));
  ::consentric::testing::write_file(path, std::string(5000, 'a'));
  EXPECT_THAT(read_master_key_file(path),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("larger than")));
  EXPECT_THAT(read_master_key_file(dir.path()),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("regular file")));
}

TEST(Hash256File, MatchesHashOfContentsAndNamesAMissingFile) {
  ::consentric::testing::TempDir dir;
  std::string big(3 * (1 << 20) + 17, 'x');
  ::consentric::testing::write_file(dir / "f", big);
  auto h = hash256_file(dir / "f");
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(*h, hash256(big));
  EXPECT_EQ(hash256_file(dir / "missing").status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace consentric::crypto
