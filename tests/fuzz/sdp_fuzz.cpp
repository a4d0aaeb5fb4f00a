// libFuzzer target for the SDP parser and everything downstream of it: parse, serialize,
// reparse (the serializer's output must always parse back to an equal description), and
// answer as a publisher offer. Seeds: tests/fuzz/corpus/sdp/ (real browser offers/answers).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "sdp/parse.hpp"
#include "sdp/publish_answer.hpp"
#include "sdp/serialize.hpp"
#include "sdp/subscriber_offer.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace medrtc::sdp;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto parsed = parse(text);
  if (!parsed.ok()) {
    return 0;
  }
  std::string once = serialize(*parsed);
  auto reparsed = parse(once);
  if (!reparsed.ok() || !(*reparsed == *parsed) || serialize(*reparsed) != once) {
    std::abort();  // serialize produced something parse rejects or reads differently
  }
  static const LocalTransport local{
      "fuzzUfrag", "fuzzPasswordOf24Chars000",
      "11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:"
      "EE:FF:00",
      {"192.0.2.1"}, 40000};
  static const ServerCapabilities caps = [] {
    ServerCapabilities c = ServerCapabilities::defaults();
    c.acceptSimulcast = true;
    return c;
  }();
  auto answer = answerPublishOffer(*parsed, local, caps);
  if (answer.ok()) {
    std::string answerText = serialize(answer->answer);
    if (!parse(answerText).ok()) {
      std::abort();  // the server must never write an answer it cannot read itself
    }
  }
  (void)readSubscriberAnswer(*parsed);
  return 0;
}
