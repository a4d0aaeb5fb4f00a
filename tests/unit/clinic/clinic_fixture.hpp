#pragma once
// A temp SQLite store, a ManualClock and a recording audit sink for the clinic services.
#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <vector>

#include "clinic/auth_service.hpp"
#include "clinic/password.hpp"
#include "clinic/totp.hpp"
#include "common/clock.hpp"
#include "common/random.hpp"
#include "compliance/audit_sink.hpp"
#include "store/sqlite_store.hpp"

namespace medrtc::clinic::testing {

class RecordingAudit final : public compliance::AuditSink {
 public:
  void record(compliance::AuditEvent event) override { events.push_back(std::move(event)); }
  // Events whose outcomeDesc starts with `what`.
  size_t count(std::string_view what) const {
    size_t n = 0;
    for (const auto& e : events) {
      n += e.outcomeDesc.rfind(what, 0) == 0;
    }
    return n;
  }
  std::vector<compliance::AuditEvent> events;
};

class ClinicFixture : public ::testing::Test {
 protected:
  ClinicFixture() : dir_(std::filesystem::temp_directory_path() / ("medrtc-clinic-" + randomHex(6))) {
    std::filesystem::create_directories(dir_);
    store_ = std::make_unique<store::SqliteStore>(dir_ / "medrtc.db");
  }
  ~ClinicFixture() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  int64_t now() const {
    return std::chrono::duration_cast<std::chrono::seconds>(clock_.wallNow().time_since_epoch()).count();
  }

  store::TenantRecord makeTenant(bool requireTotp = false, int idleMinutes = 15) {
    store::TenantRecord t;
    t.name = "Praxis";
    t.requireTotp = requireTotp;
    t.idleLogoffMinutes = idleMinutes;
    t.createdAt = now();
    return store_->createTenant(t);
  }

  // A user with password "correct horse battery"; `totpSecret` base32 or empty.
  store::UserRecord makeUser(const store::TenantRecord& t, const std::string& email, const std::string& role,
                             const std::string& totpSecret = "") {
    static const std::string hash = hashPassword("correct horse battery");
    store::UserRecord u;
    u.tenantId = t.id;
    u.email = email;
    u.role = role;
    u.passwordHash = hash;
    u.totpSecret = totpSecret;
    u.createdAt = now();
    return store_->createUser(u);
  }

  std::filesystem::path dir_;
  ManualClock clock_;
  RecordingAudit audit_;
  std::unique_ptr<store::SqliteStore> store_;
};

}  // namespace medrtc::clinic::testing
