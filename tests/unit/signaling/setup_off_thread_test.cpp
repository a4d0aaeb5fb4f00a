// Issue 10 item 7 (leftover): first-run setup's store work runs on the store pool and its
// argon2id hash on a password worker, while its state (the token, the pending enrolment,
// the failure limit) stays on the control thread. The RestApi's own store (the control
// thread's connection) here fails every call, so a store call left on the control thread
// answers 503; the pool and the workers post their completions to the test thread, so a
// test can hand in a second request while the first one's steps are still out.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <future>
#include <optional>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

#include "clinic/password_workers.hpp"
#include "clinic/totp.hpp"
#include "common/random.hpp"
#include "failing_store.hpp"
#include "hub_test_doubles.hpp"
#include "signaling/rest_api.hpp"
#include "signaling/signaling_hub.hpp"
#include "store/sqlite_store.hpp"
#include "store/store_pool.hpp"
#include "test_support.hpp"

namespace medrtc::signaling {
namespace {

namespace json = boost::json;

constexpr const char* kToken = "setup-token-0123456789abcdef0123456789abcdef";

class AuditCount final : public compliance::AuditSink {
 public:
  void record(compliance::AuditEvent) override {
    if (failing > 0) {
      --failing;
      throw std::runtime_error("audit log unavailable");
    }
    ++written;
  }
  int written = 0;
  int failing = 0;  // the next this many events throw
};

// Holds the store pool's one thread in a job until release(), with the pool's queue
// filled behind it when asked: a submit fails (the queue is full) until then.
class PoolGate {
 public:
  PoolGate(store::StorePool& pool, bool fill) {
    std::promise<void> started;
    auto running = started.get_future();
    EXPECT_TRUE(pool.submit(
        [&started, released = released_.get_future().share()](store::Store&) {
          started.set_value();
          released.wait();
        },
        [] {}));
    running.wait();  // on the thread now: the queue below stays full until release()
    while (fill && pool.submit([](store::Store&) {}, [] {})) {
      ++queued;
    }
  }
  ~PoolGate() { release(); }
  void release() {
    if (!open_) {
      open_ = true;
      released_.set_value();
    }
  }
  int queued = 0;  // the jobs queued behind the held one

 private:
  std::promise<void> released_;
  bool open_ = false;
};

class SetupOffThread : public ::testing::Test {
 protected:
  SetupOffThread()
      : dir_(std::filesystem::temp_directory_path() / ("medrtc-sot-" + randomHex(6))),
        signer_(std::vector<uint8_t>(kTokenSecretBytes, 7), clock_) {
    std::filesystem::create_directories(dir_);
    { store::SqliteStore created(dir_ / "medrtc.db"); }  // migrated, no accounts
    auto post = [this](std::function<void()> task) { posted_.post(std::move(task)); };
    pool_ = std::make_shared<store::StorePool>(
        1, 16, [this] { return std::make_unique<store::SqliteStore>(dir_ / "medrtc.db"); }, post);
    workers_ = std::make_shared<clinic::PasswordWorkers>(1, 4, post);
    hub_ = std::make_unique<SignalingHub>(controlStore_, signer_, clock_);
    clinic::AuthPolicy policy;
    policy.storePool = pool_;
    policy.passwordWorkers = workers_;
    api_ = std::make_unique<RestApi>(controlStore_, signer_, *hub_, clock_, /*devMode=*/false, &audit_,
                                     std::span<const uint8_t>{}, policy);
    api_->armSetup(kToken);
  }
  ~SetupOffThread() override {
    workers_->stop();
    pool_->stop();
    api_.reset();
    hub_.reset();
    std::filesystem::remove_all(dir_);
  }

