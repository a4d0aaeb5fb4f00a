#pragma once
// A non-blocking UDP socket that receives and sends in batches (recvmmsg/sendmmsg), so the
// media path makes one syscall per batch, not per packet. Buffers are preallocated once:
// receiving and queueing a send never allocate.
#include <sys/socket.h>
#include <time.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "common/bytes.hpp"
#include "common/result.hpp"
#include "common/socket_address.hpp"

namespace medrtc::net {

// Which datagrams of a send batch leave first. Audio is urgent: when the socket buffer is
// full, flush() drops the tail of the batch, and a lost video packet is recovered by NACK
// or a keyframe while a lost audio packet is an audible gap (issue 12 item 5).
enum class SendPriority : uint8_t { kNormal, kUrgent };

class UdpSocket {
 public:
  static constexpr size_t kBatchSize = 32;
  // Large enough for any RTP packet we accept plus the SRTP trailer (MTU-sized datagrams).
  static constexpr size_t kBufferSize = 1500;

  // Binds a socket; port 0 picks an ephemeral port. Error is an errno value.
  static Result<std::unique_ptr<UdpSocket>, int> bind(const SocketAddress& local);
  ~UdpSocket();
  UdpSocket(const UdpSocket&) = delete;
  UdpSocket& operator=(const UdpSocket&) = delete;

  int fd() const { return fd_; }
  const SocketAddress& localAddress() const { return local_; }

  // Reads every datagram waiting (in batches) and calls `onDatagram` for each. The view is
  // writable so SRTP can decrypt in place; it is valid only during the call.
  using DatagramHandler = std::function<void(MutableByteView data, const SocketAddress& from)>;
  size_t receiveAll(const DatagramHandler& onDatagram);

  // Asks the kernel to stamp every datagram with its arrival time (SO_TIMESTAMPNS), read
  // with recvmmsg's control messages: a measuring client can then time a packet by when
  // it arrived, not by when its busy loop got round to reading it. False if refused.
  bool enableReceiveTimestamps();
  // During an onDatagram call: that datagram's kernel arrival time (CLOCK_REALTIME, ns
  // since the epoch), or nullopt when timestamps are off or the kernel gave none.
  std::optional<std::chrono::nanoseconds> receiveTimestamp() const { return rxTimestamp_; }

  // Reserves a send slot of kBufferSize bytes. Fill it, then commitSend(length).
  // Flushes first when the batch is full.
  MutableByteView reserveSend(const SocketAddress& to);
  void commitSend(size_t length, SendPriority priority = SendPriority::kNormal);
  // Copies `data` into a send slot.
  void send(ByteView data, const SocketAddress& to, SendPriority priority = SendPriority::kNormal);
  // Sends every queued datagram (sendmmsg), urgent ones first, otherwise in queue order.
  // Called once per loop turn.
  void flush();

  // UDP GSO (UDP_SEGMENT): flush() sends a run of equal-size datagrams to one address (the
  // packets of a video frame to one subscriber) as one super-datagram the kernel cuts,
  // instead of one per packet. False if the kernel refused (before Linux 4.18).
  bool enableSegmentation();

  struct Stats {
    uint64_t datagramsReceived = 0;
    uint64_t datagramsSent = 0;
    uint64_t sendErrors = 0;
    uint64_t receiveBatches = 0;
    uint64_t sendBatches = 0;
    uint64_t segmentedDatagrams = 0;  // sent inside a UDP_SEGMENT super-datagram
  };
  const Stats& stats() const { return stats_; }

 private:
  UdpSocket(int fd, SocketAddress local);

  struct Batch {
    std::array<std::array<uint8_t, kBufferSize>, kBatchSize> buffers;
    std::array<sockaddr_storage, kBatchSize> addresses;
    std::array<iovec, kBatchSize> iov;
    std::array<mmsghdr, kBatchSize> headers;
  };

  int fd_;
  SocketAddress local_;
  std::unique_ptr<Batch> rx_;
  // Control-message space per receive slot, only with enableReceiveTimestamps().
  using Control = std::array<uint8_t, CMSG_SPACE(sizeof(timespec))>;
  std::unique_ptr<std::array<Control, kBatchSize>> rxControl_;
  std::optional<std::chrono::nanoseconds> rxTimestamp_;
  std::unique_ptr<Batch> tx_;
  size_t txCount_ = 0;
  bool txReserved_ = false;
  // Send order of the queued slots when some are urgent: indexes into tx_, urgent first.
  // Filled only then, so a batch without audio costs nothing extra.
  std::array<mmsghdr, kBatchSize> txOrdered_{};
  std::array<SendPriority, kBatchSize> txPriority_{};
  // With enableSegmentation(): the runs of one flush, each one header over its slots.
  struct Segmented {
    std::array<mmsghdr, kBatchSize> headers;
    std::array<iovec, kBatchSize> iov;
    std::array<std::array<uint8_t, CMSG_SPACE(sizeof(uint16_t))>, kBatchSize> control;
    std::array<uint8_t, kBatchSize> count;  // datagrams in each header
  };
  std::unique_ptr<Segmented> segmented_;
  size_t segment(const mmsghdr* headers);  // fills segmented_; returns its header count
  void flushSegmented(const mmsghdr* headers);
  bool txHasUrgent_ = false;
  Stats stats_;
};

}  // namespace medrtc::net
