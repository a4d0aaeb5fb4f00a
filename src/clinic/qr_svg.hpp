#pragma once
// A QR code as an SVG image, drawn by the server with libqrencode (ISO/IEC 18004): the
// first-run setup page shows the new admin's otpauth:// URI as one, so the TOTP secret
// never leaves the node for a third-party QR service.
#include <optional>
#include <string>
#include <string_view>

namespace medrtc::clinic {

// A self-contained <svg> (no scripts, no external references): one path of dark modules
// on a white square with the 4-module quiet zone (ISO/IEC 18004 §6.3.8). Error correction
// level M. nullopt when the text does not fit a QR code or libqrencode fails.
std::optional<std::string> qrSvg(std::string_view text);

}  // namespace medrtc::clinic
