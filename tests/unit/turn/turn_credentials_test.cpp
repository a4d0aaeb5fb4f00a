// TURN REST credentials (draft-uberti-behave-turn-rest-00 §2.2) as coturn's
// use-auth-secret mode checks them. Expected values computed with
//   printf %s "1700003600:p_alice" | openssl dgst -sha1 -hmac s3cret -binary | base64
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "turn/turn_credentials.hpp"

namespace medrtc::turn {
namespace {

constexpr int64_t kNow = 1'700'000'000;

TEST(TurnCredentials, UsernameIsExpiryColonUserAndCredentialIsBase64HmacSha1) {
  TurnCredential c = makeCredential("s3cret", "p_alice", kNow, 3600);
  EXPECT_EQ(c.username, "1700003600:p_alice");
  EXPECT_EQ(c.credential, "hrQCdnX3N8csCmO83KQQKEab+4w=");
  EXPECT_EQ(c.expiresAt, kNow + 3600);
}

TEST(TurnCredentials, ColonInUserIdCannotForgeAnotherExpiry) {
  TurnCredential c = makeCredential("s3cret", "p:a:b", kNow, 3600);
  EXPECT_EQ(c.username, "1700003600:p_a_b");
  EXPECT_EQ(c.credential, "asUvtVaHlBVNLd7GeWcftAqykhw=");
}

TEST(TurnCredentials, ExpiresAfterTheProfileLifetime) {
  TurnCredential c = makeCredential("s3cret", "p_alice", kNow, 3600);
  EXPECT_TRUE(verifyCredential("s3cret", c.username, c.credential, kNow));
  EXPECT_TRUE(verifyCredential("s3cret", c.username, c.credential, kNow + 3599));
  EXPECT_FALSE(verifyCredential("s3cret", c.username, c.credential, kNow + 3600));
  EXPECT_FALSE(verifyCredential("other", c.username, c.credential, kNow));
  EXPECT_FALSE(verifyCredential("s3cret", "1700009999:p_alice", c.credential, kNow));  // edited expiry
  EXPECT_FALSE(verifyCredential("s3cret", "garbage", c.credential, kNow));
}

TEST(TurnCredentials, IssuerHandsOneIceServerWithEveryUrl) {
  TurnCredentialIssuer issuer({"turn:127.0.0.1:3478?transport=udp", "turn:127.0.0.1:3478?transport=tcp"}, "s3cret",
                              600);
  auto servers = issuer.issue("p_bob", kNow);
  ASSERT_EQ(servers.size(), 1u);
  EXPECT_EQ(servers[0].urls.size(), 2u);
  EXPECT_EQ(servers[0].username, "1700000600:p_bob");
  EXPECT_TRUE(verifyCredential("s3cret", servers[0].username, servers[0].credential, kNow + 599));
  EXPECT_FALSE(verifyCredential("s3cret", servers[0].username, servers[0].credential, kNow + 601));
  EXPECT_TRUE(TurnCredentialIssuer({}, "s3cret", 600).issue("p_bob", kNow).empty());
}

TEST(TurnCredentials, TurnUris) {
  EXPECT_TRUE(isTurnUri("turn:127.0.0.1:3478"));
  EXPECT_TRUE(isTurnUri("turn:turn.example.org"));
  EXPECT_TRUE(isTurnUri("turns:turn.example.org:5349?transport=tcp"));
  EXPECT_TRUE(isTurnUri("turn:[::1]:3478?transport=udp"));
  EXPECT_FALSE(isTurnUri("stun:127.0.0.1:3478"));
  EXPECT_FALSE(isTurnUri("turn:"));
  EXPECT_FALSE(isTurnUri("turn:host:99999"));
  EXPECT_FALSE(isTurnUri("turn:host:3478?transport=sctp"));
  EXPECT_FALSE(isTurnUri("turn:user@host"));
}

TEST(TurnCredentials, SecretFileMustBePrivateAndNonEmpty) {
  auto path = std::filesystem::temp_directory_path() / "medrtc-turn-secret-test";
  {
    std::ofstream(path) << "abc123\n";
  }
  ::chmod(path.c_str(), 0644);
  EXPECT_FALSE(readSecretFile(path).ok());
  ::chmod(path.c_str(), 0600);
  auto secret = readSecretFile(path);
  ASSERT_TRUE(secret.ok()) << secret.error();
  EXPECT_EQ(*secret, "abc123");
  {
    std::ofstream(path) << "\n";
  }
  EXPECT_FALSE(readSecretFile(path).ok());
  std::filesystem::remove(path);
  EXPECT_FALSE(readSecretFile(path).ok());
}

}  // namespace
}  // namespace medrtc::turn
