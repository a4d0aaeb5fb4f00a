#pragma once
// The embedded default store: one SQLite file (data-dir/medrtc.db) in WAL mode.
// Not thread-safe: owned by the control thread (the CLI opens its own instance).
#include <filesystem>
#include <memory>

#include "store/store.hpp"

struct sqlite3;

namespace medrtc::store {

class SqliteStore final : public Store {
 public:
  // Opens (creating if needed) the database and applies pending migrations in one
  // transaction. Throws StoreFailure if the file cannot be opened or migrated, or if its
  // schema is newer than this binary knows.
  explicit SqliteStore(const std::filesystem::path& dbFile);
  ~SqliteStore() override;
  SqliteStore(const SqliteStore&) = delete;
  SqliteStore& operator=(const SqliteStore&) = delete;

  // The schema version after migration.
  int schemaVersion();

  RoomRecord createRoom(const std::string& name, UnixSeconds now) override;
  std::optional<RoomRecord> findRoom(const std::string& id) override;
  bool endRoom(const std::string& id, UnixSeconds now) override;

  ApiKeyRecord addApiKey(const std::string& keyHash, const std::string& prefix, const std::string& name,
                         UnixSeconds now) override;
  std::optional<ApiKeyRecord> findApiKeyByHash(const std::string& keyHash) override;
  int64_t countApiKeys() override;

 private:
  void exec(const char* sql);
  void migrate();

  sqlite3* db_ = nullptr;
};

}  // namespace medrtc::store