  HttpRequest request(const std::string& method, const std::string& target, std::string body = "") {
    HttpRequest r;
    r.method = method;
    r.target = target;
    r.contentType = "application/json";
    r.host = "127.0.0.1";
    r.remoteAddress = "192.0.2.1";
    r.body = std::move(body);
    return r;
  }
  HttpRequest begin() {
    return request("POST", "/api/v1/setup/enrolment",
                   json::serialize(json::object{{"token", kToken},
                                                {"practice_name", "Praxis Sonnenschein"},
                                                {"email", "admin@example.org"},
                                                {"password", "correct horse battery"}}));
  }
  HttpRequest signIn(const std::string& code) {
    return request("POST", "/api/v1/auth/login",
                   json::serialize(json::object{
                       {"email", "admin@example.org"}, {"password", "correct horse battery"}, {"totp", code}}));
  }
  HttpRequest complete(const std::string& code) {
    return request("POST", "/api/v1/setup/complete", json::serialize(json::object{{"token", kToken}, {"code", code}}));
  }
  // Hands `r` in; its answer lands in `into` once the test thread runs what the pool and
  // the workers posted (or at once, when it was answered without them).
  void handle(const HttpRequest& r, std::optional<HttpResponse>& into) {
    HttpResponse first = api_->handle(r);
    if (!first.deferred) {
      into = first;
      return;
    }
    first.deferred([&into](const HttpResponse& res) { into = res; });
  }
  // The answer of `r`, which must not come at once (its store work is on the pool).
  HttpResponse answer(const HttpRequest& r) {
    std::optional<HttpResponse> out;
    HttpResponse first = api_->handle(r);
    EXPECT_TRUE(first.deferred) << "answered at once (" << first.status << "): nothing ran on the pool";
    if (!first.deferred) {
      return first;
    }
    first.deferred([&out](const HttpResponse& res) { out = res; });
    runUntil(out);
    return out.value_or(HttpResponse{});
  }
  void runUntil(const std::optional<HttpResponse>& out) {
    while (!out && posted_.runOne()) {
    }
    EXPECT_TRUE(out) << "no answer came";
  }
  std::string codeOf(const HttpResponse& enrolment) {
    auto secret = clinic::base32Decode(std::string(json::parse(enrolment.body).at("secret").as_string()));
    return clinic::totpAt(*secret, std::chrono::duration_cast<std::chrono::seconds>(
                                       clock_.wallNow().time_since_epoch())
                                       .count());
  }
  int64_t users() { return store::SqliteStore(dir_ / "medrtc.db").countUsers(); }
  // create-user on the same database: another tenant with an admin.
  void makeOtherAccount();

