#include "compliance/rules.hpp"

#include <algorithm>
#include <initializer_list>

#include "compliance/built_features.hpp"
#include "compliance/region.hpp"

namespace medrtc::compliance {

std::string RuleViolation::message() const {
  std::string out = "policy " + profile + ": rule " + rule + "=" + ruleValue;
  if (!detail.empty()) {
    out += ": " + detail;
  }
  return out;
}

namespace {

std::string boolText(bool v) { return v ? "true" : "false"; }

std::string listText(const std::vector<std::string>& values) {
  std::string out = "[";
  for (size_t i = 0; i < values.size(); ++i) {
    out += (i ? ", " : "") + values[i];
  }
  return out + "]";
}

bool contains(const std::vector<std::string>& values, const std::string& v) {
  return std::find(values.begin(), values.end(), v) != values.end();
}

RuleViolation violation(const PolicyProfile& p, std::string rule, std::string value, std::string detail,
                        std::string requirement, Severity severity = Severity::Refuse) {
  return RuleViolation{p.name, std::move(rule), std::move(value), std::move(detail), std::move(requirement), severity};
}

// TLS versions compare as text because the vocabulary is exactly "1.2" and "1.3".
bool tlsAtLeast(const std::string& configured, const std::string& required) { return configured >= required; }

std::optional<RuleViolation> checkRegion(const PolicyProfile& p, const char* rule,
                                         const std::vector<std::string>& allowed, const std::string& region,
                                         const char* what) {
  if (!findRegion(region)) {
    return violation(p, rule, listText(allowed),
                     std::string(what) + " region \"" + region + "\" is not in the region vocabulary", "K1 F1");
  }
  if (!contains(allowed, region)) {
    return violation(p, rule, listText(allowed),
                     std::string(what) + " region \"" + region + "\" is outside the allowed regions", "K1 F1");
  }
  return std::nullopt;
}

}  // namespace

std::vector<RuleViolation> checkNodeConfig(const PolicyProfile& p, const NodeSettings& s) {
  std::vector<RuleViolation> out;
  // K1, F1: placement.
  if (auto v = checkRegion(p, "regions.media", p.mediaRegions, s.region, "node")) {
    out.push_back(*v);
  }
  if (auto v = checkRegion(p, "regions.storage", p.storageRegions, s.effectiveStorageRegion(), "storage")) {
    out.push_back(*v);
  }
  if (!p.requiredHostCertification.empty() && !contains(s.hostCertifications, p.requiredHostCertification)) {
    out.push_back(violation(p, "regions.required_host_certification", p.requiredHostCertification,
                            "the configuration does not state a " + p.requiredHostCertification +
                                "-certified host",
                            "F1"));
  }
  // H4, K6: transport security.
  if (!s.tlsEnabled) {
    out.push_back(violation(p, "encryption.min_tls_version", p.minTlsVersion, "TLS is disabled on the listener", "H4"));
  } else if (!tlsAtLeast(s.tlsMinVersion, p.minTlsVersion)) {
    out.push_back(violation(p, "encryption.min_tls_version", p.minTlsVersion,
                            "the listener accepts TLS " + s.tlsMinVersion, "H4"));
  }
  if (s.turnCredentialTtlSeconds && *s.turnCredentialTtlSeconds > p.turnCredentialTtlSeconds) {
    out.push_back(violation(p, "encryption.turn_credential_ttl_seconds", std::to_string(p.turnCredentialTtlSeconds),
                            "TURN credentials are issued for " + std::to_string(*s.turnCredentialTtlSeconds) + " s",
                            "H4"));
  }
  // K6: E2EE. Met only when built AND available; a flag alone never meets it.
  if (p.e2eeRequired && !(kBuiltFeatures.e2ee && s.e2eeAvailable)) {
    out.push_back(violation(p, "encryption.e2ee_required", "true",
                            kBuiltFeatures.e2ee ? "end-to-end encryption is switched off on this node"
                                                : "not met: end-to-end encryption (SFrame) is not built",
                            "K6", kBuiltFeatures.e2ee ? Severity::Refuse : Severity::NotMet));
  }
  // K7: P2P for 1:1. Met only when built AND running on this node for this profile's
  // tenants (the node's --policy or the tenant's own profile asks for it).
  if (p.p2pPreferredOneToOne && !(kBuiltFeatures.peerToPeer && s.p2pAvailable)) {
    out.push_back(violation(p, "media.p2p_preferred_one_to_one", "true",
                            kBuiltFeatures.peerToPeer
                                ? "not met: peer-to-peer for 1:1 runs only where the node's --policy or the tenant's "
                                  "profile prefers it; this node relays every call through the SFU"
                                : "not met: peer-to-peer media for 1:1 is not built; every call is relayed by the SFU",
                            "K7", Severity::NotMet));
  }
  // K6/K9: under end-to-end encryption the server never has the media keys, so it cannot
  // record or transcribe; a node that claims to is misconfigured (docs/e2ee.md).
  if (p.e2eeRequired && s.recordingFeatureEnabled) {
    out.push_back(violation(p, "encryption.e2ee_required", "true",
                            "the recording feature is enabled on this node, but under end-to-end encryption the "
                            "server cannot record",
                            "K6"));
  }
  if (p.e2eeRequired && s.transcriptionFeatureEnabled) {
    out.push_back(violation(p, "encryption.e2ee_required", "true",
                            "the transcription feature is enabled on this node, but under end-to-end encryption the "
                            "server cannot transcribe",
                            "K6"));
  }
  // K8, H5: recording and transcription switched on where the profile forbids them.
  if (!p.recordingAllowed && s.recordingFeatureEnabled) {
    out.push_back(violation(p, "recording.allowed", "false", "the recording feature is enabled on this node", "K8"));
  }
  if (!p.transcriptionAllowed && s.transcriptionFeatureEnabled) {
    out.push_back(
        violation(p, "transcription.allowed", "false", "the transcription feature is enabled on this node", "K8"));
  }
  // H3: idle logoff, as the clinic's sign-in sessions enforce it.
  if (!kBuiltFeatures.idleLogoff) {
    out.push_back(violation(p, "session.idle_logoff_minutes", std::to_string(p.idleLogoffMinutes),
                            "not met: automatic logoff after inactivity is not built", "H3", Severity::NotMet));
  } else if (!s.idleLogoffMinutes || *s.idleLogoffMinutes > p.idleLogoffMinutes) {
    out.push_back(violation(
        p, "session.idle_logoff_minutes", std::to_string(p.idleLogoffMinutes),
        (s.idleLogoffMinutes ? "staff sessions may stay idle for up to " + std::to_string(*s.idleLogoffMinutes) +
                                   " minutes"
                             : std::string("staff sessions have no idle logoff")) +
            (s.accountPolicy.empty() ? " (the node runs without --policy, so no profile caps a tenant's --idle-minutes)"
                                     : " under the node's profile " + s.accountPolicy),
        "H3"));
  }
  // H8: staff MFA, as create-user and sign-in enforce it.
  if (p.staffMfaRequired && !kBuiltFeatures.staffMfa) {
    out.push_back(violation(p, "accounts.staff_mfa_required", "true",
                            "not met: MFA is not built; staff accounts are refused", "H8", Severity::NotMet));
  } else if (p.staffMfaRequired && !s.staffMfaEnforced) {
    out.push_back(violation(
        p, "accounts.staff_mfa_required", "true",
        s.accountPolicy.empty()
            ? "staff MFA is not enforced for every tenant: the node runs without --policy, so a tenant without "
              "its own MFA profile or --require-totp signs staff in with a password alone"
            : "staff MFA is not enforced: the node's profile " + s.accountPolicy + " does not require it",
        "H8"));
  }
  // K10: third-party origins.
  for (const auto& origin : s.thirdPartyOrigins) {
    if (!contains(p.allowedThirdPartyOrigins, origin)) {
      out.push_back(violation(p, "web.third_party_origins", listText(p.allowedThirdPartyOrigins),
                              "the web client is configured to contact " + origin, "K10"));
    }
  }
  // H6: the audit log itself.
  if (!s.auditLogEnabled) {
    out.push_back(violation(p, "retention.audit_years", std::to_string(p.auditRetentionYears),
                            "the audit log is disabled", "H6 H9"));
  }
  return out;
}

bool refusesStart(const std::vector<RuleViolation>& violations, bool strict) {
  return std::any_of(violations.begin(), violations.end(), [strict](const RuleViolation& v) {
    return v.severity == Severity::Refuse || strict;
  });
}

namespace {

struct ActionChecker {
  const PolicyProfile& p;

