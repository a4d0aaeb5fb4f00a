#include "turn/turn_credentials.hpp"

#include <openssl/evp.h>
#include <sys/stat.h>

#include <fstream>

#include "common/hmac_sha1.hpp"

namespace medrtc::turn {

namespace {

std::string hmacSha1Base64(std::string_view secret, std::string_view message) {
  const auto mac = hmacSha1(secret, {bytesOf(message)});
  // base64 of 20 bytes is 28 characters (+ NUL from EVP_EncodeBlock).
  std::string out(4 * ((mac.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), mac.data(), static_cast<int>(mac.size()));
  out.resize(static_cast<size_t>(n));
  return out;
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
  // Constant-time comparison: the credential is a MAC.
  return equalsConstantTime(bytesOf(hmacSha1Base64(secret, username)), bytesOf(credential));
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
