#include "signaling/message/error_code.hpp"

namespace medrtc::signaling {

const char* toString(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidMessage: return "invalid_message";
    case ErrorCode::kMessageTooLarge: return "message_too_large";
    case ErrorCode::kAuthRequired: return "auth_required";
    case ErrorCode::kTokenInvalid: return "token_invalid";
    case ErrorCode::kTokenExpired: return "token_expired";
    case ErrorCode::kRoomNotFound: return "room_not_found";
    case ErrorCode::kRoomEnded: return "room_ended";
    case ErrorCode::kDuplicateIdentity: return "duplicate_identity";
    case ErrorCode::kAlreadyJoined: return "already_joined";
    case ErrorCode::kNotJoined: return "not_joined";
    case ErrorCode::kSdpInvalid: return "sdp_invalid";
    case ErrorCode::kStaleVersion: return "stale_version";
    case ErrorCode::kForbidden: return "forbidden";
    case ErrorCode::kInternal: return "internal";
    case ErrorCode::kMediaFailed: return "media_failed";
    case ErrorCode::kDenied: return "denied";
    case ErrorCode::kRemoved: return "removed";
    case ErrorCode::kAlreadyAdmitted: return "already_admitted";
    case ErrorCode::kChatTooLong: return "chat_too_long";
    case ErrorCode::kParticipantNotFound: return "participant_not_found";
    case ErrorCode::kP2pNotActive: return "p2p_not_active";
    case ErrorCode::kAccessRevoked: return "access_revoked";
    case ErrorCode::kCapacityReached: return "capacity_reached";
    case ErrorCode::kTransportNotFound: return "transport_not_found";
    case ErrorCode::kServerDraining: return "server_draining";
    case ErrorCode::kResumeInvalid: return "resume_invalid";
    case ErrorCode::kResumeExpired: return "resume_expired";
    case ErrorCode::kResumeReplayed: return "resume_replayed";
    case ErrorCode::kResumeMismatch: return "resume_mismatch";
    case ErrorCode::kE2eeUnsupported: return "e2ee_unsupported";
    case ErrorCode::kE2eeInvalidMessage: return "e2ee_invalid_message";
    case ErrorCode::kE2eeUnknownRecipient: return "e2ee_unknown_recipient";
    case ErrorCode::kE2eeReplayed: return "e2ee_replayed";
    case ErrorCode::kCodecUnsupported: return "codec_unsupported";
    case ErrorCode::kDecodersInvalid: return "decoders_invalid";
    case ErrorCode::kTooManyUnjoined: return "too_many_unjoined";
    case ErrorCode::kRateLimited: return "rate_limited";
  }
  return "internal";
}

bool isFatal(ErrorCode code) {
  switch (code) {
    case ErrorCode::kMessageTooLarge:
    case ErrorCode::kAuthRequired:
    case ErrorCode::kTokenInvalid:
    case ErrorCode::kTokenExpired:
    case ErrorCode::kRoomNotFound:
    case ErrorCode::kRoomEnded:
    case ErrorCode::kDuplicateIdentity:
    case ErrorCode::kDenied:
    case ErrorCode::kRemoved:
    case ErrorCode::kAccessRevoked:
    case ErrorCode::kCapacityReached:
    case ErrorCode::kE2eeUnsupported:
    case ErrorCode::kTooManyUnjoined:
      return true;
    default:
      return false;
  }
}

}  // namespace medrtc::signaling
