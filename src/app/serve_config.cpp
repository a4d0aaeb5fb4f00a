#include "app/serve_config.hpp"
#include "log/log.hpp"

#include <spdlog/spdlog.h>
#include <toml++/toml.h>

#include <stdexcept>
#include <vector>

#include "store/data_dir.hpp"
#include "store/postgres/postgres_store.hpp"
#include "store/postgres/postgres_webhook_store.hpp"
#include "store/sqlite_store.hpp"
#include "store/sqlite_webhook_store.hpp"

namespace medrtc::app {

namespace {

uint16_t parsePort(const std::string& text, const std::string& what) {
  if (text.empty() || text.size() > 5 || text.find_first_not_of("0123456789") != std::string::npos) {
    throw std::invalid_argument(what + ": port must be a number 0-65535");
  }
  unsigned long v = std::stoul(text);
  if (v > 65535) {
    throw std::invalid_argument(what + ": port must be a number 0-65535");
  }
  return static_cast<uint16_t>(v);
}

template <typename T>
T required(const toml::node& node, const std::string& key) {
  auto v = node.value<T>();
  if (!v) {
    throw std::runtime_error("config key \"" + key + "\" has the wrong type");
  }
  return *v;
}

// `[media] ip`: one address as a string, or several as an array of strings.
std::vector<std::string> stringOrStrings(const toml::node& node, const std::string& key) {
  if (const auto* array = node.as_array()) {
    std::vector<std::string> out;
    for (const auto& item : *array) {
      out.push_back(required<std::string>(item, key));
    }
    return out;
  }
  return {required<std::string>(node, key)};
}

}  // namespace

void parseListen(const std::string& text, std::string& host, uint16_t& port) {
  size_t colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    throw std::invalid_argument("listen address \"" + text + "\" must be HOST:PORT");
  }
  std::string h = text.substr(0, colon);
  if (h.size() >= 2 && h.front() == '[' && h.back() == ']') {
    h = h.substr(1, h.size() - 2);
  }
  port = parsePort(text.substr(colon + 1), "listen address \"" + text + "\"");
  host = h;
}

void applyConfigFile(const std::filesystem::path& file, ServeConfig& config) {
  toml::table table;
  try {
    table = toml::parse_file(file.string());
  } catch (const toml::parse_error& e) {
    throw std::runtime_error("config " + file.string() + ": " + std::string(e.description()));
  }
  for (auto& [key, node] : table) {
    std::string k(key.str());
    if (k == "listen") {
      parseListen(required<std::string>(node, k), config.listenHost, config.listenPort);
    } else if (k == "data_dir") {
      config.dataDir = required<std::string>(node, k);
    } else if (k == "database") {
      config.database = required<std::string>(node, k);
    } else if (k == "audit_witness") {
      config.auditWitness = required<std::string>(node, k);
    } else if (k == "metrics_token_file") {
      config.metricsTokenFile = required<std::string>(node, k);
    } else if (k == "metrics_listen") {
      config.metricsListen = required<std::string>(node, k);
    } else if (k == "web_root") {
      config.webRoot = required<std::string>(node, k);
    } else if (k == "drain_timeout") {
      int64_t seconds = required<int64_t>(node, k);
      if (seconds < 0 || seconds > kMaxDrainTimeoutSeconds) {
        throw std::runtime_error("config key \"drain_timeout\" must be 0 to " +
                                 std::to_string(kMaxDrainTimeoutSeconds) + " seconds");
      }
      config.drainTimeout = std::chrono::seconds(seconds);
    } else if (k == "log_format") {
      if (!log::parseFormat(required<std::string>(node, k), config.logFormat)) {
        throw std::runtime_error("config key \"log_format\" must be \"text\" or \"json\"");
      }
    } else if (k == "dev") {
      config.dev = required<bool>(node, k);
    } else if (k == "max_connections" || k == "max_connections_per_address") {
      int64_t n = required<int64_t>(node, k);
      if (n < 1 || n > 1'000'000) {
        throw std::runtime_error("config key \"" + k + "\" must be 1-1000000");
      }
      (k == "max_connections" ? config.maxConnections : config.maxConnectionsPerAddress) = static_cast<size_t>(n);
    } else if (k == "trusted_proxies") {
      const toml::array* list = node.as_array();
      if (list == nullptr) {
        throw std::runtime_error("config key \"trusted_proxies\" must be a list of addresses or prefixes");
      }
      config.trustedProxies.clear();
      for (const auto& entry : *list) {
        config.trustedProxies.push_back(required<std::string>(entry, k));
      }
    } else if (k == "media" && node.is_table()) {
      for (auto& [mkey, mnode] : *node.as_table()) {
        std::string mk = "media." + std::string(mkey.str());
        if (mk == "media.ip") {
          config.media.announcedIps = stringOrStrings(mnode, mk);
        } else if (mk == "media.public_ip") {
          config.media.publicIp = required<std::string>(mnode, mk);
        } else if (mk == "media.listen") {
          config.media.listenIp = required<std::string>(mnode, mk);
        } else if (mk == "media.ice_tcp") {
          config.media.iceTcp = required<bool>(mnode, mk);
        } else if (mk == "media.workers") {
          int64_t w = required<int64_t>(mnode, mk);
          if (w < 0 || w > 1024) {
            throw std::runtime_error("config key \"media.workers\" must be 0-1024");
          }
          config.media.workers = static_cast<int>(w);
        } else if (mk == "media.rtc_port_base") {
          int64_t p = required<int64_t>(mnode, mk);
          if (p < 0 || p > 65535) {
            throw std::runtime_error("config key \"media.rtc_port_base\" must be 0-65535");
          }
          config.media.portBase = static_cast<uint16_t>(p);
        } else {
          throw std::runtime_error("unknown config key \"" + mk + "\"");
        }
      }
    } else if (k == "participants" && node.is_table()) {
      for (auto& [pkey, pnode] : *node.as_table()) {
        std::string pk = "participants." + std::string(pkey.str());
        size_t* target = pk == "participants.max_per_room"     ? &config.participants.perRoom
                         : pk == "participants.max_per_tenant" ? &config.participants.perTenant
                         : pk == "participants.max_per_node"   ? &config.participants.perNode
                                                               : nullptr;
        if (target == nullptr) {
          throw std::runtime_error("unknown config key \"" + pk + "\"");
        }
        int64_t n = required<int64_t>(pnode, pk);
        if (n < 1 || n > kMaxParticipantLimit) {
          throw std::runtime_error("config key \"" + pk + "\" must be 1-" + std::to_string(kMaxParticipantLimit));
        }
        *target = static_cast<size_t>(n);
      }
    } else if (k == "webhooks" && node.is_table()) {
      for (auto& [wkey, wnode] : *node.as_table()) {
        std::string wk = "webhooks." + std::string(wkey.str());
        if (wk == "webhooks.allow_private_targets") {
          config.webhooks.allowPrivateTargets = required<bool>(wnode, wk);
        } else if (wk == "webhooks.retry_base_ms") {
          int64_t ms = required<int64_t>(wnode, wk);
          if (ms < 10 || ms > 3'600'000) {
            throw std::runtime_error("config key \"webhooks.retry_base_ms\" must be 10-3600000");
          }
          config.webhooks.retryBaseMs = ms;
        } else {
          throw std::runtime_error("unknown config key \"" + wk + "\"");
        }
      }
    } else if (isSecurityConfigKey(k)) {
      // policy, region, [tls], [turn], ...: read by applySecurityConfigFile.
    } else {
      throw std::runtime_error("unknown config key \"" + k + "\"");
    }
  }
}