  std::filesystem::path dir_;
  ManualClock clock_;
  JoinTokenSigner signer_;
  testing::FailingStore controlStore_;
  AuditCount audit_;
  testing::PostedTasks posted_;
  std::shared_ptr<store::StorePool> pool_;
  std::shared_ptr<clinic::PasswordWorkers> workers_;
  std::unique_ptr<SignalingHub> hub_;
  std::unique_ptr<RestApi> api_;
};

TEST_F(SetupOffThread, TheCountTheHashAndTheWritesRunOffTheControlThread) {
  HttpResponse state = answer(request("GET", "/api/v1/setup"));
  ASSERT_EQ(state.status, 200) << state.body;
  EXPECT_TRUE(json::parse(state.body).at("open").as_bool());
  HttpResponse enrolment = answer(begin());
  ASSERT_EQ(enrolment.status, 200) << enrolment.body;
  HttpResponse done = answer(complete(codeOf(enrolment)));
  ASSERT_EQ(done.status, 201) << done.body;
  EXPECT_EQ(users(), 1);
  EXPECT_EQ(audit_.written, 2);  // tenant_created, user_created
  // Closed now: answered without the store.
  HttpResponse closed = api_->handle(request("GET", "/api/v1/setup"));
  ASSERT_FALSE(closed.deferred);
  EXPECT_FALSE(json::parse(closed.body).at("open").as_bool());
}

// Two completes with the right code at once (a double click): the first closes setup
// before its writes go to the pool, so the second is refused at once and one practice is
// made, not two.
TEST_F(SetupOffThread, OfTwoOverlappingCompletesOnlyTheFirstPasses) {
  HttpResponse enrolment = answer(begin());
  ASSERT_EQ(enrolment.status, 200) << enrolment.body;
  std::string code = codeOf(enrolment);
  std::optional<HttpResponse> first;
  std::optional<HttpResponse> second;
  handle(complete(code), first);
  handle(complete(code), second);
  ASSERT_TRUE(second) << "the second complete waited on the store: it passed the token check";
  EXPECT_EQ(second->status, 410) << second->body;
  runUntil(first);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->status, 201) << first->body;
  EXPECT_EQ(users(), 1);
  EXPECT_EQ(store::SqliteStore(dir_ / "medrtc.db").countTenants(), 1);
}

// A begin whose hash is still out is about to replace the enrolment: a complete sent
// meanwhile with the previous enrolment's code is refused (409 setup_superseded), and
// the new enrolment's code completes once the begin is answered.
TEST_F(SetupOffThread, ACompleteWaitsForTheBeginThatReplacesTheEnrolment) {
  HttpResponse old = answer(begin());
  ASSERT_EQ(old.status, 200) << old.body;
  std::optional<HttpResponse> replacing;
  handle(begin(), replacing);
  ASSERT_FALSE(replacing);
  std::optional<HttpResponse> early;
  handle(complete(codeOf(old)), early);
  ASSERT_TRUE(early) << "the complete went on to the store";
  EXPECT_EQ(early->status, 409) << early->body;
  EXPECT_EQ(std::string(json::parse(early->body).at("code").as_string()), "setup_superseded");
  runUntil(replacing);
  ASSERT_EQ(replacing->status, 200) << replacing->body;
  EXPECT_EQ(users(), 0);
  HttpResponse done = answer(complete(codeOf(*replacing)));
  EXPECT_EQ(done.status, 201) << done.body;
}

// An account made while a begin is out (create-user on the same database) closes setup
// when the begin comes back: the begin's count, held behind another job until the account
// exists, sees it, and finishEnrolment closes the token.
TEST_F(SetupOffThread, AnAccountMadeMeanwhileClosesSetup) {
  std::optional<HttpResponse> begun;
  {
    PoolGate gate(*pool_, /*fill=*/false);
    handle(begin(), begun);
    ASSERT_FALSE(begun) << "answered at once (" << begun->status << ")";
    makeOtherAccount();
  }
  runUntil(begun);
  ASSERT_TRUE(begun);
  EXPECT_EQ(begun->status, 410) << begun->body;
  EXPECT_EQ(users(), 1);
  EXPECT_EQ(audit_.written, 0);
  // Closed for good: answered without the store.
  HttpResponse closed = api_->handle(begin());
  ASSERT_FALSE(closed.deferred);
  EXPECT_EQ(closed.status, 410) << closed.body;
}

// An account made after the begin was answered wins over the complete: it counts again
// with its writes.
TEST_F(SetupOffThread, AnAccountMadeBeforeTheWritesWins) {
  HttpResponse enrolment = answer(begin());
  ASSERT_EQ(enrolment.status, 200) << enrolment.body;
  makeOtherAccount();
  HttpResponse refused = answer(complete(codeOf(enrolment)));
  EXPECT_EQ(refused.status, 410) << refused.body;
  EXPECT_EQ(users(), 1);
  EXPECT_EQ(audit_.written, 0);
  HttpResponse closed = api_->handle(begin());
  EXPECT_EQ(closed.status, 410) << closed.body;
}

// A complete that finds the pool's queue full has written nothing: it answers 503
// `unavailable`, and the retry that answer asks for makes the accounts (setup was not
// left closed with no account, which only a restart would undo).
TEST_F(SetupOffThread, ACompleteTurnedAwayByAFullPoolCanBeRetried) {
  HttpResponse enrolment = answer(begin());
  ASSERT_EQ(enrolment.status, 200) << enrolment.body;
  std::string code = codeOf(enrolment);
  {
    PoolGate gate(*pool_, /*fill=*/true);
    ASSERT_GT(gate.queued, 0);
    HttpResponse busy = api_->handle(complete(code));
    ASSERT_FALSE(busy.deferred) << "the pool took the job: its queue was not full";
    EXPECT_EQ(busy.status, 503) << busy.body;
    EXPECT_EQ(std::string(json::parse(busy.body).at("code").as_string()), "unavailable");
    gate.release();
    for (int done = 0; done < gate.queued + 1; ++done) {  // the held job and those behind it
      ASSERT_TRUE(posted_.runOne());
    }
  }
  HttpResponse state = answer(request("GET", "/api/v1/setup"));
  EXPECT_TRUE(json::parse(state.body).at("open").as_bool()) << state.body;
  HttpResponse done = answer(complete(code));
  EXPECT_EQ(done.status, 201) << done.body;
  EXPECT_EQ(users(), 1);
}

// An event of the setup that fails after the accounts were stored: the answer is the
// failure and the accounts stand, but the code the admin typed is spent: it does not
// sign in (a sign-in with the next code would).
TEST_F(SetupOffThread, ASetupWhoseEventFailsLeavesItsCodeSpent) {
  HttpResponse enrolment = answer(begin());
  ASSERT_EQ(enrolment.status, 200) << enrolment.body;
  std::string code = codeOf(enrolment);
  audit_.failing = 1;
  HttpResponse failed = answer(complete(code));
  EXPECT_EQ(failed.status, 500) << failed.body;
  EXPECT_EQ(users(), 1);
  HttpResponse replayed = answer(signIn(code));
  EXPECT_NE(replayed.status, 200) << "the setup code signed in: " << replayed.body;
}

// A begin still out when the server stops: the pool posts its last step into an event
// loop that never runs again, and that step is destroyed after the RestApi. Destroying it
// must not touch the RestApi (here poisoned, so a touch crashes).
TEST_F(SetupOffThread, ABeginOutAtShutdownLeavesTheGoneApiAlone) {
  std::mutex mutex;
  std::vector<std::function<void()>> neverRun;
  auto post = [&](std::function<void()> task) {
    std::lock_guard lock(mutex);
    neverRun.push_back(std::move(task));
  };
  auto pool = std::make_shared<store::StorePool>(
      1, 16, [this] { return std::make_unique<store::SqliteStore>(dir_ / "medrtc.db"); }, post);
  clinic::AuthPolicy policy;
  policy.storePool = pool;
  policy.passwordWorkers = std::make_shared<clinic::PasswordWorkers>(1, 4, post);
  void* memory = ::operator new(sizeof(RestApi));
  auto* api = new (memory) RestApi(controlStore_, signer_, *hub_, clock_, /*devMode=*/false, &audit_,
                                   std::span<const uint8_t>{}, policy);
  api->armSetup(kToken);
  HttpResponse first = api->handle(begin());
  ASSERT_TRUE(first.deferred) << first.status;
  // The count runs; its step, which holds the begin, is posted and waits in neverRun.
  auto posted = [&] {
    std::lock_guard lock(mutex);
    return !neverRun.empty();
  };
  for (int waited = 0; waited < 500 && !posted(); ++waited) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_TRUE(posted());
  pool->stop();
  policy.passwordWorkers->stop();
  first = HttpResponse{};
  policy = clinic::AuthPolicy{};
  api->~RestApi();
  std::memset(memory, 0xA5, sizeof(RestApi));
  neverRun.clear();  // ~io_context
  ::operator delete(memory);
}

void SetupOffThread::makeOtherAccount() {
  store::SqliteStore cli(dir_ / "medrtc.db");
  store::TenantRecord t;
  t.name = "Other";
  t = cli.createTenant(t);
  store::UserRecord u;
  u.tenantId = t.id;
  u.email = "other@example.org";
  u.role = "admin";
  cli.createUser(u);
}

}  // namespace
}  // namespace medrtc::signaling
