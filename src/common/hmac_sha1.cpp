#include "common/hmac_sha1.hpp"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <memory>
#include <stdexcept>

namespace medrtc {
namespace {

struct MacCtxDeleter {
  void operator()(EVP_MAC_CTX* ctx) const { EVP_MAC_CTX_free(ctx); }
};

// One HMAC context per thread (each media worker is one thread), re-keyed per message:
// fetching the algorithm and allocating a context per STUN check would be wasted work.
EVP_MAC_CTX* threadMacContext() {
  thread_local std::unique_ptr<EVP_MAC_CTX, MacCtxDeleter> ctx = [] {
    EVP_MAC* mac = EVP_MAC_fetch(nullptr, OSSL_MAC_NAME_HMAC, nullptr);
    if (mac == nullptr) {
      throw std::runtime_error("OpenSSL has no HMAC");
    }
    std::unique_ptr<EVP_MAC_CTX, MacCtxDeleter> c(EVP_MAC_CTX_new(mac));
    EVP_MAC_free(mac);  // the context keeps its own reference
    if (!c) {
      throw std::runtime_error("EVP_MAC_CTX_new failed");
    }
    return c;
  }();
  return ctx.get();
}

}  // namespace

std::array<uint8_t, kHmacSha1Size> hmacSha1(ByteView key, std::initializer_list<ByteView> parts) {
  std::array<uint8_t, kHmacSha1Size> out{};
  EVP_MAC_CTX* ctx = threadMacContext();
  char digest[] = "SHA1";
  OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0), OSSL_PARAM_construct_end()};
  // An empty key is legal HMAC; OpenSSL wants a non-null pointer for it.
  static const uint8_t kEmpty = 0;
  const uint8_t* keyBytes = key.empty() ? &kEmpty : key.data();
  size_t len = 0;
  bool ok = EVP_MAC_init(ctx, keyBytes, key.size(), params) == 1;
  for (ByteView part : parts) {
    ok = ok && EVP_MAC_update(ctx, part.data(), part.size()) == 1;
  }
  ok = ok && EVP_MAC_final(ctx, out.data(), &len, out.size()) == 1 && len == kHmacSha1Size;
  if (!ok) {
    // Never hand back a MAC of zeros: a caller comparing against it would accept a forged one.
    throw std::runtime_error("HMAC-SHA1 failed");
  }
  return out;
}

std::array<uint8_t, kHmacSha1Size> hmacSha1(std::string_view key, std::initializer_list<ByteView> parts) {
  return hmacSha1(bytesOf(key), parts);
}

bool equalsConstantTime(ByteView a, ByteView b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace medrtc
