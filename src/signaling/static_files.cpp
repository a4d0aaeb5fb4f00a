#include "signaling/static_files.hpp"

#include <fstream>
#include <sstream>

#include "common/hex.hpp"
#include "signaling/problem.hpp"

namespace medrtc::signaling {

namespace {

// RFC 3986 §2.1 percent-decoding; nullopt on a bad escape or a decoded NUL.
std::optional<std::string> percentDecode(const std::string& in) {
  std::string out;
  out.reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '%') {
      out.push_back(in[i]);
      continue;
    }
    if (i + 2 >= in.size()) {
      return std::nullopt;
    }
    int hi = hexValue(in[i + 1]);
    int lo = hexValue(in[i + 2]);
    if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) {
      return std::nullopt;
    }
    out.push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return out;
}

}  // namespace

StaticFiles::StaticFiles(std::filesystem::path root) : root_(std::move(root)) {}

std::optional<std::filesystem::path> StaticFiles::resolve(const std::string& rawPath) const {
  auto decoded = percentDecode(rawPath);
  if (!decoded || decoded->empty() || decoded->front() != '/') {
    return std::nullopt;
  }
  const std::string& path = *decoded;
  std::string relative;
  if (path == "/" || path == "/index.html") {
    relative = "index.html";
  } else if (path.rfind("/call/", 0) == 0 || path == "/call") {
    relative = "call.html";
  } else if (path.rfind("/consult/", 0) == 0) {
    relative = "consult.html";  // the host's view of one appointment: /consult/<id>
  } else if (path == "/login" || path == "/dashboard" || path == "/join" || path == "/setup" || path == "/terms") {
    relative = path.substr(1) + ".html";  // clean paths of the clinic pages
  } else {
    relative = path.substr(1);
    if (relative.empty() || relative.front() == '/') {
      return std::nullopt;  // "//x" would make root_ / relative an absolute path
    }
    std::stringstream segments(relative);
    std::string segment;
    while (std::getline(segments, segment, '/')) {
      if (segment == ".." || segment == "." || segment.find('\\') != std::string::npos) {
        return std::nullopt;
      }
    }
  }
  std::error_code ec;
  auto rootCanonical = std::filesystem::weakly_canonical(root_, ec);
  if (ec) {
    return std::nullopt;
  }
  auto file = std::filesystem::weakly_canonical(root_ / relative, ec);
  if (ec) {
    return std::nullopt;
  }
  // Belt and braces against symlinks pointing outside the root.
  auto rel = file.lexically_relative(rootCanonical);
  if (rel.empty() || *rel.begin() == "..") {
    return std::nullopt;
  }
  if (!std::filesystem::is_regular_file(file, ec)) {
    return std::nullopt;
  }
  return file;
}

HttpResponse StaticFiles::serve(const std::string& target) const {
  auto file = resolve(targetPath(target));
  if (!file) {
    return problem(404, "not_found", "no such page");
  }
  std::ifstream in(*file, std::ios::binary);
  std::ostringstream content;
  content << in.rdbuf();
  if (!in.good() && !in.eof()) {
    return problem(404, "not_found", "no such page");
  }
  HttpResponse r;
  r.status = 200;
  r.contentType = contentTypeFor(*file);
  r.body = content.str();
  r.noStore = false;
  return r;
}

std::string contentTypeFor(const std::filesystem::path& file) {
  std::string ext = file.extension().string();
  for (auto& c : ext) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  if (ext == ".html") return "text/html; charset=utf-8";
  if (ext == ".js" || ext == ".mjs") return "text/javascript; charset=utf-8";
  if (ext == ".css") return "text/css; charset=utf-8";
  if (ext == ".json" || ext == ".map") return "application/json";
  if (ext == ".webmanifest") return "application/manifest+json";
  if (ext == ".svg") return "image/svg+xml";
  if (ext == ".png") return "image/png";
  if (ext == ".jpg" || ext == ".jpeg") return "image/jpeg";
  if (ext == ".ico") return "image/x-icon";
  if (ext == ".woff2") return "font/woff2";
  if (ext == ".wasm") return "application/wasm";
  if (ext == ".txt") return "text/plain; charset=utf-8";
  return "application/octet-stream";
}

}  // namespace medrtc::signaling
