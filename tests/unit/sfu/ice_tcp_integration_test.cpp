// ICE-TCP at the worker, with real sockets: the SDP carries a passive TCP candidate on the
// UDP port, a check framed per RFC 4571 is answered on the same connection, and hostile
// connections are closed without disturbing a call.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <regex>

#include "call_harness.hpp"
#include "ice/stun_message.hpp"
#include "ice/stun_message_builder.hpp"
#include "net/tcp_framing.hpp"
#include "sdp/parse.hpp"

namespace medrtc::sfu::test {
namespace {

using client::MediaKind;

struct TcpCandidate {
  std::string ip;
  uint16_t port = 0;
  uint32_t priority = 0;
};

// Every "a=candidate:... tcp ... typ host tcptype passive" line of a server SDP.
std::vector<TcpCandidate> tcpCandidates(const std::string& sdp) {
  std::vector<TcpCandidate> found;
  std::regex line(R"(a=candidate:\S+ 1 tcp (\d+) (\S+) (\d+) typ host tcptype passive)");
  for (auto it = std::sregex_iterator(sdp.begin(), sdp.end(), line); it != std::sregex_iterator(); ++it) {
    found.push_back({(*it)[2], static_cast<uint16_t>(std::stoi((*it)[3])), static_cast<uint32_t>(std::stoul((*it)[1]))});
  }
  return found;
}

uint32_t udpPriority(const std::string& sdp) {
  std::smatch m;
  std::regex line(R"(a=candidate:\S+ 1 udp (\d+) )");
  return std::regex_search(sdp, m, line) ? static_cast<uint32_t>(std::stoul(m[1])) : 0;
}

std::pair<std::string, std::string> serverIce(const std::string& sdpText) {
  auto parsed = sdp::parse(sdpText);
  auto remote = client::readRemoteTransport(*parsed, /*remoteIsOffer=*/false);
  return {remote->iceUfrag, remote->icePassword};
}

std::vector<uint8_t> bindingRequest(const std::string& username, const std::string& password, uint8_t id0) {
  std::vector<uint8_t> buffer(ice::StunMessageBuilder::kRecommendedBufferSize);
  ice::TransactionId id{};
  id[0] = id0;
  ice::StunMessageBuilder b(MutableByteView(buffer), ice::StunMethod::kBinding, ice::StunClass::kRequest, id);
  b.addUsername(username).addPriority(1).addIceControlling(42).addUseCandidate();
  b.addMessageIntegrity(password).addFingerprint();
  buffer.resize(b.finish()->size());
  return buffer;
}

std::vector<uint8_t> framed(ByteView packet) {
  std::vector<uint8_t> out(2 + packet.size());
  net::writeRfc4571Header(out.data(), packet.size());
  std::copy(packet.begin(), packet.end(), out.begin() + 2);
  return out;
}

// A blocking TCP client with a receive timeout, so no test waits for ever.
class TcpClient {
 public:
  explicit TcpClient(const SocketAddress& server) {
    fd_ = ::socket(server.family(), SOCK_STREAM | SOCK_CLOEXEC, 0);
    timeval timeout{5, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    connected_ = ::connect(fd_, server.sockaddrPtr(), server.length()) == 0;
  }
  ~TcpClient() { ::close(fd_); }
  bool connected() const { return connected_; }
  SocketAddress local() const {
    sockaddr_storage s{};
    socklen_t len = sizeof s;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&s), &len);
    return SocketAddress::fromSockaddr(reinterpret_cast<sockaddr*>(&s), len);
  }
  void write(ByteView bytes) { ASSERT_EQ(::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL), ssize_t(bytes.size())); }
  // One frame's payload; empty on EOF, error or timeout.
  std::vector<uint8_t> readFrame() {
    uint8_t header[2];
    if (!readExactly(header, 2)) {
      return {};
    }
    std::vector<uint8_t> frame((size_t{header[0]} << 8) | header[1]);
    if (!readExactly(frame.data(), frame.size())) {
      return {};
    }
    return frame;
  }
  // True when the server closed the connection (EOF or reset) within the timeout.
  bool closedByServer() {
    uint8_t byte;
    ssize_t n = ::recv(fd_, &byte, 1, 0);
    return n == 0 || (n < 0 && errno == ECONNRESET);
  }

 private:
  bool readExactly(uint8_t* out, size_t n) {
    size_t got = 0;
    while (got < n) {
      ssize_t r = ::recv(fd_, out + got, n - got, 0);
      if (r <= 0) {
        return false;
      }
      got += static_cast<size_t>(r);
    }
    return true;
  }
  int fd_ = -1;
  bool connected_ = false;
};

TEST(WorkerIceTcp, OffersPassiveTcpCandidatesBelowUdpOnTheSamePort) {
  CallHarness h;
  Endpoint& a = h.join("r", "a");
  ASSERT_TRUE(h.runUntil([&] { return !a.publishAnswer.empty(); }));
  auto tcp = tcpCandidates(a.publishAnswer);
  ASSERT_FALSE(tcp.empty()) << a.publishAnswer;
  auto udp = serverCandidate(a.offers.empty() ? a.publishAnswer : a.offers.back());
  ASSERT_TRUE(udp.has_value());
  EXPECT_EQ(tcp.front().port, udp->port());
  EXPECT_LT(tcp.front().priority, udpPriority(a.publishAnswer));
}

