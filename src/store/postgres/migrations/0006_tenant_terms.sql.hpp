// Migration 6: each tenant's terms of use and privacy notice (KBV K10), one text per
// language ("en", "de", "fr"), written by the tenant's admin and shown to patients without
// sign-in. Plain text, never HTML. A language without a row shows the built-in default.
// Never edit a released migration.
R"sql(
CREATE TABLE tenant_terms (
  tenant_id  TEXT NOT NULL,
  lang       TEXT NOT NULL,
  body       TEXT NOT NULL,
  updated_at BIGINT NOT NULL,
  updated_by TEXT NOT NULL,
  PRIMARY KEY (tenant_id, lang)
);
)sql"
