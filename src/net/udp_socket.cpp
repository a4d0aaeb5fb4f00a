#include "net/udp_socket.hpp"

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace medrtc::net {

Result<std::unique_ptr<UdpSocket>, int> UdpSocket::bind(const SocketAddress& local) {
  int fd = ::socket(local.family(), SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    return fail(errno);
  }
  // Media bursts (a keyframe is dozens of packets) must not overflow the default buffers.
  int size = 4 * 1024 * 1024;
  ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
  if (local.family() == AF_INET6) {
    // Bound to :: the socket is dual-stack whatever net.ipv6.bindv6only says: IPv4 peers
    // arrive as ::ffff:a.b.c.d (--media-listen ::, net/announced_addresses.hpp).
    int v6only = 0;
    ::setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, sizeof v6only);
  }
  if (::bind(fd, local.sockaddrPtr(), local.length()) != 0) {
    int err = errno;
    ::close(fd);
    return fail(err);
  }
  sockaddr_storage bound{};
  socklen_t len = sizeof bound;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &len);
  return std::unique_ptr<UdpSocket>(new UdpSocket(fd, SocketAddress::fromSockaddr(reinterpret_cast<sockaddr*>(&bound), len)));
}

UdpSocket::UdpSocket(int fd, SocketAddress local)
    : fd_(fd), local_(local), rx_(std::make_unique<Batch>()), tx_(std::make_unique<Batch>()) {
  for (auto* batch : {rx_.get(), tx_.get()}) {
    for (size_t i = 0; i < kBatchSize; ++i) {
      batch->iov[i] = {batch->buffers[i].data(), kBufferSize};
      std::memset(&batch->headers[i], 0, sizeof(mmsghdr));
      batch->headers[i].msg_hdr.msg_iov = &batch->iov[i];
      batch->headers[i].msg_hdr.msg_iovlen = 1;
      batch->headers[i].msg_hdr.msg_name = &batch->addresses[i];
      batch->headers[i].msg_hdr.msg_namelen = sizeof(sockaddr_storage);
    }
  }
}

UdpSocket::~UdpSocket() {
  flush();
  ::close(fd_);
}

bool UdpSocket::enableReceiveTimestamps() {
  int on = 1;
  if (::setsockopt(fd_, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on) != 0) {
    return false;
  }
  if (!rxControl_) {
    rxControl_ = std::make_unique<std::array<Control, kBatchSize>>();
    for (size_t i = 0; i < kBatchSize; ++i) {
      rx_->headers[i].msg_hdr.msg_control = (*rxControl_)[i].data();
    }
  }
  return true;
}

namespace {
std::optional<std::chrono::nanoseconds> timestampOf(msghdr& header) {
  for (cmsghdr* c = CMSG_FIRSTHDR(&header); c != nullptr; c = CMSG_NXTHDR(&header, c)) {
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS && c->cmsg_len >= CMSG_LEN(sizeof(timespec))) {
      timespec ts;
      std::memcpy(&ts, CMSG_DATA(c), sizeof ts);
      return std::chrono::seconds(ts.tv_sec) + std::chrono::nanoseconds(ts.tv_nsec);
    }
  }
  return std::nullopt;
}
}  // namespace

size_t UdpSocket::receiveAll(const DatagramHandler& onDatagram) {
  size_t total = 0;
  for (;;) {
    for (size_t i = 0; i < kBatchSize; ++i) {
      rx_->iov[i].iov_len = kBufferSize;
      rx_->headers[i].msg_hdr.msg_namelen = sizeof(sockaddr_storage);
      rx_->headers[i].msg_hdr.msg_flags = 0;
      // The kernel shrinks msg_controllen to what it wrote: give the full space back.
      rx_->headers[i].msg_hdr.msg_controllen = rxControl_ ? sizeof(Control) : 0;
    }
    int n = ::recvmmsg(fd_, rx_->headers.data(), kBatchSize, MSG_DONTWAIT, nullptr);
    if (n <= 0) {
      break;
    }
    ++stats_.receiveBatches;
    for (int i = 0; i < n; ++i) {
      auto& h = rx_->headers[i];
      if (h.msg_hdr.msg_flags & MSG_TRUNC) {
        continue;  // larger than any datagram we accept: drop
      }
      SocketAddress from = SocketAddress::fromSockaddr(reinterpret_cast<sockaddr*>(&rx_->addresses[i]),
                                                       h.msg_hdr.msg_namelen);
      rxTimestamp_ = rxControl_ ? timestampOf(h.msg_hdr) : std::nullopt;
      onDatagram(MutableByteView(rx_->buffers[i].data(), h.msg_len), from);
    }
    rxTimestamp_.reset();
    total += static_cast<size_t>(n);
    stats_.datagramsReceived += static_cast<uint64_t>(n);
    if (static_cast<size_t>(n) < kBatchSize) {
      break;
    }
  }
  return total;
}

MutableByteView UdpSocket::reserveSend(const SocketAddress& to) {
  if (txCount_ == kBatchSize) {
    flush();
  }
  std::memcpy(&tx_->addresses[txCount_], to.sockaddrPtr(), to.length());
  tx_->headers[txCount_].msg_hdr.msg_namelen = to.length();
  txReserved_ = true;
  return MutableByteView(tx_->buffers[txCount_].data(), kBufferSize);
}

void UdpSocket::commitSend(size_t length, SendPriority priority) {
  if (!txReserved_) {
    return;
  }
  txReserved_ = false;
  tx_->iov[txCount_].iov_len = length;
  txPriority_[txCount_] = priority;
  txHasUrgent_ = txHasUrgent_ || priority == SendPriority::kUrgent;
  ++txCount_;
}

