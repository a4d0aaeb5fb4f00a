#include "app/doctor.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <memory>
#include <thread>

#include "app/doctor_database.hpp"
#include "app/doctor_turn.hpp"
#include "app/security_config.hpp"
#include "compliance/policy_profile.hpp"
#include "net/interface_addresses.hpp"
#include "store/migrations.hpp"

namespace medrtc::app {

namespace {

// Browsers refuse an expired certificate; two weeks leaves time to renew by
// hand.
constexpr int kCertificateWarningDays = 14;

CheckResult ok(const char *check, std::string detail) { return {check, CheckStatus::kOk, std::move(detail)}; }
CheckResult fail(const char *check, std::string detail) { return {check, CheckStatus::kFail, std::move(detail)}; }
CheckResult skipped(const char *check, std::string detail) { return {check, CheckStatus::kSkipped, std::move(detail)}; }

// A wildcard listen address is reached on loopback.
std::string reachableHost(const std::string &host) {
  if (host.empty() || host == "0.0.0.0") {
    return "127.0.0.1";
  }
  return host == "::" ? "::1" : host;
}

// TCP connect with a deadline; "" on success, else why not.
std::string tcpConnect(const std::string &host, uint16_t port, int timeoutMs) {
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo *found = nullptr;
  if (int rc = getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found); rc != 0) {
    return std::string("cannot resolve: ") + gai_strerror(rc);
  }
  std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> guard(found, freeaddrinfo);
  int fd = ::socket(found->ai_family, found->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    return std::strerror(errno);
  }
  std::string error;
  if (::connect(fd, found->ai_addr, found->ai_addrlen) != 0 && errno != EINPROGRESS) {
    error = std::strerror(errno);
  } else {
    pollfd p{fd, POLLOUT, 0};
    int soError = 0;
    socklen_t len = sizeof soError;
    if (::poll(&p, 1, timeoutMs) != 1) {
      error = "no answer within " + std::to_string(timeoutMs / 1000) + " s";
    } else if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &soError, &len) != 0 || soError != 0) {
      error = std::strerror(soError != 0 ? soError : errno);
    }
  }
  ::close(fd);
  return error;
}

CheckResult checkListener(const ServeConfig &c) {
  if (c.listenPort == 0) {
    return skipped("listener", "listen port 0 picks a port at start; nothing fixed to check");
  }
  std::string host = reachableHost(c.listenHost);
  std::string where = host + ":" + std::to_string(c.listenPort);
  std::string error = tcpConnect(host, c.listenPort, 2000);
  if (!error.empty()) {
    return fail("listener", "nothing accepts connections on " + where + " (" + error + "): is medrtc serve running?");
  }
  return ok("listener", where + " accepts connections");
}

CheckResult checkCertificate(const SecurityConfig &s, std::chrono::system_clock::time_point now) {
  if (s.tlsCert.empty()) {
    return skipped("certificate", s.tlsSelfSigned ? "self-signed certificate from the data dir (browsers will warn)"
                                                  : "no TLS certificate configured (plain HTTP)");
  }
  std::unique_ptr<FILE, decltype(&fclose)> file(std::fopen(s.tlsCert.c_str(), "r"), fclose);
  if (!file) {
    return fail("certificate", "cannot read " + s.tlsCert.string() + ": " + std::strerror(errno));
  }
  std::unique_ptr<X509, decltype(&X509_free)> cert(PEM_read_X509(file.get(), nullptr, nullptr, nullptr), X509_free);
  if (!cert) {
    return fail("certificate", s.tlsCert.string() + " holds no PEM certificate");
  }
  time_t t = std::chrono::system_clock::to_time_t(now);
  if (X509_cmp_time(X509_get0_notBefore(cert.get()), &t) > 0) {
    return fail("certificate", s.tlsCert.string() + " is not valid yet (check the clock)");
  }
  int days = 0;
  int seconds = 0;
  std::unique_ptr<ASN1_TIME, decltype(&ASN1_TIME_free)> nowAsn1(ASN1_TIME_set(nullptr, t), ASN1_TIME_free);
  if (!nowAsn1 || ASN1_TIME_diff(&days, &seconds, nowAsn1.get(), X509_get0_notAfter(cert.get())) != 1) {
    return fail("certificate", "cannot read the expiry of " + s.tlsCert.string());
  }
  if (days < 0 || (days == 0 && seconds <= 0)) {
    return fail("certificate", s.tlsCert.string() + " has expired: browsers refuse it");
  }
  if (days < kCertificateWarningDays) {
    return fail("certificate", s.tlsCert.string() + " expires in " + std::to_string(days) +
                                   " days: renew it (warning below " + std::to_string(kCertificateWarningDays) +
                                   " days)");
  }
  return ok("certificate", s.tlsCert.string() + " is valid for " + std::to_string(days) + " more days");
}

