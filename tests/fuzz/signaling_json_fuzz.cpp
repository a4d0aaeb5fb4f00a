// libFuzzer target for the signaling message parser (src/signaling/message/): any bytes
// a browser could send in one WebSocket text frame.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "signaling/message/client_message.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto result = medrtc::signaling::parseClientMessage(text);
  if (!result.ok()) {
    // Describing an error must also be safe for every input.
    (void)medrtc::signaling::describe(result.error());
  }
  return 0;
}
