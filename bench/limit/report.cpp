#include "report.hpp"

#include <openssl/crypto.h>

#include <cstdio>

namespace medrtc::bench {

std::vector<std::string> splitSuites(std::string_view list) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= list.size()) {
    size_t comma = list.find(',', start);
    if (comma == std::string_view::npos) {
      comma = list.size();
    }
    if (comma > start) {
      out.emplace_back(list.substr(start, comma - start));
    }
    start = comma + 1;
  }
  return out;
}

std::optional<srtp::SrtpProfile> profileFromSuiteName(std::string_view name) {
  if (name == "gcm" || name == "AEAD_AES_128_GCM") {
    return srtp::SrtpProfile::kAeadAes128Gcm;
  }
  if (name == "gcm256" || name == "AEAD_AES_256_GCM") {
    return srtp::SrtpProfile::kAeadAes256Gcm;
  }
  if (name == "sha1" || name == "AES_CM_128_HMAC_SHA1_80") {
    return srtp::SrtpProfile::kAes128CmSha1_80;
  }
  return std::nullopt;
}

std::string_view suiteName(srtp::SrtpProfile profile) {
  switch (profile) {
    case srtp::SrtpProfile::kAeadAes128Gcm:
      return "AEAD_AES_128_GCM";
    case srtp::SrtpProfile::kAeadAes256Gcm:
      return "AEAD_AES_256_GCM";
    case srtp::SrtpProfile::kAes128CmSha1_80:
      break;
  }
  return "AES_CM_128_HMAC_SHA1_80";
}

// The limit runs medrtc's own SRTP (src/srtp), which is OpenSSL EVP: the same code and
// library the server forwards with, so the limit measures the machine, not a library
// choice. Named in the output so a reader of old results knows which crypto they reflect.
std::string cryptoName(srtp::SrtpProfile profile) {
  std::string primitives = profile == srtp::SrtpProfile::kAeadAes128Gcm   ? "EVP AES-128-GCM"
                           : profile == srtp::SrtpProfile::kAeadAes256Gcm ? "EVP AES-256-GCM"
                                                                          : "EVP AES-128-CTR + HMAC-SHA1";
  return std::string(OpenSSL_version(OPENSSL_VERSION)) + " " + primitives;
}

std::string textLine(const LimitResult& r) {
  char line[512];
  std::snprintf(line, sizeof line,
                "limit %s [%s]: %.0f packets/s per core (%zu-byte packets; %.0f packets/s at %.0f%% of the forwarder core, "
                "generator core %.0f%%%s; errors unprotect=%llu protect=%llu send=%llu verify=%llu)",
                std::string(suiteName(r.profile)).c_str(), cryptoName(r.profile).c_str(), r.packetsPerCoreSecond(),
                r.wireBytes, r.packetsPerSecond(),
                100 * r.forwarderUtilization(), 100 * r.generatorUtilization(),
                r.generatorSaturated() ? ", GENERATOR SATURATED" : "",
                static_cast<unsigned long long>(r.unprotectErrors), static_cast<unsigned long long>(r.protectErrors),
                static_cast<unsigned long long>(r.sendErrors), static_cast<unsigned long long>(r.verifyFailures));
  return line;
}

std::string toJson(const LimitConfig& config, const std::vector<LimitResult>& results) {
  std::string out;
  char buf[1024];
  std::snprintf(buf, sizeof buf,
                "{\"payload_bytes\":%zu,\"bind_ip\":\"%s\",\"forwarder_cpu\":%d,\"generator_cpu\":%d,"
                "\"seconds\":%.3f,\"window\":%zu,\"suites\":[",
                config.payloadSize, config.bindIp.c_str(), config.forwarderCpu, config.generatorCpu, config.seconds,
                config.window);
  out += buf;
  for (size_t i = 0; i < results.size(); ++i) {
    const auto& r = results[i];
    std::snprintf(buf, sizeof buf,
                  "%s{\"suite\":\"%s\",\"crypto\":\"%s\",\"wire_bytes\":%zu,\"seconds\":%.4f,\"forwarded\":%llu,\"returned\":%llu,"
                  "\"packets_per_second\":%.1f,\"packets_per_core_second\":%.1f,"
                  "\"forwarder_cpu_utilization\":%.4f,\"generator_cpu_utilization\":%.4f,"
                  "\"generator_saturated\":%s,\"unprotect_errors\":%llu,\"protect_errors\":%llu,"
                  "\"send_errors\":%llu,\"verify_failures\":%llu}",
                  i ? "," : "", std::string(suiteName(r.profile)).c_str(), cryptoName(r.profile).c_str(), r.wireBytes,
                  r.seconds,
                  static_cast<unsigned long long>(r.forwarded), static_cast<unsigned long long>(r.returned),
                  r.packetsPerSecond(), r.packetsPerCoreSecond(), r.forwarderUtilization(), r.generatorUtilization(),
                  r.generatorSaturated() ? "true" : "false", static_cast<unsigned long long>(r.unprotectErrors),
                  static_cast<unsigned long long>(r.protectErrors), static_cast<unsigned long long>(r.sendErrors),
                  static_cast<unsigned long long>(r.verifyFailures));
    out += buf;
  }
  out += "]}";
  return out;
}

}  // namespace medrtc::bench
