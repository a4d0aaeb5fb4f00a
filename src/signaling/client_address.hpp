#pragma once
// Who a request comes from when the node sits behind a reverse proxy (issue 10 item 8).
// X-Forwarded-For is believed only from a configured trusted proxy: anyone else could
// write any address into it and so dodge the sign-in limits or blame someone else.
#include <string>
#include <string_view>
#include <vector>

#include "common/ip_prefix.hpp"

namespace medrtc::signaling {

class TrustedProxies {
 public:
  TrustedProxies() = default;
  // Addresses or prefixes ("10.0.0.0/8", "::1"). Throws std::invalid_argument naming the
  // first entry that is neither.
  explicit TrustedProxies(const std::vector<std::string>& entries);

  bool empty() const { return prefixes_.empty(); }
  bool trusts(std::string_view address) const;

  // The client's address for limits and audit: `peer` itself unless `peer` is trusted;
  // then the right-most X-Forwarded-For entry that is not a trusted proxy (each proxy
  // appends the address it saw, so entries left of the first untrusted one may be
  // forged). `forwardedFor` holds the header's values joined by ",". A malformed entry
  // ends the walk at the last address known good.
  std::string clientAddress(const std::string& peer, std::string_view forwardedFor) const;

 private:
  std::vector<IpPrefix> prefixes_;
};

}  // namespace medrtc::signaling