TEST(WorkerIceTcp, AnswersAConnectivityCheckOnTheFramedConnection) {
  CallHarness h;
  Endpoint& a = h.join("r", "a");
  ASSERT_TRUE(h.runUntil([&] { return !a.publishAnswer.empty(); }));
  auto tcp = tcpCandidates(a.publishAnswer);
  ASSERT_FALSE(tcp.empty());
  auto [ufrag, password] = serverIce(a.publishAnswer);

  TcpClient client(*SocketAddress::fromIp("127.0.0.1", tcp.front().port));
  ASSERT_TRUE(client.connected());
  auto check = framed(ByteView(bindingRequest(ufrag + ":x", password, 9)));
  // Split mid-header and mid-packet: TCP owes us no packet boundaries.
  client.write(ByteView(check.data(), 1));
  client.write(ByteView(check.data() + 1, 10));
  client.write(ByteView(check.data() + 11, check.size() - 11));

  auto response = client.readFrame();
  ASSERT_FALSE(response.empty());
  auto message = ice::StunMessage::parse(ByteView(response));
  ASSERT_TRUE(message.ok());
  EXPECT_EQ(message->messageClass(), ice::StunClass::kSuccessResponse);
  EXPECT_EQ(message->transactionId()[0], 9);
  EXPECT_TRUE(message->verifyMessageIntegrity(password));
  // XOR-MAPPED-ADDRESS is the client's TCP address (RFC 6544 §7.1: as over UDP).
  ASSERT_TRUE(message->xorMappedAddress().has_value());
  EXPECT_EQ(*message->xorMappedAddress(), client.local());

  // A second check on the same, now validated, connection is answered too.
  client.write(ByteView(framed(ByteView(bindingRequest(ufrag + ":x", password, 10)))));
  auto second = client.readFrame();
  ASSERT_FALSE(second.empty());
  EXPECT_EQ(ice::StunMessage::parse(ByteView(second))->transactionId()[0], 10);
}

TEST(WorkerIceTcp, WrongPasswordGetsAnErrorAndNoMediaPath) {
  CallHarness h;
  Endpoint& a = h.join("r", "a");
  ASSERT_TRUE(h.runUntil([&] { return !a.publishAnswer.empty(); }));
  auto tcp = tcpCandidates(a.publishAnswer);
  ASSERT_FALSE(tcp.empty());
  auto [ufrag, password] = serverIce(a.publishAnswer);
  TcpClient client(*SocketAddress::fromIp("127.0.0.1", tcp.front().port));
  ASSERT_TRUE(client.connected());
  client.write(ByteView(framed(ByteView(bindingRequest(ufrag + ":x", "not-the-password-at-all!", 3)))));
  auto response = client.readFrame();
  ASSERT_FALSE(response.empty());
  EXPECT_EQ(ice::StunMessage::parse(ByteView(response))->messageClass(), ice::StunClass::kErrorResponse);
  // Not authenticated: a DTLS record on it ends the connection.
  std::vector<uint8_t> dtls = {22, 0xFE, 0xFD, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0};
  client.write(ByteView(framed(ByteView(dtls))));
  EXPECT_TRUE(client.closedByServer());
}

TEST(WorkerIceTcp, HostileConnectionsCloseAndTheCallGoesOn) {
  CallHarness h;
  Endpoint& a = h.join("r", "a");
  Endpoint& b = h.join("r", "b");
  ASSERT_TRUE(h.runUntil([&] { return a.pubConnected() && b.pubConnected() && a.subConnected() && b.subConnected(); }));
  MediaPump pumpA(h.loop(), a);
  MediaPump pumpB(h.loop(), b);
  pumpA.start();
  pumpB.start();
  ASSERT_TRUE(h.runUntil([&] { return a.count(MediaKind::kVideo) >= 20 && b.count(MediaKind::kVideo) >= 20; }));
  auto server = *SocketAddress::fromIp("127.0.0.1", tcpCandidates(a.publishAnswer).front().port);

  TcpClient oversize(server);
  oversize.write(ByteView(std::vector<uint8_t>{0xFF, 0xFF, 0x00, 0x01}));
  TcpClient empty(server);
  empty.write(ByteView(std::vector<uint8_t>{0x00, 0x00}));
  TcpClient media(server);  // SRTP-looking bytes before any check
  media.write(ByteView(framed(ByteView(std::vector<uint8_t>(200, 0x80)))));
  TcpClient unknownUfrag(server);  // a well-formed check for nobody: ignored, not fatal
  unknownUfrag.write(ByteView(framed(ByteView(bindingRequest("nobody00:x", "whatever-password-123456", 1)))));

  // The worker runs on its own thread; the test thread blocks on the hostile sockets
  // while the call's client loop is not running, then lets media flow again.
  EXPECT_TRUE(oversize.closedByServer());
  EXPECT_TRUE(empty.closedByServer());
  EXPECT_TRUE(media.closedByServer());

  uint64_t before = a.count(MediaKind::kVideo);
  uint64_t beforeB = b.count(MediaKind::kVideo);
  EXPECT_TRUE(h.runUntil([&] { return a.count(MediaKind::kVideo) >= before + 20 && b.count(MediaKind::kVideo) >= beforeB + 20; }));
  EXPECT_TRUE(h.failures().empty());
}

}  // namespace
}  // namespace medrtc::sfu::test
