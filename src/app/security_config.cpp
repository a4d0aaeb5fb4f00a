#include "app/security_config.hpp"

#include <toml++/toml.h>

#include <CLI/CLI.hpp>
#include <regex>
#include <stdexcept>

#include "compliance/region.hpp"
#include "tls/tls_context.hpp"
#include "turn/turn_credentials.hpp"

namespace medrtc::app {

namespace {

// "<file>:<line>: config key 'tls.min_version' <what>"
[[noreturn]] void refuse(const std::filesystem::path& file, const toml::node& node, const std::string& key,
                         const std::string& what) {
  throw std::runtime_error("config " + file.string() + ":" + std::to_string(node.source().begin.line) +
                           ": config key \"" + key + "\" " + what);
}

template <typename T>
T typed(const std::filesystem::path& file, const toml::node& node, const std::string& key, const char* typeName) {
  auto v = node.value_exact<T>();
  if (!v) {
    refuse(file, node, key, std::string("must be a ") + typeName);
  }
  return *v;
}

std::vector<std::string> stringList(const std::filesystem::path& file, const toml::node& node,
                                    const std::string& key) {
  const toml::array* array = node.as_array();
  if (!array) {
    refuse(file, node, key, "must be an array of strings");
  }
  std::vector<std::string> out;
  for (const auto& item : *array) {
    out.push_back(typed<std::string>(file, item, key, "string"));
  }
  return out;
}

// CSP source expressions we accept for frame-ancestors (CSP3 §2.3.1), without anything
// that could break out of the header: 'self', or an https/http origin with an optional
// port, or a bare host.
bool isFrameAncestorSource(const std::string& s) {
  static const std::regex source(R"(^'self'$|^(https?://)?(\*\.)?[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*(:[0-9]{1,5})?$)");
  return std::regex_match(s, source);
}

}  // namespace

bool isSecurityConfigKey(std::string_view key) {
  static const std::vector<std::string_view> keys = {"policy",       "policies_dir",    "strict_policy",
                                                     "region",       "storage_region", "host_certifications",
                                                     "tls",          "insecure_http",  "frame_ancestors",
                                                     "turn"};
  return std::find(keys.begin(), keys.end(), key) != keys.end();
}

void applySecurityConfigFile(const std::filesystem::path& file, SecurityConfig& c) {
  toml::table table;
  try {
    table = toml::parse_file(file.string());
  } catch (const toml::parse_error& e) {
    throw std::runtime_error("config " + file.string() + ": " + std::string(e.description()));
  }
  for (auto it = table.begin(); it != table.end(); ++it) {
    std::string k(it->first.str());
    const toml::node& node = it->second;
    if (k == "policy") {
      c.policy = typed<std::string>(file, node, k, "string");
    } else if (k == "policies_dir") {
      c.policiesDir = typed<std::string>(file, node, k, "string");
    } else if (k == "strict_policy") {
      c.strictPolicy = typed<bool>(file, node, k, "boolean");
    } else if (k == "region") {
      c.region = typed<std::string>(file, node, k, "string");
    } else if (k == "storage_region") {
      c.storageRegion = typed<std::string>(file, node, k, "string");
    } else if (k == "host_certifications") {
      c.hostCertifications = stringList(file, node, k);
    } else if (k == "insecure_http") {
      c.insecureHttp = typed<bool>(file, node, k, "boolean");
    } else if (k == "frame_ancestors") {
      c.frameAncestors = stringList(file, node, k);
    } else if (k == "tls" || k == "turn") {
      const toml::table* sub = node.as_table();
      if (!sub) {
        refuse(file, node, k, "must be a table");
      }
      for (auto st = sub->begin(); st != sub->end(); ++st) {
        std::string sk = k + "." + std::string(st->first.str());
        const toml::node& sn = st->second;
        if (sk == "tls.cert") {
          c.tlsCert = typed<std::string>(file, sn, sk, "string");
        } else if (sk == "tls.key") {
          c.tlsKey = typed<std::string>(file, sn, sk, "string");
        } else if (sk == "tls.self_signed") {
          c.tlsSelfSigned = typed<bool>(file, sn, sk, "boolean");
        } else if (sk == "tls.min_version") {
          c.tlsMinVersion = typed<std::string>(file, sn, sk, "string");
          if (!tls::isTlsVersion(c.tlsMinVersion)) {
            refuse(file, sn, sk, "must be \"1.2\" or \"1.3\"");
          }
        } else if (sk == "turn.urls") {
          c.turnUrls = stringList(file, sn, sk);
        } else if (sk == "turn.secret_file") {
          c.turnSecretFile = typed<std::string>(file, sn, sk, "string");
        } else if (sk == "turn.ttl_seconds") {
          int64_t ttl = typed<int64_t>(file, sn, sk, "integer");
          if (ttl < 60 || ttl > 7 * 24 * 3600) {
            refuse(file, sn, sk, "must be 60-604800 seconds");
          }
          c.turnTtlSeconds = static_cast<uint32_t>(ttl);
        } else {
          refuse(file, sn, sk, "is unknown");
        }
      }
    }
  }
}

void addSecurityFlags(CLI::App* cmd, SecurityFlags& f) {
  cmd->add_option("--policy", f.policy, "policy profile to enforce: kbv, hipaa, gdpr or hds (default: none)");
  cmd->add_option("--policies-dir", f.policiesDir, "directory of the profile files (default <exe dir>/../policies)");
  cmd->add_flag("--strict-policy", f.strictPolicy, "refuse to start when a profile rule is not met (feature not built)");
  cmd->add_option("--region", f.region, "region of this node, e.g. eu-de (docs/compliance/README.md)");
  cmd->add_option("--storage-region", f.storageRegion, "region of the store and audit log (default: --region)");
  cmd->add_option("--host-certification", f.hostCertifications, "certification of the hosting provider, e.g. hds");
  cmd->add_option("--tls-cert", f.tlsCert, "PEM certificate chain for HTTPS/WSS");
  cmd->add_option("--tls-key", f.tlsKey, "PEM private key for --tls-cert");
  cmd->add_flag("--tls-self-signed", f.tlsSelfSigned,
                "HTTPS with a self-signed certificate kept in <data-dir>/tls (first run on a LAN)");
  cmd->add_option("--tls-min-version", f.tlsMinVersion, "1.2 or 1.3 (default: the profile's minimum, else 1.2)");
  cmd->add_flag("--insecure-http", f.insecureHttp,
                "allow plain HTTP on a non-loopback address (only behind a TLS-terminating proxy)");
  cmd->add_option("--frame-ancestors", f.frameAncestors,
                  "origins allowed to embed the pages (CSP frame-ancestors), e.g. 'self' https://ehr.example.org; "
                  "default 'none'")
      ->delimiter(',');
  cmd->add_option("--turn-url", f.turnUrls, "TURN server URI handed to clients, e.g. turn:127.0.0.1:3478 (repeatable)")
      ->delimiter(',');
  cmd->add_option("--turn-secret-file", f.turnSecretFile, "file holding coturn's static-auth-secret (0600)");
  cmd->add_option("--turn-ttl", f.turnTtlSeconds, "TURN credential lifetime in seconds (default: the profile's)")
      ->check(CLI::Range(60, 7 * 24 * 3600));
}

void applySecurityFlags(const SecurityFlags& f, SecurityConfig& c) {
  if (!f.policy.empty()) {
    c.policy = f.policy;
  }
  if (!f.policiesDir.empty()) {
    c.policiesDir = f.policiesDir;
  }
  c.strictPolicy = c.strictPolicy || f.strictPolicy;
  if (!f.region.empty()) {
    c.region = f.region;
  }
  if (!f.storageRegion.empty()) {
    c.storageRegion = f.storageRegion;
  }
  if (!f.hostCertifications.empty()) {
    c.hostCertifications = f.hostCertifications;
  }
  if (!f.tlsCert.empty()) {
    c.tlsCert = f.tlsCert;
  }
  if (!f.tlsKey.empty()) {
    c.tlsKey = f.tlsKey;
  }
  c.tlsSelfSigned = c.tlsSelfSigned || f.tlsSelfSigned;
  if (!f.tlsMinVersion.empty()) {
    c.tlsMinVersion = f.tlsMinVersion;
  }
  c.insecureHttp = c.insecureHttp || f.insecureHttp;
  if (!f.frameAncestors.empty()) {
    c.frameAncestors = f.frameAncestors;
  }
  if (!f.turnUrls.empty()) {
    c.turnUrls = f.turnUrls;
  }
  if (!f.turnSecretFile.empty()) {
    c.turnSecretFile = f.turnSecretFile;
  }
  if (f.turnTtlSeconds >= 0) {
    c.turnTtlSeconds = static_cast<uint32_t>(f.turnTtlSeconds);
  }
}

void validateSecurityConfig(const SecurityConfig& c) {
  if (!c.tlsMinVersion.empty() && !tls::isTlsVersion(c.tlsMinVersion)) {
    throw std::invalid_argument("--tls-min-version must be 1.2 or 1.3, not \"" + c.tlsMinVersion + "\"");
  }
  if (c.tlsCert.empty() != c.tlsKey.empty()) {
    throw std::invalid_argument("--tls-cert and --tls-key go together");
  }
  if (c.tlsSelfSigned && !c.tlsCert.empty()) {
    throw std::invalid_argument("--tls-self-signed and --tls-cert exclude each other");
  }
  for (const auto& source : c.frameAncestors) {
    if (source == "'none'" && c.frameAncestors.size() == 1) {
      continue;
    }
    if (!isFrameAncestorSource(source)) {
      throw std::invalid_argument("--frame-ancestors: \"" + source +
                                  "\" is not 'self', an origin like https://ehr.example.org, or 'none' alone");
    }
  }
  for (const auto& url : c.turnUrls) {
    if (!turn::isTurnUri(url)) {
      throw std::invalid_argument("--turn-url: \"" + url + "\" is not a turn: or turns: URI (RFC 7065)");
    }
  }
  if (!c.turnUrls.empty() && c.turnSecretFile.empty()) {
    throw std::invalid_argument("--turn-url needs --turn-secret-file (coturn's static-auth-secret)");
  }
  for (const auto* region : {&c.region, &c.storageRegion}) {
    if (!region->empty() && !compliance::findRegion(*region)) {
      throw std::invalid_argument("region \"" + *region +
                                  "\" is not in the region vocabulary (docs/compliance/README.md)");
    }
  }
}

std::filesystem::path defaultPoliciesDir() {
  std::error_code ec;
  auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  std::filesystem::path dir = ec ? std::filesystem::current_path() : exe.parent_path();
  std::vector<std::filesystem::path> candidates = {dir.parent_path() / "policies", dir / "policies",
                                                   dir.parent_path() / "share" / "medrtc" / "policies"};
  for (const auto& c : candidates) {
    if (std::filesystem::exists(c / "gdpr.toml", ec)) {
      return c;
    }
  }
  return candidates.front();
}

}  // namespace medrtc::app
