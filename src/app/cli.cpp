#include "app/cli.hpp"
#include "log/log.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <sys/stat.h>

#include <CLI/CLI.hpp>
#include <iostream>

#include "app/admin.hpp"
#include "app/backup_commands.hpp"
#include "app/clinic_admin.hpp"
#include "app/compliance_commands.hpp"
#include "app/doctor.hpp"
#include "app/security_config.hpp"
#include "loadgen/loadgen_command.hpp"

namespace medrtc::app {

namespace {

struct ServeFlags {
  std::string config;
  std::string listen;
  std::string dataDir;
  std::string database;
  std::vector<std::string> mediaIps;
  std::string mediaPublicIp;
  std::string mediaListen;
  bool noIceTcp = false;
  bool noUdpGso = false;
  bool bandwidthEstimation = false;
  bool noBandwidthEstimation = false;
  int rtcPortBase = -1;
  int workers = -1;
  int drainTimeout = -1;
  std::string logFormat;  // empty: not given
  std::string webRoot;
  std::string auditWitness;
  std::string metricsTokenFile;
  std::string metricsListen;
  bool dev = false;
  int64_t maxPerRoom = 0;  // 0: not given
  int64_t maxPerTenant = 0;
  int64_t maxPerNode = 0;
  size_t maxConnections = 0;
  size_t maxConnectionsPerAddress = 0;
  std::vector<std::string> trustedProxies;
  bool webhookAllowPrivateTargets = false;
  int64_t webhookRetryBaseMs = 0;  // 0: not given
  SecurityFlags security;
};

// The options of `serve`, also taken by `compliance report` (same configuration).
void addServeOptions(CLI::App* serve, ServeFlags& f);

void addServe(CLI::App& app, ServeFlags& f) {
  addServeOptions(app.add_subcommand("serve", "run the server (HTTP/WebSocket API, web client, media workers)"), f);
}

void addServeOptions(CLI::App* serve, ServeFlags& f) {
  serve->add_option("--config", f.config, "TOML file with the same keys; flags override it")->check(CLI::ExistingFile);
  serve->add_option("--listen", f.listen, "HOST:PORT for HTTP and WebSocket (default 127.0.0.1:8080; port 0 = any)");
  serve->add_option("--data-dir", f.dataDir, "directory for medrtc.db and token.key (default ./data)");
  serve->add_option("--database", f.database,
                    "postgres://USER@HOST:PORT/DB to use PostgreSQL (default: SQLite medrtc.db in the data dir)");
  serve->add_option("--media-ip", f.mediaIps,
                    "address announced in ICE candidates; repeat for several (default: every usable interface "
                    "address, loopback only when there is none)");
  serve->add_option("--media-public-ip", f.mediaPublicIp,
                    "public address of a 1:1 NAT (a cloud VM's), announced first, beside the others");
  serve->add_option("--media-listen", f.mediaListen, "address the media UDP sockets bind (default 0.0.0.0)");
  serve->add_flag("--no-ice-tcp", f.noIceTcp,
                  "no passive ICE-TCP listener on the media ports (default: each worker also takes TCP on its "
                  "UDP port number, for networks that block UDP)");
  serve->add_flag("--no-udp-gso", f.noUdpGso,
                  "send every media packet as its own datagram (default: runs of equal-size packets to one "
                  "address leave as one UDP_SEGMENT super-datagram where the kernel supports it)");
  auto* bwe = serve->add_flag("--bandwidth-estimation", f.bandwidthEstimation,
                              "estimate each subscriber's downlink from transport-cc feedback and give it the "
                              "simulcast layers that fit, pausing video below the lowest (the default; kept so "
                              "existing command lines work; docs/bandwidth-estimation.md)");
  serve->add_flag("--no-bandwidth-estimation", f.noBandwidthEstimation,
                  "no send-side bandwidth estimation: layers follow the subscribers' reported loss alone "
                  "(docs/bandwidth-estimation.md)")
      ->excludes(bwe);
  serve->add_option("--rtc-port-base", f.rtcPortBase,
                    "worker i binds UDP (and ICE-TCP) port base+i (default 0 = ephemeral)")
      ->check(CLI::Range(0, 65535));
  serve->add_option("--workers", f.workers, "media worker threads (default 0 = one per core)")
      ->check(CLI::Range(0, 1024));
  serve->add_option("--web-root", f.webRoot, "web client files (default <dir of the executable>/web)");
  serve->add_option("--audit-witness", f.auditWitness,
                    "also append every signed audit checkpoint to FILE (operator-controlled, ideally other storage; "
                    "check with `audit verify --witness FILE`)");
  serve->add_option("--drain-timeout", f.drainTimeout,
                    "SECONDS running calls may go on after the first SIGTERM/SIGINT before they are ended "
                    "(default 300; 0 = stop at once; a second signal always stops at once)")
      ->check(CLI::Range(0, static_cast<int>(kMaxDrainTimeoutSeconds)));
  serve->add_option("--log-format", f.logFormat,
                    "text (default) or json: one JSON object per line with time, level, event and ids "
                    "(docs/operations.md)")
      ->check(CLI::IsMember({"text", "json"}));
  serve->add_option("--metrics-token-file", f.metricsTokenFile,
                    "file holding the bearer token GET /metrics needs on the main listener (without it: 404)");
  serve->add_option("--metrics-listen", f.metricsListen,
                    "HOST:PORT serving /metrics without authorization, e.g. 127.0.0.1:9464 (default: none)");
  serve->add_flag("--dev", f.dev, "enable the development page endpoint POST /api/v1/dev/rooms");
  // docs/protocol.md capacity_reached; waiting, joining and joined participants count.
  serve->add_option("--max-participants-per-room", f.maxPerRoom, "participants in one room (default 25)")
      ->check(CLI::Range(int64_t{1}, kMaxParticipantLimit));
  serve->add_option("--max-participants-per-tenant", f.maxPerTenant,
                    "participants in all rooms of one tenant (default 500)")
      ->check(CLI::Range(int64_t{1}, kMaxParticipantLimit));
  serve->add_option("--max-participants-per-node", f.maxPerNode, "participants on this server (default 1000)")
      ->check(CLI::Range(int64_t{1}, kMaxParticipantLimit));
  serve->add_option("--max-connections", f.maxConnections,
                    "connections held at once (default 10000, lowered to what RLIMIT_NOFILE allows)")
      ->check(CLI::Range(1, 1'000'000));
  serve->add_option("--max-connections-per-address", f.maxConnectionsPerAddress,
                    "connections held at once per client address (default 256)")
      ->check(CLI::Range(1, 1'000'000));
  serve->add_option("--trusted-proxy", f.trustedProxies,
                    "reverse proxy (address or prefix) whose X-Forwarded-For names the client; repeatable");
  serve->add_flag("--webhook-allow-private-targets", f.webhookAllowPrivateTargets,
                  "let webhook endpoints point to private, loopback and link-local addresses (default: refused)");
  serve->add_option("--webhook-retry-base-ms", f.webhookRetryBaseMs,
                    "delay before the first webhook retry, doubled per failure (default 5000)")
      ->check(CLI::Range(int64_t{10}, int64_t{3'600'000}));
  addSecurityFlags(serve, f.security);
}

ServeConfig buildServeConfig(const ServeFlags& f) {
  ServeConfig config;
  if (!f.config.empty()) {
    applyConfigFile(f.config, config);
    applySecurityConfigFile(f.config, config.security);
  }
  applySecurityFlags(f.security, config.security);
  if (!f.listen.empty()) {
    parseListen(f.listen, config.listenHost, config.listenPort);
  }
  if (!f.dataDir.empty()) {
    config.dataDir = f.dataDir;
  }
  if (f.webhookAllowPrivateTargets) {
    config.webhooks.allowPrivateTargets = true;
  }
  if (f.webhookRetryBaseMs > 0) {
    config.webhooks.retryBaseMs = f.webhookRetryBaseMs;
  }
  if (!f.database.empty()) {
    config.database = f.database;
  }
  if (!f.mediaIps.empty()) {
    config.media.announcedIps = f.mediaIps;
  }
  if (!f.mediaPublicIp.empty()) {
    config.media.publicIp = f.mediaPublicIp;
  }
  if (!f.mediaListen.empty()) {
    config.media.listenIp = f.mediaListen;
  }
  if (f.noIceTcp) {
    config.media.iceTcp = false;
  }
  if (f.noUdpGso) {
    config.media.udpGso = false;
  }
  if (f.bandwidthEstimation) {
    config.media.bandwidthEstimation = true;
  }
  if (f.noBandwidthEstimation) {
    config.media.bandwidthEstimation = false;
  }
  if (f.rtcPortBase >= 0) {
    config.media.portBase = static_cast<uint16_t>(f.rtcPortBase);
  }
  if (f.workers >= 0) {
    config.media.workers = f.workers;
  }
  if (f.drainTimeout >= 0) {
    config.drainTimeout = std::chrono::seconds(f.drainTimeout);
  }
  if (!f.logFormat.empty()) {
    log::parseFormat(f.logFormat, config.logFormat);  // CLI11 checked the value
  }
  if (!f.webRoot.empty()) {
    config.webRoot = f.webRoot;
  }
  if (!f.auditWitness.empty()) {
    config.auditWitness = f.auditWitness;
  }
  if (!f.metricsTokenFile.empty()) {
    config.metricsTokenFile = f.metricsTokenFile;
  }
  if (!f.metricsListen.empty()) {
    config.metricsListen = f.metricsListen;
  }
  config.dev = config.dev || f.dev;
  if (f.maxPerRoom > 0) {
    config.participants.perRoom = static_cast<size_t>(f.maxPerRoom);
  }
  if (f.maxPerTenant > 0) {
    config.participants.perTenant = static_cast<size_t>(f.maxPerTenant);
  }
  if (f.maxPerNode > 0) {
    config.participants.perNode = static_cast<size_t>(f.maxPerNode);
  }
  if (f.maxConnections > 0) {
    config.maxConnections = f.maxConnections;
  }
  if (f.maxConnectionsPerAddress > 0) {
    config.maxConnectionsPerAddress = f.maxConnectionsPerAddress;
  }
  if (!f.trustedProxies.empty()) {
    config.trustedProxies = f.trustedProxies;
  }
  return config;
}

}  // namespace

int runCli(int argc, char** argv, const MediaPlaneFactory& makeMedia) {
  // Logs go to stderr: stdout carries only what scripts parse (the listening line, a new key).
  if (spdlog::default_logger()->name().empty()) {
    spdlog::set_default_logger(spdlog::stderr_color_mt("medrtc"));
  }
  CLI::App app{"medrtc: self-hosted video consultation server"};
  app.require_subcommand(1);

  ServeFlags serveFlags;
  addServe(app, serveFlags);

  auto* admin = app.add_subcommand("admin", "operator commands on the data directory");
  admin->require_subcommand(1);
  std::string adminDataDir = "data";
  std::string keyName;
  auto* createKey = admin->add_subcommand("create-api-key", "create an API key and print it once");
  createKey->add_option("--data-dir", adminDataDir, "data directory (default ./data)");
  createKey->add_option("--name", keyName, "a label for the key");
  std::string keyTenant;
  createKey->add_option("--tenant", keyTenant,
                        "the tenant (t_…) whose rooms the key reaches (default: a node-operator key, docs/api-keys.md)");
  ClinicAdminCommands clinicAdmin(admin);
  PrivacyAdminCommands privacyAdmin(admin);
  BackupCommands backupAdmin(admin);
  // Later: `medrtc audit ...`, `medrtc compliance ...`, `medrtc loadgen ...` join here as
  // subcommands of their own.

  loadgen::LoadgenCommand loadgen(app);

  ComplianceCommands compliance(app);
  ServeFlags reportFlags;
  addServeOptions(compliance.reportCommand(), reportFlags);

  auto* doctor = app.add_subcommand("doctor", "check a deployment (same options as serve) and say what is wrong");
  ServeFlags doctorFlags;
  addServeOptions(doctor, doctorFlags);
  std::string doctorFormat = "text";
  doctor->add_option("--format", doctorFormat, "text (default) or json")->check(CLI::IsMember({"text", "json"}));
  DoctorOptions doctorOptions;
  doctor->add_option("--turn-ca-file", doctorOptions.turnCaFile,
                     "PEM certificates to trust for turns: servers (default: the system trust store)")
      ->check(CLI::ExistingFile);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // A usage error (unknown option, bad value, missing subcommand) exits 2, as the
    // commands' --help promises (compliance report: "2 ... the options are bad"); CLI11's
    // own codes (105-109) are documented nowhere and collide with nothing a script expects.
    // --help and --version print and exit 0.
    return app.exit(e) == 0 ? 0 : 2;
  }

