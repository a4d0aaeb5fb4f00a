#include "compliance/region.hpp"

namespace medrtc::compliance {

const std::vector<RegionInfo>& allRegions() {
  static const std::vector<RegionInfo> kRegions = {
      {"eu-at", "Austria", Jurisdiction::EU},       {"eu-be", "Belgium", Jurisdiction::EU},
      {"eu-bg", "Bulgaria", Jurisdiction::EU},      {"eu-hr", "Croatia", Jurisdiction::EU},
      {"eu-cy", "Cyprus", Jurisdiction::EU},        {"eu-cz", "Czechia", Jurisdiction::EU},
      {"eu-dk", "Denmark", Jurisdiction::EU},       {"eu-ee", "Estonia", Jurisdiction::EU},
      {"eu-fi", "Finland", Jurisdiction::EU},       {"eu-fr", "France", Jurisdiction::EU},
      {"eu-de", "Germany", Jurisdiction::EU},       {"eu-gr", "Greece", Jurisdiction::EU},
      {"eu-hu", "Hungary", Jurisdiction::EU},       {"eu-ie", "Ireland", Jurisdiction::EU},
      {"eu-it", "Italy", Jurisdiction::EU},         {"eu-lv", "Latvia", Jurisdiction::EU},
      {"eu-lt", "Lithuania", Jurisdiction::EU},     {"eu-lu", "Luxembourg", Jurisdiction::EU},
      {"eu-mt", "Malta", Jurisdiction::EU},         {"eu-nl", "Netherlands", Jurisdiction::EU},
      {"eu-pl", "Poland", Jurisdiction::EU},        {"eu-pt", "Portugal", Jurisdiction::EU},
      {"eu-ro", "Romania", Jurisdiction::EU},       {"eu-sk", "Slovakia", Jurisdiction::EU},
      {"eu-si", "Slovenia", Jurisdiction::EU},      {"eu-es", "Spain", Jurisdiction::EU},
      {"eu-se", "Sweden", Jurisdiction::EU},        {"eea-is", "Iceland", Jurisdiction::EEA},
      {"eea-li", "Liechtenstein", Jurisdiction::EEA}, {"eea-no", "Norway", Jurisdiction::EEA},
      {"ch", "Switzerland", Jurisdiction::Adequacy}, {"uk", "United Kingdom", Jurisdiction::Adequacy},
      {"us-east", "United States (east)", Jurisdiction::US},
      {"us-central", "United States (central)", Jurisdiction::US},
      {"us-west", "United States (west)", Jurisdiction::US},
      {"ca-central", "Canada", Jurisdiction::Other}, {"ap-jp", "Japan", Jurisdiction::Other},
      {"ap-sg", "Singapore", Jurisdiction::Other},   {"ap-au", "Australia", Jurisdiction::Other},
  };
  return kRegions;
}

std::optional<RegionInfo> findRegion(std::string_view code) {
  for (const auto& r : allRegions()) {
    if (r.code == code) {
      return r;
    }
  }
  return std::nullopt;
}

std::string_view jurisdictionName(Jurisdiction j) {
  switch (j) {
    case Jurisdiction::EU:
      return "EU";
    case Jurisdiction::EEA:
      return "EEA";
    case Jurisdiction::Adequacy:
      return "adequacy (non-EEA)";
    case Jurisdiction::US:
      return "US";
    case Jurisdiction::Other:
      return "other";
  }
  return "other";
}

}  // namespace medrtc::compliance
