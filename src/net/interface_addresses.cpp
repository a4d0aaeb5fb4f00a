#include "net/interface_addresses.hpp"

#include <ifaddrs.h>

namespace medrtc::net {

std::vector<InterfaceAddress> listInterfaceAddresses() {
  std::vector<InterfaceAddress> out;
  ifaddrs* list = nullptr;
  if (::getifaddrs(&list) != 0) {
    return out;
  }
  for (const ifaddrs* it = list; it != nullptr; it = it->ifa_next) {
    if (it->ifa_addr == nullptr) {
      continue;
    }
    int family = it->ifa_addr->sa_family;
    if (family != AF_INET && family != AF_INET6) {
      continue;  // AF_PACKET link-layer entries
    }
    socklen_t len = family == AF_INET ? sizeof(sockaddr_in) : sizeof(sockaddr_in6);
    out.push_back(InterfaceAddress{it->ifa_name, it->ifa_flags, SocketAddress::fromSockaddr(it->ifa_addr, len)});
  }
  ::freeifaddrs(list);
  return out;
}

}  // namespace medrtc::net
