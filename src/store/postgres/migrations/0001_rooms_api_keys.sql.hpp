// Migration 1 (PostgreSQL): rooms and API keys. Never edit a released migration; add
// the next one, here and in src/store/migrations/ with the same number.
R"sql(
CREATE TABLE rooms (
  id          TEXT PRIMARY KEY,
  name        TEXT NOT NULL DEFAULT '',
  created_at  BIGINT NOT NULL,
  ended_at    BIGINT
);

CREATE TABLE api_keys (
  id          TEXT PRIMARY KEY,
  key_hash    TEXT NOT NULL UNIQUE,
  prefix      TEXT NOT NULL,
  name        TEXT NOT NULL DEFAULT '',
  created_at  BIGINT NOT NULL
);
)sql"
