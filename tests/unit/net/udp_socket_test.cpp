#include "net/udp_socket.hpp"

#include <gtest/gtest.h>

#include <poll.h>
#include <time.h>

#include <atomic>
#include <chrono>
#include <optional>
#include <thread>
#include <vector>

#include "net/event_loop.hpp"

namespace medrtc::net {
namespace {

SocketAddress loopback(uint16_t port = 0) { return *SocketAddress::fromIp("127.0.0.1", port); }

TEST(UdpSocket, BatchedSendArrivesInOrder) {
  auto a = UdpSocket::bind(loopback());
  auto b = UdpSocket::bind(loopback());
  ASSERT_TRUE(a.ok());
  ASSERT_TRUE(b.ok());
  constexpr int kCount = 100;  // more than one batch
  for (int i = 0; i < kCount; ++i) {
    uint8_t payload[4] = {static_cast<uint8_t>(i), 1, 2, 3};
    (*a)->send(ByteView(payload, 4), (*b)->localAddress());
  }
  (*a)->flush();
  std::vector<int> seen;
  for (int attempt = 0; attempt < 100 && seen.size() < kCount; ++attempt) {
    (*b)->receiveAll([&](MutableByteView data, const SocketAddress& from) {
      EXPECT_EQ(from, (*a)->localAddress());
      ASSERT_EQ(data.size(), 4u);
      seen.push_back(data[0]);
    });
  }
  ASSERT_EQ(seen.size(), static_cast<size_t>(kCount));
  for (int i = 0; i < kCount; ++i) {
    EXPECT_EQ(seen[i], i);
  }
}

TEST(UdpSocket, UrgentDatagramsLeaveFirstAndTheRestKeepTheirOrder) {
  auto a = UdpSocket::bind(loopback());
  auto b = UdpSocket::bind(loopback());
  ASSERT_TRUE(a.ok());
  ASSERT_TRUE(b.ok());
  // One batch: video 0, audio 1, video 2, video 3, audio 4.
  const bool urgent[] = {false, true, false, false, true};
  for (int i = 0; i < 5; ++i) {
    uint8_t payload[1] = {static_cast<uint8_t>(i)};
    (*a)->send(ByteView(payload, 1), (*b)->localAddress(), urgent[i] ? SendPriority::kUrgent : SendPriority::kNormal);
  }
  (*a)->flush();
  // A second batch without urgent datagrams goes out in queue order again.
  for (int i = 5; i < 7; ++i) {
    uint8_t payload[1] = {static_cast<uint8_t>(i)};
    (*a)->send(ByteView(payload, 1), (*b)->localAddress());
  }
  (*a)->flush();
  std::vector<int> seen;
  for (int attempt = 0; attempt < 100 && seen.size() < 7; ++attempt) {
    (*b)->receiveAll([&](MutableByteView data, const SocketAddress&) { seen.push_back(data[0]); });
  }
  EXPECT_EQ(seen, (std::vector<int>{1, 4, 0, 2, 3, 5, 6}));
}

TEST(UdpSocket, ASocketBoundToAnyIpv6AddressAlsoReceivesAndAnswersIpv4) {
  auto server = UdpSocket::bind(*SocketAddress::fromIp("::", 0));
  if (!server.ok()) {
    GTEST_SKIP() << "no IPv6 on this machine (errno " << server.error() << ")";
  }
  auto client = UdpSocket::bind(loopback());
  ASSERT_TRUE(client.ok());
  uint8_t ping[1] = {7};
  (*client)->send(ByteView(ping, 1), loopback((*server)->localAddress().port()));
  (*client)->flush();
  std::optional<SocketAddress> peer;
  for (int attempt = 0; attempt < 200 && !peer; ++attempt) {
    (*server)->receiveAll([&](MutableByteView, const SocketAddress& from) { peer = from; });
  }
  ASSERT_TRUE(peer.has_value());
  EXPECT_EQ(peer->ip(), "::ffff:127.0.0.1");  // v4-mapped
  uint8_t pong[1] = {8};
  (*server)->send(ByteView(pong, 1), *peer);
  (*server)->flush();
  bool answered = false;
  for (int attempt = 0; attempt < 200 && !answered; ++attempt) {
    (*client)->receiveAll([&](MutableByteView data, const SocketAddress& from) {
      answered = data.size() == 1 && data[0] == 8 && from.port() == (*server)->localAddress().port();
    });
  }
  EXPECT_TRUE(answered);
}

std::chrono::nanoseconds wallNow() {
  timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return std::chrono::seconds(ts.tv_sec) + std::chrono::nanoseconds(ts.tv_nsec);
}

TEST(UdpSocket, KernelArrivalTimeIsWhenTheDatagramArrivedNotWhenItWasRead) {
  auto a = UdpSocket::bind(loopback());
  auto b = UdpSocket::bind(loopback());
  ASSERT_TRUE(a.ok());
  ASSERT_TRUE(b.ok());
  ASSERT_TRUE((*b)->enableReceiveTimestamps());
  uint8_t payload[3] = {1, 2, 3};
  // The kernel turns arrival stamping on lazily (the first SO_TIMESTAMPNS socket enables a
  // static key from a work queue, later under load); until then a datagram is stamped
  // when it is read. Wait until a probe shows stamping on arrival, as a long-running
  // server has it, before measuring.
  bool stampsOnArrival = false;
  for (int attempt = 0; attempt < 200 && !stampsOnArrival; ++attempt) {
    (*a)->send(ByteView(payload, 3), (*b)->localAddress());
    (*a)->flush();
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    const auto readAt = wallNow();
    (*b)->receiveAll([&](MutableByteView, const SocketAddress&) {
      auto stamp = (*b)->receiveTimestamp();
      stampsOnArrival = stampsOnArrival || (stamp && *stamp + std::chrono::milliseconds(5) < readAt);
    });
  }
  ASSERT_TRUE(stampsOnArrival) << "the kernel never stamped a datagram on arrival";
  const auto sentAfter = wallNow();
  for (int i = 0; i < 40; ++i) {  // more than one recvmmsg batch
    (*a)->send(ByteView(payload, 3), (*b)->localAddress());
  }
  (*a)->flush();
  // Wait until the first datagram is there (a loaded machine may deliver loopback traffic
  // late, from ksoftirqd), note when, then let them wait, as they do behind a busy loop.
  pollfd pfd{(*b)->fd(), POLLIN, 0};
  ASSERT_EQ(::poll(&pfd, 1, 5000), 1);
  const auto arrivedBy = wallNow();
  std::this_thread::sleep_for(std::chrono::milliseconds(30));
  const auto readAt = wallNow();
  int stamped = 0;
  (*b)->receiveAll([&](MutableByteView, const SocketAddress&) {
    auto stamp = (*b)->receiveTimestamp();
    ASSERT_TRUE(stamp.has_value());
    EXPECT_GE(*stamp, sentAfter);
    // Never later than now; on a loaded machine the last of the 40 may still be arriving
    // while the first are read, so "before readAt" holds only for the first.
    EXPECT_LE(*stamp, wallNow());
    if (stamped == 0) {
      // Stamped on arrival, not when read 30 ms later.
      EXPECT_LE(*stamp, arrivedBy);
      EXPECT_LT(*stamp, readAt);
    }
    ++stamped;
  });
  EXPECT_EQ(stamped, 40);
  EXPECT_FALSE((*b)->receiveTimestamp().has_value());  // only during the handler
}

TEST(UdpSocket, NoArrivalTimeUnlessAskedFor) {
  auto a = UdpSocket::bind(loopback());
  auto b = UdpSocket::bind(loopback());
  ASSERT_TRUE(a.ok());
  ASSERT_TRUE(b.ok());
  uint8_t payload[3] = {1, 2, 3};
  (*a)->send(ByteView(payload, 3), (*b)->localAddress());
  (*a)->flush();
  int seen = 0;
  for (int attempt = 0; attempt < 100 && seen == 0; ++attempt) {
    (*b)->receiveAll([&](MutableByteView, const SocketAddress&) {
      EXPECT_FALSE((*b)->receiveTimestamp().has_value());
      ++seen;
    });
  }
  EXPECT_EQ(seen, 1);
}

// Receives until `want` datagrams arrived (or gives up); each as its bytes.
std::vector<std::vector<uint8_t>> receiveDatagrams(UdpSocket& socket, size_t want) {
  std::vector<std::vector<uint8_t>> got;
  for (int attempt = 0; attempt < 200 && got.size() < want; ++attempt) {
    socket.receiveAll([&](MutableByteView data, const SocketAddress&) { got.emplace_back(data.begin(), data.end()); });
    if (got.size() < want) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }
  return got;
}

TEST(UdpSocket, SegmentationSendsRunsOfEqualSizeAsOneAndTheReceiverGetsEveryDatagram) {
  auto a = UdpSocket::bind(loopback());
  auto b = UdpSocket::bind(loopback());
  auto c = UdpSocket::bind(loopback());
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  if (!(*a)->enableSegmentation()) {
    GTEST_SKIP() << "kernel without UDP_SEGMENT";
  }
  // To b: a frame of five 1,000-byte packets and a 300-byte tail (one run), then a larger
  // packet (a new run); to c, between them, one packet that must not join b's run.
  std::vector<std::vector<uint8_t>> toB;
  for (size_t size : {1000, 1000, 1000, 1000, 1000, 300}) {
    toB.emplace_back(size, static_cast<uint8_t>(toB.size()));
  }
  for (const auto& p : toB) {
    (*a)->send(ByteView(p), (*b)->localAddress());
  }
  std::vector<uint8_t> toC(1000, 0xCC);
  (*a)->send(ByteView(toC), (*c)->localAddress());
  toB.emplace_back(1200, 0x77);
  (*a)->send(ByteView(toB.back()), (*b)->localAddress());
  (*a)->flush();
  EXPECT_EQ((*a)->stats().datagramsSent, 8u);
  EXPECT_EQ((*a)->stats().segmentedDatagrams, 6u);  // the one run of six
  EXPECT_EQ((*a)->stats().sendErrors, 0u);
  EXPECT_EQ(receiveDatagrams(**b, toB.size()), toB);
  EXPECT_EQ(receiveDatagrams(**c, 1), std::vector<std::vector<uint8_t>>{toC});
}

TEST(UdpSocket, WithoutSegmentationEveryDatagramLeavesAlone) {
  auto a = UdpSocket::bind(loopback());
  auto b = UdpSocket::bind(loopback());
  ASSERT_TRUE(a.ok() && b.ok());
  std::vector<uint8_t> p(1000, 1);
  for (int i = 0; i < 4; ++i) {
    (*a)->send(ByteView(p), (*b)->localAddress());
  }
  (*a)->flush();
  EXPECT_EQ((*a)->stats().segmentedDatagrams, 0u);
  EXPECT_EQ(receiveDatagrams(**b, 4).size(), 4u);
}

TEST(UdpSocket, EphemeralPortIsReported) {
  auto a = UdpSocket::bind(loopback());
  ASSERT_TRUE(a.ok());
  EXPECT_NE((*a)->localAddress().port(), 0);
}

TEST(EventLoop, RunsPostedTasksAndTimersInOrder) {
  EventLoop loop;
  std::vector<int> order;
  std::thread t([&] { loop.run(); });
  loop.post([&] {
    order.push_back(1);
    loop.runAfter(Micros(2000), [&] {
      order.push_back(3);
      loop.stop();
    });
    loop.runAfter(Micros(1000), [&] { order.push_back(2); });
    auto cancelled = loop.runAfter(Micros(1500), [&] { order.push_back(99); });
    loop.cancelTimer(cancelled);
  });
  t.join();
  EXPECT_EQ(order, (std::vector<int>{1, 2, 3}));
}

TEST(EventLoop, DeliversDatagramsThroughFdHandler) {
  EventLoop loop;
  auto rx = UdpSocket::bind(loopback());
  auto tx = UdpSocket::bind(loopback());
  ASSERT_TRUE(rx.ok() && tx.ok());
  int received = 0;
  loop.addFd((*rx)->fd(), EPOLLIN, [&](uint32_t) {
    received += static_cast<int>((*rx)->receiveAll([](MutableByteView, const SocketAddress&) {}));
    if (received >= 3) {
      loop.stop();
    }
  });
  for (int i = 0; i < 3; ++i) {
    uint8_t b = 0;
    (*tx)->send(ByteView(&b, 1), (*rx)->localAddress());
  }
  (*tx)->flush();
  loop.runAfter(Micros(5'000'000), [&] { loop.stop(); });
  loop.run();
  EXPECT_EQ(received, 3);
}

}  // namespace
}  // namespace medrtc::net

namespace medrtc::net {
namespace {

TEST(UdpSocket, OneBadDestinationDoesNotDropTheRestOfTheBatch) {
  auto a = UdpSocket::bind(*SocketAddress::fromIp("127.0.0.1", 0));
  auto b = UdpSocket::bind(*SocketAddress::fromIp("127.0.0.1", 0));
  ASSERT_TRUE(a.ok() && b.ok());
  uint8_t payload[1] = {7};
  // An IPv6 destination on an IPv4 socket fails for that datagram alone.
  auto unreachable = *SocketAddress::fromIp("::1", 9);
  (*a)->send(ByteView(payload, 1), (*b)->localAddress());
  (*a)->send(ByteView(payload, 1), unreachable);
  (*a)->send(ByteView(payload, 1), (*b)->localAddress());
  (*a)->flush();
  size_t received = 0;
  for (int attempt = 0; attempt < 100 && received < 2; ++attempt) {
    received += (*b)->receiveAll([](MutableByteView, const SocketAddress&) {});
  }
  EXPECT_EQ(received, 2u);
  EXPECT_EQ((*a)->stats().sendErrors, 1u);
}

}  // namespace
}  // namespace medrtc::net
