#include "dtls/certificate.hpp"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <regex>

namespace medrtc::dtls {
namespace {

TEST(Certificate, FingerprintIsUppercaseHexPairsForSdp) {
  auto cert = Certificate::generate();
  EXPECT_TRUE(std::regex_match(cert->fingerprintSha256(), std::regex("([0-9A-F]{2}:){31}[0-9A-F]{2}")))
      << cert->fingerprintSha256();
}

TEST(Certificate, IsSelfSignedEcdsaP256WithCommonNameMedrtc) {
  auto cert = Certificate::generate();
  EXPECT_EQ(EVP_PKEY_get_base_id(cert->privateKey()), EVP_PKEY_EC);
  char group[64] = {};
  size_t groupLength = 0;
  ASSERT_EQ(EVP_PKEY_get_group_name(cert->privateKey(), group, sizeof group, &groupLength), 1);
  EXPECT_STREQ(group, "prime256v1");
  EXPECT_EQ(X509_verify(cert->x509(), cert->privateKey()), 1);  // signed by its own key
  char cn[64] = {};
  X509_NAME_get_text_by_NID(X509_get_subject_name(cert->x509()), NID_commonName, cn, sizeof cn);
  EXPECT_STREQ(cn, "medrtc");
  EXPECT_EQ(X509_NAME_cmp(X509_get_subject_name(cert->x509()), X509_get_issuer_name(cert->x509())), 0);
}

TEST(Certificate, ValidFromADayAgoForThirtyDays) {
  auto now = std::chrono::system_clock::from_time_t(1'700'000'000);
  auto cert = Certificate::generate(now);
  time_t t = 1'700'000'000;
  time_t dayBefore = t - 86400 - 1;
  time_t dayBeforePlus = t - 86400 + 1;
  EXPECT_EQ(X509_cmp_time(X509_get0_notBefore(cert->x509()), &dayBefore), 1);
  EXPECT_EQ(X509_cmp_time(X509_get0_notBefore(cert->x509()), &dayBeforePlus), -1);
  time_t in30 = t + 30 * 86400;
  time_t in30Minus = in30 - 2;
  EXPECT_EQ(X509_cmp_time(X509_get0_notAfter(cert->x509()), &in30Minus), 1);
  time_t in30Plus = in30 + 2;
  EXPECT_EQ(X509_cmp_time(X509_get0_notAfter(cert->x509()), &in30Plus), -1);
}

TEST(Certificate, EachOneHasItsOwnKeyAndSerial) {
  auto a = Certificate::generate();
  auto b = Certificate::generate();
  EXPECT_NE(a->fingerprintSha256(), b->fingerprintSha256());
  EXPECT_NE(ASN1_INTEGER_cmp(X509_get0_serialNumber(a->x509()), X509_get0_serialNumber(b->x509())), 0);
}

TEST(Certificate, OtherAlgorithmsHaveTheirLengths) {
  auto cert = Certificate::generate();
  EXPECT_EQ(cert->fingerprint(FingerprintAlgorithm::kSha1).digest.size(), 20u);
  EXPECT_EQ(cert->fingerprint(FingerprintAlgorithm::kSha384).digest.size(), 48u);
  EXPECT_EQ(cert->fingerprint(FingerprintAlgorithm::kSha512).digest.size(), 64u);
}

}  // namespace
}  // namespace medrtc::dtls
