#include "loadgen/websocket_client.hpp"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <deque>

namespace medrtc::loadgen {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

// Owned by the WebSocketClient and by every pending operation (shared_from_this), so an
// operation that completes after the client was dropped still finds its state.
class WebSocketClient::Impl : public std::enable_shared_from_this<Impl> {
 public:
  Impl(asio::io_context& ioc, Url url, std::string target, Handlers handlers)
      : resolver_(ioc), ws_(ioc), url_(std::move(url)), target_(std::move(target)), handlers_(std::move(handlers)) {}

  void connect() {
    resolver_.async_resolve(url_.host, url_.port,
                            [self = shared_from_this()](beast::error_code ec, tcp::resolver::results_type results) {
                              if (ec) {
                                return self->closed("resolve: " + ec.message());
                              }
                              self->onResolved(results);
                            });
  }

  void send(std::string text) {
    if (done_) {
      return;
    }
    queue_.push_back(std::move(text));
    writeNext();
  }

  void close() {
    silenced_ = true;
    closing_ = true;
    writeNext();
  }

 private:
  void onResolved(const tcp::resolver::results_type& results) {
    beast::get_lowest_layer(ws_).expires_after(std::chrono::seconds(10));
    beast::get_lowest_layer(ws_).async_connect(results,
                                               [self = shared_from_this()](beast::error_code ec, const tcp::endpoint&) {
                                                 if (ec) {
                                                   return self->closed("connect: " + ec.message());
                                                 }
                                                 self->handshake();
                                               });
  }

  void handshake() {
    beast::get_lowest_layer(ws_).expires_never();
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::client));
    ws_.async_handshake(url_.host + ":" + url_.port, target_, [self = shared_from_this()](beast::error_code ec) {
      if (ec) {
        return self->closed("handshake: " + ec.message());
      }
      self->open_ = true;
      if (!self->silenced_ && self->handlers_.onOpen) {
        self->handlers_.onOpen();
      }
      self->read();
      self->writeNext();
    });
  }

  void read() {
    ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, size_t) {
      if (ec) {
        return self->closed(ec == websocket::error::closed
                                ? "closed by server (" + std::to_string(self->ws_.reason().code) + ")"
                                : "read: " + ec.message());
      }
      std::string text = beast::buffers_to_string(self->buffer_.data());
      self->buffer_.consume(self->buffer_.size());
      if (!self->silenced_ && self->handlers_.onMessage) {
        self->handlers_.onMessage(std::move(text));
      }
      self->read();
    });
  }

  void writeNext() {
    if (done_ || writing_ || !open_) {
      return;
    }
    if (queue_.empty()) {
      if (closing_ && !closeSent_) {
        closeSent_ = true;
        writing_ = true;
        ws_.async_close(websocket::close_code::normal, [self = shared_from_this()](beast::error_code) {
          self->writing_ = false;
        });
      }
      return;
    }
    writing_ = true;
    ws_.text(true);
    ws_.async_write(asio::buffer(queue_.front()), [self = shared_from_this()](beast::error_code ec, size_t) {
      self->writing_ = false;
      if (ec) {
        return self->closed("write: " + ec.message());
      }
      self->queue_.pop_front();
      self->writeNext();
    });
  }

  void closed(std::string reason) {
    if (done_) {
      return;
    }
    done_ = true;
    open_ = false;
    if (!silenced_ && handlers_.onClosed) {
      handlers_.onClosed(std::move(reason));
    }
  }

  tcp::resolver resolver_;
  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;
  Url url_;
  std::string target_;
  Handlers handlers_;
  std::deque<std::string> queue_;
  bool open_ = false;
  bool writing_ = false;
  bool closing_ = false;
  bool closeSent_ = false;
  bool silenced_ = false;
  bool done_ = false;
};

WebSocketClient::WebSocketClient(asio::io_context& ioc, Url url, std::string target, Handlers handlers)
    : impl_(std::make_shared<Impl>(ioc, std::move(url), std::move(target), std::move(handlers))) {}

WebSocketClient::~WebSocketClient() { impl_->close(); }

void WebSocketClient::connect() { impl_->connect(); }
void WebSocketClient::send(std::string text) { impl_->send(std::move(text)); }
void WebSocketClient::close() { impl_->close(); }

}  // namespace medrtc::loadgen
