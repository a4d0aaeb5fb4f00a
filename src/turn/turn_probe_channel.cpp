#include "turn/turn_probe_channel.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "ice/stun_constants.hpp"

namespace medrtc::turn {

namespace {

int msUntil(Deadline deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
  return left.count() > 0 ? static_cast<int>(left.count()) : 0;
}

// Waits until `fd` is readable/writable; false at the deadline.
bool waitFor(int fd, short events, Deadline deadline) {
  pollfd p{fd, events, 0};
  int rc = 0;
  do {
    rc = ::poll(&p, 1, msUntil(deadline));
  } while (rc < 0 && errno == EINTR);
  return rc == 1;
}

std::string openSslError() {
  unsigned long e = ERR_get_error();
  if (e == 0) {
    return "connection closed";
  }
  char buf[256];
  ERR_error_string_n(e, buf, sizeof buf);
  return buf;
}

class FdChannel : public ProbeChannel {
 public:
  explicit FdChannel(int fd) : fd_(fd) {}
  ~FdChannel() override {
    if (fd_ >= 0) {
      ::close(fd_);
    }
  }

 protected:
  int fd_;
};

class UdpChannel final : public FdChannel {
 public:
  using FdChannel::FdChannel;
  bool send(ByteView m) override {
    if (::send(fd_, m.data(), m.size(), 0) < 0) {
      error_ = std::strerror(errno);
      return false;
    }
    return true;
  }
  std::optional<std::vector<uint8_t>> receive(Deadline deadline) override {
    std::vector<uint8_t> buf(2048);
    if (!waitFor(fd_, POLLIN, deadline)) {
      error_ = "no answer";
      return std::nullopt;
    }
    ssize_t n = ::recv(fd_, buf.data(), buf.size(), 0);
    if (n < 0) {
      // A connected UDP socket reports the ICMP port unreachable of an earlier
      // datagram.
      error_ = std::strerror(errno);
      return std::nullopt;
    }
    buf.resize(static_cast<size_t>(n));
    return buf;
  }
  bool reliable() const override { return false; }
};

// A STUN message on a stream: 20-byte header whose length field gives the rest.
class StreamChannel : public FdChannel {
 public:
  using FdChannel::FdChannel;
  bool send(ByteView m) override {
    size_t done = 0;
    while (done < m.size()) {
      int n = write(m.data() + done, m.size() - done);
      if (n <= 0) {
        return false;
      }
      done += static_cast<size_t>(n);
    }
    return true;
  }
  std::optional<std::vector<uint8_t>> receive(Deadline deadline) override {
    std::vector<uint8_t> msg(ice::kStunHeaderSize);
    if (!readExactly(msg.data(), msg.size(), deadline)) {
      return std::nullopt;
    }
    size_t length = readU16(msg.data() + 2);
    msg.resize(ice::kStunHeaderSize + length);
    if (!readExactly(msg.data() + ice::kStunHeaderSize, length, deadline)) {
      return std::nullopt;
    }
    return msg;
  }
  bool reliable() const override { return true; }

 protected:
  virtual int write(const uint8_t *p, size_t n) {
    ssize_t rc = ::send(fd_, p, n, MSG_NOSIGNAL);
    if (rc < 0) {
      error_ = std::strerror(errno);
    }
    return static_cast<int>(rc);
  }
  virtual int read(uint8_t *p, size_t n, Deadline deadline) {
    if (!waitFor(fd_, POLLIN, deadline)) {
      error_ = "no answer";
      return -1;
    }
    ssize_t rc = ::recv(fd_, p, n, 0);
    if (rc <= 0) {
      error_ = rc == 0 ? "the server closed the connection" : std::strerror(errno);
      return -1;
    }
    return static_cast<int>(rc);
  }

 private:
  bool readExactly(uint8_t *p, size_t n, Deadline deadline) {
    while (n > 0) {
      int got = read(p, n, deadline);
      if (got <= 0) {
        return false;
      }
      p += got;
      n -= static_cast<size_t>(got);
    }
    return true;
  }
};

class TlsChannel final : public StreamChannel {
 public:
  TlsChannel(int fd, SSL_CTX *ctx, SSL *ssl) : StreamChannel(fd), ctx_(ctx), ssl_(ssl) {}
  ~TlsChannel() override {
    SSL_free(ssl_);
    SSL_CTX_free(ctx_);
  }

