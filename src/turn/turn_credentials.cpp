#include "turn/turn_credentials.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sys/stat.h>

#include <fstream>

namespace medrtc::turn {

namespace {

std::string hmacSha1Base64(std::string_view secret, std::string_view message) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int macLen = 0;
  HMAC(EVP_sha1(), secret.data(), static_cast<int>(secret.size()), reinterpret_cast<const unsigned char*>(message.data()),
       message.size(), mac, &macLen);
  // base64 of 20 bytes is 28 characters (+ NUL from EVP_EncodeBlock).
  std::string out(4 * ((macLen + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), mac, static_cast<int>(macLen));
  out.resize(static_cast<size_t>(n));
  return out;
}

// Constant-time comparison: the credential is a MAC.
bool sameText(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) {
    return false;
  }
  unsigned char diff = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  }
  return diff == 0;
}

}  // namespace

TurnCredential makeCredential(std::string_view secret, std::string_view userId, int64_t nowUnix,
                              uint32_t ttlSeconds) {
  std::string user(userId);
  for (char& c : user) {
    if (c == ':') {
      c = '_';
    }
  }
  TurnCredential out;
  out.expiresAt = nowUnix + ttlSeconds;
  out.username = std::to_string(out.expiresAt) + ":" + user;
  out.credential = hmacSha1Base64(secret, out.username);
  return out;
}

bool verifyCredential(std::string_view secret, std::string_view username, std::string_view credential,
                      int64_t nowUnix) {
  size_t colon = username.find(':');
  std::string_view expiry = username.substr(0, colon);
  if (expiry.empty() || expiry.size() > 18 || expiry.find_first_not_of("0123456789") != std::string_view::npos) {
    return false;
  }
  int64_t expiresAt = std::stoll(std::string(expiry));
  if (expiresAt <= nowUnix) {
    return false;
  }
  return sameText(hmacSha1Base64(secret, username), credential);
}

TurnCredentialIssuer::TurnCredentialIssuer(std::vector<std::string> urls, std::string secret, uint32_t ttlSeconds)
    : urls_(std::move(urls)), secret_(std::move(secret)), ttlSeconds_(ttlSeconds) {}

std::vector<IceServer> TurnCredentialIssuer::issue(std::string_view participantId, int64_t nowUnix) const {
  if (urls_.empty()) {
    return {};
  }
  TurnCredential c = makeCredential(secret_, participantId, nowUnix, ttlSeconds_);
  return {IceServer{urls_, c.username, c.credential}};
}

bool isTurnUri(std::string_view uri) {
  std::string_view rest;
  if (uri.rfind("turn:", 0) == 0) {
    rest = uri.substr(5);
  } else if (uri.rfind("turns:", 0) == 0) {
    rest = uri.substr(6);
  } else {
    return false;
  }
  size_t q = rest.find('?');
  std::string_view hostPort = rest.substr(0, q);
  if (q != std::string_view::npos) {
    std::string_view query = rest.substr(q + 1);
    if (query != "transport=udp" && query != "transport=tcp") {
      return false;
    }
  }
  if (hostPort.empty() || hostPort.find_first_of(" /@") != std::string_view::npos) {
    return false;
  }
  size_t colon = hostPort.rfind(':');
  if (colon != std::string_view::npos && hostPort.back() != ']') {
    std::string_view port = hostPort.substr(colon + 1);
    if (port.empty() || port.size() > 5 || port.find_first_not_of("0123456789") != std::string_view::npos ||
        std::stoul(std::string(port)) > 65535) {
      return false;
    }
    hostPort = hostPort.substr(0, colon);
  }
  return !hostPort.empty();
}

Result<std::string, std::string> readSecretFile(const std::filesystem::path& file) {
  struct stat st {};
  if (::stat(file.c_str(), &st) != 0) {
    return fail(std::string("TURN secret file " + file.string() + " cannot be read"));
  }
  if ((st.st_mode & 077) != 0) {
    return fail(std::string("TURN secret file " + file.string() + " is readable by group or others (chmod 600)"));
  }
  std::ifstream in(file);
  std::string line;
  std::getline(in, line);
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) {
    line.pop_back();
  }
  if (line.empty()) {
    return fail(std::string("TURN secret file " + file.string() + " is empty"));
  }
  return line;
}

}  // namespace medrtc::turn
