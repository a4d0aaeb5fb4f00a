#include "dtls/dtls_transport.hpp"

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <array>
#include <stdexcept>

#include "dtls/dtls_record_packer.hpp"

namespace medrtc::dtls {
namespace {

constexpr size_t kMaxRecordPlaintext = 16384;  // RFC 6347 §4.1 / RFC 5246 §6.2.1: 2^14

}  // namespace

DtlsTransport::DtlsTransport(std::shared_ptr<const DtlsContext> context, Listener& listener)
    : context_(std::move(context)), listener_(listener) {
  ssl_ = context_->newSsl(*this);
  incoming_ = BIO_new(BIO_s_mem());
  outgoing_ = BIO_new(BIO_s_mem());
  if (ssl_ == nullptr || incoming_ == nullptr || outgoing_ == nullptr) {
    BIO_free(incoming_);
    BIO_free(outgoing_);
    SSL_free(ssl_);
    throw std::runtime_error("DTLS transport: out of memory");
  }
  // An empty memory BIO must read as "try again", not end of file.
  BIO_set_mem_eof_return(incoming_, -1);
  SSL_set_bio(ssl_, incoming_, outgoing_);
}

DtlsTransport::~DtlsTransport() { SSL_free(ssl_); }

Result<Ok, DtlsError> DtlsTransport::setRemoteFingerprint(std::string_view algorithm, std::string_view value) {
  auto alg = fingerprintAlgorithmFromName(algorithm);
  if (!alg) {
    return fail(DtlsError::kUnsupportedFingerprintAlgorithm);
  }
  auto fp = parseFingerprint(*alg, value);
  if (!fp) {
    return fail(DtlsError::kBadFingerprint);
  }
  remoteFingerprint_ = std::move(*fp);
  if (state_ == DtlsState::kConnecting && handshakeDone_) {
    completeIfVerified();
  } else if (state_ == DtlsState::kConnected) {
    // A changed fingerprint in a later offer/answer must still match this association.
    bool matches = released_ ? fingerprintOfDer(peerCertificateDer_, remoteFingerprint_->algorithm) == *remoteFingerprint_
                             : verifyPeerCertificate(SSL_get0_peer_certificate(ssl_));
    if (!matches) {
      failWith(DtlsError::kFingerprintMismatch);
    }
  }
  return Ok{};
}

void DtlsTransport::start() {
  if (state_ != DtlsState::kNew) {
    return;
  }
  state_ = DtlsState::kConnecting;
  driveHandshake();
}

void DtlsTransport::receiveDatagram(ByteView datagram) {
  if (state_ == DtlsState::kNew && role() == DtlsRole::kServer) {
    start();
  }
  if (state_ != DtlsState::kConnecting && state_ != DtlsState::kConnected) {
    return;
  }
  if (datagram.empty()) {
    return;
  }
  if (released_) {
    // Nothing left to read it with (releaseHandshakeState): a late retransmission of the
    // peer's last flight, an alert or close_notify, or junk on the validated 5-tuple.
    ++datagramsAfterRelease_;
    return;
  }
  ERR_clear_error();
  if (BIO_write(incoming_, datagram.data(), static_cast<int>(datagram.size())) <= 0) {
    return;
  }
  if (!handshakeDone_) {
    driveHandshake();
  }
  if (handshakeDone_) {
    // Application data in the same datagram as the last handshake record, retransmitted
    // handshake flights (OpenSSL answers them here), alerts and close_notify.
    readApplicationData();
  }
  // Never keep bytes of a datagram for the next one.
  (void)BIO_reset(incoming_);
}

void DtlsTransport::driveHandshake() {
  ERR_clear_error();
  int ret = SSL_do_handshake(ssl_);
  int error = SSL_get_error(ssl_, ret);
  // Classify before flushing: the listener may run the peer's OpenSSL on this thread,
  // which clears the thread's error queue.
  std::optional<DtlsError> failure;
  if (ret != 1 && error != SSL_ERROR_WANT_READ && error != SSL_ERROR_WANT_WRITE) {
    failure = classifyFailure();
  }
  flushOutgoing();  // the next flight, or the fatal alert that explains a failure
  if (failure) {
    failWith(*failure);
    return;
  }
  if (ret == 1) {
    handshakeDone_ = true;
    onHandshakeDone();
  }
}

DtlsError DtlsTransport::classifyFailure() const {
  if (verifyError_) {
    return *verifyError_;
  }
  unsigned long e = ERR_peek_last_error();
  if (ERR_GET_LIB(e) == ERR_LIB_SSL) {
    int reason = ERR_GET_REASON(e);
    if (reason == SSL_R_READ_TIMEOUT_EXPIRED) {
      return DtlsError::kTimeout;
    }
    if (reason >= SSL_AD_REASON_OFFSET) {  // OpenSSL's code for "peer sent alert N"
      return DtlsError::kAlertReceived;
    }
  }
  return DtlsError::kHandshakeFailed;
}

void DtlsTransport::onHandshakeDone() {
  if (SSL_get0_peer_certificate(ssl_) == nullptr) {
    failWith(DtlsError::kNoPeerCertificate);
    return;
  }
  // RFC 5764 §4.1.2: without a common profile there is nothing to key.
  const SRTP_PROTECTION_PROFILE* selected = SSL_get_selected_srtp_profile(ssl_);
  auto profile = selected ? srtp::srtpProfileFromOpenSsl(selected->id) : std::nullopt;
  if (!profile) {
    failWith(DtlsError::kNoSrtpProfile);
    return;
  }
  std::vector<uint8_t> exported(srtpExporterLength(*profile));
  int ok = SSL_export_keying_material(ssl_, exported.data(), exported.size(), kSrtpExporterLabel,
                                      sizeof kSrtpExporterLabel - 1, nullptr, 0, 0);
  if (ok != 1) {
    OPENSSL_cleanse(exported.data(), exported.size());
    failWith(DtlsError::kKeyExportFailed);
    return;
  }
  keys_ = splitSrtpKeyingMaterial(*profile, role(), exported);
  OPENSSL_cleanse(exported.data(), exported.size());
  completeIfVerified();
}

void DtlsTransport::completeIfVerified() {
  if (!remoteFingerprint_) {
    return;  // Stay kConnecting: no keys leave this object before the peer is verified.
  }
  if (!verifyPeerCertificate(SSL_get0_peer_certificate(ssl_))) {
    failWith(DtlsError::kFingerprintMismatch);
    return;
  }
  state_ = DtlsState::kConnected;
  listener_.onDtlsConnected(*keys_);
}

bool DtlsTransport::verifyPeerCertificate(X509* certificate) {
  if (!remoteFingerprint_) {
    return true;  // Checked once the remote description arrives (setRemoteFingerprint).
  }
  if (certificate == nullptr || fingerprintOf(certificate, remoteFingerprint_->algorithm) != *remoteFingerprint_) {
    verifyError_ = DtlsError::kFingerprintMismatch;
    return false;
  }
  return true;
}

void DtlsTransport::readApplicationData() {
  while (state_ == DtlsState::kConnecting || state_ == DtlsState::kConnected) {
    ERR_clear_error();
    // One buffer per thread, not per connection (16 KiB each, two per participant): the
    // listener gets a view that is valid only during the call, and SSL_read is not
    // re-entered from it.
    thread_local std::array<uint8_t, kMaxRecordPlaintext> readBuffer;
    int n = SSL_read(ssl_, readBuffer.data(), static_cast<int>(readBuffer.size()));
    if (n > 0) {
      // Before the fingerprint is verified the peer is unauthenticated: drop its data.
      if (state_ == DtlsState::kConnected) {
        listener_.onDtlsApplicationData(ByteView(readBuffer.data(), static_cast<size_t>(n)));
      }
      continue;
    }
    int error = SSL_get_error(ssl_, n);
    if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) {
      flushOutgoing();
      return;
    }
    if (error == SSL_ERROR_ZERO_RETURN) {
      // Peer close_notify (RFC 5246 §7.2.1): answer it and stop.
      SSL_shutdown(ssl_);
      flushOutgoing();
      state_ = DtlsState::kClosed;
      listener_.onDtlsClosed();
      return;
    }
    DtlsError failure = classifyFailure();
    flushOutgoing();
    failWith(failure);
    return;
  }
  flushOutgoing();
}

