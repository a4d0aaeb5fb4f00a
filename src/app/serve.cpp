#include "app/serve.hpp"
#include "log/log.hpp"


#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <algorithm>
#include <chrono>
#include <csignal>
#include <functional>
#include <iostream>
#include <ostream>
#include <thread>

#include "app/descriptor_limit.hpp"
#include "app/metrics_config.hpp"
#include "app/security_setup.hpp"
#include "app/clinic_admin.hpp"
#include "clinic/first_run_setup.hpp"
#include "common/clock.hpp"
#include "compliance/audit_format.hpp"
#include "compliance/audit_log.hpp"
#include "compliance/audit_writer.hpp"
#include "compliance/store_retention.hpp"
#include "signaling/join_token.hpp"
#include "srtp/crypto_self_test.hpp"
#include "signaling/quality_history.hpp"
#include "signaling/server.hpp"
#include "store/api_key.hpp"
#include "store/secret_file.hpp"
#include "webhooks/dispatcher.hpp"
#include "store/store_pool.hpp"

namespace medrtc::app {

namespace {

constexpr size_t kMinBootstrapKeyChars = 16;

int64_t unixNow() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

constexpr std::chrono::hours kRetentionInterval{1};
constexpr std::chrono::seconds kAuditTickInterval{2};
constexpr size_t kPostgresPoolConnections = 4;
constexpr size_t kStorePoolQueue = 256;
constexpr std::chrono::milliseconds kDrainPollInterval{500};

// A failed run is logged and retried at the next interval; it never stops the server.
// H6: the node's own start (with the configuration that governs it) and stop are audit
// events (DICOM 110120/110121), so an auditor sees under which policy each period ran.
void recordNodeEvent(compliance::AuditLog& log, compliance::Coding type, std::string what) {
  compliance::AuditEvent e;
  e.type = std::move(type);
  e.action = compliance::AuditAction::Execute;
  e.recorded = std::chrono::system_clock::now();
  e.outcome = compliance::AuditOutcome::Success;
  e.outcomeDesc = std::move(what);
  e.agents.push_back(compliance::AuditAgent{"Device/medrtc", "system", true, std::nullopt});
  try {
    log.record(std::move(e));
  } catch (const std::exception& ex) {
    log::error("audit_failed", {{"code", "internal"}, {"audit_event", "node"}, {"error", ex.what()}});
  }
}

void runRetentionOnce(store::Store& store, compliance::SubjectKeyStore& keys,
                      const compliance::RetentionRunOptions& options) {
  try {
    auto report = compliance::runRetention(store, keys, SystemClock::instance(), options);
    log::info("retention_purge", {{"appointments", report.counts.appointments},
                                  {"invitations", report.counts.invitations}, {"guests", report.counts.guests},
                                  {"rooms", report.counts.rooms}, {"sessions", report.counts.sessions},
                                  {"quality_samples", report.counts.qualitySamples},
                                  {"erased_keys", report.counts.erasedKeys}});
    for (const auto& problem : report.problems) {
      log::warn("retention_purge_problem", {{"error", problem}});
    }
  } catch (const std::exception& e) {
    log::error("retention_purge_failed", {{"error", e.what()}});
  }
}

}  // namespace

bool applyBootstrapKey(store::Store& store, const std::optional<std::string>& key, int64_t now) {
  if (!key || key->empty() || store.countApiKeys() > 0) {
    return false;
  }
  if (key->size() < kMinBootstrapKeyChars) {
    throw std::invalid_argument("MEDRTC_BOOTSTRAP_API_KEY must be at least 16 characters");
  }
  auto record = store::registerApiKey(store, *key, "bootstrap", now);
  log::info("api_key_registered", {{"api_key", record.id}, {"source", "bootstrap"}});
  return true;
}

int runServe(const ServeConfig& config, const MediaPlaneFactory& makeMedia, std::ostream& out) {
  // Every call's media needs these ciphers: a library without one must stop the start
  // here, not let the server run healthy and fail each call at key setup.
  if (auto problem = srtp::srtpCryptoSelfTest()) {
    throw std::runtime_error("SRTP crypto self-test failed: " + *problem +
                             "; check the OpenSSL installation and its provider configuration");
  }
  // Policy, placement and transport checks come first: a refused start touches nothing.
  SecuritySetup security = checkSecurity(config);
  // Parsed before anything is touched: a mistyped proxy address refuses the start.
  signaling::TrustedProxies trustedProxies(config.trustedProxies);
  size_t descriptorLimit = raiseDescriptorLimit();
  prepareDataDir(config.dataDir);
  // The store is used inline on the control thread: SQLite calls take microseconds at
  // this scale. PostgreSQL calls block the control thread for a network round trip each;
  // accepted for now, a small thread pool takes them later (DESIGN.md §2).
  // One subject key store for the audit log and the store's sealed fields: one erasure
  // shreds a person in both.
  auto subjectKeys =
      std::make_shared<compliance::FileSubjectKeyStore>(compliance::audit_files::subjectKeys(config.dataDir));
  std::unique_ptr<store::Store> storePtr = openStore(config.database, config.dataDir, subjectKeys);
  store::Store& store = *storePtr;
  log::info("store_opened", {{"backend", isPostgresUrl(config.database) ? "postgres" : "sqlite"}});
  const char* bootstrap = std::getenv("MEDRTC_BOOTSTRAP_API_KEY");
  applyBootstrapKey(store, bootstrap ? std::optional<std::string>(bootstrap) : std::nullopt, unixNow());
  // First-run setup: a token only this process's stdout ever shows (below), never a log
  // line or an audit event; "" when accounts exist.
  std::string setupToken = clinic::FirstRunSetup::drawToken(store);
  if (!setupToken.empty()) {
    log::info("setup_open");
    // The CLI alternative for a person at the console; JSON logs stay one object a line.
    if (config.logFormat == log::Format::kText) {
      printFirstAdminHint(store, config.dataDir, std::cerr);
    }
  }
  // The clinic workflow's audit trail (<data>/audit/): opened before the server so a log
  // that does not verify stops the start (AuditLog::open throws).
  compliance::AuditLogOptions auditOptions;
  auditOptions.dataDir = config.dataDir;
  auditOptions.subjectKeys = subjectKeys;
  auditOptions.witnessFile = config.auditWitness;
  std::unique_ptr<compliance::AuditLog> auditLog = compliance::AuditLog::open(auditOptions);
  // The control thread's loop; made here because the audit writer posts completions to it.
  boost::asio::io_context ioc(1);
  // Audit writes leave the control thread (issue 10 item 7): this thread commits what the
  // server hands it in batches (group commit), signs the periodic checkpoint when no event
  // comes, and posts each completion back to `ioc`. Stopped below before `ioc` goes.
  compliance::AuditWriterOptions writerOptions;
  writerOptions.tickEvery = kAuditTickInterval;
  compliance::AuditWriter auditWriter(
      *auditLog, [&ioc](std::function<void()> task) { boost::asio::post(ioc, std::move(task)); }, writerOptions);
  // Retention (K9, F4): at start, then hourly on the control thread (below).
  compliance::RetentionRunOptions retention;
  retention.nodeProfile = security.profile ? &*security.profile : nullptr;
  retention.audit = &auditWriter;
  retention.tenantProfile = [dir = config.security.policiesDir.empty() ? defaultPoliciesDir()
                                                                       : config.security.policiesDir](
                                const std::string& name) -> std::optional<compliance::PolicyProfile> {
    auto profile = compliance::loadPolicyByName(name, dir);
    return profile ? std::optional(std::move(*profile)) : std::nullopt;
  };
  runRetentionOnce(store, *subjectKeys, retention);

  signaling::ServerOptions options;
  options.listenHost = config.listenHost;
  options.listenPort = config.listenPort;
  options.webRoot = config.webRoot.empty() ? defaultWebRoot() : config.webRoot;
  options.dev = config.dev;
  options.participantLimits = config.participants;
  options.tokenSecret = store::loadOrCreateSecret(config.dataDir / "token.key", signaling::kTokenSecretBytes);
  options.audit = &auditWriter;
  options.trustedProxies = trustedProxies;
  size_t workers = config.media.workers > 0 ? static_cast<size_t>(config.media.workers)
                                            : std::max(1u, std::thread::hardware_concurrency());
  options.connectionLimits.maxTotal = connectionsAllowedBy(descriptorLimit, config.maxConnections, workers);
  options.connectionLimits.maxPerAddress = config.maxConnectionsPerAddress;
  if (options.connectionLimits.maxTotal < config.maxConnections) {
    log::info("connection_limit_lowered", {{"connections", options.connectionLimits.maxTotal},
                                           {"descriptor_limit", descriptorLimit}});
  }
  // Webhooks: the dispatcher delivers from the store's queue on its own thread with its own
  // connection. The REST routes' store work runs on the store pool (each pool thread opens
  // a webhook connection beside its store, below); this one, the control thread's, only
  // takes an undo or a delete the full pool refuses.
  std::unique_ptr<store::WebhookStore> webhookStore = openWebhookStore(config.database, config.dataDir);
  webhooks::DispatcherOptions webhookOptions;
  webhookOptions.targets.allowPrivate = config.webhooks.allowPrivateTargets;
  webhookOptions.retry.base = std::chrono::milliseconds(config.webhooks.retryBaseMs);
  webhooks::WebhookDispatcher webhookDispatcher(openWebhookStore(config.database, config.dataDir), webhookOptions);
  options.webhookStore = webhookStore.get();
  options.webhooks = &webhookDispatcher;
  options.webhookTargets = webhookOptions.targets;
  if (config.webhooks.allowPrivateTargets) {
    log::warn("webhooks_private_targets_allowed", {});
  }
  applyMetricsConfig(config, options);
  options.setupToken = setupToken;
  applySecurity(config, security, options);
  // Store calls of the REST routes run on connections of their own (issue 10 item 7,
  // docs/security.md "What runs off the control thread"): one for SQLite (one writer at a
  // time is all it allows; WAL lets the control thread's connection read meanwhile), a few
  // for PostgreSQL. 256 waiting at most; more answer 503 "busy, retry".
  auto storePool = std::make_shared<store::StorePool>(
      isPostgresUrl(config.database) ? kPostgresPoolConnections : 1, kStorePoolQueue,
      [&] {
        return store::StorePool::Connections{openStore(config.database, config.dataDir, subjectKeys),
                                             openWebhookStore(config.database, config.dataDir)};
      },
      [&ioc](std::function<void()> task) { boost::asio::post(ioc, std::move(task)); });
  options.auth.storePool = storePool;
  // Call-quality history (docs/operations.md "Call-quality history"): batches written by
  // the same pool, off the control thread. A batch still queued when the pool stops at
  // shutdown is lost: the last seconds of a history, never a call.
  signaling::QualityHistory qualityHistory([storePool](std::vector<store::QualitySampleRecord> batch) {
    return storePool->submit(
        [batch = std::move(batch)](store::Store& s) {
          try {
            s.addQualitySamples(batch, signaling::QualityHistory::kMaxSamplesPerRoom);
          } catch (const store::StoreFailure&) {
            log::warn("quality_history_write_failed", {{"samples", batch.size()}});
          }
        },
        [] {});
  });
  options.qualityHistory = &qualityHistory;
  // What the notices say, as events with fields (`medrtc compliance report` has the prose).
  if (!security.profile) {
    log::warn("no_policy_profile", {{"policies", "kbv|hipaa|gdpr|hds"}});
  }
  for (const auto& v : security.violations) {
    log::warn("policy_rule_not_met", {{"profile", v.profile}, {"rule", v.rule}, {"value", v.ruleValue},
                                      {"requirement", v.requirement}});
  }
  if (!security.selfSignedFingerprint.empty()) {
    log::info("tls_self_signed_certificate", {{"created", security.selfSignedCreated},
                                              {"file", security.selfSignedCert.string()},
                                              {"sha256", security.selfSignedFingerprint}});
  }
  log::info("node_configured", {{"policy", security.profile ? security.profile->name : "none"},
                                {"region", config.security.region},
                                {"tls", options.tls ? security.tlsMinVersion : "off"},
                                {"turn", options.iceServers ? "on" : "off"}});
  recordNodeEvent(*auditLog, compliance::dicom::applicationStart(),
                  "node start: policy=" + (security.profile ? security.profile->name : std::string("none")) +
                      " region=" + (config.security.region.empty() ? std::string("-") : config.security.region) +
                      " tls=" + (options.tls ? security.tlsMinVersion : std::string("off")) +
                      " turn=" + (options.iceServers ? "on" : "off") + " workers=" +
                      std::to_string(config.media.workers));

  sfu::MediaConfig media = config.media;
  signaling::Server server(ioc, options, store, SystemClock::instance(),
                           [&](sfu::ControlPoster post, sfu::MediaEvents& events) {
                             return makeMedia(media, std::move(post), events);
                           });
  server.start();
  webhookDispatcher.start();

  // The hourly run is a store pool job (issue 10 item 7): its deletes and its audit event
  // (AuditWriter::record, which may wait on a pool thread) do not hold up the control
  // thread. The pool's connections seal with the same key store (it has its own lock). A
  // full pool skips this hour's run; the next one deletes what it left.
  boost::asio::steady_timer retentionTimer(ioc);
  // cancel() cannot recall a completion that is already queued: without this flag a timer
  // firing together with SIGTERM would run and re-arm for an hour, and ioc.run() would hang.
  bool stopping = false;
  std::function<void()> scheduleRetention = [&] {
    retentionTimer.expires_after(kRetentionInterval);
    retentionTimer.async_wait([&](const boost::system::error_code& ec) {
      if (ec || stopping) {
        return;
      }
      if (!storePool->submit([&](store::Store& pooled) { runRetentionOnce(pooled, *subjectKeys, retention); },
                             [] {})) {
        log::warn("retention_purge_skipped", {{"reason", "store_pool_full"}});
      }
      scheduleRetention();
    });
  };
  scheduleRetention();

  // Graceful drain (README.md "Stopping without dropping calls"): the first SIGTERM/SIGINT stops new calls
  // (/readyz 503) and lets running ones go on until they end or drain_timeout passes; then,
  // or at a second signal, the server stops and ends what is left with room_ended
  // "server_shutdown" (clients come back with the same token after the restart).
  boost::asio::signal_set signals(ioc, SIGINT, SIGTERM);
  boost::asio::steady_timer drainTimer(ioc);
  std::chrono::steady_clock::time_point drainDeadline;
  auto stopNow = [&] {
    stopping = true;
    retentionTimer.cancel();
    drainTimer.cancel();
    // A pending wait would keep ioc.run() from returning.
    boost::system::error_code ignored;
    signals.cancel(ignored);
    server.stop();
  };
  // Rooms end by their participants leaving, which the hub does not announce to the app;
  // checking twice a second costs nothing and ends the drain at most that late.
  std::function<void()> checkDrained = [&] {
    size_t live = server.liveRooms();
    auto now = std::chrono::steady_clock::now();
    if (live == 0 || now >= drainDeadline) {
      log::info("drain_finished", {{"live_rooms", live}, {"timed_out", live != 0}});
      stopNow();
      return;
    }
    drainTimer.expires_after(std::min<std::chrono::steady_clock::duration>(kDrainPollInterval, drainDeadline - now));
    drainTimer.async_wait([&](const boost::system::error_code& ec) {
      if (ec || stopping) {
        return;
      }
      checkDrained();
    });
  };
  std::function<void()> awaitSignal = [&] {
    signals.async_wait([&](const boost::system::error_code& ec, int signal) {
      if (ec || stopping) {
        return;
      }
      if (server.draining() || config.drainTimeout.count() == 0) {
        log::info("stopping", {{"signal", signal}});
        stopNow();
        return;
      }
      log::info("draining", {{"signal", signal}, {"timeout_s", config.drainTimeout.count()},
                             {"live_rooms", server.liveRooms()}});
      server.drain();
      drainDeadline = std::chrono::steady_clock::now() + config.drainTimeout;
      awaitSignal();
      checkDrained();
    });
  };
  awaitSignal();

  std::string host = options.listenHost.find(':') != std::string::npos ? "[" + options.listenHost + "]"
                                                                         : options.listenHost;
  log::info("server_started", {{"port", server.port()}, {"dev", config.dev}, {"workers", config.media.workers}});
  std::string base = (server.tls() ? "https://" : "http://") + host + ":" + std::to_string(server.port());
  out << "medrtc listening on " << base << std::endl;
  if (!setupToken.empty()) {
    out << "medrtc setup: open " << base << "/setup#t=" << setupToken
        << " to create the practice and its first admin (the link works once, until an account exists)"
        << std::endl;
  }

  ioc.run();
  // After the server: the events of its last calls (participants leaving at shutdown) are
  // written to the queue before the dispatcher stops.
  webhookDispatcher.stop();
  // Shutdown flushes: what the server handed over (the rooms closeAll ended included) is
  // written before the stop event. Completions still queued in `ioc` do not run.
  storePool->stop();
  auditWriter.stop();
  recordNodeEvent(*auditLog, compliance::dicom::applicationStop(), "node stop");
  log::info("server_stopped");
  return 0;
}

}  // namespace medrtc::app
