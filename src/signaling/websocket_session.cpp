#include "signaling/websocket_session.hpp"
#include "log/log.hpp"

#include <spdlog/spdlog.h>

namespace medrtc::signaling {

namespace beast = boost::beast;
namespace websocket = beast::websocket;

namespace {

// Frames are read in pieces of this size, so an oversize message costs at most
// kMaxMessageBytes + kReadChunk bytes before it is refused.
constexpr size_t kReadChunk = 16 * 1024;
// A client that stops reading while we keep sending is dropped rather than buffered forever.
constexpr size_t kMaxQueuedFrames = 1024;
// How long the closing handshake (RFC 6455 §7.1.2) may take before the TCP connection is cut.
constexpr auto kCloseHandshakeTimeout = std::chrono::seconds(5);
// cutAfterClose(): the longest a displaced socket waits for its queued frames to go out
// before the cut (a peer that stopped reading gets no longer). Normally the cut comes
// right after the close frame is handed to the kernel (startClose).
constexpr auto kCutAfterCloseDeadline = std::chrono::milliseconds(250);

}  // namespace

template <class N>
BasicWebSocketSession<N>::BasicWebSocketSession(N stream, SignalingHub& hub, WebSocketTimeouts timeouts)
    : ws_(std::move(stream)),
      hub_(hub),
      timeouts_(timeouts),
      joinTimer_(ws_.get_executor()),
      idleTimer_(ws_.get_executor()) {}

template <class N>
BasicWebSocketSession<N>::~BasicWebSocketSession() = default;

template <class N>
void BasicWebSocketSession<N>::run(beast::http::request<beast::http::string_body> request) {
  beast::get_lowest_layer(ws_).expires_never();
  websocket::stream_base::timeout t{};
  t.handshake_timeout = kCloseHandshakeTimeout;
  t.idle_timeout = websocket::stream_base::none();  // our own idle timer, below
  t.keep_alive_pings = false;
  ws_.set_option(t);
  // The 64 KiB limit is enforced in onRead so the client gets `message_too_large` first;
  // here no limit (0), or Beast would close with 1009 before we could say why.
  ws_.read_message_max(0);
  ws_.async_accept(request, beast::bind_front_handler(&BasicWebSocketSession::onAccept, shared_from_this()));
}

template <class N>
void BasicWebSocketSession<N>::onAccept(beast::error_code ec) {
  if (ec) {
    return;  // the upgrade failed; the hub never saw this socket
  }
  id_ = hub_.connect(shared_from_this(), limitKey_);
  lastActivity_ = std::chrono::steady_clock::now();
  joinTimer_.expires_after(timeouts_.join);
  joinTimer_.async_wait([self = shared_from_this()](beast::error_code ec) {
    if (!ec && !self->finished_) {
      self->hub_.onJoinTimeout(self->id_);
    }
  });
  armIdleTimer(timeouts_.idle);
  readNext();
}

template <class N>
void BasicWebSocketSession<N>::readNext() {
  ws_.async_read_some(buffer_, kReadChunk, beast::bind_front_handler(&BasicWebSocketSession::onRead, shared_from_this()));
}

template <class N>
void BasicWebSocketSession<N>::onRead(beast::error_code ec, size_t) {
  if (ec) {
    // A close frame is a goodbye, except the client's 4000: it gave up on this socket (no
    // pongs) and resumes on another, so the hub keeps its participant as after a drop.
    bool closed = ec == websocket::error::closed;
    finish(!closed ? "dropped" : ws_.reason().code == kCloseResuming ? "closed_to_resume" : "closed");
    return;
  }
  lastActivity_ = std::chrono::steady_clock::now();
  if (closeRequested_ || discarding_) {
    // Closing, or skipping the rest of an oversize message: drop what arrives.
    buffer_.consume(buffer_.size());
    if (discarding_ && ws_.is_message_done()) {
      discarding_ = false;
    }
    readNext();
    return;
  }
  if (buffer_.size() > kMaxMessageBytes) {
    buffer_.consume(buffer_.size());
    discarding_ = !ws_.is_message_done();
    hub_.onTooLarge(id_);
    readNext();
    return;
  }
  if (!ws_.is_message_done()) {
    readNext();
    return;
  }
  std::string text = beast::buffers_to_string(buffer_.data());
  buffer_.consume(buffer_.size());
  hub_.onText(id_, text);
  readNext();
}

template <class N>
void BasicWebSocketSession<N>::sendText(std::string text) {
  if (closeRequested_ || finished_) {
    return;
  }
  if (outbox_.size() >= kMaxQueuedFrames) {
    log::warn("websocket_dropped", {{"reason", "slow_consumer"}});
    beast::get_lowest_layer(ws_).close();
    return;
  }
  outbox_.push_back(std::move(text));
  if (!writing_) {
    writeNext();
  }
}

template <class N>
void BasicWebSocketSession<N>::writeNext() {
  if (outbox_.empty()) {
    writing_ = false;
    if (closeRequested_ && !closing_) {
      startClose();
    }
    return;
  }
  writing_ = true;
  ws_.text(true);
  ws_.async_write(boost::asio::buffer(outbox_.front()),
                  [self = shared_from_this()](beast::error_code ec, size_t) { self->onWrite(ec); });
}

template <class N>
void BasicWebSocketSession<N>::onWrite(beast::error_code ec) {
  outbox_.pop_front();  // the frame just written; finish() leaves it in place meanwhile
  if (ec || finished_) {
    outbox_.clear();
    writing_ = false;
    beast::get_lowest_layer(ws_).close();  // the read then fails and finish() runs
    return;
  }
  writeNext();
}

template <class N>
void BasicWebSocketSession<N>::close(uint16_t code, std::string_view reason) {
  if (closeRequested_ || finished_) {
    return;
  }
  closeRequested_ = true;
  closeCode_ = code;
  closeReason_ = std::string(reason.substr(0, 120));  // RFC 6455 §5.5: control payload ≤ 125 bytes
  joinTimer_.cancel();
  if (!writing_) {
    startClose();
  }
}

template <class N>
void BasicWebSocketSession<N>::cutAfterClose() {
  if (finished_) {
    return;
  }
  cutAfterClose_ = true;
  if (closing_) {
    cutSoon();
    return;
  }
  // Frames still queued before the close frame: startClose() cuts after them, or this
  // deadline does. The join timer's work is over once close() ran (it cancelled it).
  joinTimer_.expires_after(kCutAfterCloseDeadline);
  joinTimer_.async_wait([self = shared_from_this()](beast::error_code ec) {
    if (!ec && !self->finished_) {
      beast::get_lowest_layer(self->ws_).close();  // the read then fails and finish() runs
    }
  });
}

template <class N>
void BasicWebSocketSession<N>::cutSoon() {
  // async_close starts writing the close frame inside the call (Asio tries a send at once
  // on a writable socket), so a cut posted after it leaves the frame with the kernel.
  boost::asio::post(ws_.get_executor(), [self = shared_from_this()] {
    if (!self->finished_) {
      beast::get_lowest_layer(self->ws_).close();
    }
  });
}

template <class N>
void BasicWebSocketSession<N>::startClose() {
  closing_ = true;
  websocket::close_reason reason(closeCode_);
  reason.reason = closeReason_;
  ws_.async_close(reason, [self = shared_from_this()](beast::error_code ec) {
    if (ec) {
      beast::get_lowest_layer(self->ws_).close();
    }
  });
  if (cutAfterClose_) {
    cutSoon();
  }
}

template <class N>
void BasicWebSocketSession<N>::armIdleTimer(std::chrono::steady_clock::duration after) {
  idleTimer_.expires_after(after);
  idleTimer_.async_wait([self = shared_from_this()](beast::error_code ec) {
    if (ec || self->finished_) {
      return;
    }
    auto idleFor = std::chrono::steady_clock::now() - self->lastActivity_;
    if (idleFor < self->timeouts_.idle) {
      self->armIdleTimer(self->timeouts_.idle - idleFor);
      return;
    }
    // No traffic (not even the client's 10 s ping): treat the peer as gone.
    beast::get_lowest_layer(self->ws_).close();
  });
}

template <class N>
void BasicWebSocketSession<N>::finish(std::string_view why) {
  if (finished_) {
    return;
  }
  finished_ = true;
  joinTimer_.cancel();
  idleTimer_.cancel();
  if (!writing_) {
    outbox_.clear();
  }
  if (id_ != 0) {
    hub_.onDisconnected(id_, why);
  }
}

template class BasicWebSocketSession<beast::tcp_stream>;
template class BasicWebSocketSession<beast::ssl_stream<beast::tcp_stream>>;

}  // namespace medrtc::signaling