  if (!loadgen.parsed()) {
    // Everything the other commands create lives in the data dir (database, keys, audit
    // log): owner-only, whatever umask the service manager or shell handed us.
    ::umask(077);
  }
  try {
    if (app.got_subcommand("serve")) {
      ServeConfig config = buildServeConfig(serveFlags);
      log::setFormat(config.logFormat);
      return runServe(config, makeMedia, std::cout);
    }
    if (createKey->parsed()) {
      return createApiKeyCommand(adminDataDir, keyName, std::cout, std::cerr, keyTenant);
    }
    if (clinicAdmin.parsed()) {
      return clinicAdmin.run(std::cin, std::cout, std::cerr);
    }
    if (backupAdmin.parsed()) {
      return backupAdmin.run(std::cout, std::cerr);
    }
    if (privacyAdmin.parsed()) {
      return privacyAdmin.run(std::cout, std::cerr);
    }
    if (compliance.parsed()) {
      return compliance.run(buildServeConfig(reportFlags), std::cout, std::cerr);
    }
    if (loadgen.parsed()) {
      return loadgen.run();
    }
    if (doctor->parsed()) {
      return reportDoctor(runDoctorChecks(buildServeConfig(doctorFlags), std::chrono::system_clock::now(), doctorOptions),
                          doctorFormat == "json", std::cout);
    }
  } catch (const std::exception& e) {
    log::error("command_failed", {{"error", e.what()}});
    std::cerr << "medrtc: " << e.what() << std::endl;
    return 1;
  }
  return 2;
}

}  // namespace medrtc::app
