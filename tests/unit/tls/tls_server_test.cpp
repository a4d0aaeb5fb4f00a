// The HTTP/WebSocket listener over TLS, in process: minimum version from the policy,
// HSTS only on TLS, the page-security headers, wss join, policy-gated recording paths.
#include <gtest/gtest.h>
#include <openssl/ssl.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <boost/json.hpp>
#include <future>
#include <thread>

#include "common/clock.hpp"
#include "common/random.hpp"
#include "signaling/join_token.hpp"
#include "signaling/server.hpp"
#include "store/api_key.hpp"
#include "store/sqlite_store.hpp"
#include "tls/tls_context.hpp"

namespace medrtc::tls {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;
using tcp = asio::ip::tcp;

class TempDir {
 public:
  TempDir() : path_(std::filesystem::temp_directory_path() / ("medrtc-tls-" + randomHex(6))) {
    std::filesystem::create_directories(path_);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// Accepts every participant at once; no media.
class NoMedia final : public sfu::MediaApi {
 public:
  explicit NoMedia(sfu::ControlPoster post) : post_(std::move(post)) {}
  void openRoom(const std::string&) override {}
  void closeRoom(const std::string&) override {}
  void addParticipant(const std::string&, const std::string&, sfu::ParticipantGrants,
                      std::optional<sfu::ReceiveCapabilities>, Done<Ok> done) override {
    post_([done] { done(Ok{}); });
  }
  void removeParticipant(const std::string&, const std::string&) override {}
  void publish(const std::string&, const std::string&, std::string, Done<std::string> done) override {
    post_([done] { done(std::string("v=0\r\n")); });
  }
  void answerSubscription(const std::string&, const std::string&, uint32_t, std::string, Done<Ok> done) override {
    post_([done] { done(Ok{}); });
  }
  void restartIce(const std::string&, const std::string&, std::string, Done<sfu::IceRestart> done) override {
    post_([done] { done(fail(sfu::MediaError::kTransportNotFound)); });
  }

 private:
  sfu::ControlPoster post_;
};

struct Listener {
  explicit Listener(signaling::ServerOptions so) {
    store = std::make_unique<store::SqliteStore>(dir.path() / "medrtc.db");
    apiKey = store::generateApiKey();
    store::registerApiKey(*store, apiKey, "test", 1);
    so.listenHost = "127.0.0.1";
    so.listenPort = 0;
    so.tokenSecret = std::vector<uint8_t>(signaling::kTokenSecretBytes, 9);
    server = std::make_unique<signaling::Server>(ioc, so, *store, clock, [](sfu::ControlPoster post, sfu::MediaEvents&) {
      return std::make_unique<NoMedia>(std::move(post));
    });
    server->start();
    port = server->port();
    thread = std::thread([this] { ioc.run(); });
  }
  ~Listener() {
    std::promise<void> done;
    asio::post(ioc, [&] {
      server->stop();
      done.set_value();
    });
    done.get_future().wait();
    thread.join();
  }

  TempDir dir;
  ManualClock clock;
  std::unique_ptr<store::SqliteStore> store;
  asio::io_context ioc;
  std::unique_ptr<signaling::Server> server;
  std::thread thread;
  uint16_t port = 0;
  std::string apiKey;
};

// A client context trusting exactly `certFile`, checking the name 127.0.0.1, limited to
// TLS versions [minVersion, maxVersion].
std::unique_ptr<asio::ssl::context> clientContext(const std::filesystem::path& certFile, int minVersion,
                                                  int maxVersion) {
  auto ctx = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_client);
  ctx->load_verify_file(certFile.string());
  ctx->set_verify_mode(asio::ssl::verify_peer);
  ctx->set_verify_callback(asio::ssl::host_name_verification("127.0.0.1"));
  SSL_CTX_set_min_proto_version(ctx->native_handle(), minVersion);
  SSL_CTX_set_max_proto_version(ctx->native_handle(), maxVersion);
  return ctx;
}

using Response = http::response<http::string_body>;

template <class Stream>
Response exchange(Stream& stream, const std::string& method, const std::string& target, const std::string& body,
                  const std::string& apiKey) {
  http::request<http::string_body> req(http::string_to_verb(method), target, 11);
  req.set(http::field::host, "127.0.0.1");
  if (!apiKey.empty()) {
    req.set(http::field::authorization, "Bearer " + apiKey);
  }
  if (!body.empty()) {
    req.set(http::field::content_type, "application/json");
    req.body() = body;
  }
  req.prepare_payload();
  http::write(stream, req);
  beast::flat_buffer buffer;
  Response res;
  http::read(stream, buffer, res);
  return res;
}

// One HTTPS request on a fresh connection; throws on a failed handshake.
Response httpsRequest(uint16_t port, asio::ssl::context& ctx, const std::string& method, const std::string& target,
                      const std::string& body = "", const std::string& apiKey = "") {
  asio::io_context ioc;
  beast::ssl_stream<beast::tcp_stream> stream(ioc, ctx);
  beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(5));
  beast::get_lowest_layer(stream).connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  stream.handshake(asio::ssl::stream_base::client);
  return exchange(stream, method, target, body, apiKey);
}

Response httpRequest(uint16_t port, const std::string& method, const std::string& target) {
  asio::io_context ioc;
  beast::tcp_stream stream(ioc);
  stream.expires_after(std::chrono::seconds(5));
  stream.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  return exchange(stream, method, target, "", "");
}

struct Cert {
  TempDir dir;
  SelfSignedCertificate cert;
  Cert() {
    auto made = ensureSelfSigned(dir.path(), {});
    EXPECT_TRUE(made.ok()) << (made.ok() ? "" : made.error());
    cert = *made;
  }
  std::shared_ptr<asio::ssl::context> server(const std::string& minVersion) const {
    auto ctx = makeServerContext(TlsSettings{cert.certFile, cert.keyFile, minVersion});
    EXPECT_TRUE(ctx.ok()) << (ctx.ok() ? "" : ctx.error());
    return *ctx;
  }
};

TEST(TlsListener, Tls12IsRefusedWhenTheProfileSaysTls13) {
  Cert cert;
  signaling::ServerOptions so;
  so.tls = cert.server("1.3");
  Listener l(so);
  auto old = clientContext(cert.cert.certFile, TLS1_2_VERSION, TLS1_2_VERSION);
  EXPECT_THROW(httpsRequest(l.port, *old, "GET", "/healthz"), boost::system::system_error);
  auto current = clientContext(cert.cert.certFile, TLS1_3_VERSION, TLS1_3_VERSION);
  EXPECT_EQ(httpsRequest(l.port, *current, "GET", "/healthz").result_int(), 200);
}

TEST(TlsListener, Tls12IsAcceptedWhenTheProfileSaysTls12ButTls11IsNot) {
  Cert cert;
  signaling::ServerOptions so;
  so.tls = cert.server("1.2");
  Listener l(so);
  auto v12 = clientContext(cert.cert.certFile, TLS1_2_VERSION, TLS1_2_VERSION);
  EXPECT_EQ(httpsRequest(l.port, *v12, "GET", "/healthz").result_int(), 200);
  // RFC 8996: TLS 1.0/1.1 never (OpenSSL's security level may refuse them on the client side
  // already; either way no handshake completes).
  auto v11 = clientContext(cert.cert.certFile, TLS1_1_VERSION, TLS1_1_VERSION);
  SSL_CTX_set_security_level(v11->native_handle(), 0);
  EXPECT_THROW(httpsRequest(l.port, *v11, "GET", "/healthz"), boost::system::system_error);
}

TEST(TlsListener, HstsAndPageSecurityHeadersOnTls) {
  Cert cert;
  signaling::ServerOptions so;
  so.tls = cert.server("1.2");
  Listener l(so);
  auto ctx = clientContext(cert.cert.certFile, TLS1_2_VERSION, TLS1_3_VERSION);
  Response res = httpsRequest(l.port, *ctx, "GET", "/healthz");
  EXPECT_EQ(res[http::field::strict_transport_security], "max-age=31536000");
  EXPECT_EQ(res["Referrer-Policy"], "no-referrer");
  EXPECT_EQ(res["X-Content-Type-Options"], "nosniff");
  std::string csp(res["Content-Security-Policy"]);
  EXPECT_EQ(csp.rfind("default-src 'self';", 0), 0u) << csp;
  EXPECT_NE(csp.find("frame-ancestors 'none'"), std::string::npos) << csp;
  EXPECT_EQ(res["X-Frame-Options"], "DENY");
}

TEST(TlsListener, NoHstsOnPlainLoopbackHttp) {
  Listener l(signaling::ServerOptions{});
  Response res = httpRequest(l.port, "GET", "/healthz");
  EXPECT_EQ(res.result_int(), 200);
  EXPECT_EQ(res.count(http::field::strict_transport_security), 0u);
  EXPECT_EQ(res["Referrer-Policy"], "no-referrer");
  EXPECT_EQ(res["X-Content-Type-Options"], "nosniff");
  EXPECT_FALSE(l.server->tls());
}

TEST(TlsListener, FrameAncestorsFromConfigReplaceXFrameOptions) {
  signaling::ServerOptions so;
  so.frameAncestors = "'self' https://ehr.example.org";
  Listener l(so);
  Response res = httpRequest(l.port, "GET", "/healthz");
  std::string csp(res["Content-Security-Policy"]);
  EXPECT_NE(csp.find("frame-ancestors 'self' https://ehr.example.org"), std::string::npos) << csp;
  EXPECT_EQ(res.count("X-Frame-Options"), 0u);
}

TEST(TlsListener, WssJoinWorksAndCarriesTurnIceServers) {
  Cert cert;
  signaling::ServerOptions so;
  so.tls = cert.server("1.2");
  so.iceServers = [](const std::string& participantId) {
    return std::vector<signaling::IceServerView>{
        {{"turn:127.0.0.1:3478?transport=udp"}, "1700003600:" + participantId, "cred"}};
  };
  Listener l(so);
  auto ctx = clientContext(cert.cert.certFile, TLS1_2_VERSION, TLS1_3_VERSION);
  Response room = httpsRequest(l.port, *ctx, "POST", "/api/v1/rooms", "{}", l.apiKey);
  ASSERT_EQ(room.result_int(), 201) << room.body();
  std::string roomId(json::parse(room.body()).at("id").as_string());
  Response token = httpsRequest(l.port, *ctx, "POST", "/api/v1/rooms/" + roomId + "/tokens",
                                R"({"identity":"dr-weber","name":"Dr. Weber","role":"host"})", l.apiKey);
  ASSERT_EQ(token.result_int(), 201) << token.body();
  std::string jwt(json::parse(token.body()).at("token").as_string());

  asio::io_context ioc;
  beast::websocket::stream<beast::ssl_stream<beast::tcp_stream>> ws(ioc, *ctx);
  beast::get_lowest_layer(ws).expires_after(std::chrono::seconds(5));
  beast::get_lowest_layer(ws).connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), l.port));
  ws.next_layer().handshake(asio::ssl::stream_base::client);
  ws.handshake("127.0.0.1", "/api/v1/ws");
  ws.write(asio::buffer(json::serialize(json::object{{"type", "join"}, {"token", jwt}})));
  beast::flat_buffer buffer;
  ws.read(buffer);
  json::object joined = json::parse(beast::buffers_to_string(buffer.data())).as_object();
  ASSERT_EQ(joined.at("type"), "joined") << json::serialize(joined);
  const auto& ice = joined.at("ice_servers").as_array();
  ASSERT_EQ(ice.size(), 1u);
  EXPECT_EQ(ice[0].at("urls").as_array()[0], "turn:127.0.0.1:3478?transport=udp");
  EXPECT_EQ(std::string(ice[0].at("username").as_string()),
            "1700003600:" + std::string(joined.at("participant_id").as_string()));
  EXPECT_EQ(ice[0].at("credential"), "cred");
  ws.close(beast::websocket::close_code::normal);
}

