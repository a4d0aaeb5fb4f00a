#pragma once
// `medrtc serve` configuration: parsed once into this struct from the TOML file
// (--config) and then the command-line flags, which win.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "app/security_config.hpp"
#include "compliance/store_sealing.hpp"
#include "log/log.hpp"
#include "sfu/media_plane.hpp"
#include "signaling/participant_limits.hpp"
#include "store/store.hpp"
#include "store/webhook_store.hpp"

namespace medrtc::app {

// A day: longer than any consultation; a larger value is more likely a typo.
inline constexpr int64_t kMaxDrainTimeoutSeconds = 86'400;

struct ServeConfig {
  std::string listenHost = "127.0.0.1";
  uint16_t listenPort = 8080;
  std::filesystem::path dataDir = "data";
  // Empty: SQLite in <dataDir>/medrtc.db. "postgres://…" or "postgresql://…" (a libpq
  // URI): PostgreSQL. Holds a password when the URI does: never log it.
  std::string database;
  std::filesystem::path webRoot;  // empty: <dir of the executable>/web
  bool dev = false;
  sfu::MediaConfig media;  // ips (--media-ip), public ip, listen (--media-listen), workers, rtc port base
  SecurityConfig security;  // policy, region, TLS, frame-ancestors, TURN (security_config.hpp)
  // Empty: none. Every signed audit checkpoint is also appended here (AuditLogOptions).
  std::filesystem::path auditWitness;
  // [participants] max_per_room / max_per_tenant / max_per_node, --max-participants-per-*.
  signaling::ParticipantLimits participants;
  // Connections held at once (signaling/connection_limits.hpp); serve lowers the total to
  // what RLIMIT_NOFILE allows after raising the soft limit to the hard one.
  size_t maxConnections = 10'000;
  size_t maxConnectionsPerAddress = 256;
  // Reverse proxies whose X-Forwarded-For names the client: addresses or prefixes
  // ("10.0.0.0/8"). Empty: the TCP peer is the client (signaling/client_address.hpp).
  std::vector<std::string> trustedProxies;
  // Graceful drain: after the first SIGTERM/SIGINT, running calls may go on this long
  // before they are ended with room_ended "server_shutdown"; 0 stops at once.
  std::chrono::seconds drainTimeout{300};
  // docs/operations.md: /metrics on the main listener needs the bearer token in this file
  // (empty: /metrics is 404 there); `metricsListen` "HOST:PORT" serves it without
  // authorization on an address of its own (empty: none).
  std::filesystem::path metricsTokenFile;
  std::string metricsListen;
  // docs/operations.md "Log lines": the same events as text (default) or one JSON
  // object per line.
  log::Format logFormat = log::Format::kText;
  // [webhooks] (docs/operations.md "Webhooks"): allow_private_targets lets endpoints point
  // to private, loopback and link-local addresses (receivers on the LAN; tests);
  // retry_base_ms is the first retry's delay, doubled per failure.
  struct Webhooks {
    bool allowPrivateTargets = false;
    int64_t retryBaseMs = 5'000;
  } webhooks;
};

// The largest participant cap accepted (flags and config): far above what one node carries.
inline constexpr int64_t kMaxParticipantLimit = 1'000'000;

// "HOST:PORT", "[::1]:PORT". Throws std::invalid_argument with a readable message.
void parseListen(const std::string& text, std::string& host, uint16_t& port);

// Applies a TOML file:
//   listen = "127.0.0.1:8080"   data_dir = "..."   web_root = "..."   dev = false
//   database = "postgres://..."   audit_witness = "/mnt/witness/medrtc-checkpoints.log"
//   drain_timeout = 300   log_format = "text" | "json"
//   metrics_token_file = "/etc/medrtc/metrics.token"   metrics_listen = "127.0.0.1:9464"
//   max_connections = 10000   max_connections_per_address = 256
//   trusted_proxies = ["10.0.0.0/8", "::1"]
//   [media] ip = "..." or ["...", "..."]  public_ip = "..."  listen = "..."  workers = 0
//           rtc_port_base = 0  ice_tcp = true
//   [participants] max_per_room = 25 max_per_tenant = 500 max_per_node = 1000
//   [webhooks] allow_private_targets = false  retry_base_ms = 5000
// Unknown keys and wrong types are refused with the key's name (std::runtime_error).
void applyConfigFile(const std::filesystem::path& file, ServeConfig& config);

// Creates the data dir 0700, or takes group/other bits off it and everything in it (an
// older release left medrtc.db 0644), and logs what it changed (store/data_dir.hpp).
void prepareDataDir(const std::filesystem::path& dataDir);

// True for "postgres://…" and "postgresql://…" (the libpq URI schemes).
bool isPostgresUrl(std::string_view database);

// The store `database` selects (see ServeConfig::database), migrated, with its personal
// fields sealed by the data dir's subject keys (compliance/store_sealing.hpp; `keys`
// when given: serve shares the audit log's). Throws std::invalid_argument for any other
// non-empty value, StoreFailure when the database cannot be opened or migrated.
std::unique_ptr<compliance::SealedStore> openStore(const std::string& database, const std::filesystem::path& dataDir,
                                                   std::shared_ptr<compliance::SubjectKeyStore> keys = nullptr);

// A connection of its own to the webhook tables of the same database (open openStore
// first: it migrates). Serve opens one for the control thread and one for the dispatcher.
std::unique_ptr<store::WebhookStore> openWebhookStore(const std::string& database, const std::filesystem::path& dataDir);

// <dir of /proc/self/exe>/web.
std::filesystem::path defaultWebRoot();

}  // namespace medrtc::app
