// SqliteStore's call-quality history (migration 7): batches of samples from the quality
// history writer's pool thread, read back by the admin dashboard's REST routes.
#include <map>

#include "store/sqlite_statement.hpp"
#include "store/sqlite_store.hpp"

namespace medrtc::store {

namespace {

using sqlite::Statement;

constexpr const char* kSampleColumns =
    "room_id, tenant_id, participant_id, at, loss_percent, rtt_ms, jitter_ms, bitrate_in_bps, bitrate_out_bps, "
    "layer, freeze_count, score, mos";

QualitySampleRecord readSample(Statement& s) {
  QualitySampleRecord r;
  r.roomId = s.text(0);
  r.tenantId = s.text(1);
  r.participantId = s.text(2);
  r.at = s.integer(3);
  r.lossPercent = s.real(4);
  r.rttMs = s.real(5);
  r.jitterMs = s.real(6);
  r.bitrateInBps = s.integer(7);
  r.bitrateOutBps = s.integer(8);
  r.layer = static_cast<int>(s.integer(9));
  r.freezeCount = s.integer(10);
  r.score = s.real(11);
  r.mos = s.real(12);
  return r;
}

}  // namespace

int64_t SqliteStore::addQualitySamples(const std::vector<QualitySampleRecord>& samples, int64_t maxPerRoom) {
  if (samples.empty()) {
    return 0;
  }
  int64_t written = 0;
  exec("BEGIN IMMEDIATE");
  try {
    // Rows each room may still take; counted once per batch, inside the transaction.
    std::map<std::string, int64_t> room;
    for (const QualitySampleRecord& q : samples) {
      if (room.contains(q.roomId)) {
        continue;
      }
      Statement count(db_, "SELECT COUNT(*) FROM quality_samples WHERE room_id = ?");
      count.bind(1, q.roomId);
      room[q.roomId] = count.step() ? maxPerRoom - count.integer(0) : maxPerRoom;
    }
    for (const QualitySampleRecord& q : samples) {
      int64_t& left = room[q.roomId];
      if (left <= 0) {
        continue;
      }
      Statement s(db_, (std::string("INSERT INTO quality_samples (") + kSampleColumns +
                        ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING")
                           .c_str());
      s.bind(1, q.roomId).bind(2, q.tenantId).bind(3, q.participantId).bind(4, q.at);
      s.bindReal(5, q.lossPercent).bindReal(6, q.rttMs).bindReal(7, q.jitterMs);
      s.bind(8, q.bitrateInBps).bind(9, q.bitrateOutBps).bind(10, static_cast<int64_t>(q.layer));
      s.bind(11, q.freezeCount).bindReal(12, q.score).bindReal(13, q.mos);
      s.run();
      if (sqlite3_changes(db_) > 0) {
        --left;
        ++written;
      }
    }
    exec("COMMIT");
  } catch (...) {
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
  return written;
}

std::vector<QualitySampleRecord> SqliteStore::listQualitySamples(const std::string& roomId, UnixSeconds since,
                                                                 size_t limit) {
  Statement s(db_, (std::string("SELECT ") + kSampleColumns +
                    " FROM quality_samples WHERE room_id = ? AND at >= ? ORDER BY at, participant_id LIMIT ?")
                       .c_str());
  s.bind(1, roomId).bind(2, since).bind(3, static_cast<int64_t>(limit));
  std::vector<QualitySampleRecord> out;
  while (s.step()) {
    out.push_back(readSample(s));
  }
  return out;
}

std::vector<QualityRoomRecord> SqliteStore::listQualityRooms(const std::string& tenantId, UnixSeconds since,
                                                             size_t limit) {
  Statement s(db_,
              "SELECT room_id, MIN(at), MAX(at), COUNT(*), COUNT(DISTINCT participant_id) FROM quality_samples "
              "WHERE tenant_id = ? GROUP BY room_id HAVING MAX(at) >= ? ORDER BY MAX(at) DESC, room_id LIMIT ?");
  s.bind(1, tenantId).bind(2, since).bind(3, static_cast<int64_t>(limit));
  std::vector<QualityRoomRecord> out;
  while (s.step()) {
    out.push_back(QualityRoomRecord{s.text(0), s.integer(1), s.integer(2), s.integer(3), s.integer(4)});
  }
  return out;
}

}  // namespace medrtc::store
