#pragma once
// Two DtlsTransports wired back to back in memory. Datagrams queue in each endpoint's
// outbox and pump() delivers them, so no callback re-enters a transport.
#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "dtls/dtls_transport.hpp"

namespace medrtc::dtls::test {

struct Endpoint : DtlsTransport::Listener {
  std::deque<std::vector<uint8_t>> outbox;
  std::optional<SrtpKeyMaterial> keys;
  std::optional<DtlsError> failure;
  bool closed = false;
  std::vector<std::vector<uint8_t>> received;
  size_t largestDatagram = 0;
  size_t datagramsSent = 0;

  void onDtlsSend(ByteView datagram) override {
    outbox.emplace_back(datagram.begin(), datagram.end());
    largestDatagram = std::max(largestDatagram, datagram.size());
    ++datagramsSent;
  }
  void onDtlsConnected(const SrtpKeyMaterial& k) override { keys = k; }
  void onDtlsFailed(DtlsError e) override { failure = e; }
  void onDtlsClosed() override { closed = true; }
  void onDtlsApplicationData(ByteView data) override { received.emplace_back(data.begin(), data.end()); }
};

// Fast timers for retransmission tests. OpenSSL 3.0 treats a timer with < 15 ms left as
// expired, so with 20 ms a retransmission is due about 5 ms of real time after a flight.
inline DtlsConfig fastTimerConfig() {
  DtlsConfig config;
  config.initialRetransmitTimeout = std::chrono::milliseconds(20);
  config.maxRetransmitTimeout = std::chrono::milliseconds(20);
  return config;
}

inline Micros realNow() { return SystemClock::instance().now(); }

struct Pair {
  std::shared_ptr<Certificate> serverCert = Certificate::generate();
  std::shared_ptr<Certificate> clientCert = Certificate::generate();
  Endpoint serverEnd;
  Endpoint clientEnd;
  std::unique_ptr<DtlsTransport> server;
  std::unique_ptr<DtlsTransport> client;

  explicit Pair(DtlsConfig serverConfig = {}, DtlsConfig clientConfig = {}) {
    server = std::make_unique<DtlsTransport>(
        DtlsContext::create(serverCert, DtlsRole::kServer, std::move(serverConfig)), serverEnd);
    client = std::make_unique<DtlsTransport>(
        DtlsContext::create(clientCert, DtlsRole::kClient, std::move(clientConfig)), clientEnd);
  }

  void exchangeFingerprints() {
    ASSERT_TRUE(server->setRemoteFingerprint("sha-256", clientCert->fingerprintSha256()).ok());
    ASSERT_TRUE(client->setRemoteFingerprint("sha-256", serverCert->fingerprintSha256()).ok());
  }

  // Delivers queued datagrams both ways until both outboxes are empty. `drop` decides per
  // datagram (true = lose it); `fromClient` tells the direction.
  void pump(const std::function<bool(bool fromClient, const std::vector<uint8_t>&)>& drop = nullptr) {
    for (int round = 0; round < 100 && (!clientEnd.outbox.empty() || !serverEnd.outbox.empty()); ++round) {
      while (!clientEnd.outbox.empty()) {
        auto d = std::move(clientEnd.outbox.front());
        clientEnd.outbox.pop_front();
        if (!drop || !drop(true, d)) {
          server->receiveDatagram(d);
        }
      }
      while (!serverEnd.outbox.empty()) {
        auto d = std::move(serverEnd.outbox.front());
        serverEnd.outbox.pop_front();
        if (!drop || !drop(false, d)) {
          client->receiveDatagram(d);
        }
      }
    }
  }

  void handshake() {
    server->start();
    client->start();
    pump();
  }
};

// Polls OpenSSL's wall-clock timer until a retransmission is due, then runs it.
// Returns false if none became due within the limit.
inline bool waitAndHandleTimeout(DtlsTransport& t, std::chrono::milliseconds limit = std::chrono::seconds(3)) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    Micros now = realNow();
    auto due = t.nextTimeout(now);
    if (!due) {
      return false;
    }
    if (*due <= now) {
      t.handleTimeout(now);
      return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return false;
}

}  // namespace medrtc::dtls::test
