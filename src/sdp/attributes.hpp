#pragma once
// Parsers for the values of individual SDP attributes (the text after "a=name:").
// Each returns nullopt on malformed input; the line-level parser turns that into a named
// SdpError with the line number.
#include <optional>
#include <string_view>

#include "sdp/session_description.hpp"

namespace medrtc::sdp {

std::optional<Direction> parseDirection(std::string_view name);
std::optional<SetupRole> parseSetupRole(std::string_view value);
std::optional<Candidate> parseCandidate(std::string_view value);
std::optional<Fingerprint> parseFingerprint(std::string_view value);
std::optional<ExtMap> parseExtMap(std::string_view value);
std::optional<Rid> parseRid(std::string_view value);
std::optional<Simulcast> parseSimulcast(std::string_view value);
std::optional<Group> parseGroup(std::string_view value);
std::optional<SsrcGroup> parseSsrcGroup(std::string_view value);
std::optional<std::pair<std::string, std::string>> parseMsid(std::string_view value);

// RFC 8839 §5.4: ice-char = ALPHA / DIGIT / "+" / "/"; ufrag 4..256, pwd 22..256 chars.
bool isValidIceUfrag(std::string_view s);
bool isValidIcePwd(std::string_view s);

}  // namespace medrtc::sdp
