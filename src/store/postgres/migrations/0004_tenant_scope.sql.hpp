// Migration 4: tenant isolation (issue 10 items 1, 2). An API key belongs to a tenant;
// keys of older releases keep tenant_id '' and become node-operator keys, which reach
// only rooms without a tenant (docs/api-keys.md). An appointment may name one delegate
// who hosts it in place of its practitioner ("cover for", granted by a practice admin or
// the practitioner; audited). The room index answers "is this a consultation's room?"
// (API keys do not mint tokens for those). Never edit a released migration.
R"sql(
ALTER TABLE api_keys ADD COLUMN tenant_id TEXT NOT NULL DEFAULT '';
ALTER TABLE appointments ADD COLUMN host_delegate_id TEXT NOT NULL DEFAULT '';
CREATE INDEX appointments_room ON appointments (room_id);
)sql"
