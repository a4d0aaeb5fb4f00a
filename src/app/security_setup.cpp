#include "app/security_setup.hpp"

#include <arpa/inet.h>

#include <chrono>
#include <map>
#include <mutex>

#include "app/clinic_admin.hpp"
#include "compliance/built_features.hpp"
#include "compliance/rules.hpp"
#include "net/announced_addresses.hpp"
#include "tls/tls_context.hpp"
#include "turn/turn_credentials.hpp"

namespace medrtc::app {

namespace {

// KBV names no TURN lifetime; one hour is what every shipped profile says.
constexpr uint32_t kDefaultTurnTtlSeconds = 3600;

int64_t unixNow() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string joinSources(const std::vector<std::string>& sources) {
  if (sources.empty()) {
    return "'none'";
  }
  std::string out;
  for (const auto& s : sources) {
    out += (out.empty() ? "" : " ") + s;
  }
  return out;
}

}  // namespace

bool isLoopbackHost(const std::string& host) {
  if (host == "localhost" || host == "::1") {
    return true;
  }
  in_addr v4{};
  return inet_pton(AF_INET, host.c_str(), &v4) == 1 && (ntohl(v4.s_addr) >> 24) == 127;
}

std::optional<compliance::PolicyProfile> loadActiveProfile(const SecurityConfig& security) {
  if (security.policy.empty()) {
    return std::nullopt;
  }
  auto dir = security.policiesDir.empty() ? defaultPoliciesDir() : security.policiesDir;
  auto profile = compliance::loadPolicyByName(security.policy, dir);
  if (!profile) {
    throw StartRefused(profile.error().toString());
  }
  return std::move(profile).value();
}

void applyClinicEnforcement(compliance::NodeSettings& node, const compliance::PolicyProfile* nodeProfile) {
  node.accountPolicy = nodeProfile ? nodeProfile->name : "";
  // Every tenant's staff sign in under the node's profile as a floor, so the node enforces
  // MFA exactly when that profile requires it; without one, a tenant's --require-totp is
  // its own choice and nothing on the node guarantees it.
  node.staffMfaEnforced = nodeProfile && nodeProfile->staffMfaRequired;
  // The longest idle any tenant's session can reach: the profile's cap, or without a
  // profile the largest --idle-minutes create-tenant accepts.
  node.idleLogoffMinutes = compliance::effectiveIdleLogoffMinutes(nullptr, nodeProfile, kMaxTenantIdleMinutes);
}

clinic::TenantProfileLookup tenantProfileLookup(std::filesystem::path policiesDir,
                                                std::optional<compliance::PolicyProfile> nodeProfile) {
  using Profile = std::shared_ptr<const compliance::PolicyProfile>;
  Profile node = nodeProfile ? std::make_shared<const compliance::PolicyProfile>(std::move(*nodeProfile)) : nullptr;
  // A profile file is read once per name. Called on the control thread and, for the REST
  // routes' session checks, on the store pool's threads: the cache has a lock.
  struct Cache {
    std::mutex mutex;
    std::map<std::string, Profile> profiles;
  };
  auto shared = std::make_shared<Cache>();
  return [policiesDir = std::move(policiesDir), node, shared](
             const store::TenantRecord& tenant) -> Result<clinic::TenantProfiles, std::string> {
    clinic::TenantProfiles out{nullptr, node};
    if (tenant.policyProfile.empty()) {
      return out;
    }
    if (node && tenant.policyProfile == node->name) {
      out.tenant = node;
      return out;
    }
    std::lock_guard lock(shared->mutex);
    auto* cache = &shared->profiles;
    auto it = cache->find(tenant.policyProfile);
    if (it == cache->end()) {
      auto loaded = compliance::loadPolicyByName(tenant.policyProfile, policiesDir);
      if (!loaded) {
        return fail("tenant " + tenant.id + ": " + loaded.error().toString());
      }
      it = cache->emplace(tenant.policyProfile, std::make_shared<const compliance::PolicyProfile>(
                                                    std::move(loaded).value()))
               .first;
    }
    out.tenant = it->second;
    return out;
  };
}

compliance::NodeSettings nodeSettingsFor(const ServeConfig& config, const compliance::PolicyProfile* profile,
                                         const compliance::PolicyProfile* nodeProfile) {
  const SecurityConfig& s = config.security;
  compliance::NodeSettings n;
  n.nodeId = config.listenHost + ":" + std::to_string(config.listenPort);
  n.region = s.region;
  n.storageRegion = s.storageRegion;
  n.hostCertifications = s.hostCertifications;
  n.tlsEnabled = s.tlsConfigured();
  n.tlsMinVersion = !s.tlsMinVersion.empty() ? s.tlsMinVersion : profile ? profile->minTlsVersion : "1.2";
  if (!s.turnUrls.empty()) {
    n.turnCredentialTtlSeconds = s.turnTtlSeconds.value_or(profile ? profile->turnCredentialTtlSeconds
                                                                     : kDefaultTurnTtlSeconds);
  }
  // Nothing here can switch on recording or transcription: those are not built
  // (compliance/built_features.hpp), and the report says so. E2EE is built and has no
  // switch: the hub enforces it in every room a profile requiring it governs, the node's
  // or the tenant's (clinic/admission.hpp e2eeRequired, read per join), so a report for
  // `profile` speaks for that profile's tenants. P2P for 1:1 runs in every
  // room when the node's own profile asks for it (applySecurity passes it to signaling),
  // and in the rooms of each tenant whose own profile asks for it (the hub reads the
  // tenant's profile per join, clinic/admission.hpp tenantPrefersP2p): a report for
  // `profile` speaks for that profile's tenants either way.
  n.p2pAvailable = (nodeProfile != nullptr && nodeProfile->p2pPreferredOneToOne) ||
                   (profile != nullptr && profile->p2pPreferredOneToOne);
  n.e2eeAvailable = compliance::kBuiltFeatures.e2ee;
  n.thirdPartyOrigins = {};  // the web client contacts only its own origin (tests/e2e)
  applyClinicEnforcement(n, nodeProfile);
  return n;
}

SecuritySetup checkSecurity(const ServeConfig& config) {
  const SecurityConfig& s = config.security;
  validateSecurityConfig(s);
  SecuritySetup setup;
  setup.profile = loadActiveProfile(s);
  const compliance::PolicyProfile* active = setup.profile ? &*setup.profile : nullptr;
  setup.node = nodeSettingsFor(config, active, active);
  setup.tlsMinVersion = setup.node.tlsMinVersion;

  // --dev answers POST /api/v1/dev/rooms without any credential and hands out host tokens:
  // a developer's own machine only, never a deployment (reachable address, TLS, profile).
  if (config.dev) {
    std::string why = !isLoopbackHost(config.listenHost) ? "listen address " + config.listenHost + " is not loopback"
                      : s.tlsConfigured()                ? "TLS is configured"
                      : !s.policy.empty()                ? "policy profile \"" + s.policy + "\" is enforced"
                                                         : "";
    if (!why.empty()) {
      throw StartRefused("refusing --dev: " + why + "; the development page creates rooms without authentication "
                         "and is allowed only on a loopback address without TLS or --policy (scripts/run: "
                         "MEDRTC_DEV=0)");
    }
  }
  // Security by default: a listener other hosts can reach speaks TLS, unless the operator
  // says a proxy in front terminates it.
  if (!s.tlsConfigured() && !s.insecureHttp && !isLoopbackHost(config.listenHost)) {
    throw StartRefused("refusing plain HTTP on " + config.listenHost + ":" + std::to_string(config.listenPort) +
                       ": give --tls-cert/--tls-key or --tls-self-signed, or --insecure-http when a TLS proxy "
                       "terminates in front of medrtc");
  }
  if (!setup.profile) {
    setup.notices.push_back("no policy profile is enforced (--policy kbv|hipaa|gdpr|hds)");
    return setup;
  }
  auto violations = compliance::checkNodeConfig(*setup.profile, setup.node);
  if (compliance::refusesStart(violations, s.strictPolicy)) {
    std::string message;
    for (const auto& v : violations) {
      if (v.severity == compliance::Severity::Refuse || s.strictPolicy) {
        message += (message.empty() ? "" : "\n") + v.message();
      }
    }
    throw StartRefused(message);
  }
  for (const auto& v : violations) {
    setup.notices.push_back(v.message() + " (" + v.requirement + ")");
  }
  setup.violations = std::move(violations);
  return setup;
}

void applySecurity(const ServeConfig& config, SecuritySetup& setup, signaling::ServerOptions& options) {
  const SecurityConfig& s = config.security;
  options.frameAncestors = joinSources(s.frameAncestors);
  // The clinic's sign-in applies the node's profile (and each tenant's own) to staff
  // accounts: what setup.node.staffMfaEnforced / idleLogoffMinutes state.
  options.auth.profiles =
      tenantProfileLookup(s.policiesDir.empty() ? defaultPoliciesDir() : s.policiesDir, setup.profile);
  // K7: a profile preferring peer-to-peer puts 1:1 rooms of P2P-capable clients on a direct
  // browser-to-browser connection (signaling/media_mode.cpp, docs/p2p.md).
  // A tenant whose own profile prefers it gets the same in its rooms whatever the node's.
  options.p2pPreferred = setup.profile && setup.profile->p2pPreferredOneToOne;
  // A rule that forbids the action → 403 naming it. A profile that allows it while the
  // feature is not built → the server answers 501 (not built), not a policy refusal.
  if (setup.profile && !setup.profile->recordingAllowed) {
    if (auto v = compliance::checkAction(*setup.profile, compliance::action::StartRecording{})) {
      options.recordingRefusal = v->message();
    }
  }
  if (setup.profile && !setup.profile->transcriptionAllowed) {
    if (auto v = compliance::checkAction(*setup.profile, compliance::action::StartTranscription{})) {
      options.transcriptionRefusal = v->message();
    }
  }

  if (s.tlsConfigured()) {
    tls::TlsSettings settings{s.tlsCert, s.tlsKey, setup.tlsMinVersion};
    if (s.tlsSelfSigned) {
      // The names a browser may reach this node by: the listen host and the media addresses.
      std::vector<std::string> names{config.listenHost};
      const auto& m = config.media;
      for (auto& ip : net::chooseAnnouncedIps({m.listenIp, m.announcedIps, m.publicIp}, net::listInterfaceAddresses())) {
        names.push_back(std::move(ip));
      }
      auto cert = tls::ensureSelfSigned(config.dataDir, names);
      if (!cert) {
        throw StartRefused(cert.error());
      }
      settings.certFile = cert->certFile;
      settings.keyFile = cert->keyFile;
      setup.notices.push_back(std::string(cert->created ? "created" : "using") + " self-signed certificate " +
                              cert->certFile.string() + " sha256 " + cert->sha256Fingerprint);
      setup.selfSignedCert = cert->certFile;
      setup.selfSignedFingerprint = cert->sha256Fingerprint;
      setup.selfSignedCreated = cert->created;
    }
    auto ctx = tls::makeServerContext(settings);
    if (!ctx) {
      throw StartRefused(ctx.error());
    }
    options.tls = *ctx;
  }

  if (!s.turnUrls.empty()) {
    auto secret = turn::readSecretFile(s.turnSecretFile);
    if (!secret) {
      throw StartRefused(secret.error());
    }
    uint32_t ttl = setup.node.turnCredentialTtlSeconds.value_or(kDefaultTurnTtlSeconds);
    auto issuer = std::make_shared<turn::TurnCredentialIssuer>(s.turnUrls, *secret, ttl);
    options.iceServers = [issuer](const std::string& participantId) {
      std::vector<signaling::IceServerView> out;
      for (auto& server : issuer->issue(participantId, unixNow())) {
        out.push_back(signaling::IceServerView{server.urls, server.username, server.credential});
      }
      return out;
    };
  }
}

}  // namespace medrtc::app
