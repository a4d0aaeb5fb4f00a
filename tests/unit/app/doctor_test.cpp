// `medrtc doctor` (app/doctor.hpp) against real files, sockets and certificates.
#include "app/doctor.hpp"
#include "app/doctor_database.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <sstream>

#include "cli_run.hpp"
#include "common/random.hpp"
#include "store/sqlite_store.hpp"

namespace medrtc::app {
namespace {

// A data dir as serve leaves it: 0700, a migrated medrtc.db 0600.
struct Deployment {
  Deployment() {
    config.dataDir = std::filesystem::temp_directory_path() / ("medrtc-doctor-" + randomHex(6));
    std::filesystem::create_directories(config.dataDir);
    ::chmod(config.dataDir.c_str(), 0700);
    { store::SqliteStore store(config.dataDir / "medrtc.db"); }
    for (const auto& entry : std::filesystem::directory_iterator(config.dataDir)) {
      ::chmod(entry.path().c_str(), 0600);
    }
    // A listener standing in for serve's.
    listener = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    ::listen(listener, 4);
    socklen_t len = sizeof addr;
    ::getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len);
    config.listenHost = "127.0.0.1";
    config.listenPort = ntohs(addr.sin_port);
  }
  ~Deployment() {
    ::close(listener);
    std::filesystem::remove_all(config.dataDir);
  }
  ServeConfig config;
  int listener = -1;
};

const CheckResult& find(const std::vector<CheckResult>& results, const std::string& check) {
  for (const auto& r : results) {
    if (r.check == check) {
      return r;
    }
  }
  static CheckResult none{"<missing>", CheckStatus::kFail, ""};
  return none;
}

// A self-signed certificate valid from now for `days`.
std::filesystem::path writeCertificate(const std::filesystem::path& dir, long days) {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  X509* cert = X509_new();
  X509_set_version(cert, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert), -60);
  X509_gmtime_adj(X509_getm_notAfter(cert), days * 86400);
  X509_set_pubkey(cert, key);
  X509_NAME_add_entry_by_txt(X509_get_subject_name(cert), "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("doctor.test"), -1, -1, 0);
  X509_set_issuer_name(cert, X509_get_subject_name(cert));
  X509_sign(cert, key, EVP_sha256());
  auto path = dir / ("cert-" + std::to_string(days) + ".pem");
  FILE* f = std::fopen(path.c_str(), "w");
  PEM_write_X509(f, cert);
  std::fclose(f);
  X509_free(cert);
  EVP_PKEY_free(key);
  return path;
}

TEST(Doctor, AHealthyDeploymentPasses) {
  Deployment d;
  auto results = runDoctorChecks(d.config);
  EXPECT_EQ(find(results, "listener").status, CheckStatus::kOk) << find(results, "listener").detail;
  EXPECT_EQ(find(results, "data dir").status, CheckStatus::kOk) << find(results, "data dir").detail;
  EXPECT_EQ(find(results, "database").status, CheckStatus::kOk) << find(results, "database").detail;
  EXPECT_EQ(find(results, "policy").status, CheckStatus::kOk);
  EXPECT_EQ(find(results, "certificate").status, CheckStatus::kSkipped);
  EXPECT_EQ(find(results, "media ports").status, CheckStatus::kSkipped);
  std::ostringstream out;
  EXPECT_EQ(reportDoctor(results, false, out), 0);
  EXPECT_NE(out.str().find("All checks passed."), std::string::npos) << out.str();
}

TEST(Doctor, SaysWhatIsWrongAndExitsOne) {
  Deployment d;
  ::chmod(d.config.dataDir.c_str(), 0755);
  ::close(d.listener);  // serve is not running
  d.listener = -1;
  d.config.security.policy = "no-such-profile";
  auto results = runDoctorChecks(d.config);
  EXPECT_EQ(find(results, "listener").status, CheckStatus::kFail);
  EXPECT_NE(find(results, "listener").detail.find("is medrtc serve running?"), std::string::npos);
  EXPECT_EQ(find(results, "data dir").status, CheckStatus::kFail);
  EXPECT_NE(find(results, "data dir").detail.find("want 700"), std::string::npos) << find(results, "data dir").detail;
  EXPECT_EQ(find(results, "policy").status, CheckStatus::kFail);
  std::ostringstream out;
  EXPECT_EQ(reportDoctor(results, true, out), 1);
  auto json = boost::json::parse(out.str()).as_object();
  EXPECT_EQ(json.at("ok"), false);
  bool listed = false;
  for (const auto& c : json.at("checks").as_array()) {
    listed = listed || (c.at("check") == "data dir" && c.at("status") == "fail");
  }
  EXPECT_TRUE(listed) << out.str();
}

TEST(Doctor, AFileOpenToOthersOrAnOldSchemaFails) {
  Deployment d;
  ::chmod((d.config.dataDir / "medrtc.db").c_str(), 0644);
  EXPECT_EQ(find(runDoctorChecks(d.config), "data dir").status, CheckStatus::kFail);
  std::filesystem::remove(d.config.dataDir / "medrtc.db");
  auto database = find(runDoctorChecks(d.config), "database");
  EXPECT_EQ(database.status, CheckStatus::kFail);
  EXPECT_NE(database.detail.find("does not exist"), std::string::npos);
}

TEST(Doctor, CertificateExpiringWithinTwoWeeksFails) {
  Deployment d;
  d.config.security.tlsCert = writeCertificate(d.config.dataDir, 5);
  // An hour on, 4 days and 23 hours remain.
  auto soon = find(runDoctorChecks(d.config, std::chrono::system_clock::now() + std::chrono::hours(1)), "certificate");
  EXPECT_EQ(soon.status, CheckStatus::kFail);
  EXPECT_NE(soon.detail.find("expires in 4 days"), std::string::npos) << soon.detail;
  d.config.security.tlsCert = writeCertificate(d.config.dataDir, 90);
  auto fine = find(runDoctorChecks(d.config), "certificate");
  EXPECT_EQ(fine.status, CheckStatus::kOk) << fine.detail;
  // Checked against the given clock: 80 days on, the same certificate is close to expiry.
  auto later =
      find(runDoctorChecks(d.config, std::chrono::system_clock::now() + std::chrono::hours(24 * 80)), "certificate");
  EXPECT_EQ(later.status, CheckStatus::kFail);
}

TEST(Doctor, NamesWhatTheProfileRefusesAndDoubtsAClockBeforeTheBuild) {
  Deployment d;
  d.config.security.policy = "kbv";
  if (const char* source = std::getenv("MEDRTC_SOURCE_DIR")) {
    d.config.security.policiesDir = std::filesystem::path(source) / "policies";
  }
  auto policy = find(runDoctorChecks(d.config), "policy");
  EXPECT_EQ(policy.status, CheckStatus::kOk) << policy.detail;
  EXPECT_NE(policy.detail.find("it refuses recording"), std::string::npos) << policy.detail;
  EXPECT_NE(policy.detail.find("staff sign-in without a second factor"), std::string::npos) << policy.detail;
  EXPECT_NE(policy.detail.find("TURN credentials valid longer than"), std::string::npos) << policy.detail;
  EXPECT_EQ(find(runDoctorChecks(d.config), "clock").status, CheckStatus::kOk);
  auto past = std::chrono::system_clock::from_time_t(0);
  EXPECT_EQ(find(runDoctorChecks(d.config, past), "clock").status, CheckStatus::kFail);
}

TEST(Doctor, AnnouncedAddressesMustBeLocalUnlessTheNatsPublicOne) {
  Deployment d;
  EXPECT_EQ(find(runDoctorChecks(d.config), "media addresses").status, CheckStatus::kSkipped);
  d.config.media.announcedIps = {"127.0.0.1"};
  EXPECT_EQ(find(runDoctorChecks(d.config), "media addresses").status, CheckStatus::kOk);
  d.config.media.announcedIps = {"127.0.0.1", "192.0.2.77"};  // TEST-NET-1: on no interface here
  auto foreign = find(runDoctorChecks(d.config), "media addresses");
  EXPECT_EQ(foreign.status, CheckStatus::kFail);
  EXPECT_NE(foreign.detail.find("192.0.2.77"), std::string::npos) << foreign.detail;
  d.config.media.publicIp = "192.0.2.77";
  EXPECT_EQ(find(runDoctorChecks(d.config), "media addresses").status, CheckStatus::kOk);
}

TEST(Doctor, APublicAddressIsNotClaimedReachableAndTheDetailSaysHowToCheck) {
  Deployment d;
  d.config.media.publicIp = "203.0.113.7";
  d.config.media.portBase = 40000;
  auto nat = find(runDoctorChecks(d.config), "media addresses");
  EXPECT_EQ(nat.status, CheckStatus::kOk);
  EXPECT_NE(nat.detail.find("203.0.113.7 cannot be proven reachable from inside"), std::string::npos) << nat.detail;
  EXPECT_NE(nat.detail.find("nc -vz 203.0.113.7 40000"), std::string::npos) << nat.detail;
  d.config.media.publicIp = "not-an-ip";
  EXPECT_EQ(find(runDoctorChecks(d.config), "media addresses").status, CheckStatus::kFail);
}

TEST(Doctor, TurnWithoutASecretFileFailsAndWithoutUrlsIsSkipped) {
  Deployment d;
  EXPECT_EQ(find(runDoctorChecks(d.config), "turn").status, CheckStatus::kSkipped);
  d.config.security.turnUrls = {"turn:127.0.0.1:3478"};
  auto noSecret = find(runDoctorChecks(d.config), "turn");
  EXPECT_EQ(noSecret.status, CheckStatus::kFail);
  EXPECT_NE(noSecret.detail.find("--turn-secret-file is not"), std::string::npos) << noSecret.detail;
}

TEST(Doctor, MediaPortsNobodyHoldsFail) {
  Deployment d;
  // Bind a UDP port ourselves as a worker would, and check one more that nobody holds.
  int udp = ::socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(udp, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  socklen_t len = sizeof addr;
  ::getsockname(udp, reinterpret_cast<sockaddr*>(&addr), &len);
  d.config.media.listenIp = "127.0.0.1";
  d.config.media.portBase = ntohs(addr.sin_port);
  d.config.media.workers = 1;
  EXPECT_EQ(find(runDoctorChecks(d.config), "media ports").status, CheckStatus::kOk)
      << find(runDoctorChecks(d.config), "media ports").detail;
  ::close(udp);
  auto free = find(runDoctorChecks(d.config), "media ports");
  EXPECT_EQ(free.status, CheckStatus::kFail);
  EXPECT_NE(free.detail.find("nothing has UDP port"), std::string::npos) << free.detail;
}

TEST(Doctor, TheCommandTakesServeOptionsAndPrintsJson) {
  Deployment d;
  auto run = testing::runMedrtc({"medrtc", "doctor", "--data-dir", d.config.dataDir.string(), "--listen",
                                 "127.0.0.1:" + std::to_string(d.config.listenPort), "--format", "json"});
  EXPECT_EQ(run.rc, 0) << run.out << run.err;
  auto json = boost::json::parse(run.out).as_object();
  EXPECT_EQ(json.at("ok"), true);
  EXPECT_EQ(json.at("checks").as_array().size(), 9u);  // TURN unconfigured: one skipped "turn"
  ::chmod(d.config.dataDir.c_str(), 0750);
  auto bad = testing::runMedrtc({"medrtc", "doctor", "--data-dir", d.config.dataDir.string(), "--listen",
                                 "127.0.0.1:" + std::to_string(d.config.listenPort)});
  EXPECT_EQ(bad.rc, 1);
  EXPECT_NE(bad.out.find("fail    data dir: "), std::string::npos) << bad.out;
}

}  // namespace
}  // namespace medrtc::app

namespace medrtc::app {
namespace {

TEST(DoctorDatabase, AnUnreachablePostgresIsNamedWithoutItsPassword) {
  auto state = readPostgresSchemaVersion("postgres://medrtc:hunter2secret@127.0.0.1:1/medrtc");
  EXPECT_EQ(state.where, "PostgreSQL at 127.0.0.1:1/medrtc");
  EXPECT_EQ(state.error.rfind("cannot reach PostgreSQL at 127.0.0.1:1/medrtc: ", 0), 0u) << state.error;
  EXPECT_EQ(state.error.find("hunter2secret"), std::string::npos) << state.error;
}

}  // namespace
}  // namespace medrtc::app