bool isPostgresUrl(std::string_view database) {
  return database.starts_with("postgres://") || database.starts_with("postgresql://");
}

void prepareDataDir(const std::filesystem::path& dataDir) {
  store::DataDirPermissions result = store::secureDataDir(dataDir);
  if (!result.tightened.empty()) {
    log::warn("data_dir_permissions_tightened", {{"count", result.tightened.size()},
                                                 {"first", result.tightened.front().string()}});
  }
  if (!result.failed.empty()) {
    log::error("data_dir_permissions_open",
               {{"count", result.failed.size()}, {"first", result.failed.front().string()}});
  }
}

namespace {

std::unique_ptr<store::Store> openBackend(const std::string& database, const std::filesystem::path& dataDir) {
  if (database.empty()) {
    prepareDataDir(dataDir);
    return std::make_unique<store::SqliteStore>(dataDir / "medrtc.db");
  }
  if (isPostgresUrl(database)) {
    return std::make_unique<store::PostgresStore>(database);
  }
  // The value may be a mistyped URL with a password in it: do not echo it.
  throw std::invalid_argument(
      "database must be a postgres:// or postgresql:// URL (leave it out for SQLite in the data dir)");
}

}  // namespace

std::unique_ptr<compliance::SealedStore> openStore(const std::string& database, const std::filesystem::path& dataDir,
                                                   std::shared_ptr<compliance::SubjectKeyStore> keys) {
  // Validate the URL before touching the data dir; then every caller (serve, admin
  // create-user, erase-subject) writes and reads sealed personal fields alike.
  auto backend = openBackend(database, dataDir);
  prepareDataDir(dataDir);  // PostgreSQL too: keys and the audit log live here
  return compliance::sealStore(std::move(backend), dataDir, std::move(keys));
}

std::unique_ptr<store::WebhookStore> openWebhookStore(const std::string& database,
                                                      const std::filesystem::path& dataDir) {
  if (isPostgresUrl(database)) {
    return std::make_unique<store::PostgresWebhookStore>(database);
  }
  return std::make_unique<store::SqliteWebhookStore>(dataDir / "medrtc.db");
}

std::filesystem::path defaultWebRoot() {
  std::error_code ec;
  auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) {
    return "web";
  }
  return exe.parent_path() / "web";
}

}  // namespace medrtc::app
