#include "srtp/crypto_backend.hpp"

#include <srtp2/srtp.h>

#include <mutex>

#if MEDRTC_SRTP_NSS
#include <nss.h>
#endif

namespace medrtc::srtp {
namespace {

bool tunedForTime = false;

#if MEDRTC_SRTP_NSS
// libsrtp's NSS ciphers call NSS_InitContext(..., NSS_INIT_OPTIMIZESPACE) on first use.
// Optimised for space, NSS's softoken keeps open sessions and key objects in 32-bucket
// hash tables. Every SRTP session holds key objects (each with its own open session), and
// every packet opens and closes a transient session (PK11_Encrypt/PK11_Decrypt), which
// walks one of those chains to find a free handle: with 80 transports that chain walk was
// the single hottest spot of the media worker (5 % of its CPU, libsoftokn3). Initialising
// NSS first without OPTIMIZESPACE gives 1,024-bucket tables; libsrtp's later
// NSS_InitContext calls then only add references to the running NSS. No database is
// opened (NOCERTDB, NOMODDB): only the built-in software token is used.
void initNssForTime() {
  if (NSS_IsInitialized()) {
    return;  // someone else set NSS up: keep their settings
  }
  constexpr PRUint32 kFlags =
      NSS_INIT_READONLY | NSS_INIT_NOCERTDB | NSS_INIT_NOMODDB | NSS_INIT_FORCEOPEN | NSS_INIT_NOROOTINIT;
  // Never shut down: sessions live until process exit, and NSS must outlive them.
  tunedForTime = NSS_InitContext("", "", "", "", nullptr, kFlags) != nullptr;
}
#endif

}  // namespace

bool initCryptoBackendOnce() {
  // srtp_init is not thread-safe and must run once per process before any session.
  static std::once_flag once;
  static bool ok = false;
  std::call_once(once, [] {
#if MEDRTC_SRTP_NSS
    initNssForTime();
#endif
    ok = srtp_init() == srtp_err_status_ok;
  });
  return ok;
}

bool nssTunedForTime() {
  initCryptoBackendOnce();
  return tunedForTime;
}

}  // namespace medrtc::srtp