CheckResult checkMediaPorts(const ServeConfig &c) {
  if (c.media.portBase == 0) {
    return skipped("media ports", "ephemeral media ports (set rtc_port_base to check them)");
  }
  int workers =
      c.media.workers > 0 ? c.media.workers : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  std::string ip = reachableHost(c.media.listenIp.empty() ? "0.0.0.0" : c.media.listenIp);
  for (int i = 0; i < workers; ++i) {
    auto port = static_cast<uint16_t>(c.media.portBase + i);
    addrinfo hints{};
    hints.ai_socktype = SOCK_DGRAM;
    hints.ai_flags = AI_NUMERICSERV | AI_NUMERICHOST;
    addrinfo *found = nullptr;
    if (getaddrinfo(ip.c_str(), std::to_string(port).c_str(), &hints, &found) != 0) {
      return fail("media ports", "media listen address " + ip + " is not an IP address");
    }
    int fd = ::socket(found->ai_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    // Our own bind succeeding means no worker holds the port.
    bool unbound = fd >= 0 && ::bind(fd, found->ai_addr, found->ai_addrlen) == 0;
    int bindErrno = errno;
    if (fd >= 0) {
      ::close(fd);
    }
    freeaddrinfo(found);
    if (unbound) {
      return fail("media ports", "nothing has UDP port " + std::to_string(port) + " (worker " + std::to_string(i) +
                                     "): is medrtc serve running with these settings?");
    }
    if (bindErrno != EADDRINUSE && bindErrno != EACCES) {
      return fail("media ports", "cannot check UDP port " + std::to_string(port) + ": " + std::strerror(bindErrno));
    }
  }
  return ok("media ports", "UDP ports " + std::to_string(c.media.portBase) + "-" +
                               std::to_string(c.media.portBase + workers - 1) + " are bound");
}

// --media-ip addresses go into ICE candidates as they are: one this host does
// not have receives nothing. The public IP of a 1:1 NAT (--media-public-ip) is
// exempt: it is not on an interface by design, and whether the NAT forwards to
// us cannot be seen from here.
CheckResult checkAnnouncedAddresses(const ServeConfig &c) {
  std::vector<std::string> local;
  for (const auto &a : net::listInterfaceAddresses()) {
    local.push_back(a.address.ip());
  }
  std::string natNote;
  if (!c.media.publicIp.empty()) {
    auto parsed = SocketAddress::fromIp(c.media.publicIp, 0);
    if (!parsed) {
      return fail("media addresses", "--media-public-ip " + c.media.publicIp + " is not an IP address");
    }
    // UDP has no handshake, so only the ICE-TCP listener on the same port
    // number gives a yes/no answer from outside; a real call from a phone on
    // mobile data proves UDP.
    int workers =
        c.media.workers > 0 ? c.media.workers : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    std::string ports = c.media.portBase == 0 ? "the media ports (they are ephemeral now: set rtc_port_base to "
                                                "fix them)"
                                              : "UDP and TCP ports " + std::to_string(c.media.portBase) + "-" +
                                                    std::to_string(c.media.portBase + workers - 1);
    natNote = "; the public address " + c.media.publicIp +
              " cannot be proven reachable from inside: the NAT or cloud "
              "firewall must forward " +
              ports + " to this host; check from a host outside with `nc -vz " + c.media.publicIp + " " +
              std::to_string(c.media.portBase == 0 ? 40000 : c.media.portBase) +
              "` (ICE-TCP on the first media port) and by joining a call from "
              "a phone on mobile data";
  }
  if (c.media.announcedIps.empty()) {
    if (!natNote.empty()) {
      return ok("media addresses", "every interface address is announced" + natNote);
    }
    return skipped("media addresses", "no --media-ip: every usable interface address is announced");
  }
  for (const auto &ip : c.media.announcedIps) {
    auto parsed = SocketAddress::fromIp(ip, 0);
    if (!parsed) {
      return fail("media addresses", "--media-ip " + ip + " is not an IP address");
    }
    if (std::find(local.begin(), local.end(), parsed->ip()) == local.end() && ip != c.media.publicIp) {
      return fail("media addresses", "--media-ip " + ip +
                                         " is on no interface of this host: clients would send "
                                         "media to an address nobody receives on (use "
                                         "--media-public-ip for a NAT's)");
    }
  }
  return ok("media addresses", "every --media-ip address is on an interface of this host" + natNote);
}

CheckResult checkDataDir(const std::filesystem::path &dir) {
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0) {
    return fail("data dir", dir.string() + " does not exist (medrtc serve creates it)");
  }
  if ((st.st_mode & 0077) != 0) {
    return fail("data dir", dir.string() + " is open to group or others (mode " +
                                std::to_string((st.st_mode >> 6) & 7) + std::to_string((st.st_mode >> 3) & 7) +
                                std::to_string(st.st_mode & 7) + "; want 700)");
  }
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator(dir, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    if (::lstat(it->path().c_str(), &st) == 0 && !S_ISLNK(st.st_mode) && (st.st_mode & 0077) != 0) {
      return fail("data dir", it->path().string() + " is readable by group or others (want 600, 700 for folders)");
    }
  }
  return ok("data dir", dir.string() + " and everything in it are owner-only");
}

