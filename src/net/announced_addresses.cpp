#include "net/announced_addresses.hpp"

#include <net/if.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace medrtc::net {

namespace {

struct Receivable {
  bool ipv4 = false;
  bool ipv6 = false;
};

bool isWildcard(const SocketAddress& a) {
  return a.ip() == "0.0.0.0" || a.ip() == "::";
}

// A socket bound to 0.0.0.0 receives IPv4 only; one bound to :: is dual-stack on Linux
// (net.ipv6.bindv6only=0, the default) and receives both.
Receivable receivableBy(const SocketAddress& bind) {
  if (bind.isIpv4()) {
    return {true, false};
  }
  return {isWildcard(bind), true};
}

SocketAddress parseIp(const std::string& ip, const char* flag) {
  auto a = SocketAddress::fromIp(ip, 0);
  if (!a) {
    throw std::runtime_error(std::string("media: ") + flag + " is not an IP address: " + ip);
  }
  return *a;
}

bool isLoopback(const SocketAddress& a) {
  auto* raw = a.sockaddrPtr();
  if (a.isIpv4()) {
    return (ntohl(reinterpret_cast<const sockaddr_in*>(raw)->sin_addr.s_addr) >> 24) == 127;
  }
  return IN6_IS_ADDR_LOOPBACK(&reinterpret_cast<const sockaddr_in6*>(raw)->sin6_addr);
}

bool isLinkLocal(const SocketAddress& a) {
  auto* raw = a.sockaddrPtr();
  if (a.isIpv4()) {
    return (ntohl(reinterpret_cast<const sockaddr_in*>(raw)->sin_addr.s_addr) >> 16) == 0xA9FE;  // 169.254/16
  }
  return IN6_IS_ADDR_LINKLOCAL(&reinterpret_cast<const sockaddr_in6*>(raw)->sin6_addr);
}

bool isUsable(const InterfaceAddress& i) {
  bool upAndRunning = (i.flags & IFF_UP) != 0 && (i.flags & IFF_RUNNING) != 0;
  return upAndRunning && (i.flags & IFF_LOOPBACK) == 0 && !isLoopback(i.address) && !isLinkLocal(i.address);
}

bool receives(const Receivable& r, const SocketAddress& a) {
  return a.isIpv4() ? r.ipv4 : r.ipv6;
}

void addOnce(std::vector<std::string>& out, const std::string& ip) {
  if (std::find(out.begin(), out.end(), ip) == out.end()) {
    out.push_back(ip);
  }
}

}  // namespace

std::vector<std::string> chooseAnnouncedIps(const AnnounceSettings& config,
                                            const std::vector<InterfaceAddress>& interfaces) {
  SocketAddress bind = parseIp(config.listenIp, "--media-listen");
  Receivable receivable = receivableBy(bind);
  std::vector<std::string> out;
  auto addChecked = [&](const std::string& ip, const char* flag) {
    SocketAddress a = parseIp(ip, flag);
    if (!receives(receivable, a)) {
      throw std::runtime_error(std::string("media: ") + flag + " " + ip + " is " + (a.isIpv4() ? "IPv4" : "IPv6") +
                               " but the media socket binds " + config.listenIp +
                               " (--media-listen); bind :: to receive both families");
    }
    addOnce(out, a.ip());
  };
  if (!config.publicIp.empty()) {
    addChecked(config.publicIp, "--media-public-ip");
  }
  if (!config.ips.empty()) {
    for (const auto& ip : config.ips) {
      addChecked(ip, "--media-ip");
    }
    return out;
  }
  if (!isWildcard(bind)) {
    addOnce(out, bind.ip());
    return out;
  }
  size_t before = out.size();
  for (bool ipv4 : {true, false}) {
    for (const auto& i : interfaces) {
      if (i.address.isIpv4() == ipv4 && receives(receivable, i.address) && isUsable(i)) {
        addOnce(out, i.address.ip());
      }
    }
  }
  if (out.size() == before) {
    addOnce(out, receivable.ipv4 ? "127.0.0.1" : "::1");
  }
  return out;
}

}  // namespace medrtc::net
