#include "app/descriptor_limit.hpp"

#include <sys/resource.h>

#include <algorithm>

namespace medrtc::app {

size_t raiseDescriptorLimit() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) {
    return 1024;
  }
  if (limit.rlim_cur < limit.rlim_max) {
    rlimit raised = limit;
    raised.rlim_cur = limit.rlim_max;
    // An unlimited hard limit is refused above fs.nr_open; fall back to a large round value.
    if (::setrlimit(RLIMIT_NOFILE, &raised) != 0 && limit.rlim_max == RLIM_INFINITY) {
      raised.rlim_cur = std::max<rlim_t>(limit.rlim_cur, 1 << 20);
      ::setrlimit(RLIMIT_NOFILE, &raised);
    }
    ::getrlimit(RLIMIT_NOFILE, &limit);
  }
  return limit.rlim_cur == RLIM_INFINITY ? size_t{1} << 20 : static_cast<size_t>(limit.rlim_cur);
}

size_t connectionsAllowedBy(size_t limit, size_t wanted, size_t mediaWorkers) {
  constexpr size_t kFloor = 16;
  size_t reserve = kReservedDescriptors + kDescriptorsPerWorker * mediaWorkers;
  size_t room = limit > reserve + kFloor ? limit - reserve : kFloor;
  return std::min(wanted, room);
}

}  // namespace medrtc::app
