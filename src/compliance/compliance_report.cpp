#include "compliance/compliance_report.hpp"

#include <algorithm>
#include <functional>
#include <sstream>

#include <boost/json.hpp>

#include "compliance/built_features.hpp"
#include "compliance/region.hpp"

namespace medrtc::compliance {

const char* statusName(RequirementStatus s) {
  switch (s) {
    case RequirementStatus::Pass:
      return "pass";
    case RequirementStatus::Fail:
      return "fail";
    case RequirementStatus::NotMet:
      return "not-met";
  }
  return "?";
}

size_t ComplianceReport::count(RequirementStatus s) const {
  return static_cast<size_t>(
      std::count_if(requirements.begin(), requirements.end(), [s](const auto& r) { return r.status == s; }));
}

namespace {

using Status = RequirementStatus;

struct Context {
  const PolicyProfile& profile;
  const NodeSettings& node;
  const std::vector<RuleViolation>& violations;

  // Violations of any of `rules`: Refuse → fail, NotMet → not-met.
  std::optional<std::pair<Status, std::string>> violated(std::initializer_list<const char*> rules) const {
    std::optional<std::pair<Status, std::string>> out;
    for (const auto& v : violations) {
      if (std::find_if(rules.begin(), rules.end(), [&](const char* r) { return v.rule == r; }) == rules.end()) {
        continue;
      }
      Status s = v.severity == Severity::Refuse ? Status::Fail : Status::NotMet;
      if (!out || (s == Status::Fail && out->first != Status::Fail)) {
        out = std::make_pair(s, v.message());
      }
    }
    return out;
  }
};

struct Requirement {
  const char* id;
  const char* title;
  std::vector<std::string> rules;
  const char* code;
  const char* tests;
  std::function<std::pair<Status, std::string>(const Context&)> evaluate;
};

std::pair<Status, std::string> notBuilt(const char* what) { return {Status::NotMet, what}; }

std::string placement(const Context& c) {
  auto media = findRegion(c.node.region);
  auto storage = findRegion(c.node.effectiveStorageRegion());
  return "media in " + c.node.region + " (" + std::string(media ? jurisdictionName(media->jurisdiction) : "unknown") +
         "), storage in " + c.node.effectiveStorageRegion() + " (" +
         std::string(storage ? jurisdictionName(storage->jurisdiction) : "unknown") + ")";
}

std::pair<Status, std::string> fromRules(const Context& c, std::initializer_list<const char*> rules,
                                         std::string passText) {
  if (auto v = c.violated(rules)) {
    return *v;
  }
  return {Status::Pass, std::move(passText)};
}

const std::vector<Requirement>& catalog() {
  static const std::vector<Requirement> kAll = {
      // KBV Anlage 31b.
      {"K1", "Servers and all processing in the EU/EEA", {"regions.media", "regions.storage"},
       "compliance/rules.cpp checkNodeConfig, checkAction(PlaceMedia/StoreData)",
       "NodeConfig.RegionOutsideAllowedListRefusesStartNamingTheRule, Action.StoringDataOutsideAllowedRegionsRefused",
       [](const Context& c) {
         return fromRules(c, {"regions.media", "regions.storage"},
                          placement(c) + "; a node outside the list refuses to start");
       }},
      {"K2", "Patient joins without an account, by link or code, with a real name", {},
       "clinic/appointment_service.cpp (redeem link or 9-digit code, name checked)",
       "AppointmentTest.CreateMakesAWaitingRoomAndAPatientInvitation, AppointmentTest.UnknownTokenAndBadNames, "
       "tests/e2e/consultation-flow.test.mjs",
       [](const Context&) {
         return std::make_pair(Status::Pass, std::string("the patient opens the invitation link or enters the code "
                                                         "and gives a name; no account is needed"));
       }},
      {"K3", "Waiting room: no media, no information before admission", {},
       "signaling/consultation_controls.cpp (an invited guest waits: no transport, no names, no count), "
       "signaling/signaling_hub.cpp",
       "WaitingRoom.PatientWaitsWithoutMediaOrRoomInformationUntilAdmitted, WaitingRoom.RestartWhileWaitingKeepsTheFlow, "
       "tests/e2e/consultation-flow.test.mjs",
       [](const Context&) {
         return kBuiltFeatures.waitingRoom
                    ? std::make_pair(Status::Pass,
                                     std::string("server-enforced for every clinic consultation (no switch turns it "
                                                 "off): a waiting guest gets no media transport and sees only its "
                                                 "place in line. Integrator rooms (POST /api/v1/rooms) hold guests "
                                                 "only when created with waiting_room=true"))
                    : notBuilt("server-enforced waiting room is not built");
       }},
      {"K4", "Invitation links/codes are single-use and expire", {},
       "store claimInvitation (atomic), clinic/appointment_service.cpp",
       "AppointmentTest.LinkIsSingleUse, AppointmentTest.CodeWorksOnce, AppointmentTest.ExpiryFollowsTheAppointmentEnd, "
       "ClinicRest.ExpiredInvitationIs410",
       [](const Context&) {
         return std::make_pair(Status::Pass, std::string("a link or code is claimed once, atomically, and expires "
                                                         "with the appointment; reuse answers 410"));
       }},
      {"K5", "Staff organise but join only when the doctor adds them", {"accounts.staff_mfa_required"},
       "clinic/appointment_service.cpp (staff book, only practitioners host), signaling/staff_routes.cpp (the host "
       "lists and adds the practice's staff; only an added staff member gets a join token), clinic/admission.cpp "
       "(staff wait for the host's admit), web/src/call/add-staff.ts (\"Add staff member\" on the call screen), "
       "web/src/dashboard/staff-consultations.ts (the staff member's \"Join\")",
       "AppointmentTest.StaffOrganiseButDoNotHost, ClinicRest.StaffBookButCannotHost, AddStaff.*, "
       "tests/e2e/add-staff.test.mjs",
       [](const Context& c) {
         return fromRules(c, {"accounts.staff_mfa_required"},
                          "staff accounts book appointments and cannot host; in a running consultation the "
                          "practitioner adds a staff member of the practice from the call screen, who then joins "
                          "from their own signed-in dashboard through the waiting room and comes in only when "
                          "admitted; a staff member not added gets no join token (403 not_added); adding, joining "
                          "and admitting are audited (staff_added, join, admit)");
       }},
      {"K6", "End-to-end encryption of the whole transmission, never downgraded", {"encryption.e2ee_required"},
       "signaling/signaling_hub.cpp (join without \"e2ee\" refused: e2ee_unsupported, close 4030), "
       "clinic/admission.cpp e2eeRequired (the tenant's or the node's profile), signaling/e2ee_relay.cpp (opaque "
       "key and chat relay, recipient and replay checks), compliance/rules.cpp, compliance/built_features.hpp, "
       "web/src (SFrame, RFC 9605, per-sender keys over ECDH P-256 pairwise channels; a security code behind a "
       "commitment round, over both DTLS fingerprints peer to peer: web/src/call/e2ee/commitment.ts; docs/e2ee.md)",
       "E2eeRelay.JoinWithoutTheCapabilityIsRefusedAndNothingReachesTheCall, "
       "E2eeRelay.GuestWithoutTheCapabilityDoesNotEvenWait, E2eeRelay.KeyBlobReachesOnlyItsRecipient, "
       "E2eeRelay.WaitingParticipantNeitherSendsNorReceivesKeys, E2eeRelay.ReplayedKeyBlobIsRefusedAndNotRelayed, "
       "E2eeRelay.ChatIsCiphertextOnlyInAnEncryptedRoom, E2eeMessage.*, NodeConfig.E2eeIsMetOnlyWhereBuiltAndEnforced, "
       "NodeConfig.RecordingOrTranscriptionUnderE2eeRefusesStart, Action.RecordingAndTranscriptionUnderE2eeAreRefusedNamingIt, "
       "tests/e2e/e2ee-*.test.mjs (SFrame between Chromium and Firefox, 2 and 3 parties, ciphertext on the SFU "
       "tap; the security code's commitment round and fingerprints: e2ee-commitment, e2ee-p2p), "
       "tests/interop/media-tap.test.mjs",
       [](const Context& c) {
         if (!c.profile.e2eeRequired) {
           return fromRules(c, {"encryption.e2ee_required"}, "end-to-end encryption is not required by this profile");
         }
         return fromRules(c, {"encryption.e2ee_required"},
                          "every call in a room this profile governs is end-to-end encrypted: each browser "
                          "encrypts its audio and video frames with SFrame (RFC 9605) and its chat under keys the "
                          "server never holds; a browser that cannot is refused with e2ee_unsupported (no silent "
                          "downgrade); 1:1 calls peer to peer are DTLS end to end as well. A security code, the "
                          "same on every screen, lets the participants check that nobody sits in the middle (its "
                          "values are committed to before any is revealed; peer to peer it covers both DTLS "
                          "fingerprints). Under E2EE the server cannot record or transcribe");
       }},
      {"K7", "Peer-to-peer preferred for 1:1", {"media.p2p_preferred_one_to_one"},
       "signaling/media_mode.cpp (mode per room, p2p_signal relay; the node's or the tenant's profile), "
       "clinic/admission.cpp tenantPrefersP2p, app/security_setup.cpp, web/src/call/p2p.ts, compliance/rules.cpp",
       "MediaMode.TwoCapableParticipantsGoPeerToPeer, MediaMode.ThirdParticipantSwitchesEveryoneToTheSfuForGood, "
       "MediaMode.P2pFailedFallsBackToTheSfu, MediaMode.SignalToAWrongTargetIsRefused, "
       "HubAdmission.P2pFollowsTheTenantsOwnProfile, ServePolicy.P2pFollowsTheTenantsProfileOnANodeThatDoesNotPreferIt, "
       "NodeConfig.P2pIsMetOnlyWhereTheNodeRunsIt, tests/e2e/p2p-call.test.mjs (also: no connection → SFU), "
       "tests/e2e/p2p-relay-call.test.mjs (through coturn)",
       [](const Context& c) {
         return fromRules(c, {"media.p2p_preferred_one_to_one"},
                          c.profile.p2pPreferredOneToOne
                              ? "a 1:1 call of two P2P-capable clients runs browser to browser (DTLS-SRTP end to "
                                "end; the server relays only signaling) in every room of a tenant under this "
                                "profile, whatever the node's --policy; the SFU carries the call when a third "
                                "participant joins, a client cannot do P2P, or P2P does not connect within 10 s"
                              : "peer-to-peer is not asked for by this profile");
       }},
      {"K8", "No recording, no transcription", {"recording.allowed", "transcription.allowed"},
       "compliance/rules.cpp checkAction(StartRecording/StartTranscription); signaling/server.cpp answers "
       "/api/v1/rooms/{id}/recordings|transcriptions with 403 naming the rule",
       "Action.RecordingUnderKbvRefusedNamingTheRule, NodeConfig.RecordingFeatureEnabledUnderKbvRefusesStart, "
       "PolicyGate.RecordingUnderAForbiddingProfileIs403NamingTheRule, ServePolicy.KbvNodeStartsWithTlsAndTurnAndNamesWhatIsNotMet",
       [](const Context& c) {
         return fromRules(c, {"recording.allowed", "transcription.allowed"},
                          "this build has no recording or transcription pipeline, the node switches are off, and "
                          "checkAction refuses StartRecording/StartTranscription (a participant's own screen "
                          "recorder is beyond any server's reach)");
       }},
      {"K9", "Provider cannot view content; metadata deleted within 3 months",
       {"retention.metadata_days", "encryption.e2ee_required"},
       "compliance/store_retention.cpp runRetention (serve: at start and hourly), compliance/retention.cpp, "
       "signaling/e2ee_relay.cpp and web/src (SFrame: the SFU forwards ciphertext), signaling/media_mode.cpp "
       "(1:1 peer to peer)",
       "StoreRetention.KbvKeepsMetadata89DaysAndPurgesItAfter91WithTheAuditChainValid, "
       "Retention.KbvErasesSubjectsAfter91DaysAndTheChainStillVerifies, "
       "E2eeRelay.ChatIsCiphertextOnlyInAnEncryptedRoom, tests/e2e/e2ee-*.test.mjs (the SFU tap's payloads do not "
       "decrypt with any key the server could have), tests/interop/media-tap.test.mjs, tests/e2e/p2p-call.test.mjs",
       [](const Context& c) {
         std::string metadata = "metadata (appointments, invitations, guests, rooms) and audit personal fields are "
                                "purged after " +
                                std::to_string(c.profile.metadataRetentionDays) + " days";
         if (auto v = c.violated({"retention.metadata_days", "encryption.e2ee_required"})) {
           return *v;
         }
         // The content half holds only where every call is end-to-end encrypted: without
         // E2EE a call of three or more goes through the SFU, which handles decrypted media.
         if (!c.profile.e2eeRequired || !kBuiltFeatures.e2ee || !c.node.e2eeAvailable) {
           return notBuilt((metadata + " (built, tested); but this profile does not require end-to-end encryption, "
                                       "so a call through the SFU is decrypted at the server")
                               .c_str());
         }
         return std::make_pair(Status::Pass,
                               metadata + "; calls are end-to-end encrypted (K6), so the server relays only "
                                          "ciphertext media, keys and chat and cannot record or transcribe");
       }},
      {"K10", "No advertising, no third-party requests; terms without login", {"web.third_party_origins"},
       "signaling/server.cpp (CSP default-src 'self'), compliance/rules.cpp, clinic/terms_service.cpp, "
       "signaling/terms_routes.cpp (GET public, PUT admin), web/src/terms/main.ts, web/src/join/main.ts (the link)",
       "NodeConfig.ThirdPartyOriginRefusedUnderKbv, tests/e2e/no-third-party.test.mjs, TenantTerms.*, "
       "StoreTest.TermsArePerTenantAndLanguageAndReplaced, tests/e2e/tenant-terms.test.mjs",
       [](const Context& c) {
         if (auto v = c.violated({"web.third_party_origins"})) {
           return *v;
         }
         return std::make_pair(
             Status::Pass,
             std::string("no third-party origins configured and CSP default-src 'self' is sent; the patient's "
                         "join page links to the practice's terms of use and privacy page (/terms, EN/DE/FR), "
                         "readable without login and written by the practice's admin, shown as plain text"));
       }},
      {"K11", "Adapt to bandwidth, keep the call", {},
       "sfu/ (simulcast: producer.cpp, layer_forwarder.cpp; downlink estimate and allocation: bwe/, "
       "sfu/bandwidth_allocator.cpp, sfu/downlink_bandwidth.cpp; NACK toward publishers and RTX to subscribers: "
       "nack_generator.cpp, rtx_packet.cpp; audio first: send_priority), web/src/call (three VP8 layers; Opus FEC/DTX)",
       "tests/e2e/simulcast-capped-link.test.mjs (500 kbit/s cap: lower layer within 10 s, audio concealment under "
       "2 %, top layer again within 20 s), tests/e2e/bwe-video-pause.test.mjs (60 kbit/s: video pauses, audio goes "
       "on, video resumes), tests/e2e/bwe-switch-up.test.mjs, tests/e2e/publisher-uplink-loss.test.mjs (5 % loss: "
       "NACK/RTX keep >= 90 % of frames), tests/e2e/poor-subscriber.test.mjs (3 parties, one capped: the others keep "
       "the top layer), tests/interop/werift-simulcast.test.mjs, SendSideEstimator.*, BandwidthAllocator.*, "
       "ProducerBadInput.*",
       [](const Context&) {
         return std::make_pair(Status::Pass,
                               std::string("simulcast: a subscriber whose link loses packets gets a lower layer and "
                                           "recovers by itself (a send-side estimate per subscriber, on by default, "
                                           "and audio only below the lowest layer); lost packets "
                                           "are repaired with NACK/RTX; audio is sent first"));
       }},
      {"K12", "Third participant only with the doctor's approval", {"session.third_participant_needs_host_approval"},
       "clinic/admission.cpp (an interpreter or carer waits while a governing profile's "
       "checkAction(AdmitThirdParticipant) refuses it without approval; admit is host-only)",
       "WaitingRoom.InterpreterWaitsForAdmitToo, WaitingRoom.NonHostsAreForbiddenHostControlsAndAudited, "
       "WaitingRoom.TwoHostsAdmittingAtOnceOneWins, Action.ThirdParticipantNeedsHostApproval, "
       "HubAdmission.InterpreterWaitsOnlyWhileTheProfileRequiresApproval, "
       "tests/e2e/consultation-flow.test.mjs (interpreter waits and is admitted)",
       [](const Context& c) {
         if (!c.profile.thirdParticipantNeedsHostApproval) {
           return std::make_pair(Status::Pass, std::string("not required by this profile"));
         }
         if (!kBuiltFeatures.waitingRoom) {
           return notBuilt("the admission workflow (waiting room) is not built");
         }
         return std::make_pair(Status::Pass,
                               std::string("every invited participant, a third one included, waits until a host "
                                           "admits them; anyone else's admit is refused (forbidden) and audited"));
       }},
      // HIPAA 45 CFR 164.312.
      {"H1", "Unique user identification in every audit event", {}, "compliance/audit_log.cpp appendLocked",
       "AuditLog.EventWithoutAgentIdIsRefused",
       [](const Context&) {
         return std::make_pair(Status::Pass, std::string("the audit log refuses events without an agent id"));
       }},
      {"H2", "Emergency access procedure, audited (110113)", {}, "compliance/audit_event.hpp dicom::", "-",
       [](const Context&) { return notBuilt("break-glass procedure is not built (DICOM codes are defined)"); }},
      {"H3", "Automatic logoff after inactivity", {"session.idle_logoff_minutes"},
       "clinic/auth_service.cpp authenticate (idle = min(tenant, tenant profile, node profile)), "
       "compliance/rules.cpp effectiveIdleLogoffMinutes, app/clinic_admin.cpp create-tenant --idle-minutes",
       "AuthPolicyTest.IdleLogoffIsCappedByTheProfile, AuthTest.IdleLogoffAfterTheTenantsMinutes, "
       "ClinicAdmin.IdleLongerThanTheProfileIsRefusedNamingTheRule, NodeConfig.IdleLogoffAndMfaFollowTheNodePolicy, "
       "ComplianceCli.KbvReportShowsMfaAndIdleLogoffMetForAKbvNode",
       [](const Context& c) {
         return fromRules(c, {"session.idle_logoff_minutes"},
                          "a staff session ends after at most " +
                              std::to_string(c.node.idleLogoffMinutes.value_or(0)) +
                              " minutes idle on every tenant" +
                              (c.node.accountPolicy.empty()
                                   ? std::string()
                                   : " (the node's profile " + c.node.accountPolicy + " caps each tenant's setting)"));
       }},
      {"H4", "Encryption in transit: DTLS-SRTP, TLS 1.2+, short-lived TURN credentials",
       {"encryption.min_tls_version", "encryption.turn_credential_ttl_seconds"},
       "compliance/rules.cpp, tls/tls_context.cpp (SSL_CTX_set_min_proto_version), turn/turn_credentials.cpp, dtls/, "
       "srtp/",
       "NodeConfig.TlsOffOrTooOldRefusesStart, NodeConfig.LongTurnCredentialsRefused, "
       "TlsListener.Tls12IsRefusedWhenTheProfileSaysTls13, TlsListener.HstsAndPageSecurityHeadersOnTls, "
       "TurnCredentials.ExpiresAfterTheProfileLifetime, ServePolicy.LongTurnCredentialsRefuseStartNamingTheRule, "
       "tests/e2e/relay-call.test.mjs",
       [](const Context& c) {
         return fromRules(c, {"encryption.min_tls_version", "encryption.turn_credential_ttl_seconds"},
                          "listener TLS " + c.node.tlsMinVersion + "+ (profile: " + c.profile.minTlsVersion +
                              "), media DTLS-SRTP only, TURN credentials " +
                              (c.node.turnCredentialTtlSeconds ? std::to_string(*c.node.turnCredentialTtlSeconds) + " s"
                                                               : std::string("not issued")));
       }},
      {"H5", "Encryption at rest for stored artefacts", {"recording.allowed"}, "compliance/rules.cpp",
       "Action.RecordingAllowedByHipaaIsStillRefusedWhileNotBuilt",
       [](const Context& c) {
         if (!c.profile.recordingAllowed && !c.profile.transcriptionAllowed) {
           return std::make_pair(Status::Pass, std::string("no recordings or transcripts exist under this profile"));
         }
         return notBuilt("recording controls with at-rest encryption are not built; recording requests are refused");
       }},
      {"H6", "Audit controls: sign-in, failed sign-in, join, admit, deny, end, export, config change", {},
       "compliance/audit_log.cpp; clinic/auth_service.cpp, clinic/appointment_service.cpp, "
       "signaling/consultation_controls.cpp, compliance/store_retention.cpp record the events",
       "AuditLog.*, AuditTamper.*, AuditCrash.*, ClinicRest.SignInWithTotpGivesAStrictHttpOnlyCookie, "
       "WaitingRoom.NonHostsAreForbiddenHostControlsAndAudited, WebSocket.JoinAndLeaveAreAudited",
       [](const Context&) {
         return notBuilt("recorded in the tamper-evident log: sign-in, failed sign-in, sign-out, idle logoff, "
                         "appointment and invitation changes, invitation use, joining and leaving a call, admit, "
                         "deny, removal, end, refused host actions (110113), retention purges, node start with its "
                         "policy and stop (110120/110121), a correct password awaiting its TOTP code, an unsealed "
                         "`medrtc audit export` (110106); the export is pseudonymised unless --unsealed");
       }},
      {"H7", "No PHI in logs or metrics", {},
       "ids only in every log line (signaling, clinic, sfu); compliance/audit_log.cpp sealPersonal; "
       "compliance/store_sealing.cpp",
       "Logging.NamesAndTokensNeverReachTheLog, WaitingRoom.NoPatientNameOrChatTextInAnyLogLine, "
       "AuditLog.LinesAreCanonicalJsonWithIndexAndLeaf, tests/interop (names never in the server log), "
       "tests/e2e/login-mfa-policy.test.mjs (email never in the log)",
       [](const Context&) {
         return std::make_pair(Status::Pass,
                               std::string("server logs carry ids only (tests grep them for names, emails, chat text "
                                           "and tokens); audit and store personal fields are sealed; there is no "
                                           "metrics endpoint"));
       }},
      {"H8", "MFA for workforce accounts", {"accounts.staff_mfa_required"},
       "compliance/rules.cpp checkStaffAccount; app/clinic_admin.cpp create-user (refused without --totp); "
       "clinic/auth_service.cpp signIn (refused without TOTP enrolled); clinic/totp.cpp (RFC 6238)",
       "ClinicAdmin.CreateUserWithoutTotpUnderKbvIsRefusedNamingTheRule, ClinicAdmin.CreateUserWithTotpUnderKbvIsCreated, "
       "AuthPolicyTest.SignInWithoutTotpInAKbvTenantIsRefusedAndAudited, Action.StaffWithoutMfaRefusedWhereRequired, "
       "NodeConfig.IdleLogoffAndMfaFollowTheNodePolicy, ComplianceCli.KbvReportShowsMfaAndIdleLogoffMetForAKbvNode",
       [](const Context& c) {
         if (!c.profile.staffMfaRequired) {
           return fromRules(c, {"accounts.staff_mfa_required"}, "MFA not required by this profile");
         }
         return fromRules(c, {"accounts.staff_mfa_required"},
                          "every staff account on this node needs TOTP (RFC 6238): create-user refuses one without "
                          "--totp and sign-in refuses one without TOTP enrolled" +
                              (c.node.accountPolicy.empty() ? std::string()
                                                            : " (node profile " + c.node.accountPolicy + ")"));
       }},
      {"H9", "Audit retention", {"retention.audit_years"}, "compliance/audit_log.cpp (append-only)",
       "Retention.HipaaKeepsSubjectsFor6Years",
       [](const Context& c) {
         return fromRules(c, {"retention.audit_years"},
                          "medrtc never deletes audit events; personal fields stay readable for " +
                              std::to_string(c.profile.metadataRetentionDays) + " days");
       }},
      // GDPR / HDS.
      {"F1", "Placement by jurisdiction; HDS only on certified EEA hosting",
       {"regions.media", "regions.storage", "regions.required_host_certification"}, "compliance/rules.cpp",
       "NodeConfig.HdsWithoutCertifiedHostRefusesStart, NodeConfig.StorageRegionIsCheckedSeparately",
       [](const Context& c) {
         return fromRules(c, {"regions.media", "regions.storage", "regions.required_host_certification"},
                          placement(c) + (c.profile.requiredHostCertification.empty()
                                              ? std::string()
                                              : "; host certified " + c.profile.requiredHostCertification));
       }},
      {"F2", "Sub-processor list and transfer map from configuration", {}, "-", "-",
       [](const Context& c) { return notBuilt(("sub-processor list not built; placement: " + placement(c)).c_str()); }},
      {"F3", "Right to erasure by crypto-shredding; audit chain still verifies", {},
       "compliance/subject_keys.cpp, compliance/audit_log.cpp eraseSubject, compliance/store_sealing.cpp "
       "(store fields sealed with the same keys), app/admin.cpp erase-subject",
       "CryptoShredding.ErasingASubjectKeepsTheChainValidAndExportShowsErased, "
       "StoreRetention.ErasingAUserShredsStoreAndAuditFieldsAndTheChainVerifies, "
       "SealedStoreTest.ErasureLeavesAnExplicitMarkerAndTheEmailNoLongerMatches, "
       "SealedSqliteFile.DatabaseBytesHoldNoPlaintextPersonalField, PrivacyAdmin.EraseSubjectShredsAUserAndSaysWhenNothingWasKnown",
       [](const Context&) {
         return std::make_pair(Status::Pass,
                               std::string("personal fields of the audit log and the store are sealed per subject; "
                                           "`medrtc admin erase-subject` destroys the key and the chain still "
                                           "verifies"));
       }},
      {"F4", "Per-field retention limits enforced by a purge job", {"retention.metadata_days"},
       "compliance/store_retention.cpp runRetention (serve: at start and hourly), compliance/retention.cpp",
       "StoreRetention.*, Retention.*, PrivacyAdmin.PurgeAtAGivenTimeUnderKbv",
       [](const Context& c) {
         return std::make_pair(Status::Pass, "metadata and audit personal fields are purged after " +
                                                 std::to_string(c.profile.metadataRetentionDays) +
                                                 " days by the node's hourly job; the audit chain itself is kept");
       }},
  };
  return kAll;
}

std::vector<std::string> requirementIds(const std::string& profile) {
  if (profile == "kbv") {
    // KBV states no logoff or transport rule of its own; the profile's session, TLS and
    // account keys are reported with the H requirements that define them.
    return {"K1", "K2", "K3", "K4", "K5", "K6", "K7", "K8", "K9", "K10", "K11", "K12", "H3", "H4", "H8"};
  }
  if (profile == "hipaa") {
    return {"H1", "H2", "H3", "H4", "H5", "H6", "H7", "H8", "H9"};
  }
  // GDPR baseline and HDS share the F series; both also need H4-style transport security
  // and the profile's session and account rules.
  return {"F1", "F2", "F3", "F4", "H3", "H4", "H8"};
}

}  // namespace

ComplianceReport buildReport(const PolicyProfile& profile, const NodeSettings& settings) {
  ComplianceReport report;
  report.profile = profile.name;
  report.title = profile.title;
  report.node = settings;
  report.violations = checkNodeConfig(profile, settings);
  Context ctx{profile, settings, report.violations};
  for (const auto& id : requirementIds(profile.name)) {
    for (const auto& req : catalog()) {
      if (id != req.id) {
        continue;
      }
      auto [status, how] = req.evaluate(ctx);
      report.requirements.push_back({req.id, req.title, req.rules, status, how, req.code, req.tests});
    }
  }
  return report;
}

std::string renderMarkdown(const ComplianceReport& r) {
  std::ostringstream out;
  out << "# Compliance report: " << r.title << " (`" << r.profile << "`)\n\n";
  out << "Node `" << r.node.nodeId << "`, region `" << r.node.region << "`, storage `"
      << r.node.effectiveStorageRegion() << "`.\n\n";
  out << "**" << r.count(Status::Pass) << " pass, " << r.count(Status::Fail) << " fail, " << r.count(Status::NotMet)
      << " not met.**\n\n";
  out << "| Req | Requirement | Status | How | Enforced in | Tests |\n| --- | --- | --- | --- | --- | --- |\n";
  for (const auto& q : r.requirements) {
    out << "| " << q.id << " | " << q.title << " | " << statusName(q.status) << " | " << q.how << " | " << q.code
        << " | " << q.tests << " |\n";
  }
  if (!r.violations.empty()) {
    out << "\n## Rule violations of this node\n\n";
    for (const auto& v : r.violations) {
      out << "- " << (v.severity == Severity::Refuse ? "**refuses start**: " : "not met: ") << v.message() << "\n";
    }
  }
  return out.str();
}

std::string renderJson(const ComplianceReport& r) {
  namespace json = boost::json;
  json::array reqs;
  for (const auto& q : r.requirements) {
    json::array rules;
    for (const auto& rule : q.rules) {
      rules.push_back(json::value(rule));
    }
    reqs.push_back(json::object{{"id", q.id},
                                {"title", q.title},
                                {"rules", std::move(rules)},
                                {"status", statusName(q.status)},
                                {"how", q.how},
                                {"code", q.code},
                                {"tests", q.tests}});
  }
  json::array violations;
  for (const auto& v : r.violations) {
    violations.push_back(json::object{{"rule", v.rule},
                                      {"message", v.message()},
                                      {"requirement", v.requirement},
                                      {"severity", v.severity == Severity::Refuse ? "refuse" : "not-met"}});
  }
  json::object doc{
      {"profile", r.profile},
      {"title", r.title},
      {"node", json::object{{"id", r.node.nodeId},
                            {"region", r.node.region},
                            {"storageRegion", r.node.effectiveStorageRegion()}}},
      {"summary", json::object{{"pass", r.count(Status::Pass)},
                               {"fail", r.count(Status::Fail)},
                               {"notMet", r.count(Status::NotMet)}}},
      {"requirements", std::move(reqs)},
      {"violations", std::move(violations)},
  };
  return json::serialize(doc) + "\n";
}

int runComplianceReport(const std::string& profileName, const std::filesystem::path& policiesDir,
                        const NodeSettings& settings, const std::string& format, std::ostream& out) {
  if (format != "markdown" && format != "json") {
    out << "unknown report format '" << format << "' (supported: markdown, json)\n";
    return 2;
  }
  auto profile = loadPolicyByName(profileName, policiesDir);
  if (!profile) {
    out << profile.error().toString() << "\n";
    return 2;
  }
  ComplianceReport report = buildReport(profile.value(), settings);
  out << (format == "json" ? renderJson(report) : renderMarkdown(report));
  bool refused = std::any_of(report.violations.begin(), report.violations.end(),
                             [](const RuleViolation& v) { return v.severity == Severity::Refuse; });
  return report.count(Status::Fail) == 0 && !refused ? 0 : 1;
}

}  // namespace medrtc::compliance