  std::optional<RuleViolation> operator()(const action::StartRecording&) const {
    if (!p.recordingAllowed) {
      return violation(p, "recording.allowed", "false", "recording refused", "K8");
    }
    if (p.e2eeRequired) {
      return violation(p, "encryption.e2ee_required", "true",
                       "recording refused: calls are end-to-end encrypted and the server has no key to record with",
                       "K6");
    }
    if (!kBuiltFeatures.recordingControls) {
      // Allowed by the profile, but there is no recording pipeline with at-rest
      // encryption (H5) to honour it: refuse rather than pretend.
      return violation(p, "recording.allowed", "true", "refused: recording controls are not built", "H5");
    }
    return std::nullopt;
  }

  std::optional<RuleViolation> operator()(const action::StartTranscription&) const {
    if (!p.transcriptionAllowed) {
      return violation(p, "transcription.allowed", "false", "transcription refused", "K8");
    }
    if (p.e2eeRequired) {
      return violation(p, "encryption.e2ee_required", "true",
                       "transcription refused: calls are end-to-end encrypted and the server has no key to "
                       "transcribe with",
                       "K6");
    }
    if (!kBuiltFeatures.transcription) {
      return violation(p, "transcription.allowed", "true", "refused: transcription is not built", "H5");
    }
    return std::nullopt;
  }

