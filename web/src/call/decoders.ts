// What this browser can receive, announced in `join` (docs/protocol.md `decoders`), so the
// server's first subscribe offer carries only codecs it can decode: without it the server
// learns that only from an m-line this browser refuses (codec_unsupported), one offer late.

/** One receive codec, RTCRtpCodecCapability in the protocol's spelling. */
export interface AnnouncedCodec {
  mime_type: string;
  clock_rate: number;
  channels?: number;
  sdp_fmtp_line?: string;
}

export interface DecoderAnnouncement {
  codecs: AnnouncedCodec[];
  header_extensions: string[];
}

// The server's bounds (signaling/message/decoder_announcement.hpp): past them it ignores the
// whole announcement, so this client keeps within them and drops what it cannot spell.
const MAX_CODECS = 128;
const MAX_EXTENSIONS = 32;
const MAX_FMTP = 512;
const MAX_URI = 256;
const MIME = /^(audio|video)\/[A-Za-z0-9._+-]{1,56}$/;
const PRINTABLE = /^[\x20-\x7e]*$/;
// The header extensions the server offers a subscriber and writes on its packets
// (sdp/server_capabilities.hpp, sdp/subscriber_offer.cpp): its bandwidth estimation for this
// browser rests on them. They go first, so that the limit never cuts them off however many
// others this browser lists; one left out of the announcement is left out of every offer.
const SERVER_EXTENSIONS = [
  'http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01',
  'http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time',
];

type Capabilities = { codecs: RTCRtpCodec[]; headerExtensions: RTCRtpHeaderExtensionCapability[] } | null;

/** From RTCRtpReceiver.getCapabilities; undefined where the browser has none to give. */
export function decoderAnnouncement(
  capabilitiesOf: (kind: 'audio' | 'video') => Capabilities = (kind) =>
    typeof RTCRtpReceiver !== 'undefined' && typeof RTCRtpReceiver.getCapabilities === 'function'
      ? RTCRtpReceiver.getCapabilities(kind)
      : null,
): DecoderAnnouncement | undefined {
  const codecs: AnnouncedCodec[] = [];
  const extensions = new Set<string>();
  for (const kind of ['audio', 'video'] as const) {
    const caps = capabilitiesOf(kind);
    if (!caps) {
      return undefined; // an announcement without one kind would refuse all of that kind
    }
    for (const c of caps.codecs) {
      const fmtp = c.sdpFmtpLine ?? '';
      if (!MIME.test(c.mimeType) || !Number.isInteger(c.clockRate) || c.clockRate < 1 ||
          fmtp.length > MAX_FMTP || !PRINTABLE.test(fmtp)) {
        continue;
      }
      const codec: AnnouncedCodec = { mime_type: c.mimeType, clock_rate: c.clockRate };
      if (c.channels !== undefined && Number.isInteger(c.channels) && c.channels >= 1 && c.channels <= 255) {
        codec.channels = c.channels;
      }
      if (fmtp) {
        codec.sdp_fmtp_line = fmtp;
      }
      if (!codecs.some((k) => JSON.stringify(k) === JSON.stringify(codec))) {
        codecs.push(codec);
      }
    }
    for (const e of caps.headerExtensions) {
      if (e.uri.length > 0 && e.uri.length <= MAX_URI && /^[\x21-\x7e]+$/.test(e.uri)) {
        extensions.add(e.uri);
      }
    }
  }
  const headerExtensions = [
    ...SERVER_EXTENSIONS.filter((uri) => extensions.has(uri)),
    ...[...extensions].filter((uri) => !SERVER_EXTENSIONS.includes(uri)),
  ];
  return { codecs: codecs.slice(0, MAX_CODECS), header_extensions: headerExtensions.slice(0, MAX_EXTENSIONS) };
}
