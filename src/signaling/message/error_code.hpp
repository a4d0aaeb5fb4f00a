#pragma once
// The error codes of docs/protocol.md, and the WebSocket close code that ends a socket
// after a fatal one (4000 + the code's number, RFC 6455 §7.4.2: 4000-4999 are private use).
#include <cstdint>

namespace medrtc::signaling {

enum class ErrorCode : uint16_t {
  kInvalidMessage = 1,
  kMessageTooLarge = 2,
  kAuthRequired = 3,
  kTokenInvalid = 4,
  kTokenExpired = 5,
  kRoomNotFound = 6,
  kRoomEnded = 7,
  kDuplicateIdentity = 8,
  kAlreadyJoined = 9,
  kNotJoined = 10,
  kSdpInvalid = 11,
  kStaleVersion = 12,
  kForbidden = 13,
  kInternal = 14,
  kMediaFailed = 15,
  // Consultation (docs/consultation-api.md).
  kDenied = 16,              // fatal: the host denied entry from the waiting room
  kRemoved = 17,             // fatal: the host removed the participant
  kAlreadyAdmitted = 18,     // another host admitted (or denied) this guest first
  kChatTooLong = 19,         // chat text over 2000 characters
  kParticipantNotFound = 20,  // no such participant in this room (or not in the state asked)
  kP2pNotActive = 21,         // p2p_signal while the room is not in P2P mode with that participant
  // Security review (issue 10).
  kAccessRevoked = 22,     // fatal: the invitation was withdrawn or the host's session ended
  kCapacityReached = 23,   // fatal: a participant cap (room, tenant or node) is reached
  kTransportNotFound = 24,    // restart_ice naming none of the sender's transports
  kServerDraining = 25,       // the server is shutting down and starts no new call; try again
  // Session resume (issue 11 item 3): none is fatal; the client joins again instead.
  kResumeInvalid = 26,    // a resume token this server never issued (or forgot)
  kResumeExpired = 27,    // the participant's 30 s grace passed (or it was dismissed meanwhile)
  kResumeReplayed = 28,   // a resume token already used: each resume rotates it
  kResumeMismatch = 29,   // the resume token belongs to another participant or room than the join token
  // End-to-end encryption (issue 13, docs/e2ee.md).
  kE2eeUnsupported = 30,       // fatal: an E2EE room and the join did not offer the "e2ee" capability
  kE2eeInvalidMessage = 31,    // a malformed E2EE message, one in a non-E2EE room, or clear chat in an E2EE room
  kE2eeUnknownRecipient = 32,  // e2ee_key to nobody in the call (unknown, waiting, oneself, gone)
  kE2eeReplayed = 33,          // e2ee_key repeating a ciphertext its sender already sent
  // Codec intersection per subscriber (issue 12 item 1, docs/architecture.md "Typed media
  // model"): not fatal; a track this browser cannot decode is not received, the rest is.
  kCodecUnsupported = 35,
  // The join's `decoders` announcement was malformed or over its bounds: not fatal; the
  // join goes on as one without it (signaling/message/decoder_announcement.hpp).
  kDecodersInvalid = 36,
  // Pre-join sockets (issue 10): fatal; the client opens a new socket and joins at once.
  kTooManyUnjoined = 40,  // newer sockets waiting to join (same address, or the node's total) displaced this one
  // Floods (issue 10, house rule 5): not fatal for a message (it was dropped); in reply to
  // a `join` the socket is closed with 4041 and the client tries again later.
  kRateLimited = 41,
};

const char* toString(ErrorCode code);
bool isFatal(ErrorCode code);
inline uint16_t closeCodeFor(ErrorCode code) { return static_cast<uint16_t>(4000 + static_cast<uint16_t>(code)); }

}  // namespace medrtc::signaling
