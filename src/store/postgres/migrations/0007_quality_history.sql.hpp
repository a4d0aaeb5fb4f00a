// Migration 7: the call-quality history of consultations (issue 15 item 6,
// docs/operations.md "Call-quality history"): one row per participant about every 10 s
// of a call, kept after the room ends so the admin's dashboard can show how an ended
// consultation went. Ids and link figures only, never a name. Deleted with the room's
// other metadata by the retention rule (retention.metadata_days). Never edit a released
// migration.
R"sql(
CREATE TABLE quality_samples (
  room_id         TEXT NOT NULL,
  tenant_id       TEXT NOT NULL DEFAULT '',
  participant_id  TEXT NOT NULL,
  at              BIGINT NOT NULL,
  loss_percent    DOUBLE PRECISION NOT NULL,
  rtt_ms          DOUBLE PRECISION NOT NULL,
  jitter_ms       DOUBLE PRECISION NOT NULL,
  bitrate_in_bps  BIGINT NOT NULL,
  bitrate_out_bps BIGINT NOT NULL,
  layer           BIGINT NOT NULL,
  freeze_count    BIGINT NOT NULL,
  score           DOUBLE PRECISION NOT NULL,
  mos             DOUBLE PRECISION NOT NULL,
  PRIMARY KEY (room_id, at, participant_id)
);
CREATE INDEX quality_samples_tenant ON quality_samples (tenant_id, at);
)sql"
