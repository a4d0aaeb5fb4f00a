#pragma once
// The security and compliance part of `medrtc serve`'s configuration: the active policy
// profile and the node's placement, TLS for the listener, page embedding, and TURN.
// Filled from the TOML file (applySecurityConfigFile) and then the flags, which win.
// serve_config.cpp hands these keys over instead of refusing them as unknown.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace CLI {
class App;
}

namespace medrtc::app {

struct SecurityConfig {
  // [policy] — "" means no profile is enforced (a warning at start; see
  // docs/compliance/README.md "Running with a policy").
  std::string policy;                          // policy = "kbv" | "hipaa" | "gdpr" | "hds"
  std::filesystem::path policiesDir;           // policies_dir; empty: defaultPoliciesDir()
  bool strictPolicy = false;                   // strict_policy: not-met rules refuse start too
  std::string region;                          // region = "eu-de" (media region of this node)
  std::string storageRegion;                   // storage_region; "" = region
  std::vector<std::string> hostCertifications; // host_certifications = ["hds"]

  // [tls]
  std::filesystem::path tlsCert;               // tls.cert
  std::filesystem::path tlsKey;                // tls.key
  bool tlsSelfSigned = false;                  // tls.self_signed
  std::string tlsMinVersion;                   // tls.min_version; "" = the profile's (or 1.2)
  bool insecureHttp = false;                   // insecure_http: plain HTTP on a non-loopback address

  // CSP frame-ancestors sources, e.g. ["'self'", "https://ehr.example.org"]; empty = 'none'.
  std::vector<std::string> frameAncestors;     // frame_ancestors

  // [turn]
  std::vector<std::string> turnUrls;           // turn.urls = ["turn:127.0.0.1:3478"]
  std::filesystem::path turnSecretFile;        // turn.secret_file (0600, first line)
  std::optional<uint32_t> turnTtlSeconds;      // turn.ttl_seconds; default: the profile's

  bool tlsConfigured() const { return tlsSelfSigned || !tlsCert.empty(); }
};

// Keys of the top-level TOML table that belong to SecurityConfig.
bool isSecurityConfigKey(std::string_view key);

// Reads those keys from the TOML file. Wrong types, bad values and unknown keys inside
// [tls]/[turn] are refused with file, line and key (std::runtime_error).
void applySecurityConfigFile(const std::filesystem::path& file, SecurityConfig& config);

// Command-line flags of `serve` (and `compliance report`) for SecurityConfig.
struct SecurityFlags {
  std::string policy;
  std::string policiesDir;
  bool strictPolicy = false;
  std::string region;
  std::string storageRegion;
  std::vector<std::string> hostCertifications;
  std::string tlsCert;
  std::string tlsKey;
  bool tlsSelfSigned = false;
  std::string tlsMinVersion;
  bool insecureHttp = false;
  std::vector<std::string> frameAncestors;
  std::vector<std::string> turnUrls;
  std::string turnSecretFile;
  int64_t turnTtlSeconds = -1;
};

void addSecurityFlags(CLI::App* command, SecurityFlags& flags);
void applySecurityFlags(const SecurityFlags& flags, SecurityConfig& config);

// Checks values that need no profile (frame-ancestors sources, TURN URIs, TLS version,
// region vocabulary, cert without key). Throws std::invalid_argument naming the setting.
void validateSecurityConfig(const SecurityConfig& config);

// The built-in profiles: the first existing of <exe dir>/../policies (build/medrtc in the
// source tree, or /opt/medrtc/bin → /opt/medrtc/policies), <exe dir>/policies,
// <exe dir>/../share/medrtc/policies; the first candidate when none exists.
std::filesystem::path defaultPoliciesDir();

}  // namespace medrtc::app
