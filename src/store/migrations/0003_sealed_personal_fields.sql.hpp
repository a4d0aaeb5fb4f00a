// Migration 3: personal fields sealed with per-subject keys (issue 5, F3). users.email
// now holds a keyed blind index of the email (sign-in lookup) and email_sealed the email
// itself sealed with the user's key; appointments.sealed marks rows whose title and
// patient reference are ciphertext. Older rows are sealed when the store is next opened
// (compliance/store_sealing.cpp). The indexes serve the retention purge. Never edit a
// released migration.
R"sql(
ALTER TABLE users ADD COLUMN email_sealed TEXT NOT NULL DEFAULT '';
ALTER TABLE appointments ADD COLUMN sealed INTEGER NOT NULL DEFAULT 0;
CREATE INDEX appointments_tenant_end ON appointments (tenant_id, end_at);
CREATE INDEX rooms_tenant_ended ON rooms (tenant_id, ended_at);
CREATE INDEX guests_invitation ON guests (invitation_id);
CREATE INDEX sessions_expires ON sessions (expires_at);
)sql"