  std::optional<RuleViolation> operator()(const action::EnableStaffAccount& a) const {
    if (!p.staffMfaRequired) {
      return std::nullopt;
    }
    if (!kBuiltFeatures.staffMfa) {
      // Kept for a build without the clinic module: then no account could satisfy the rule.
      return violation(p, "accounts.staff_mfa_required", "true",
                       "staff account refused: MFA is not built, so no staff account can satisfy the rule", "H8");
    }
    if (!a.mfaEnrolled) {
      return violation(p, "accounts.staff_mfa_required", "true", "staff account without MFA refused", "H8");
    }
    return std::nullopt;
  }

  std::optional<RuleViolation> operator()(const action::AdmitThirdParticipant& a) const {
    if (p.thirdParticipantNeedsHostApproval && !a.hostApproved) {
      return violation(p, "session.third_participant_needs_host_approval", "true",
                       "third participant refused without the host's approval", "K12");
    }
    return std::nullopt;
  }

  std::optional<RuleViolation> operator()(const action::PlaceMedia& a) const {
    return checkRegion(p, "regions.media", p.mediaRegions, a.region, "media");
  }

  std::optional<RuleViolation> operator()(const action::StoreData& a) const {
    return checkRegion(p, "regions.storage", p.storageRegions, a.region, "storage");
  }

  std::optional<RuleViolation> operator()(const action::IssueTurnCredential& a) const {
    if (a.ttlSeconds > p.turnCredentialTtlSeconds) {
      return violation(p, "encryption.turn_credential_ttl_seconds", std::to_string(p.turnCredentialTtlSeconds),
                       "TURN credential for " + std::to_string(a.ttlSeconds) + " s refused", "H4");
    }
    return std::nullopt;
  }
};

}  // namespace

std::optional<RuleViolation> checkAction(const PolicyProfile& profile, const Action& action) {
  return std::visit(ActionChecker{profile}, action);
}

std::optional<RuleViolation> checkStaffAccount(const PolicyProfile* tenantProfile, const PolicyProfile* nodeProfile,
                                               bool mfaEnrolled) {
  for (const PolicyProfile* p : {tenantProfile, nodeProfile}) {
    if (p) {
      if (auto v = checkAction(*p, action::EnableStaffAccount{mfaEnrolled})) {
        return v;
      }
    }
  }
  return std::nullopt;
}

uint32_t effectiveIdleLogoffMinutes(const PolicyProfile* tenantProfile, const PolicyProfile* nodeProfile,
                                    uint32_t tenantIdleMinutes) {
  uint32_t minutes = std::max<uint32_t>(tenantIdleMinutes, 1);
  for (const PolicyProfile* p : {tenantProfile, nodeProfile}) {
    if (p && p->idleLogoffMinutes > 0) {
      minutes = std::min(minutes, p->idleLogoffMinutes);
    }
  }
  return minutes;
}

}  // namespace medrtc::compliance
