#include "sfu/forward_tap.hpp"

namespace medrtc::sfu {

constinit ForwardTap forwardTap = nullptr;

}  // namespace medrtc::sfu