void UdpSocket::send(ByteView data, const SocketAddress& to, SendPriority priority) {
  if (data.size() > kBufferSize) {
    ++stats_.sendErrors;
    return;
  }
  auto slot = reserveSend(to);
  std::memcpy(slot.data(), data.data(), data.size());
  commitSend(data.size(), priority);
}

bool UdpSocket::enableSegmentation() {
  // Probe: setting a default segment size of 0 is accepted by kernels that know the option.
  int zero = 0;
  if (::setsockopt(fd_, SOL_UDP, UDP_SEGMENT, &zero, sizeof zero) != 0) {
    return false;
  }
  segmented_ = std::make_unique<Segmented>();
  return true;
}

namespace {
bool sameDestination(const msghdr& a, const msghdr& b) {
  return a.msg_namelen == b.msg_namelen && std::memcmp(a.msg_name, b.msg_name, a.msg_namelen) == 0;
}
}  // namespace

size_t UdpSocket::segment(const mmsghdr* headers) {
  // The kernel cuts a super-datagram into gso_size pieces, only the last may be shorter;
  // at most 64 segments and 64 KiB.
  constexpr size_t kMaxSegments = 64;
  constexpr size_t kMaxBytes = 65000;
  Segmented& s = *segmented_;
  size_t out = 0;
  for (size_t i = 0; i < txCount_;) {
    const msghdr& first = headers[i].msg_hdr;
    const size_t size = first.msg_iov->iov_len;
    size_t j = i + 1;
    size_t bytes = size;
    while (size > 0 && j < txCount_ && j - i < kMaxSegments && sameDestination(first, headers[j].msg_hdr)) {
      const size_t next = headers[j].msg_hdr.msg_iov->iov_len;
      if (next == 0 || next > size || bytes + next > kMaxBytes) {
        break;
      }
      bytes += next;
      ++j;
      if (next < size) {
        break;  // a shorter one ends the run
      }
    }
    mmsghdr& h = s.headers[out];
    h = headers[i];
    s.count[out] = static_cast<uint8_t>(j - i);
    if (j - i > 1) {
      for (size_t k = i; k < j; ++k) {
        s.iov[k] = *headers[k].msg_hdr.msg_iov;
      }
      h.msg_hdr.msg_iov = &s.iov[i];
      h.msg_hdr.msg_iovlen = j - i;
      h.msg_hdr.msg_control = s.control[out].data();
      h.msg_hdr.msg_controllen = CMSG_SPACE(sizeof(uint16_t));
      cmsghdr* c = CMSG_FIRSTHDR(&h.msg_hdr);
      c->cmsg_level = SOL_UDP;
      c->cmsg_type = UDP_SEGMENT;
      c->cmsg_len = CMSG_LEN(sizeof(uint16_t));
      const auto gsoSize = static_cast<uint16_t>(size);
      std::memcpy(CMSG_DATA(c), &gsoSize, sizeof gsoSize);
    }
    ++out;
    i = j;
  }
  return out;
}

void UdpSocket::flush() {
  mmsghdr* headers = tx_->headers.data();
  if (txHasUrgent_) {
    // A stable partition into a copy of the headers (each points at its own buffer and
    // address, so the copy sends the same bytes): urgent first, the rest in queue order.
    size_t next = 0;
    for (SendPriority wanted : {SendPriority::kUrgent, SendPriority::kNormal}) {
      for (size_t i = 0; i < txCount_; ++i) {
        if (txPriority_[i] == wanted) {
          txOrdered_[next++] = tx_->headers[i];
        }
      }
    }
    headers = txOrdered_.data();
    txHasUrgent_ = false;
  }
  if (segmented_ && txCount_ > 1) {
    flushSegmented(headers);
    return;
  }
  size_t sent = 0;
  while (sent < txCount_) {
    int n = ::sendmmsg(fd_, headers + sent, static_cast<unsigned>(txCount_ - sent), MSG_DONTWAIT);
    ++stats_.sendBatches;
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS) {
        // The socket buffer is full: drop the rest of this batch, as a congested router
        // would. Media recovers through NACK/PLI.
        stats_.sendErrors += txCount_ - sent;
        break;
      }
      // An error about one destination (e.g. ECONNREFUSED from an ICMP unreachable):
      // skip that datagram only; the others in the batch belong to other subscribers.
      ++stats_.sendErrors;
      ++sent;
      continue;
    }
    sent += static_cast<size_t>(n);
    stats_.datagramsSent += static_cast<uint64_t>(n);
    if (n == 0) {
      break;
    }
  }
  txCount_ = 0;
}

// flush() with runs coalesced: the same error handling, counted in datagrams.
void UdpSocket::flushSegmented(const mmsghdr* headers) {
  const size_t total = segment(headers);
  Segmented& s = *segmented_;
  size_t sent = 0;
  while (sent < total) {
    int n = ::sendmmsg(fd_, s.headers.data() + sent, static_cast<unsigned>(total - sent), MSG_DONTWAIT);
    ++stats_.sendBatches;
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS) {
        for (size_t k = sent; k < total; ++k) {
          stats_.sendErrors += s.count[k];
        }
        break;
      }
      stats_.sendErrors += s.count[sent];
      ++sent;
      continue;
    }
    for (size_t k = sent; k < sent + static_cast<size_t>(n); ++k) {
      stats_.datagramsSent += s.count[k];
      stats_.segmentedDatagrams += s.count[k] > 1 ? s.count[k] : 0;
    }
    sent += static_cast<size_t>(n);
    if (n == 0) {
      break;
    }
  }
  txCount_ = 0;
}

}  // namespace medrtc::net
