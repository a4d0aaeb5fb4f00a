#pragma once
// The running node's configuration as the compliance checks see it. app/ fills it from
// its typed config once at start; nothing here reads files or the environment.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace medrtc::compliance {

struct NodeSettings {
  std::string nodeId;
  std::string region;                          // media region of this node (region vocabulary)
  std::string storageRegion;                   // where the store and audit log live; "" = region
  std::vector<std::string> hostCertifications; // what the hosting provider is certified for, e.g. "hds"

  bool tlsEnabled = false;                     // HTTPS/WSS listener
  std::string tlsMinVersion = "1.2";           // "1.2" | "1.3"
  std::optional<uint32_t> turnCredentialTtlSeconds;  // nullopt: no TURN configured

  bool recordingFeatureEnabled = false;        // operator switched recording on
  bool transcriptionFeatureEnabled = false;
  // Claims of availability; they count only when the feature is built (built_features.hpp).
  bool e2eeAvailable = false;
  bool p2pAvailable = false;

  // What the clinic enforces for staff accounts on every tenant of this node (app fills
  // them from the node's --policy: that profile is a floor for each tenant, see
  // checkStaffAccount / effectiveIdleLogoffMinutes in rules.hpp).
  std::string accountPolicy;                   // the node profile applied to all tenants; "" = none
  std::optional<uint32_t> idleLogoffMinutes;   // longest idle time any staff session may reach
  bool staffMfaEnforced = false;               // no staff account signs in without TOTP
  std::vector<std::string> thirdPartyOrigins;  // origins the web client may contact (CSP)
  bool auditLogEnabled = true;

  const std::string& effectiveStorageRegion() const { return storageRegion.empty() ? region : storageRegion; }
};

}  // namespace medrtc::compliance
