#include "app/admin.hpp"

#include <chrono>
#include <ostream>

#include "store/api_key.hpp"
#include "store/sqlite_store.hpp"

namespace medrtc::app {

int createApiKeyCommand(const std::filesystem::path& dataDir, const std::string& name, std::ostream& out,
                        std::ostream& err) {
  std::filesystem::create_directories(dataDir);
  store::SqliteStore store(dataDir / "medrtc.db");
  std::string key = store::generateApiKey();
  int64_t now =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  auto record = store::registerApiKey(store, key, name, now);
  out << key << std::endl;
  err << "created API key " << record.id << " (" << record.prefix << "…); it is shown only this once" << std::endl;
  return 0;
}

}  // namespace medrtc::app
