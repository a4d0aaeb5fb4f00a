// The medrtc command line: admin create-api-key, the bootstrap key, and a whole
// `serve` run (with a fake media plane) from start to SIGTERM.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <condition_variable>
#include <fstream>
#include <iostream>
#include <mutex>
#include <regex>
#include <thread>

#include "app/cli.hpp"
#include "cli_run.hpp"
#include "app/serve.hpp"
#include "common/random.hpp"
#include "store/api_key.hpp"
#include "store/sqlite_store.hpp"

namespace medrtc::app {
namespace {

class TempDir {
 public:
  TempDir() : path_(std::filesystem::temp_directory_path() / ("medrtc-app-" + randomHex(6))) {}
  ~TempDir() { std::filesystem::remove_all(path_); }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

int run(std::vector<std::string> args) {
  std::vector<char*> argv;
  for (auto& a : args) {
    argv.push_back(a.data());
  }
  return runCli(static_cast<int>(argv.size()), argv.data(), nullptr);
}

TEST(Cli, CreateApiKeyPrintsAKeyThatAuthenticates) {
  TempDir dir;
  ::testing::internal::CaptureStdout();
  int rc = run({"medrtc", "admin", "create-api-key", "--data-dir", dir.path().string(), "--name", "ehr"});
  std::string out = ::testing::internal::GetCapturedStdout();
  ASSERT_EQ(rc, 0);
  std::string key = out.substr(0, out.find('\n'));
  EXPECT_EQ(key.rfind("mk_", 0), 0u);
  EXPECT_EQ(out, key + "\n");  // only the key on stdout, once
  store::SqliteStore store(dir.path() / "medrtc.db");
  auto record = store::authenticateApiKey(store, key);
  ASSERT_TRUE(record);
  EXPECT_EQ(record->name, "ehr");
}

// Issue 10 item 1: --tenant scopes the key; an unknown tenant creates nothing.
TEST(Cli, CreateApiKeyForATenant) {
  TempDir dir;
  std::string tenantId;
  {
    std::filesystem::create_directories(dir.path());
    store::SqliteStore store(dir.path() / "medrtc.db");
    store::TenantRecord t;
    t.name = "Praxis";
    t.createdAt = 1;
    tenantId = store.createTenant(t).id;
  }
  ::testing::internal::CaptureStdout();
  int rc = run({"medrtc", "admin", "create-api-key", "--data-dir", dir.path().string(), "--tenant", tenantId});
  std::string out = ::testing::internal::GetCapturedStdout();
  ASSERT_EQ(rc, 0);
  std::string key = out.substr(0, out.find('\n'));
  EXPECT_EQ(run({"medrtc", "admin", "create-api-key", "--data-dir", dir.path().string(), "--tenant",
                 "t_0000000000000000"}),
            2);
  store::SqliteStore store(dir.path() / "medrtc.db");
  auto record = store::authenticateApiKey(store, key);
  ASSERT_TRUE(record);
  EXPECT_EQ(record->tenantId, tenantId);
  EXPECT_EQ(store.countApiKeys(), 1);
}

TEST(Cli, UnknownSubcommandFails) { EXPECT_NE(run({"medrtc", "frobnicate"}), 0); }

// Bandwidth estimation is on by default: --no-bandwidth-estimation turns it off, the old
// --bandwidth-estimation is still accepted, and the two together are refused.
TEST(Cli, BandwidthEstimationFlags) {
  auto help = testing::runMedrtc({"medrtc", "serve", "--help"});
  EXPECT_EQ(help.rc, 0);
  EXPECT_NE(help.out.find("--no-bandwidth-estimation"), std::string::npos) << help.out;
  EXPECT_NE(help.out.find("--bandwidth-estimation"), std::string::npos);
  auto both = testing::runMedrtc({"medrtc", "serve", "--bandwidth-estimation", "--no-bandwidth-estimation"});
  EXPECT_NE(both.rc, 0);
  EXPECT_NE(both.err.find("excludes"), std::string::npos) << both.err;
  EXPECT_TRUE(sfu::MediaConfig{}.bandwidthEstimation);
}

TEST(Bootstrap, RegistersOnlyIntoAnEmptyStore) {
  TempDir dir;
  std::filesystem::create_directories(dir.path());
  store::SqliteStore store(dir.path() / "medrtc.db");
  EXPECT_FALSE(applyBootstrapKey(store, std::nullopt, 1));
  EXPECT_THROW(applyBootstrapKey(store, std::string("short"), 1), std::invalid_argument);
  EXPECT_TRUE(applyBootstrapKey(store, std::string("test_0123456789abcdef"), 1));
  EXPECT_TRUE(store::authenticateApiKey(store, "test_0123456789abcdef"));
  EXPECT_FALSE(applyBootstrapKey(store, std::string("test_other_key_0123456789"), 1));
  EXPECT_FALSE(store::authenticateApiKey(store, "test_other_key_0123456789"));
}

// A streambuf that lets a test wait for the "listening" line written by another thread.
class LineCapture : public std::streambuf {
 public:
  std::string waitFor(const std::regex& re, std::chrono::seconds timeout) {
    std::unique_lock lock(mutex_);
    std::smatch m;
    cv_.wait_for(lock, timeout, [&] { return std::regex_search(text_, m, re); });
    return std::regex_search(text_, m, re) ? m[1].str() : "";
  }

