// Migration 2 (PostgreSQL): the clinic workflow (issue 4): tenants, users, sign-in
// sessions, appointments, invitations, guests with their admission state; rooms learn
// whether guests wait and which tenant owns them. Same tables as the SQLite migration 2,
// with BIGINT times and BOOLEAN flags. Never edit a released migration.
R"sql(
ALTER TABLE rooms ADD COLUMN waiting_room BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE rooms ADD COLUMN tenant_id TEXT NOT NULL DEFAULT '';

CREATE TABLE tenants (
  id                   TEXT PRIMARY KEY,
  name                 TEXT NOT NULL,
  display_name         TEXT NOT NULL DEFAULT '',
  primary_color        TEXT NOT NULL DEFAULT '',
  logo_url             TEXT NOT NULL DEFAULT '',
  policy_profile       TEXT NOT NULL DEFAULT '',
  region               TEXT NOT NULL DEFAULT '',
  require_totp         BOOLEAN NOT NULL DEFAULT FALSE,
  idle_logoff_minutes  INTEGER NOT NULL DEFAULT 15,
  created_at           BIGINT NOT NULL
);

CREATE TABLE users (
  id             TEXT PRIMARY KEY,
  tenant_id      TEXT NOT NULL REFERENCES tenants(id),
  email          TEXT NOT NULL UNIQUE,
  display_name   TEXT NOT NULL DEFAULT '',
  role           TEXT NOT NULL,
  password_hash  TEXT NOT NULL DEFAULT '',
  totp_secret    TEXT NOT NULL DEFAULT '',
  disabled       BOOLEAN NOT NULL DEFAULT FALSE,
  created_at     BIGINT NOT NULL
);

CREATE TABLE sessions (
  id_hash       TEXT PRIMARY KEY,
  user_id       TEXT NOT NULL REFERENCES users(id),
  tenant_id     TEXT NOT NULL,
  csrf_token    TEXT NOT NULL,
  created_at    BIGINT NOT NULL,
  last_seen_at  BIGINT NOT NULL,
  expires_at    BIGINT NOT NULL
);

CREATE TABLE appointments (
  id                 TEXT PRIMARY KEY,
  tenant_id          TEXT NOT NULL REFERENCES tenants(id),
  practitioner_id    TEXT NOT NULL,
  status             TEXT NOT NULL,
  start_at           BIGINT NOT NULL,
  end_at             BIGINT NOT NULL,
  title              TEXT NOT NULL DEFAULT '',
  patient_reference  TEXT NOT NULL DEFAULT '',
  room_id            TEXT NOT NULL,
  created_at         BIGINT NOT NULL,
  updated_at         BIGINT NOT NULL
);
CREATE INDEX appointments_tenant_start ON appointments (tenant_id, start_at);

CREATE TABLE invitations (
  id               TEXT PRIMARY KEY,
  tenant_id        TEXT NOT NULL,
  appointment_id   TEXT NOT NULL,
  room_id          TEXT NOT NULL,
  role             TEXT NOT NULL,
  token_hash       TEXT NOT NULL UNIQUE,
  code_hash        TEXT NOT NULL UNIQUE,
  created_at       BIGINT NOT NULL,
  expires_at       BIGINT NOT NULL,
  revoked_at       BIGINT,
  used_at          BIGINT,
  used_by_guest_id TEXT NOT NULL DEFAULT ''
);
CREATE INDEX invitations_appointment ON invitations (appointment_id);
CREATE INDEX invitations_room ON invitations (room_id);

CREATE TABLE guests (
  id             TEXT PRIMARY KEY,
  room_id        TEXT NOT NULL,
  identity       TEXT NOT NULL,
  role           TEXT NOT NULL,
  state          TEXT NOT NULL,
  tenant_id      TEXT NOT NULL DEFAULT '',
  invitation_id  TEXT NOT NULL DEFAULT '',
  created_at     BIGINT NOT NULL,
  updated_at     BIGINT NOT NULL,
  UNIQUE (room_id, identity)
);
)sql"
