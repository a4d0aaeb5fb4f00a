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
#include "sfu/rtp_parameters.hpp"
#include "sfu/webrtc_transport.hpp"

namespace medrtc::sfu {

class Worker;

class ConnectivityProbe final : public WebRtcTransport::Listener {
 public:
  // Opens the probe's transport with only `candidates`; the control side answers the
  // browser's offer from localParameters() (sfu/negotiation.hpp) and gives back its
  // fingerprint. kTransportOff for ICE-TCP on a worker without it.
  static Result<std::unique_ptr<ConnectivityProbe>, MediaError> open(std::string id, ProbeCandidates candidates,
                                                                     Worker& worker, Micros lifetime);
  ~ConnectivityProbe() override;

  const std::string& id() const { return id_; }
  const LocalTransportParameters& localParameters() const { return local_; }
  void setRemoteFingerprint(const DtlsFingerprint& fingerprint) {
    transport_->setRemoteParameters(fingerprint.algorithm, fingerprint.value);
  }
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
  LocalTransportParameters local_;
  bool ended_ = false;
};

}  // namespace medrtc::sfu
