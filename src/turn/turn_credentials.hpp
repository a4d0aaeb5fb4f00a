#pragma once
// Short-lived TURN credentials in the TURN REST scheme (draft-uberti-behave-turn-rest-00
// §2.2), as coturn checks them with `use-auth-secret` + `static-auth-secret`:
//   username   = "<expiry as Unix seconds>:<user id>"
//   credential = base64(HMAC-SHA1(shared secret, username))
// The TURN server recomputes the HMAC and refuses a username whose expiry has passed, so
// medrtc never stores per-user TURN passwords and a leaked credential dies on its own.
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"

namespace medrtc::turn {

// One entry of RTCConfiguration.iceServers (W3C webrtc-pc §4.2.1, RTCIceServer).
struct IceServer {
  std::vector<std::string> urls;  // "turn:127.0.0.1:3478?transport=udp"
  std::string username;
  std::string credential;
};

struct TurnCredential {
  std::string username;
  std::string credential;
  int64_t expiresAt = 0;  // Unix seconds
};

// `userId` must not contain ':' (the draft's separator); it is replaced by '_' if it does.
TurnCredential makeCredential(std::string_view secret, std::string_view userId, int64_t nowUnix, uint32_t ttlSeconds);

// What the TURN server does: true when `credential` matches `username` under `secret` and
// the username's expiry is still in the future at `nowUnix`.
bool verifyCredential(std::string_view secret, std::string_view username, std::string_view credential,
                      int64_t nowUnix);

// Builds the iceServers entries handed to a participant in `joined`.
class TurnCredentialIssuer {
 public:
  TurnCredentialIssuer(std::vector<std::string> urls, std::string secret, uint32_t ttlSeconds);
  std::vector<IceServer> issue(std::string_view participantId, int64_t nowUnix) const;
  uint32_t ttlSeconds() const { return ttlSeconds_; }

 private:
  std::vector<std::string> urls_;
  std::string secret_;
  uint32_t ttlSeconds_;
};

// Checks a TURN URI (RFC 7065 §3.1: turn:/turns: host [":" port] ["?transport=" udp|tcp]).
bool isTurnUri(std::string_view uri);

// Reads the shared secret: the file's first line, trailing whitespace cut. Refuses an empty
// secret or a file readable by group/other (it is a credential).
Result<std::string, std::string> readSecretFile(const std::filesystem::path& file);

}  // namespace medrtc::turn