TEST(PolicyGate, RecordingUnderAForbiddingProfileIs403NamingTheRule) {
  signaling::ServerOptions so;
  so.recordingRefusal = "policy kbv: rule recording.allowed=false: recording refused";
  so.transcriptionRefusal = "policy kbv: rule transcription.allowed=false: transcription refused";
  Listener l(so);
  Response rec = httpRequest(l.port, "POST", "/api/v1/rooms/r_abc/recordings");
  EXPECT_EQ(rec.result_int(), 403);
  EXPECT_EQ(rec[http::field::content_type], "application/problem+json");
  auto body = json::parse(rec.body()).as_object();
  EXPECT_EQ(body.at("code"), "policy_refused");
  EXPECT_NE(std::string(body.at("detail").as_string()).find("policy kbv: rule recording.allowed=false"),
            std::string::npos);
  EXPECT_EQ(httpRequest(l.port, "POST", "/api/v1/rooms/r_abc/transcriptions").result_int(), 403);
}

TEST(PolicyGate, RecordingWhereTheProfileAllowsItIs501NotBuilt) {
  Listener l(signaling::ServerOptions{});
  Response rec = httpRequest(l.port, "POST", "/api/v1/rooms/r_abc/recordings");
  EXPECT_EQ(rec.result_int(), 501);
  EXPECT_EQ(json::parse(rec.body()).at("code"), "not_implemented");
}

