#pragma once
// HMAC-SHA1 (RFC 2104) with the key absorbed once, at key setup: the inner and outer SHA-1
// states after the padded key block are kept, so authenticating a packet starts from a
// plain struct copy. OpenSSL 3.0's EVP_MAC/HMAC_CTX reset copies an EVP_MD_CTX, which
// allocates a new provider context on every packet; this does not allocate at all.
#include <cstddef>
#include <cstdint>

#include <openssl/sha.h>

#include "common/bytes.hpp"

namespace medrtc::srtp {

inline constexpr size_t kSha1DigestLength = 20;

class HmacSha1 {
 public:
  HmacSha1() = default;
  ~HmacSha1();
  HmacSha1(const HmacSha1&) = delete;
  HmacSha1& operator=(const HmacSha1&) = delete;

  // key: at most 64 bytes (SHA-1's block), which every SRTP auth key is.
  void setKey(ByteView key);

  // One MAC computation; start() copies the keyed inner state.
  class Run {
   public:
    explicit Run(const HmacSha1& mac);
    void update(const uint8_t* data, size_t length);
    void finish(uint8_t out[kSha1DigestLength]);

   private:
    const HmacSha1& mac_;
    SHA_CTX inner_;
  };

 private:
  SHA_CTX inner_{};
  SHA_CTX outer_{};
};

}  // namespace medrtc::srtp