std::optional<Micros> DtlsTransport::nextTimeout(Micros now) const {
  if (released_ || (state_ != DtlsState::kConnecting && state_ != DtlsState::kConnected)) {
    return std::nullopt;
  }
  timeval remaining{};
  if (DTLSv1_get_timeout(ssl_, &remaining) != 1) {
    return std::nullopt;
  }
  return now + Micros(static_cast<int64_t>(remaining.tv_sec) * 1'000'000 + remaining.tv_usec);
}

void DtlsTransport::handleTimeout(Micros /*now*/) {
  if (released_ || (state_ != DtlsState::kConnecting && state_ != DtlsState::kConnected)) {
    return;
  }
  ERR_clear_error();
  int ret = DTLSv1_handle_timeout(ssl_);
  flushOutgoing();
  if (ret < 0) {
    failWith(DtlsError::kTimeout);
  }
}

Result<Ok, DtlsError> DtlsTransport::sendApplicationData(ByteView data) {
  if (state_ != DtlsState::kConnected || released_) {
    return fail(DtlsError::kNotConnected);
  }
  ERR_clear_error();
  int n = SSL_write(ssl_, data.data(), static_cast<int>(data.size()));
  flushOutgoing();
  if (n <= 0 || static_cast<size_t>(n) != data.size()) {
    ERR_clear_error();
    return fail(DtlsError::kSendFailed);
  }
  return Ok{};
}

