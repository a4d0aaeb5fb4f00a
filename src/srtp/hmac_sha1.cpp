// SHA1_Init/Update/Final are deprecated in OpenSSL 3 in favour of EVP, whose context copy
// allocates (see hmac_sha1.hpp); the low-level calls run the same assembly.
#define OPENSSL_SUPPRESS_DEPRECATED 1
#include "srtp/hmac_sha1.hpp"

#include <openssl/crypto.h>

#include <cstring>

namespace medrtc::srtp {

HmacSha1::~HmacSha1() {
  OPENSSL_cleanse(&inner_, sizeof inner_);
  OPENSSL_cleanse(&outer_, sizeof outer_);
}

void HmacSha1::setKey(ByteView key) {
  uint8_t ipad[SHA_CBLOCK];
  uint8_t opad[SHA_CBLOCK];
  std::memset(ipad, 0x36, sizeof ipad);
  std::memset(opad, 0x5c, sizeof opad);
  for (size_t i = 0; i < key.size() && i < SHA_CBLOCK; ++i) {
    ipad[i] ^= key[i];
    opad[i] ^= key[i];
  }
  SHA1_Init(&inner_);
  SHA1_Update(&inner_, ipad, sizeof ipad);
  SHA1_Init(&outer_);
  SHA1_Update(&outer_, opad, sizeof opad);
  OPENSSL_cleanse(ipad, sizeof ipad);
  OPENSSL_cleanse(opad, sizeof opad);
}

HmacSha1::Run::Run(const HmacSha1& mac) : mac_(mac), inner_(mac.inner_) {}

void HmacSha1::Run::update(const uint8_t* data, size_t length) { SHA1_Update(&inner_, data, length); }

void HmacSha1::Run::finish(uint8_t out[kSha1DigestLength]) {
  uint8_t innerDigest[kSha1DigestLength];
  SHA1_Final(innerDigest, &inner_);
  SHA_CTX outer = mac_.outer_;
  SHA1_Update(&outer, innerDigest, sizeof innerDigest);
  SHA1_Final(out, &outer);
  OPENSSL_cleanse(&outer, sizeof outer);
}

}  // namespace medrtc::srtp
