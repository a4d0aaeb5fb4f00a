#pragma once
// `medrtc audit export --format fhir`: the audit log as a FHIR R4 Bundle of AuditEvent
// resources. Personal fields are opened with their subject's key; an erased subject's
// fields read "[erased]" (F3).
#include <filesystem>
#include <ostream>
#include <string>

#include "common/result.hpp"
#include "compliance/subject_keys.hpp"

namespace medrtc::compliance {

inline constexpr const char* kErasedText = "[erased]";

struct FhirExportOptions {
  std::string bundleType = "collection";  // FHIR Bundle.type: "collection" or "searchset"
  SubjectKeyStore* subjectKeys = nullptr;  // default: the file store in <data>/audit/subject-keys
};

// Writes the Bundle of the log's verified prefix (export stops at the first broken line;
// run verify for the details). Returns the number of exported events.
Result<uint64_t, std::string> exportFhirBundle(const std::filesystem::path& dataDir, std::ostream& out,
                                               const FhirExportOptions& options = {});

// CLI entry: format must be "fhir". Writes the Bundle to `out`, errors to `err`; returns 0/1.
int runAuditExport(const std::filesystem::path& dataDir, const std::string& format, std::ostream& out,
                   std::ostream& err);

}  // namespace medrtc::compliance
