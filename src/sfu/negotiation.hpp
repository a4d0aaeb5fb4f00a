#pragma once
// SDP on the control side (docs/architecture.md "Typed media model"). The media plane's
// control-thread half (sfu/media_plane.cpp) turns a publisher's offer into typed
// PublishParameters plus the server's answer, a subscriber's answer into a
// SubscribeAnswer, and a worker's typed SubscribeOffer into SDP. The workers only ever
// see the sfu/rtp_parameters.hpp structs.
#include <string>

#include "common/result.hpp"
#include "sfu/media_api.hpp"
#include "sfu/rtp_parameters.hpp"

namespace medrtc::sfu {

struct NegotiatedPublish {
  PublishParameters parameters;
  std::string answerSdp;  // sent once the worker applied `parameters`
};

// Parses and answers a publisher connection's offer (sdp/publish_answer.hpp: one codec per
// m-line, VP8 preferred over H.264 when both are offered, RID simulcast accepted).
// kSdpInvalid when it cannot be parsed or negotiated.
Result<NegotiatedPublish, MediaError> negotiatePublish(const std::string& offerSdp,
                                                       const LocalTransportParameters& local);

// Answers a connectivity probe's offer (MediaApi::openProbe): as a publish offer, with the
// server's default capabilities; only the remote fingerprint of `parameters` is filled.
Result<NegotiatedPublish, MediaError> negotiateProbe(const std::string& offerSdp,
                                                     const LocalTransportParameters& local);

// Reads a subscriber's answer to a subscribe offer. kSdpInvalid when it cannot be parsed,
// lacks a fingerprint, or makes the server the DTLS client.
Result<SubscribeAnswer, MediaError> readSubscribeAnswer(const std::string& answerSdp);

// Writes the SDP of a worker's subscribe offer, with the header extensions the SFU writes
// on every subscriber's hop (abs-send-time, transport-wide-cc) that the subscriber can
// receive (SubscribeOffer::receivableExtensions).
std::string writeSubscribeOffer(const SubscribeOffer& offer);

}  // namespace medrtc::sfu