CheckResult checkDatabase(const ServeConfig &c) {
  DatabaseState state =
      c.database.empty() ? readSqliteSchemaVersion(c.dataDir / "medrtc.db") : readPostgresSchemaVersion(c.database);
  if (!state.error.empty()) {
    return fail("database", state.error);
  }
  int expected = store::latestSchemaVersion();
  if (state.version != expected) {
    return fail("database", state.where + " is at schema version " + std::to_string(state.version) +
                                ", this medrtc expects " + std::to_string(expected) +
                                " (medrtc serve migrates it at start)");
  }
  return ok("database",
            state.where + " is reachable and migrated (schema version " + std::to_string(state.version) + ")");
}

// What the profile makes serve refuse, in an operator's words
// (docs/compliance/README.md).
std::string describeRefusals(const compliance::PolicyProfile &p) {
  std::vector<std::string> r;
  if (!p.recordingAllowed) {
    r.emplace_back("recording");
  }
  if (!p.transcriptionAllowed) {
    r.emplace_back("transcription");
  }
  r.push_back("TLS below " + p.minTlsVersion);
  if (!p.mediaRegions.empty()) {
    // A profile may list every EEA country: name a few, count the rest.
    constexpr size_t kNamed = 3;
    std::string regions;
    for (size_t i = 0; i < p.mediaRegions.size() && i < kNamed; ++i) {
      regions += (regions.empty() ? "" : ", ") + p.mediaRegions[i];
    }
    if (p.mediaRegions.size() > kNamed) {
      regions += " and " + std::to_string(p.mediaRegions.size() - kNamed) + " more";
    }
    r.push_back("a node region other than " + regions);
  }
  if (p.turnCredentialTtlSeconds > 0) {
    r.push_back("TURN credentials valid longer than " + std::to_string(p.turnCredentialTtlSeconds) + " s");
  }
  if (p.staffMfaRequired) {
    r.emplace_back("staff sign-in without a second factor");
  }
  if (p.thirdParticipantNeedsHostApproval) {
    r.emplace_back("a third participant without the host's approval");
  }
  if (p.allowedThirdPartyOrigins.empty()) {
    r.emplace_back("third-party web origins");
  }
  std::string out;
  for (const auto &item : r) {
    out += (out.empty() ? "" : ", ") + item;
  }
  return out;
}

