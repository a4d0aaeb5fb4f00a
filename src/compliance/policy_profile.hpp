#pragma once
// A policy profile: the rules one jurisdiction imposes on a tenant, loaded from
// policies/<name>.toml. Every field is required in the file, so a profile always states
// each rule explicitly (a missing rule is an error, not a silent default).
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "common/result.hpp"

namespace medrtc::compliance {

struct PolicyProfile {
  std::string name;          // "kbv", "hipaa", "gdpr", "hds"
  std::string title;         // human title
  std::filesystem::path source;  // file it was loaded from

  // [regions]
  std::vector<std::string> mediaRegions;    // regions.media
  std::vector<std::string> storageRegions;  // regions.storage
  std::string requiredHostCertification;    // regions.required_host_certification ("" = none)

  // [encryption]
  bool e2eeRequired = true;                 // encryption.e2ee_required
  std::string minTlsVersion = "1.2";        // encryption.min_tls_version: "1.2" | "1.3"
  uint32_t turnCredentialTtlSeconds = 0;    // encryption.turn_credential_ttl_seconds (max)

  // [media]
  bool p2pPreferredOneToOne = false;        // media.p2p_preferred_one_to_one

  // [recording] / [transcription]
  bool recordingAllowed = false;            // recording.allowed
  bool transcriptionAllowed = false;        // transcription.allowed

  // [retention]
  uint32_t metadataRetentionDays = 0;       // retention.metadata_days
  uint32_t auditRetentionYears = 0;         // retention.audit_years

  // [session]
  uint32_t idleLogoffMinutes = 0;           // session.idle_logoff_minutes
  bool thirdParticipantNeedsHostApproval = true;  // session.third_participant_needs_host_approval

  // [accounts]
  bool staffMfaRequired = false;            // accounts.staff_mfa_required

  // [web]
  std::vector<std::string> allowedThirdPartyOrigins;  // web.third_party_origins
};

// Where and why a policy file was refused: "policies/kbv.toml:12: unknown key 'recordng.allowed'".
struct PolicyError {
  std::string file;
  uint32_t line = 0;  // 0 when no position applies (file missing)
  std::string key;    // dotted key path, "" for whole-file errors
  std::string message;

  std::string toString() const;
};

Result<PolicyProfile, PolicyError> loadPolicy(const std::filesystem::path& file);
// Parses TOML text; `fileName` is only used in error messages and PolicyProfile::source.
Result<PolicyProfile, PolicyError> parsePolicy(std::string_view toml, const std::string& fileName);
// Built-in profiles by name: <policiesDir>/<name>.toml for name in kbv, hipaa, gdpr, hds.
// Refuses other names (no path tricks: the name never becomes a path component unchecked).
Result<PolicyProfile, PolicyError> loadPolicyByName(std::string_view name, const std::filesystem::path& policiesDir);
const std::vector<std::string>& builtInProfileNames();

}  // namespace medrtc::compliance
