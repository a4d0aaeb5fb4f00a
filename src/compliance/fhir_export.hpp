#pragma once
// `medrtc audit export --format fhir`: the audit log as a FHIR R4 Bundle of AuditEvent
// resources. Pseudonymised by default: a personal field (a guest's typed name, a user's
// name) reads "[sealed]" and the subject is known only by its id (agent.who, entity.what);
// the Bundle carries the security label PSEUDED. Unsealed, personal fields are opened with
// their subject's key (an erased subject's read "[erased]", F3); runAuditExport records
// that export in the log itself before it writes a name (H6).
#include <filesystem>
#include <ostream>
#include <string>

#include "common/result.hpp"
#include "compliance/subject_keys.hpp"

namespace medrtc::compliance {

inline constexpr const char* kErasedText = "[erased]";
inline constexpr const char* kSealedText = "[sealed]";

struct FhirExportOptions {
  std::string bundleType = "collection";  // FHIR Bundle.type: "collection" or "searchset"
  bool unsealed = false;                   // personal fields in clear (see runAuditExport)
  SubjectKeyStore* subjectKeys = nullptr;  // unsealed only; default: the file store in <data>/audit/subject-keys
};

// Writes the Bundle of the log's verified prefix (export stops at the first broken line;
// run verify for the details). Returns the number of exported events.
Result<uint64_t, std::string> exportFhirBundle(const std::filesystem::path& dataDir, std::ostream& out,
                                               const FhirExportOptions& options = {});

// CLI entry: format must be "fhir". Writes the Bundle to `out`, errors to `err`; returns 0/1.
// `unsealed`: first appends an Export event (DICOM 110106, "audit_export: unsealed") to the
// log, then exports with names in clear; when the event cannot be written (the log is held
// by a running serve, or does not verify) nothing is exported and it returns 1.
int runAuditExport(const std::filesystem::path& dataDir, const std::string& format, std::ostream& out,
                   std::ostream& err, bool unsealed = false);

}  // namespace medrtc::compliance
