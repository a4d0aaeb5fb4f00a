// Migration 3 (PostgreSQL): personal fields sealed with per-subject keys (issue 5, F3).
// Same columns and indexes as the SQLite migration 3 (see there), BOOLEAN flag. Never
// edit a released migration.
R"sql(
ALTER TABLE users ADD COLUMN email_sealed TEXT NOT NULL DEFAULT '';
ALTER TABLE appointments ADD COLUMN sealed BOOLEAN NOT NULL DEFAULT FALSE;
CREATE INDEX appointments_tenant_end ON appointments (tenant_id, end_at);
CREATE INDEX rooms_tenant_ended ON rooms (tenant_id, ended_at);
CREATE INDEX guests_invitation ON guests (invitation_id);
CREATE INDEX sessions_expires ON sessions (expires_at);
)sql"
