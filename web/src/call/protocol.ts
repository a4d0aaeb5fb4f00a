// Message shapes of docs/protocol.md (WebSocket /api/v1/ws).

import type { DecoderAnnouncement } from './decoders';

export type Role = 'host' | 'guest' | string;
export type Kind = 'audio' | 'video';

export interface Participant {
  participant_id: string;
  identity: string;
  name: string;
  role: Role;
  audio_muted: boolean;
  video_muted: boolean;
  /** E2EE rooms: the participant's P-256 public key (base64url, raw point), once it sent one. */
  e2ee_public_key?: string;
}

export type ClientMessage =
  | { type: 'join'; token: string; capabilities?: string[]; decoders?: DecoderAnnouncement }
  // Instead of `join` on a new socket after a drop: keep our participant (docs/protocol.md "Recovery").
  | { type: 'resume'; token: string; resume_token: string }
  | { type: 'publish_offer'; sdp: string }
  | { type: 'subscribe_answer'; sdp: string; version: number }
  | { type: 'track_state'; kind: Kind; muted: boolean }
  | { type: 'leave' }
  | { type: 'ping' }
  // Consultation (docs/consultation-api.md): host-only messages and chat.
  | { type: 'admit'; participant_id: string }
  | { type: 'deny'; participant_id: string }
  | { type: 'mute_participant'; participant_id: string; kind: Kind }
  | { type: 'remove_participant'; participant_id: string }
  | { type: 'end_consultation' }
  | { type: 'chat'; text: string }
  // E2EE rooms (docs/e2ee.md): chat as ciphertext only, our public key, key blobs.
  | { type: 'chat'; ciphertext: string }
  | { type: 'e2ee_public_key'; public_key: string }
  | { type: 'e2ee_key'; to: string; ciphertext: string }
  // Peer-to-peer 1:1 (docs/p2p.md).
  | { type: 'p2p_signal'; to: string; data: P2pSignalData }
  | { type: 'p2p_failed' }
  // ICE restart of one of our two connections, named by the server's current ufrag for it.
  | { type: 'restart_ice'; ice_ufrag: string };

/** What one browser sends the other through the server in P2P mode (opaque to the server). */
export interface P2pSignalData {
  sdp?: RTCSessionDescriptionInit;
  candidate?: RTCIceCandidateInit | null;
}

/** `sfu`: media through the server (default); `p2p`: directly to `peer` (none yet: hold). */
export type MediaMode = 'sfu' | 'p2p';

/** One entry of the host's waiting-room queue. */
export interface QueueEntry {
  participant_id: string;
  name: string;
  role: Role;
  waiting_since?: string | number;
}

export interface ChatMessage {
  type: 'chat';
  from: string;
  name: string;
  /** Absent in an E2EE room, where `ciphertext` carries the text. */
  text?: string;
  ciphertext?: string;
  sent_at?: string | number;
}

export type ServerMessage =
  | {
      type: 'joined';
      participant_id: string;
      room_id: string;
      identity: string;
      role: Role;
      participants: Participant[];
      ice_servers: RTCIceServer[];
      /** Present when the node prefers P2P and we announced it (docs/p2p.md). */
      media_mode?: MediaMode;
      /** Single use: resumes this participant on a new socket after a drop (older servers: absent). */
      resume_token?: string;
      /** The room is end-to-end encrypted: SFrame on every SFU connection (docs/e2ee.md). */
      e2ee?: boolean;
    }
  | { type: 'resumed'; participant_id: string; resume_token: string; waiting: boolean; participants: Participant[]; e2ee?: boolean }
  | { type: 'e2ee_public_key'; from: string; public_key: string }
  | { type: 'e2ee_key'; from: string; ciphertext: string }
  | { type: 'media_mode'; mode: MediaMode; peer?: string; polite?: boolean }
  | { type: 'p2p_signal'; from: string; data: P2pSignalData }
  | { type: 'publish_answer'; sdp: string }
  | { type: 'subscribe_offer'; sdp: string; version: number }
  | { type: 'participant_joined'; participant: Participant }
  | { type: 'participant_left'; participant_id: string }
  | { type: 'track_state'; participant_id: string; kind: Kind; muted: boolean }
  | { type: 'room_ended'; reason: string }
  | { type: 'pong' }
  | { type: 'ice_restarted'; connection: 'publisher' | 'subscriber'; ice_ufrag: string; ice_pwd: string }
  | { type: 'error'; code: string; message: string; request_type?: string }
  | { type: 'waiting'; position: number; resume_token?: string }
  | { type: 'denied'; reason?: string }
  | { type: 'removed'; reason?: string }
  | { type: 'waiting_room'; queue: QueueEntry[] }
  | { type: 'active_speaker'; participant_id: string }
  | { type: 'network_quality'; participants: NetworkQualityEntry[] }
  | ChatMessage;

/** One participant's link as the server rates it (to hosts only; docs/protocol.md). */
export interface NetworkQualityEntry {
  participant_id: string;
  quality: 'good' | 'fair' | 'poor';
  score: number;
  mos: number;
  loss_percent: number;
  jitter_ms: number;
  rtt_ms: number;
  /** The simulcast layer the SFU forwards to this participant now (0 without simulcast). */
  layer: number;
}

/** Codes after which the server closes the socket: reconnecting would not help. */
export const FATAL_CODES: ReadonlySet<string> = new Set([
  'message_too_large',
  'auth_required',
  'token_invalid',
  'token_expired',
  'room_not_found',
  'room_ended',
  'duplicate_identity',
  'denied',
  'removed',
  'access_revoked',
  'capacity_reached',
  // An E2EE room and a browser without frame encryption (docs/e2ee.md).
  'e2ee_unsupported',
]);

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Parses one text frame; returns null for anything that is not an object with a type. */
export function parseServerMessage(text: string): ServerMessage | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (!isObject(value) || typeof value.type !== 'string') {
    return null;
  }
  return value as unknown as ServerMessage;
}