 protected:
  int overflow(int ch) override {
    if (ch != traits_type::eof()) {
      std::lock_guard lock(mutex_);
      text_.push_back(static_cast<char>(ch));
      cv_.notify_all();
    }
    return ch;
  }
  std::streamsize xsputn(const char* s, std::streamsize n) override {
    std::lock_guard lock(mutex_);
    text_.append(s, static_cast<size_t>(n));
    cv_.notify_all();
    return n;
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  std::string text_;
};

// A tiny blocking HTTP/1.1 client (Connection: close), enough for smoke checks.
std::string httpExchange(uint16_t port, const std::string& request) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return "";
  }
  ::send(fd, request.data(), request.size(), 0);
  std::string response;
  char buf[4096];
  ssize_t n;
  while ((n = ::recv(fd, buf, sizeof buf, 0)) > 0) {
    response.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return response;
}

class NullMedia final : public sfu::MediaApi {
 public:
  explicit NullMedia(sfu::ControlPoster post) : post_(std::move(post)) {}
  void openRoom(const std::string&) override {}
  void closeRoom(const std::string&) override {}
  void addParticipant(const std::string&, const std::string&, sfu::ParticipantGrants,
                      std::optional<sfu::ReceiveCapabilities>, Done<Ok> done) override {
    post_([done] { done(Ok{}); });
  }
  void removeParticipant(const std::string&, const std::string&) override {}
  void publish(const std::string&, const std::string&, std::string, Done<std::string> done) override {
    post_([done] { done(fail(sfu::MediaError::kSdpInvalid)); });
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

TEST(Serve, StartsServesAndStopsOnSigterm) {
  TempDir dir;
  auto configFile = dir.path().string() + ".toml";
  // The file says port 1 and 7 workers; the flags override the listen address.
  std::ofstream(configFile) << "listen = \"127.0.0.1:1\"\n[media]\nworkers = 7\nip = \"192.0.2.1\"\n";
  const std::string bootstrapKey = "test_bootstrap_key_0123456789";
  ::setenv("MEDRTC_BOOTSTRAP_API_KEY", bootstrapKey.c_str(), 1);
  // Issue 10 item 10: a data dir an older release (umask 022) left readable to others.
  mode_t previousUmask = ::umask(022);
  std::filesystem::create_directories(dir.path() / "audit");
  std::ofstream(dir.path() / "audit" / "stale.txt") << "x";
  ::chmod(dir.path().c_str(), 0755);
  ::chmod((dir.path() / "audit").c_str(), 0755);
  ::chmod((dir.path() / "audit" / "stale.txt").c_str(), 0644);

  sfu::MediaConfig seen;
  MediaPlaneFactory factory = [&](const sfu::MediaConfig& config, sfu::ControlPoster post, sfu::MediaEvents&) {
    seen = config;
    return std::make_unique<NullMedia>(std::move(post));
  };
  LineCapture capture;
  std::streambuf* previous = std::cout.rdbuf(&capture);
  int rc = -1;
  std::thread serve([&] {
    std::vector<std::string> args{"medrtc",   "serve",        "--config",   configFile,          "--listen",
                                  "127.0.0.1:0", "--data-dir", dir.path().string(), "--media-ip", "198.51.100.9",
                                  "--media-ip",  "127.0.0.1",   "--media-public-ip", "203.0.113.7"};
    std::vector<char*> argv;
    for (auto& a : args) {
      argv.push_back(a.data());
    }
    rc = runCli(static_cast<int>(argv.size()), argv.data(), factory);
  });
  std::string port = capture.waitFor(std::regex("^medrtc listening on http://127\\.0\\.0\\.1:([0-9]+)\n"),
                                     std::chrono::seconds(20));
  ASSERT_FALSE(port.empty()) << "no listening line";
  uint16_t p = static_cast<uint16_t>(std::stoi(port));
  EXPECT_NE(p, 0);
  EXPECT_NE(p, 1);

  std::string health = httpExchange(p, "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(health.rfind("HTTP/1.1 200", 0), 0u) << health;
  std::string created = httpExchange(p, "POST /api/v1/rooms HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                                        "Authorization: Bearer " + bootstrapKey + "\r\nContent-Length: 0\r\n\r\n");
  EXPECT_EQ(created.rfind("HTTP/1.1 201", 0), 0u) << created;

  struct stat st {};
  ASSERT_EQ(::stat((dir.path() / "token.key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(st.st_size, 32);
  // While serving (medrtc.db-wal and -shm exist now): nothing for group or others.
  std::vector<std::string> exposed;
  ASSERT_EQ(::stat(dir.path().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir.path())) {
    if (::lstat(entry.path().c_str(), &st) == 0 && !S_ISLNK(st.st_mode) && (st.st_mode & 077) != 0) {
      exposed.push_back(entry.path().filename().string());
    }
  }
  EXPECT_EQ(exposed, std::vector<std::string>{});
  EXPECT_TRUE(std::filesystem::exists(dir.path() / "medrtc.db-wal"));
  EXPECT_EQ(seen.workers, 7);
  // The flags beat the file; --media-ip repeats.
  EXPECT_EQ(seen.announcedIps, (std::vector<std::string>{"198.51.100.9", "127.0.0.1"}));
  EXPECT_EQ(seen.publicIp, "203.0.113.7");

  ::kill(::getpid(), SIGTERM);
  serve.join();
  std::cout.rdbuf(previous);
  ::unsetenv("MEDRTC_BOOTSTRAP_API_KEY");
  ::umask(previousUmask);
  std::filesystem::remove(configFile);
  EXPECT_EQ(rc, 0);
}

TEST(Serve, UnknownConfigKeyStopsStartWithItsName) {
  TempDir dir;
  auto configFile = dir.path().string() + ".toml";
  std::ofstream(configFile) << "colour = \"blue\"\n";
  ::testing::internal::CaptureStderr();
  int rc = run({"medrtc", "serve", "--config", configFile, "--data-dir", dir.path().string()});
  std::string err = ::testing::internal::GetCapturedStderr();
  std::filesystem::remove(configFile);
  EXPECT_EQ(rc, 1);
  EXPECT_NE(err.find("\"colour\""), std::string::npos) << err;
}

TEST(Serve, AMistypedTrustedProxyStopsTheStartWithTheEntry) {
  TempDir dir;
  ::testing::internal::CaptureStderr();
  int rc = run({"medrtc", "serve", "--listen", "127.0.0.1:0", "--data-dir", dir.path().string(), "--trusted-proxy",
                "10.0.0.0/8", "--trusted-proxy", "proxy.internal"});
  std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(rc, 1);
  EXPECT_NE(err.find("\"proxy.internal\""), std::string::npos) << err;
}

}  // namespace
}  // namespace medrtc::app