CheckResult checkPolicy(const SecurityConfig &s) {
  if (s.policy.empty()) {
    return ok("policy", "no policy profile: none is enforced (see docs/compliance/README.md)");
  }
  auto dir = s.policiesDir.empty() ? defaultPoliciesDir() : s.policiesDir;
  auto profile = compliance::loadPolicyByName(s.policy, dir);
  if (!profile) {
    return fail("policy", "policy profile " + s.policy + " cannot be loaded: " + profile.error().toString());
  }
  return ok("policy", "policy profile " + s.policy + " loads from " + dir.string() + "; it refuses " +
                          describeRefusals(*profile));
}

// __DATE__ ("Dec  4 2026") as a time point: a wall clock earlier than the build
// is wrong.
std::chrono::system_clock::time_point buildDate() {
  static const char *kMonths = "JanFebMarAprMayJunJulAugSepOctNovDec";
  const std::string date = __DATE__;
  std::tm tm{};
  tm.tm_mon = static_cast<int>(std::string_view(kMonths).find(date.substr(0, 3)) / 3);
  tm.tm_mday = std::stoi(date.substr(4, 2));
  tm.tm_year = std::stoi(date.substr(7, 4)) - 1900;
  return std::chrono::system_clock::from_time_t(timegm(&tm));
}

CheckResult checkClock(std::chrono::system_clock::time_point now) {
  // Certificates, TOTP codes, join tokens and audit timestamps all read this
  // clock.
  if (now + std::chrono::hours(24) < buildDate()) {
    return fail("clock",
                "the system clock is earlier than this medrtc was "
                "built: set the time (NTP)");
  }
  return ok("clock",
            "the system clock is not earlier than this medrtc's build "
            "date (NTP keeps it exact)");
}

const char *statusName(CheckStatus s) {
  switch (s) {
    case CheckStatus::kOk:
      return "ok";
    case CheckStatus::kFail:
      return "fail";
    case CheckStatus::kSkipped:
      return "skipped";
  }
  return "fail";
}

}  // namespace

std::vector<CheckResult> runDoctorChecks(const ServeConfig &config, std::chrono::system_clock::time_point now,
                                         const DoctorOptions &options) {
  std::vector<CheckResult> results{checkListener(config), checkCertificate(config.security, now),
                                   checkMediaPorts(config), checkAnnouncedAddresses(config)};
  for (auto &turn : checkTurn(config.security, options, now)) {
    results.push_back(std::move(turn));
  }
  for (auto &&check :
       {checkDataDir(config.dataDir), checkDatabase(config), checkPolicy(config.security), checkClock(now)}) {
    results.push_back(check);
  }
  return results;
}

int reportDoctor(const std::vector<CheckResult> &results, bool json, std::ostream &out) {
  bool failed = false;
  boost::json::array checks;
  for (const auto &r : results) {
    failed = failed || r.status == CheckStatus::kFail;
    if (json) {
      checks.push_back(boost::json::object{{"check", r.check}, {"status", statusName(r.status)}, {"detail", r.detail}});
    } else {
      std::string status = statusName(r.status);
      out << status << std::string(8 - status.size(), ' ') << r.check << ": " << r.detail << "\n";
    }
  }
  if (json) {
    out << boost::json::serialize(boost::json::object{{"ok", !failed}, {"checks", std::move(checks)}}) << "\n";
  } else {
    out << (failed ? "Something is wrong: see the lines marked fail.\n" : "All checks passed.\n");
  }
  return failed ? 1 : 0;
}

}  // namespace medrtc::app