void DtlsTransport::close() {
  if (!released_ && (state_ == DtlsState::kConnecting || state_ == DtlsState::kConnected)) {
    ERR_clear_error();
    SSL_shutdown(ssl_);
    flushOutgoing();
    ERR_clear_error();
  }
  if (state_ != DtlsState::kFailed) {
    state_ = DtlsState::kClosed;
  }
}

void DtlsTransport::releaseHandshakeState() {
  if (state_ != DtlsState::kConnected || released_) {
    return;
  }
  X509* peer = SSL_get0_peer_certificate(ssl_);
  int length = peer ? i2d_X509(peer, nullptr) : 0;
  if (length > 0) {
    peerCertificateDer_.resize(static_cast<size_t>(length));
    uint8_t* out = peerCertificateDer_.data();
    if (i2d_X509(peer, &out) != length) {
      peerCertificateDer_.clear();
    }
  }
  ERR_clear_error();
  // Frees both memory BIOs too (SSL_set_bio gave them to ssl_).
  SSL_free(ssl_);
  ssl_ = nullptr;
  incoming_ = nullptr;
  outgoing_ = nullptr;
  released_ = true;
}

std::optional<srtp::SrtpProfile> DtlsTransport::srtpProfile() const {
  if (state_ != DtlsState::kConnected || !keys_) {
    return std::nullopt;
  }
  return keys_->profile;
}

void DtlsTransport::flushOutgoing() {
  if (outgoing_ == nullptr) {
    return;
  }
  size_t pending = BIO_ctrl_pending(outgoing_);
  if (pending == 0) {
    return;
  }
  // A local copy, not a member: a listener may feed the peer, which may answer into this
  // transport before we return.
  std::vector<uint8_t> records(pending);
  int n = BIO_read(outgoing_, records.data(), static_cast<int>(pending));
  if (n <= 0) {
    return;
  }
  records.resize(static_cast<size_t>(n));
  packDtlsRecords(records, context_->config().mtu, [this](ByteView datagram) { listener_.onDtlsSend(datagram); });
}

void DtlsTransport::failWith(DtlsError error) {
  ERR_clear_error();  // OpenSSL's error queue is per thread: leave it clean for others.
  if (state_ == DtlsState::kFailed || state_ == DtlsState::kClosed) {
    return;
  }
  state_ = DtlsState::kFailed;
  keys_.reset();
  listener_.onDtlsFailed(error);
}

}  // namespace medrtc::dtls