TEST(SelfSigned, ReusedWhileNamesMatchRegeneratedWhenTheyChange) {
  TempDir dir;
  auto first = ensureSelfSigned(dir.path(), {"192.168.1.20"});
  ASSERT_TRUE(first.ok()) << first.error();
  EXPECT_TRUE(first->created);
  EXPECT_EQ(std::filesystem::status(first->keyFile).permissions() & std::filesystem::perms::group_all,
            std::filesystem::perms::none);
  auto again = ensureSelfSigned(dir.path(), {"192.168.1.20"});
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->created);
  EXPECT_EQ(again->sha256Fingerprint, first->sha256Fingerprint);
  auto other = ensureSelfSigned(dir.path(), {"medrtc.lan"});
  ASSERT_TRUE(other.ok());
  EXPECT_TRUE(other->created);
  EXPECT_NE(other->sha256Fingerprint, first->sha256Fingerprint);
  EXPECT_EQ(first->sha256Fingerprint.size(), 32u * 3 - 1);
}

TEST(SelfSigned, BadVersionAndMismatchedKeyAreRefused) {
  TempDir a;
  TempDir b;
  auto ca = ensureSelfSigned(a.path(), {});
  auto cb = ensureSelfSigned(b.path(), {});
  ASSERT_TRUE(ca.ok() && cb.ok());
  EXPECT_FALSE(makeServerContext(TlsSettings{ca->certFile, ca->keyFile, "1.1"}).ok());
  auto mismatch = makeServerContext(TlsSettings{ca->certFile, cb->keyFile, "1.2"});
  ASSERT_FALSE(mismatch.ok());
  EXPECT_NE(mismatch.error().find("does not match"), std::string::npos) << mismatch.error();
  EXPECT_FALSE(makeServerContext(TlsSettings{a.path() / "missing.crt", ca->keyFile, "1.2"}).ok());
}

}  // namespace
}  // namespace medrtc::tls
