#include "sfu/connectivity_probe.hpp"

#include "log/log.hpp"

#include "sfu/media_counters.hpp"
#include "sfu/worker.hpp"

namespace medrtc::sfu {

ConnectivityProbe::ConnectivityProbe(std::string id, Worker& worker, Micros deadline)
    : id_(std::move(id)), deadline_(deadline) {
  transport_ = std::make_unique<WebRtcTransport>("probe " + id_, worker, worker.dtlsContext(), *this);
  // The browser ends a probe with close_notify, which only a live DTLS association can
  // read; a probe lives seconds, so its DTLS state is no lasting cost.
  transport_->keepDtlsAfterHandshake();
}

ConnectivityProbe::~ConnectivityProbe() { mediaCounters().probesClosed.add(); }

Result<std::unique_ptr<ConnectivityProbe>, MediaError> ConnectivityProbe::open(std::string id,
                                                                              ProbeCandidates candidates,
                                                                              Worker& worker, Micros lifetime) {
  if (candidates == ProbeCandidates::kTcp && !worker.acceptsTcp()) {
    return fail(MediaError::kTransportOff);
  }
  std::unique_ptr<ConnectivityProbe> probe(new ConnectivityProbe(std::move(id), worker, worker.now() + lifetime));
  mediaCounters().probesOpened.add();
  WebRtcTransport& transport = *probe->transport_;
  LocalTransportParameters& local = probe->local_;
  local.iceUfrag = transport.localUfrag();
  local.icePwd = transport.localPassword();
  local.fingerprintSha256 = transport.localFingerprint();
  local.candidateIps = worker.announcedIps();
  local.candidatePort = worker.port();
  // Only the path under test: with both, a browser whose UDP works would never show
  // whether TCP does too, and one whose UDP is blocked could not tell UDP's answer apart.
  local.udpCandidates = candidates == ProbeCandidates::kUdp;
  local.tcpCandidates = candidates == ProbeCandidates::kTcp;
  return probe;
}

void ConnectivityProbe::onTransportConnected(WebRtcTransport&) {
  mediaCounters().probesConnected.add();
  log::debug("probe_connected", {{"probe", id_}});
}

void ConnectivityProbe::onTransportFailed(WebRtcTransport&, const std::string& reason) {
  // "dtls closed by peer" is the usual end: the browser read its result and closed.
  ended_ = true;
  log::debug("probe_ended", {{"probe", id_}, {"reason", reason}});
}

}  // namespace medrtc::sfu
