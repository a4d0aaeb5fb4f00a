// IceTcpServer's limits with real sockets and short timeouts: the connection cap, the
// handshake deadline (slowloris), the idle timeout, and the bounded output queue. The
// server's loop runs on its own thread, as in a worker; the test thread is the client.
#include "sfu/ice_tcp_server.hpp"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <future>
#include <mutex>
#include <thread>

namespace medrtc::sfu {
namespace {

using namespace std::chrono_literals;

struct RecordingListener final : IceTcpServer::Listener {
  void onIceTcpFrame(IceTcpServer::ConnectionId id, const SocketAddress&, MutableByteView frame) override {
    std::lock_guard lock(mutex);
    frames.emplace_back(id, std::vector<uint8_t>(frame.begin(), frame.end()));
  }
  void onIceTcpClosed(IceTcpServer::ConnectionId) override { ++closed; }
  std::vector<std::pair<IceTcpServer::ConnectionId, std::vector<uint8_t>>> snapshot() {
    std::lock_guard lock(mutex);
    return frames;
  }
  std::mutex mutex;
  std::vector<std::pair<IceTcpServer::ConnectionId, std::vector<uint8_t>>> frames;
  std::atomic<int> closed{0};
};

class ServerFixture {
 public:
  explicit ServerFixture(IceTcpServer::Limits limits) {
    server_ = IceTcpServer::listen(loop_, *SocketAddress::fromIp("127.0.0.1", 0), listener, limits).value();
    loop_.setAfterEventsHook([this] { server_->flush(); });
    thread_ = std::thread([this] { loop_.run(); });
  }
  ~ServerFixture() {
    loop_.stop();
    thread_.join();
    server_.reset();
  }
  SocketAddress address() const { return server_->localAddress(); }
  // Runs `f` on the server's loop and waits for it.
  template <typename F>
  auto onLoop(F f) {
    std::packaged_task<decltype(f())()> task(f);
    auto result = task.get_future();
    loop_.post([&task] { task(); });
    return result.get();
  }
  IceTcpServer::Stats stats() {
    return onLoop([this] { return server_->stats(); });
  }
  IceTcpServer& server() { return *server_; }
  RecordingListener listener;

