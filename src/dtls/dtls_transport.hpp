#pragma once
// One DTLS 1.2 association (RFC 6347) for DTLS-SRTP (RFC 5764), driven by datagrams the
// owner passes in; OpenSSL runs over memory BIOs, so this class never touches a socket.
// Belongs to one event loop. Listener callbacks are made synchronously from the calls
// below; a listener must not destroy the transport from inside a callback (post it).
#include <openssl/types.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "common/bytes.hpp"
#include "common/clock.hpp"
#include "common/result.hpp"
#include "dtls/dtls_context.hpp"
#include "dtls/dtls_error.hpp"
#include "dtls/fingerprint.hpp"
#include "dtls/srtp_key_material.hpp"

namespace medrtc::dtls {

enum class DtlsState {
  kNew,         // start() not called yet.
  kConnecting,  // Handshake running, or done but the remote fingerprint not yet known.
  kConnected,   // Handshake done, fingerprint verified, keys handed out.
  kFailed,      // onDtlsFailed was called; terminal.
  kClosed,      // close() called or peer close_notify; terminal.
};

class DtlsTransport final : private PeerCertificateVerifier {
 public:
  class Listener {
   public:
    virtual ~Listener() = default;
    // One UDP datagram to send to the peer, at most DtlsConfig::mtu bytes.
    virtual void onDtlsSend(ByteView datagram) = 0;
    // Handshake done and the peer's certificate matches the remote fingerprint.
    virtual void onDtlsConnected(const SrtpKeyMaterial& keys) = 0;
    virtual void onDtlsFailed(DtlsError error) = 0;
    // The peer sent close_notify.
    virtual void onDtlsClosed() = 0;
    // Decrypted application data (SCTP for data channels, RFC 8261); the view is valid
    // only during the call.
    virtual void onDtlsApplicationData(ByteView data) = 0;
  };

  // Throws std::runtime_error if OpenSSL cannot allocate the SSL (start-up path).
  DtlsTransport(std::shared_ptr<const DtlsContext> context, Listener& listener);
  ~DtlsTransport() override;
  DtlsTransport(const DtlsTransport&) = delete;
  DtlsTransport& operator=(const DtlsTransport&) = delete;

  // From the remote SDP's a=fingerprint (RFC 8122 §5), e.g. ("sha-256", "AB:CD:...").
  // May come before start() or after the handshake finished (the answer can arrive late):
  // then the already-received certificate is checked now, and onDtlsConnected or
  // onDtlsFailed(kFingerprintMismatch) follows from this call.
  Result<Ok, DtlsError> setRemoteFingerprint(std::string_view algorithm, std::string_view value);

  // Client: sends the ClientHello. Server: waits for one. A server also starts by itself
  // on the first datagram, since the ClientHello may overtake the signalling that would
  // have called start().
  void start();
  // A datagram whose first byte passed looksLikeDtls. Garbage is dropped by OpenSSL.
  void receiveDatagram(ByteView datagram);

  // When handleTimeout should next run, or nullopt if no retransmission timer is armed.
  // OpenSSL 3.0 keeps this timer on the wall clock (gettimeofday) and offers no hook to
  // inject time, so the result is `now` plus OpenSSL's remaining time; handleTimeout only
  // retransmits once OpenSSL's own timer has expired.
  std::optional<Micros> nextTimeout(Micros now) const;
  // Retransmits the last flight if due (RFC 6347 §4.2.4); fails with kTimeout when
  // OpenSSL gives up (after 12 retransmissions).
  void handleTimeout(Micros now);

  Result<Ok, DtlsError> sendApplicationData(ByteView data);
  // Sends close_notify; no callback follows. Terminal.
  void close();

  // Frees OpenSSL's state for this association once it is kConnected: the SSL object with
  // its handshake buffers, record-layer buffers, cipher contexts and the peer's certificate
  // chain (≈ 50 KB, docs/life-of-a-packet.md "Memory per participant"). DTLS-SRTP needs only
  // the exported keys (RFC 5764 §4.2), which stay. Call it once the peer can no longer need
  // our last flight again (it sent SRTP, so it has its keys, or a grace has passed).
  // Afterwards the association is deaf and mute: a DTLS datagram from the peer is counted
  // (datagramsAfterRelease) and dropped, so a close_notify is no longer read (the owner
  // learns of a closed peer by other means, e.g. ICE consent) and none is sent on close();
  // retransmitted handshake flights are not answered; sendApplicationData fails with
  // kNotConnected (no data channels on such a transport). The peer certificate's DER stays,
  // so a fingerprint from a later offer or answer is still checked. No-op in other states.
  void releaseHandshakeState();
  bool released() const { return released_; }
  uint64_t datagramsAfterRelease() const { return datagramsAfterRelease_; }

  DtlsState state() const { return state_; }
  DtlsRole role() const { return context_->role(); }
  // Negotiated profile once connected.
  std::optional<srtp::SrtpProfile> srtpProfile() const;

 private:
  bool verifyPeerCertificate(X509* certificate) override;
  void driveHandshake();
  void onHandshakeDone();
  void completeIfVerified();
  void readApplicationData();
  void flushOutgoing();
  void failWith(DtlsError error);
  DtlsError classifyFailure() const;

  std::shared_ptr<const DtlsContext> context_;
  Listener& listener_;
  SSL* ssl_ = nullptr;
  BIO* incoming_ = nullptr;  // owned by ssl_
  BIO* outgoing_ = nullptr;  // owned by ssl_
  DtlsState state_ = DtlsState::kNew;
  bool handshakeDone_ = false;
  std::optional<Fingerprint> remoteFingerprint_;
  std::optional<DtlsError> verifyError_;  // set by the verify callback mid-handshake
  std::optional<SrtpKeyMaterial> keys_;
  bool released_ = false;
  std::vector<uint8_t> peerCertificateDer_;  // kept by releaseHandshakeState
  uint64_t datagramsAfterRelease_ = 0;
};

}  // namespace medrtc::dtls
