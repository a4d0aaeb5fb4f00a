#include "dtls/fingerprint.hpp"

#include <gtest/gtest.h>

namespace medrtc::dtls {
namespace {

TEST(Fingerprint, AlgorithmNamesAreCaseInsensitive) {
  EXPECT_EQ(fingerprintAlgorithmFromName("sha-256"), FingerprintAlgorithm::kSha256);
  EXPECT_EQ(fingerprintAlgorithmFromName("SHA-256"), FingerprintAlgorithm::kSha256);
  EXPECT_EQ(fingerprintAlgorithmFromName("sha-1"), FingerprintAlgorithm::kSha1);
  EXPECT_EQ(fingerprintAlgorithmFromName("sha-384"), FingerprintAlgorithm::kSha384);
  EXPECT_EQ(fingerprintAlgorithmFromName("sha-512"), FingerprintAlgorithm::kSha512);
  EXPECT_EQ(fingerprintAlgorithmFromName("md5"), std::nullopt);
  EXPECT_EQ(fingerprintAlgorithmFromName("sha256"), std::nullopt);
  EXPECT_EQ(toString(FingerprintAlgorithm::kSha256), "sha-256");
}

TEST(Fingerprint, ParsesAndFormatsRoundTrip) {
  std::string sdp = "AB:cd:01:23:45:67:89:AB:CD:EF:00:11:22:33:44:55:66:77:88:99";
  auto fp = parseFingerprint(FingerprintAlgorithm::kSha1, sdp);
  ASSERT_TRUE(fp.has_value());
  EXPECT_EQ(fp->digest.size(), 20u);
  EXPECT_EQ(fp->digest[0], 0xab);
  EXPECT_EQ(fp->digest[1], 0xcd);
  EXPECT_EQ(formatFingerprint(fp->digest), "AB:CD:01:23:45:67:89:AB:CD:EF:00:11:22:33:44:55:66:77:88:99");
}

TEST(Fingerprint, RejectsMalformedValues) {
  auto alg = FingerprintAlgorithm::kSha1;
  EXPECT_FALSE(parseFingerprint(alg, ""));
  EXPECT_FALSE(parseFingerprint(alg, "AB:CD"));  // too short for sha-1
  EXPECT_FALSE(parseFingerprint(alg, "AB-CD-01-23-45-67-89-AB-CD-EF-00-11-22-33-44-55-66-77-88-99"));
  EXPECT_FALSE(parseFingerprint(alg, "AB:CD:01:23:45:67:89:AB:CD:EF:00:11:22:33:44:55:66:77:88:9G"));
  EXPECT_FALSE(parseFingerprint(alg, "AB:CD:01:23:45:67:89:AB:CD:EF:00:11:22:33:44:55:66:77:88:99:"));
}

}  // namespace
}  // namespace medrtc::dtls
