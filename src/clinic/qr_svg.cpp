#include "clinic/qr_svg.hpp"

#include <qrencode.h>

#include <memory>

namespace medrtc::clinic {

namespace {

constexpr int kQuietZone = 4;  // modules, ISO/IEC 18004 §6.3.8

struct QrFree {
  void operator()(QRcode* q) const { QRcode_free(q); }
};

}  // namespace

std::optional<std::string> qrSvg(std::string_view text) {
  std::string data(text);  // libqrencode wants a NUL-terminated string
  std::unique_ptr<QRcode, QrFree> code(QRcode_encodeString8bit(data.c_str(), 0, QR_ECLEVEL_M));
  if (!code) {
    return std::nullopt;
  }
  int width = code->width;
  int size = width + 2 * kQuietZone;
  std::string path;
  for (int y = 0; y < width; ++y) {
    for (int x = 0; x < width; ++x) {
      // Bit 0 of each byte: 1 = dark module (qrencode.h).
      if ((code->data[y * width + x] & 1) != 0) {
        path += "M" + std::to_string(x + kQuietZone) + " " + std::to_string(y + kQuietZone) + "h1v1h-1z";
      }
    }
  }
  std::string n = std::to_string(size);
  return "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " + n + " " + n +
         "\" shape-rendering=\"crispEdges\"><rect width=\"" + n + "\" height=\"" + n +
         "\" fill=\"#fff\"/><path fill=\"#000\" d=\"" + path + "\"/></svg>";
}

}  // namespace medrtc::clinic
