#pragma once
// A connectivity probe (docs/consultation-api.md "Pre-call check"): the patient's browser
// connects to it before the call, with the same ICE-lite, DTLS and SRTP as a call's
// transport, to learn whether its network lets a call through, and over what (UDP,
// ICE-TCP, a TURN relay). It lives on a worker but in no room: nobody sees it as a
// participant, and whatever RTP it receives goes nowhere. It is done when the browser
// closes it (DTLS close_notify), when its transport fails, or when its lifetime is over,
// whichever comes first; the worker then drops it on its next tick.
#include <memory>
#include <string>

#include "common/result.hpp"
#include "sfu/media_api.hpp"
#include "sfu/webrtc_transport.hpp"

namespace medrtc::sfu {

class Worker;

class ConnectivityProbe final : public WebRtcTransport::Listener {
 public:
  // Answers the browser's offer (any offer a publisher connection may make; a sendonly
  // audio m-line without a track is enough) with only `candidates`. kSdpInvalid for an
  // offer the server cannot answer, kTransportOff for ICE-TCP on a worker without it.
  static Result<std::unique_ptr<ConnectivityProbe>, MediaError> open(std::string id, ProbeCandidates candidates,
                                                                     const std::string& offerSdp, Worker& worker,
                                                                     Micros lifetime);
  ~ConnectivityProbe() override;

  const std::string& id() const { return id_; }
  const std::string& answer() const { return answer_; }
  bool connected() const { return transport_->connected(); }
  // True once the probe should go: closed by the peer, failed, or past its lifetime.
  bool done(Micros now) const { return ended_ || now >= deadline_; }
  void onTick(Micros now) { transport_->onTick(now); }

 private:
  ConnectivityProbe(std::string id, Worker& worker, Micros deadline);

  // WebRtcTransport::Listener: a probe forwards nothing.
  void onTransportConnected(WebRtcTransport& transport) override;
  void onTransportRtp(WebRtcTransport&, rtp::RtpPacketView&) override {}
  void onTransportRtcp(WebRtcTransport&, ByteView) override {}
  void onTransportFailed(WebRtcTransport& transport, const std::string& reason) override;

  std::string id_;
  Micros deadline_;
  std::unique_ptr<WebRtcTransport> transport_;
  std::string answer_;
  bool ended_ = false;
};

}  // namespace medrtc::sfu
