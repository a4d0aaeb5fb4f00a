#include "signaling/client_address.hpp"

#include <stdexcept>

namespace medrtc::signaling {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) {
    s.remove_suffix(1);
  }
  return s;
}

}  // namespace

TrustedProxies::TrustedProxies(const std::vector<std::string>& entries) {
  for (const auto& entry : entries) {
    auto prefix = IpPrefix::parse(trim(entry));
    if (!prefix) {
      throw std::invalid_argument("trusted proxy \"" + entry + "\" is not an IP address or prefix (e.g. 10.0.0.0/8)");
    }
    prefixes_.push_back(*prefix);
  }
}

bool TrustedProxies::trusts(std::string_view address) const {
  for (const auto& p : prefixes_) {
    if (p.contains(address)) {
      return true;
    }
  }
  return false;
}

std::string TrustedProxies::clientAddress(const std::string& peer, std::string_view forwardedFor) const {
  if (!trusts(peer)) {
    return peer;
  }
  std::string client = peer;
  std::string_view rest = forwardedFor;
  while (!rest.empty()) {
    size_t comma = rest.rfind(',');
    std::string_view entry = trim(comma == std::string_view::npos ? rest : rest.substr(comma + 1));
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(0, comma);
    if (!IpPrefix::parse(entry) || entry.find('/') != std::string_view::npos) {
      break;  // "unknown", an obfuscated id or garbage: stop at what the proxies vouched for
    }
    client = std::string(entry);
    if (!trusts(client)) {
      break;
    }
  }
  return client;
}

}  // namespace medrtc::signaling