 private:
  net::EventLoop loop_;
  std::unique_ptr<IceTcpServer> server_;
  std::thread thread_;
};

int connectTo(const SocketAddress& server) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  timeval timeout{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  EXPECT_EQ(::connect(fd, server.sockaddrPtr(), server.length()), 0);
  return fd;
}

void writeAll(int fd, const std::vector<uint8_t>& bytes) {
  ASSERT_EQ(::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL), static_cast<ssize_t>(bytes.size()));
}

// True once the server closed `fd` (EOF or reset), false on timeout or data.
bool closedByServer(int fd) {
  uint8_t byte;
  ssize_t n = ::recv(fd, &byte, 1, 0);
  return n == 0 || (n < 0 && errno == ECONNRESET);
}

bool eventually(const std::function<bool()>& f) {
  for (int i = 0; i < 500; ++i) {
    if (f()) {
      return true;
    }
    std::this_thread::sleep_for(10ms);
  }
  return false;
}

const std::vector<uint8_t> kStunFrame = {0x00, 0x04, 0x00, 0x01, 0x00, 0x00};  // 4-byte "STUN" packet
const std::vector<uint8_t> kDtlsFrame = {0x00, 0x03, 22, 0xFE, 0xFD};

TEST(IceTcpServer, DeliversStunBeforeAuthenticationAndClosesOnAnythingElse) {
  ServerFixture f({});
  int fd = connectTo(f.address());
  writeAll(fd, kStunFrame);
  ASSERT_TRUE(eventually([&] { return f.listener.snapshot().size() == 1; }));
  EXPECT_EQ(f.listener.snapshot()[0].second, (std::vector<uint8_t>{0x00, 0x01, 0x00, 0x00}));
  writeAll(fd, kDtlsFrame);
  EXPECT_TRUE(closedByServer(fd));
  EXPECT_EQ(f.listener.snapshot().size(), 1u);  // the DTLS record never reached the worker
  EXPECT_EQ(f.stats().closedInvalid, 1u);
  EXPECT_EQ(f.listener.closed.load(), 1);
  ::close(fd);
}

TEST(IceTcpServer, AuthenticatedConnectionsCarryDtlsAndSrtpAndGetFramedReplies) {
  ServerFixture f({});
  int fd = connectTo(f.address());
  writeAll(fd, kStunFrame);
  ASSERT_TRUE(eventually([&] { return f.listener.snapshot().size() == 1; }));
  auto id = f.listener.snapshot()[0].first;
  f.onLoop([&] {
    f.server().markAuthenticated(id);
    return f.server().send(id, ByteView(std::vector<uint8_t>{0x80, 0x60, 0x00}));
  });
  writeAll(fd, kDtlsFrame);
  ASSERT_TRUE(eventually([&] { return f.listener.snapshot().size() == 2; }));
  uint8_t reply[5];
  ASSERT_EQ(::recv(fd, reply, sizeof reply, MSG_WAITALL), 5);
  EXPECT_EQ(std::vector<uint8_t>(reply, reply + 5), (std::vector<uint8_t>{0x00, 0x03, 0x80, 0x60, 0x00}));
  EXPECT_EQ(f.stats().closedInvalid, 0u);
  ::close(fd);
}

TEST(IceTcpServer, RefusesConnectionsPastTheCap) {
  IceTcpServer::Limits limits;
  limits.maxConnections = 2;
  ServerFixture f(limits);
  int a = connectTo(f.address());
  int b = connectTo(f.address());
  ASSERT_TRUE(eventually([&] { return f.stats().accepted == 2; }));
  int c = connectTo(f.address());
  EXPECT_TRUE(closedByServer(c));
  EXPECT_EQ(f.stats().refusedOverCap, 1u);
  // The two admitted ones still work.
  writeAll(a, kStunFrame);
  writeAll(b, kStunFrame);
  EXPECT_TRUE(eventually([&] { return f.listener.snapshot().size() == 2; }));
  ::close(a);
  ::close(b);
  ::close(c);
}

TEST(IceTcpServer, ClosesASlowlorisThatNeverAuthenticates) {
  IceTcpServer::Limits limits;
  limits.handshakeTimeout = 1500ms;
  ServerFixture f(limits);
  int fd = connectTo(f.address());
  // A byte now and then of a 1280-byte frame: the connection is never idle, but it never
  // completes a check.
  const uint8_t trickle[] = {0x05, 0x00, 0x00};
  for (uint8_t byte : trickle) {
    ::send(fd, &byte, 1, MSG_NOSIGNAL);
    std::this_thread::sleep_for(300ms);
  }
  EXPECT_TRUE(closedByServer(fd));
  EXPECT_EQ(f.stats().closedTimeout, 1u);
  ::close(fd);
}

TEST(IceTcpServer, ClosesAnAuthenticatedConnectionWhenIdle) {
  IceTcpServer::Limits limits;
  limits.handshakeTimeout = 60s;
  limits.idleTimeout = 1500ms;
  ServerFixture f(limits);
  int fd = connectTo(f.address());
  writeAll(fd, kStunFrame);
  ASSERT_TRUE(eventually([&] { return f.listener.snapshot().size() == 1; }));
  f.onLoop([&] {
    f.server().markAuthenticated(f.listener.snapshot()[0].first);
    return 0;
  });
  EXPECT_TRUE(closedByServer(fd));
  EXPECT_EQ(f.stats().closedTimeout, 1u);
  ::close(fd);
}

TEST(IceTcpServer, DropsFramesPastTheQueueLimitForAPeerThatDoesNotRead) {
  IceTcpServer::Limits limits;
  limits.maxQueuedBytes = 64 * 1024;
  ServerFixture f(limits);
  int fd = connectTo(f.address());
  int small = 4096;
  ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
  writeAll(fd, kStunFrame);
  ASSERT_TRUE(eventually([&] { return f.listener.snapshot().size() == 1; }));
  auto id = f.listener.snapshot()[0].first;
  std::vector<uint8_t> packet(1200, 0x80);
  // Far more than the socket buffers and the queue hold: the excess is dropped, counted,
  // and the server's memory for the connection stays bounded.
  // Bounded: 100 MB at most, far past any socket buffer the kernel would grow to.
  for (int round = 0; round < 1000 && f.stats().framesDropped == 0; ++round) {
    f.onLoop([&] {
      for (int i = 0; i < 100; ++i) {
        f.server().send(id, ByteView(packet));
      }
      return 0;
    });
  }
  EXPECT_GT(f.stats().framesDropped, 0u);
  EXPECT_EQ(f.onLoop([&] { return f.server().connectionCount(); }), 1u);
  ::close(fd);
}

}  // namespace
}  // namespace medrtc::sfu