 protected:
  int write(const uint8_t *p, size_t n) override {
    int rc = SSL_write(ssl_, p, static_cast<int>(n));
    if (rc <= 0) {
      error_ = openSslError();
    }
    return rc;
  }
  int read(uint8_t *p, size_t n, Deadline deadline) override {
    for (;;) {
      // Records already decrypted are not visible to poll().
      if (SSL_pending(ssl_) == 0 && !waitFor(fd_, POLLIN, deadline)) {
        error_ = "no answer";
        return -1;
      }
      ERR_clear_error();
      int rc = SSL_read(ssl_, p, static_cast<int>(n));
      if (rc > 0) {
        return rc;
      }
      // A partial record on a non-blocking socket: wait for the rest.
      if (SSL_get_error(ssl_, rc) != SSL_ERROR_WANT_READ) {
        error_ = openSslError();
        return -1;
      }
    }
  }

 private:
  SSL_CTX *ctx_;
  SSL *ssl_;
};

// Blocking connect with a deadline; -1 with `why` set when it fails.
int connectSocket(const TurnServerUri &server, int type, Deadline deadline, std::string &why) {
  addrinfo hints{};
  hints.ai_socktype = type;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo *found = nullptr;
  if (int rc = getaddrinfo(server.host.c_str(), std::to_string(server.port).c_str(), &hints, &found); rc != 0) {
    why = "cannot resolve " + server.host + ": " + gai_strerror(rc);
    return -1;
  }
  std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> guard(found, freeaddrinfo);
  int fd = ::socket(found->ai_family, found->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) {
    why = std::strerror(errno);
    return -1;
  }
  if (::connect(fd, found->ai_addr, found->ai_addrlen) != 0 && errno != EINPROGRESS) {
    why = std::strerror(errno);
    ::close(fd);
    return -1;
  }
  if (type == SOCK_STREAM) {
    int soError = 0;
    socklen_t len = sizeof soError;
    if (!waitFor(fd, POLLOUT, deadline)) {
      why = "no answer to the TCP connection";
      ::close(fd);
      return -1;
    }
    if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &soError, &len) != 0 || soError != 0) {
      why = std::strerror(soError != 0 ? soError : errno);
      ::close(fd);
      return -1;
    }
  }
  return fd;
}

std::unique_ptr<ProbeChannel> openTls(int fd, const TurnServerUri &server, const std::string &caFile, Deadline deadline,
                                      std::string &why) {
  SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
  bool trustLoaded = caFile.empty() ? SSL_CTX_set_default_verify_paths(ctx) == 1
                                    : SSL_CTX_load_verify_locations(ctx, caFile.c_str(), nullptr) == 1;
  if (!trustLoaded) {
    why = "cannot load the CA file " + caFile;
    SSL_CTX_free(ctx);
    ::close(fd);
    return nullptr;
  }
  SSL *ssl = SSL_new(ctx);
  auto channel = std::make_unique<TlsChannel>(fd, ctx, ssl);
  // The name or address in the URI is what a browser checks the certificate
  // against.
  X509_VERIFY_PARAM *param = SSL_get0_param(ssl);
  if (X509_VERIFY_PARAM_set1_ip_asc(param, server.host.c_str()) != 1) {
    X509_VERIFY_PARAM_set1_host(param, server.host.c_str(), 0);
    SSL_set_tlsext_host_name(ssl, server.host.c_str());
  }
  SSL_set_fd(ssl, fd);
  for (;;) {
    ERR_clear_error();
    int rc = SSL_connect(ssl);
    if (rc == 1) {
      return channel;
    }
    int err = SSL_get_error(ssl, rc);
    short events = err == SSL_ERROR_WANT_READ ? POLLIN : err == SSL_ERROR_WANT_WRITE ? POLLOUT : 0;
    if (events == 0) {
      long verify = SSL_get_verify_result(ssl);
      why = verify != X509_V_OK ? std::string("its certificate is not trusted (") +
                                      X509_verify_cert_error_string(verify) + "): browsers refuse it too"
                                : "the TLS handshake failed: " + openSslError();
      return nullptr;
    }
    if (!waitFor(fd, events, deadline)) {
      why = "no answer to the TLS handshake";
      return nullptr;
    }
  }
}

}  // namespace

std::unique_ptr<ProbeChannel> openProbeChannel(const TurnServerUri &server, const std::string &caFile,
                                               Deadline deadline, std::string &why) {
  int fd = connectSocket(server, server.transport == TurnTransport::kUdp ? SOCK_DGRAM : SOCK_STREAM, deadline, why);
  if (fd < 0) {
    return nullptr;
  }
  switch (server.transport) {
    case TurnTransport::kUdp:
      return std::make_unique<UdpChannel>(fd);
    case TurnTransport::kTcp:
      return std::make_unique<StreamChannel>(fd);
    case TurnTransport::kTls:
      return openTls(fd, server, caFile, deadline, why);
  }
  ::close(fd);
  return nullptr;
}

}  // namespace medrtc::turn
