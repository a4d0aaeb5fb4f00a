#pragma once
// Client → server messages of the signaling protocol (docs/protocol.md), parsed from one
// WebSocket text frame. No Beast here: the fuzzer builds this folder alone.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "common/result.hpp"
#include "sfu/rtp_parameters.hpp"

namespace medrtc::signaling {

// docs/protocol.md: frames larger than 64 KiB are refused.
inline constexpr size_t kMaxMessageBytes = 64 * 1024;

struct JoinMessage {
  std::string token;
  // `capabilities` holds "p2p": the client can carry a 1:1 call on a direct peer connection
  // (docs/p2p.md). Unknown capabilities are ignored so newer clients still join.
  bool p2pCapable = false;
  // "e2ee": the client encrypts its media with SFrame and its chat and key messages
  // end to end (docs/e2ee.md). Required in a room whose profile requires E2EE.
  bool e2eeCapable = false;
  // `decoders`: what the browser can receive (decoder_announcement.hpp). Absent, or
  // malformed (`decodersInvalid` names the field; the hub answers decoders_invalid): the
  // join goes on as one without it, and the room learns from the subscriber's answers.
  std::optional<sfu::ReceiveCapabilities> decoders;
  std::string decodersInvalid;
};
struct PublishOfferMessage {
  std::string sdp;
};
struct SubscribeAnswerMessage {
  std::string sdp;
  uint32_t version = 0;
};
enum class TrackKind { kAudio, kVideo };
struct TrackStateMessage {
  TrackKind kind = TrackKind::kAudio;
  bool muted = false;
};
struct LeaveMessage {};
struct PingMessage {};

// Consultation (docs/consultation-api.md "Waiting room"): host-only controls and chat.
inline constexpr size_t kMaxParticipantIdBytes = 64;
struct AdmitMessage {
  std::string participantId;
};
struct DenyMessage {
  std::string participantId;
};
struct MuteParticipantMessage {
  std::string participantId;
  TrackKind kind = TrackKind::kAudio;
};
struct RemoveParticipantMessage {
  std::string participantId;
};
struct EndConsultationMessage {};
// The text's length in characters (1-2000) is the hub's check (`chat_too_long`); the
// parser only bounds it by the frame size. In an E2EE room the client sends `ciphertext`
// (base64url, docs/e2ee.md) instead of `text`; which one a room accepts is the hub's
// check. At least one of them is present.
struct ChatMessage {
  std::string text;
  std::string ciphertext;
  bool hasText = false;
  bool hasCiphertext = false;
};

// End-to-end encryption (docs/e2ee.md). Only the JSON shape is checked here; the
// encoding and sizes of the opaque payloads are checked by the hub (e2ee_payload.hpp),
// which answers `e2ee_invalid_message` for them.
struct E2eePublicKeyMessage {
  std::string publicKey;  // base64url of the raw P-256 point
};
struct E2eeKeyMessage {
  std::string to;          // the recipient's participant id
  std::string ciphertext;  // base64url, opaque to the server
};

// Peer-to-peer 1:1 media (docs/p2p.md). `data` is the sender's SDP or ICE candidate as a
// JSON object; the server relays it unread (re-serialised) to `to`, its P2P peer.
struct P2pSignalMessage {
  std::string to;
  std::string data;  // serialised JSON object
};
// The P2P connection did not connect (or failed): the room falls back to the SFU.
struct P2pFailedMessage {};

// ICE restart of one of the sender's two connections to the server, named by the server's
// current ufrag for it (the `a=ice-ufrag` of the server's last description).
// RFC 8839 §5.4: a ufrag is at most 256 characters.
inline constexpr size_t kMaxIceUfragBytes = 256;
struct RestartIceMessage {
  std::string iceUfrag;
};

// Session resume (docs/protocol.md "Recovery"): instead of `join`, the first message of a
// new socket after the old one dropped. `token` is the join token the participant joined
// with; `resumeToken` the single-use token from its last `joined`, `waiting` or `resumed`.
inline constexpr size_t kMaxResumeTokenBytes = 128;
struct ResumeMessage {
  std::string token;
  std::string resumeToken;
};

using ClientMessage =
    std::variant<JoinMessage, ResumeMessage, PublishOfferMessage, SubscribeAnswerMessage, TrackStateMessage, LeaveMessage, PingMessage,
                 AdmitMessage, DenyMessage, MuteParticipantMessage, RemoveParticipantMessage, EndConsultationMessage,
                 ChatMessage, P2pSignalMessage, P2pFailedMessage, RestartIceMessage, E2eePublicKeyMessage,
                 E2eeKeyMessage>;

enum class MessageErrorKind {
  kTooLarge,      // over kMaxMessageBytes
  kNotJson,       // not valid JSON (or nested too deep)
  kNotObject,     // valid JSON but not an object
  kMissingType,   // no string `type`
  kUnknownType,   // a `type` this server does not know
  kMissingField,  // a required field is absent
  kWrongField,    // a field has the wrong JSON type or an out-of-range value
};

struct MessageError {
  MessageErrorKind kind;
  // The message's `type` when it could be read (for the `request_type` of the reply).
  std::string requestType;
  // The offending field, if any ("sdp", "version", ...).
  std::string field;
};

const char* toString(MessageErrorKind kind);
// A short human-readable description for the `message` of an `invalid_message` error.
std::string describe(const MessageError& e);

// Never throws on any input (except std::bad_alloc).
Result<ClientMessage, MessageError> parseClientMessage(std::string_view text);

const char* toString(TrackKind kind);

// True for a parse error in an end-to-end encryption message (its type is an E2EE one,
// or it is a `chat` whose `ciphertext` is wrong): answered `e2ee_invalid_message`, not
// `invalid_message`, so a client tells its own E2EE faults apart.
bool isE2eeMessageError(const MessageError& e);

}  // namespace medrtc::signaling
