#pragma once
// KBV K10: each tenant's terms of use and privacy notice, public to patients (no sign-in),
// written by the tenant's own admin. Plain text only: clients render it as text, never
// as HTML, so what an admin types cannot run in a patient's browser.
#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "clinic/appointment_service.hpp"
#include "clinic/auth_service.hpp"
#include "clinic/clinic_audit.hpp"
#include "common/clock.hpp"
#include "common/result.hpp"
#include "compliance/audit_sink.hpp"
#include "store/store.hpp"

namespace medrtc::clinic {

inline constexpr std::array<std::string_view, 3> kTermsLanguages{"en", "de", "fr"};
// Code points per language: a long privacy notice fits, and the JSON body stays under
// the server's 64 KiB request limit even with every character escaped.
inline constexpr size_t kMaxTermsChars = 10000;

struct TermsText {
  std::string lang;
  std::string text;
  bool isDefault = true;  // no text of the tenant's own: the built-in one
  int64_t updatedAt = 0;  // 0 for the default
};

struct TenantTerms {
  std::string tenantId;
  std::string tenantName;  // display name, as on the join page
  std::vector<TermsText> texts;  // one per kTermsLanguages, in that order
};

// The built-in text for `lang` (one of kTermsLanguages) naming `practice`.
std::string defaultTermsText(std::string_view lang, const std::string& practice);

class TermsService {
 public:
  TermsService(store::Store& store, const Clock& clock, compliance::AuditSink* audit);

  // Everyone may read; nullopt when there is no such tenant.
  std::optional<TenantTerms> read(const std::string& tenantId);
  // Only an admin of `tenantId` writes: another tenant's user gets "tenant_not_found" (no
  // hint that the tenant exists), a practitioner or staff member of it "forbidden". An
  // empty text goes back to the default. Stored and audited, or neither (H6).
  Result<TenantTerms, ClinicFailure> write(const SessionContext& who, const std::string& tenantId,
                                           const std::string& lang, const std::string& text);

  // read and write for the store pool (signaling/store_job.hpp): a given store and time,
  // no member touched. writeIn stores the text and says what to audit and how to undo it;
  // fail closed: the caller audits `event` and, when that fails, puts back `previous` with
  // store.replaceTerms(written, previous), which leaves an edit stored since alone.
  static std::optional<TenantTerms> read(store::Store& store, const std::string& tenantId);
  struct Written {
    TenantTerms terms;
    AuditFacts event;
    store::TermsRecord written;
    store::TermsRecord previous;  // an empty text (the default) when there was none
  };
  static Result<Written, ClinicFailure> writeIn(store::Store& store, const SessionContext& who,
                                                const std::string& tenantId, const std::string& lang,
                                                const std::string& text, int64_t now);

 private:
  store::Store& store_;
  const Clock& clock_;
  compliance::AuditSink* audit_;
};

}  // namespace medrtc::clinic
