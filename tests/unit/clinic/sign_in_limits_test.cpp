// Issue 10 items 6-8: rate-limited sign-ins do not flood the audit log, a locked account
// still opens with password + TOTP, IPv6 sources count per /64, and argon2id runs on the
// password workers.
#include <condition_variable>
#include <mutex>
#include <thread>

#include "clinic/auth_service.hpp"
#include "clinic/password_workers.hpp"
#include "clinic/refusal_audit.hpp"
#include "clinic/secrets.hpp"
#include "clinic_fixture.hpp"

namespace medrtc::clinic {
namespace {

using testing::ClinicFixture;

constexpr const char* kPassword = "correct horse battery";

class SignInLimitsTest : public ClinicFixture {
 protected:
  SignInRequest req(const std::string& email, const std::string& password,
                    std::optional<std::string> totp = std::nullopt, const std::string& addr = "192.0.2.1") {
    return SignInRequest{email, password, std::move(totp), addr};
  }
};

TEST_F(SignInLimitsTest, ThirtyThousandRateLimitedAttemptsAreAFewAuditEventsNotThirtyThousand) {
  AuthPolicy policy;
  policy.maxFailuresPerAddress = 3;  // each counted failure costs an argon2id run
  AuthService auth(*store_, clock_, &audit_, policy);
  auto t = makeTenant();
  makeUser(t, "weber@example.org", "practitioner");
  for (int i = 0; i < 30'000; ++i) {
    auto r = auth.signIn(req("weber" + std::to_string(i % 50) + "@example.org", "guess"));
    ASSERT_FALSE(r);
  }
  // 3 failures, then one event for the rate-limited rest of the window.
  EXPECT_EQ(audit_.count("sign_in: invalid_credentials"), 3u);
  EXPECT_EQ(audit_.count("sign_in_rate_limited"), 1u);
  // When the window ends the count is recorded in one summary.
  clock_.advance(std::chrono::seconds(61));
  ASSERT_FALSE(auth.signIn(req("weber@example.org", "guess")));
  ASSERT_EQ(audit_.count("sign_in_rate_limited"), 3u);  // summary, then the new window's first
  bool summarized = false;
  for (const auto& e : audit_.events) {
    summarized = summarized || e.outcomeDesc.find("repeated 29996 more times") != std::string::npos;
  }
  EXPECT_TRUE(summarized);
  EXPECT_LE(audit_.events.size(), 6u);
}

TEST_F(SignInLimitsTest, RefusalsFromManySourcesShareOneOverflowEntry) {
  RefusalAudit refusals(&audit_, clock_, RefusalAuditOptions{std::chrono::seconds(60), 10});
  AuditFacts f;
  f.type = compliance::dicom::securityAlert();
  f.what = "sign_in_rate_limited";
  for (int i = 0; i < 5000; ++i) {
    refusals.refuse(f, "198.51.100." + std::to_string(i));
  }
  EXPECT_EQ(audit_.events.size(), 11u);  // 10 sources and one overflow entry
  refusals.flush(true);
  EXPECT_EQ(audit_.events.size(), 12u);  // the overflow's count; single refusals add nothing
}

TEST_F(SignInLimitsTest, ALockedAccountStillOpensWithPasswordAndTotpFromANewAddress) {
  AuthService auth(*store_, clock_, &audit_);
  auto t = makeTenant();
  auto secret = newTotpSecret();
  makeUser(t, "weber@example.org", "practitioner", base32Encode(secret));
  // Someone guesses from five addresses: the account is locked.
  for (int i = 0; i < 5; ++i) {
    ASSERT_FALSE(auth.signIn(req("weber@example.org", "guess", std::nullopt, "198.51.100." + std::to_string(i))));
  }
  std::string good = totpAt(secret, now());
  std::string bad = good == "000000" ? "111111" : "000000";
  // The guesser learns nothing: right password without a code, wrong password with a
  // good code, right password with a bad code all look alike.
  for (auto attempt : {req("weber@example.org", kPassword, std::nullopt, "203.0.113.1"),
                       req("weber@example.org", "guess", good, "203.0.113.2"),
                       req("weber@example.org", kPassword, bad, "203.0.113.3")}) {
    auto r = auth.signIn(attempt);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().error, SignInError::kTooManyAttempts);
    EXPECT_GT(r.error().retryAfterSeconds, 0);
  }
  // The owner, with password and authenticator, gets in at once.
  auto owner = auth.signIn(req("weber@example.org", kPassword, good, "203.0.113.50"));
  ASSERT_TRUE(owner);
  EXPECT_EQ(audit_.count("sign_in: password+totp while the account was locked"), 1u);
}

TEST_F(SignInLimitsTest, Ipv6AddressesOfOneSlash64ShareTheAddressLimit) {
  AuthService auth(*store_, clock_, &audit_);
  makeTenant();
  for (int i = 0; i < 20; ++i) {
    ASSERT_FALSE(auth.signIn(req("user" + std::to_string(i) + "@example.org", "x", std::nullopt,
                                 "2001:db8:1:2::" + std::to_string(i + 1))));
  }
  auto same = auth.signIn(req("someone@example.org", "x", std::nullopt, "2001:db8:1:2:ffff::1"));
  ASSERT_FALSE(same);
  EXPECT_EQ(same.error().error, SignInError::kTooManyAttempts);
  auto other = auth.signIn(req("someone@example.org", "x", std::nullopt, "2001:db8:1:3::1"));
  ASSERT_FALSE(other);
  EXPECT_EQ(other.error().error, SignInError::kInvalidCredentials);
}

// Collects what the workers post, as the control thread's queue would.
class PostedTasks {
 public:
  PasswordWorkers::Poster poster() {
    return [this](std::function<void()> task) {
      std::lock_guard lock(mutex_);
      tasks_.push_back(std::move(task));
      cv_.notify_all();
    };
  }
  // Waits for one posted task and runs it on this thread.
  void runOne() {
    std::function<void()> task;
    {
      std::unique_lock lock(mutex_);
      ASSERT_TRUE(cv_.wait_for(lock, std::chrono::seconds(10), [this] { return !tasks_.empty(); }));
      task = std::move(tasks_.front());
      tasks_.erase(tasks_.begin());
    }
    task();
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  std::vector<std::function<void()>> tasks_;
};

TEST_F(SignInLimitsTest, TheHashRunsOnTheWorkersAndTheAnswerComesBackThroughThePoster) {
  PostedTasks posted;
  AuthPolicy policy;
  policy.passwordWorkers = std::make_shared<PasswordWorkers>(1, 4, posted.poster());
  AuthService auth(*store_, clock_, &audit_, policy);
  auto t = makeTenant();
  makeUser(t, "weber@example.org", "practitioner");
  std::optional<AuthService::SignInResult> result;
  auth.signInAsync(req("weber@example.org", kPassword), [&](AuthService::SignInResult r) { result = std::move(r); });
  EXPECT_FALSE(result);  // not inline: the caller's thread is free while argon2id runs
  posted.runOne();
  ASSERT_TRUE(result);
  EXPECT_TRUE(*result);
  policy.passwordWorkers->stop();
}

TEST_F(SignInLimitsTest, AFullHashQueueAnswersUnavailableAtOnce) {
  PostedTasks posted;
  AuthPolicy policy;
  policy.passwordWorkers = std::make_shared<PasswordWorkers>(1, 0, posted.poster());
  AuthService auth(*store_, clock_, &audit_, policy);
  makeTenant();
  std::optional<AuthService::SignInResult> result;
  auth.signInAsync(req("weber@example.org", kPassword), [&](AuthService::SignInResult r) { result = std::move(r); });
  ASSERT_TRUE(result);
  ASSERT_FALSE(*result);
  EXPECT_EQ(result->error().error, SignInError::kUnavailable);
  EXPECT_EQ(result->error().retryAfterSeconds, 1);
}

TEST_F(SignInLimitsTest, ABurstOfGuessesInFlightAtOnceStillStopsAtTheAccountLimit) {
  // With the hash on other threads, 20 guesses can be in flight before the first fails;
  // each counts when it starts, so only 5 reach the hash.
  PostedTasks posted;
  AuthPolicy policy;
  policy.passwordWorkers = std::make_shared<PasswordWorkers>(1, 64, posted.poster());
  AuthService auth(*store_, clock_, &audit_, policy);
  auto t = makeTenant();
  makeUser(t, "weber@example.org", "practitioner");
  int refusedAtOnce = 0;
  int answered = 0;
  bool submitting = true;  // answers given while still submitting came without a hash
  for (int i = 0; i < 20; ++i) {
    auth.signInAsync(req("weber@example.org", "guess" + std::to_string(i), std::nullopt,
                         "198.51.100." + std::to_string(i)),
                     [&](AuthService::SignInResult r) {
                       ++answered;
                       if (submitting) {
                         EXPECT_EQ(r.error().error, SignInError::kTooManyAttempts);
                         ++refusedAtOnce;
                       }
                     });
  }
  submitting = false;
  EXPECT_EQ(refusedAtOnce, 15);
  for (int i = 0; i < 5; ++i) {
    posted.runOne();
  }
  EXPECT_EQ(answered, 20);
  EXPECT_EQ(audit_.count("sign_in: invalid_credentials"), 5u);
  policy.passwordWorkers->stop();
}

TEST_F(SignInLimitsTest, BusyAnswersAndTotpPromptsDoNotCountAsFailures) {
  PostedTasks posted;
  AuthPolicy policy;
  policy.passwordWorkers = std::make_shared<PasswordWorkers>(1, 0, posted.poster());
  AuthService busy(*store_, clock_, &audit_, policy);
  auto t = makeTenant();
  auto secret = newTotpSecret();
  makeUser(t, "weber@example.org", "practitioner", base32Encode(secret));
  for (int i = 0; i < 10; ++i) {
    busy.signInAsync(req("weber@example.org", kPassword), [](AuthService::SignInResult r) {
      EXPECT_EQ(r.error().error, SignInError::kUnavailable);
    });
  }
  for (int i = 0; i < 6; ++i) {  // one more than the account's limit
    auto r = busy.signIn(req("weber@example.org", kPassword));  // right password, no code yet
    EXPECT_EQ(r.error().error, SignInError::kTotpRequired);
  }
  EXPECT_TRUE(busy.signIn(req("weber@example.org", kPassword, totpAt(secret, now()))));
}

}  // namespace
}  // namespace medrtc::clinic
