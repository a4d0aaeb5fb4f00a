#include "store/webhook_store.hpp"

namespace medrtc::store {

std::string joinEvents(const std::vector<std::string>& events) {
  std::string out;
  for (const std::string& e : events) {
    out += (out.empty() ? "" : ",") + e;
  }
  return out;
}

std::vector<std::string> splitEvents(const std::string& column) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos < column.size()) {
    size_t comma = column.find(',', pos);
    if (comma == std::string::npos) {
      comma = column.size();
    }
    if (comma > pos) {
      out.push_back(column.substr(pos, comma - pos));
    }
    pos = comma + 1;
  }
  return out;
}

}  // namespace medrtc::store
