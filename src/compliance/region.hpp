#pragma once
// The region vocabulary: where a node runs and stores data. A code is
// "<zone>-<country>" (ISO 3166-1 alpha-2, lowercase) so that a policy can list the
// jurisdictions it allows and an operator can read them:
//   eu-<cc>   an EU member state            (GDPR applies; KBV K1 "EU/EEA")
//   eea-<cc>  an EEA state outside the EU   (no, is, li; GDPR applies via the EEA Agreement)
//   ch, uk    adequacy countries, not EU/EEA (not allowed by KBV K1)
//   us-east, us-west, us-central  United States (HIPAA)
//   ca-central, ap-<cc>           elsewhere
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace medrtc::compliance {

enum class Jurisdiction { EU, EEA, Adequacy, US, Other };

struct RegionInfo {
  std::string_view code;
  std::string_view name;
  Jurisdiction jurisdiction;
};

// nullopt for a code outside the vocabulary.
std::optional<RegionInfo> findRegion(std::string_view code);
const std::vector<RegionInfo>& allRegions();
std::string_view jurisdictionName(Jurisdiction j);

}  // namespace medrtc::compliance
