#include "clinic/password.hpp"

#include <sodium.h>

#include <stdexcept>

namespace medrtc::clinic {

namespace {

// OWASP's argon2id floor is 19 MiB / 2 passes; libsodium's "interactive" limits (64 MiB,
// 2 passes) are above it and take ~50-100 ms here.
constexpr unsigned long long kOpsLimit = crypto_pwhash_OPSLIMIT_INTERACTIVE;
constexpr size_t kMemLimit = crypto_pwhash_MEMLIMIT_INTERACTIVE;

void initSodium() {
  if (sodium_init() < 0) {
    throw std::runtime_error("libsodium initialisation failed");
  }
}

}  // namespace

std::string hashPassword(std::string_view password) {
  initSodium();
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, password.data(), password.size(), kOpsLimit, kMemLimit,
                            crypto_pwhash_ALG_ARGON2ID13) != 0) {
    throw std::runtime_error("password hashing ran out of memory");
  }
  return out;
}

bool verifyPassword(std::string_view encodedHash, std::string_view password) {
  initSodium();
  if (encodedHash.empty() || encodedHash.size() >= crypto_pwhash_STRBYTES) {
    return false;
  }
  std::string hash(encodedHash);  // NUL-terminated copy
  return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

void verifyPasswordDummy(std::string_view password) {
  static const std::string dummy = hashPassword("medrtc-dummy-password");
  (void)verifyPassword(dummy, password);
}

}  // namespace medrtc::clinic
