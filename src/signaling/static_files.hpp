#pragma once
// The web client's files, served from --web-root: "/" is index.html, "/call/<anything>" is
// call.html (the room id and the #t= token are read by the page), anything else must be
// an existing regular file under the root. No directory traversal: decoded paths with
// ".." segments are refused and the resolved file must stay inside the root.
#include <filesystem>
#include <optional>
#include <string>

#include "signaling/http_types.hpp"

namespace medrtc::signaling {

class StaticFiles {
 public:
  explicit StaticFiles(std::filesystem::path root);

  // GET of `target` (the HTTP layer strips the body for HEAD); 404 when there is no such file.
  HttpResponse serve(const std::string& target) const;
  // The file a request path maps to, if it is safe and exists.
  std::optional<std::filesystem::path> resolve(const std::string& path) const;

 private:
  std::filesystem::path root_;
};

// "text/html; charset=utf-8", ... by file extension; application/octet-stream otherwise.
std::string contentTypeFor(const std::filesystem::path& file);

}  // namespace medrtc::signaling
