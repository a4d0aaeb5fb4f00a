// PostgresStore's call-quality history (migration 7): batches of samples from the quality
// history writer's pool threads, read back by the admin dashboard's REST routes.
#include <map>

#include "store/postgres/pg_connection.hpp"
#include "store/postgres/pg_rows.hpp"
#include "store/postgres/postgres_store.hpp"

namespace medrtc::store {

using pg::findAll;

namespace {

constexpr const char* kSampleColumns =
    "room_id, tenant_id, participant_id, at, loss_percent, rtt_ms, jitter_ms, bitrate_in_bps, bitrate_out_bps, "
    "layer, freeze_count, score, mos";

QualitySampleRecord readSample(const pqxx::row& r) {
  QualitySampleRecord q;
  q.roomId = r[0].as<std::string>();
  q.tenantId = r[1].as<std::string>();
  q.participantId = r[2].as<std::string>();
  q.at = r[3].as<int64_t>();
  q.lossPercent = r[4].as<double>();
  q.rttMs = r[5].as<double>();
  q.jitterMs = r[6].as<double>();
  q.bitrateInBps = r[7].as<int64_t>();
  q.bitrateOutBps = r[8].as<int64_t>();
  q.layer = static_cast<int>(r[9].as<int64_t>());
  q.freezeCount = r[10].as<int64_t>();
  q.score = r[11].as<double>();
  q.mos = r[12].as<double>();
  return q;
}

}  // namespace

int64_t PostgresStore::addQualitySamples(const std::vector<QualitySampleRecord>& samples, int64_t maxPerRoom) {
  if (samples.empty()) {
    return 0;
  }
  return db_->transact([&](pqxx::work& txn) {
    std::map<std::string, int64_t> room;
    for (const QualitySampleRecord& q : samples) {
      room.emplace(q.roomId, 0);
    }
    // Several pool threads may write batches of one room at once: the count and the
    // inserts of a room happen under its lock, so the bound holds. The locks are taken in
    // room-id order (the map's), not the batch's: batches [A, B] and [B, A] taking them in
    // their own order could each hold one and wait for the other (a deadlock).
    for (auto& [roomId, left] : room) {
      txn.exec_params("SELECT pg_advisory_xact_lock(hashtext('quality_samples:' || $1))", roomId);
      pqxx::result count = txn.exec_params("SELECT COUNT(*) FROM quality_samples WHERE room_id = $1", roomId);
      left = maxPerRoom - count[0][0].as<int64_t>();
    }
    int64_t written = 0;
    for (const QualitySampleRecord& q : samples) {
      int64_t& left = room[q.roomId];
      if (left <= 0) {
        continue;
      }
      auto r = txn.exec_params(std::string("INSERT INTO quality_samples (") + kSampleColumns +
                                   ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) "
                                   "ON CONFLICT DO NOTHING",
                               q.roomId, q.tenantId, q.participantId, q.at, q.lossPercent, q.rttMs, q.jitterMs,
                               q.bitrateInBps, q.bitrateOutBps, static_cast<int64_t>(q.layer), q.freezeCount, q.score,
                               q.mos);
      if (r.affected_rows() > 0) {
        --left;
        ++written;
      }
    }
    return written;
  });
}

std::vector<QualitySampleRecord> PostgresStore::listQualitySamples(const std::string& roomId, UnixSeconds since,
                                                                   size_t limit) {
  return db_->transact([&](pqxx::work& txn) {
    return findAll(txn,
                   std::string("SELECT ") + kSampleColumns +
                       " FROM quality_samples WHERE room_id = $1 AND at >= $2 ORDER BY at, participant_id LIMIT $3",
                   readSample, roomId, since, static_cast<int64_t>(limit));
  });
}

std::vector<QualityRoomRecord> PostgresStore::listQualityRooms(const std::string& tenantId, UnixSeconds since,
                                                               size_t limit) {
  return db_->transact([&](pqxx::work& txn) {
    return findAll(
        txn,
        "SELECT room_id, MIN(at), MAX(at), COUNT(*), COUNT(DISTINCT participant_id) FROM quality_samples "
        "WHERE tenant_id = $1 GROUP BY room_id HAVING MAX(at) >= $2 ORDER BY MAX(at) DESC, room_id LIMIT $3",
        [](const pqxx::row& r) {
          return QualityRoomRecord{r[0].as<std::string>(), r[1].as<int64_t>(), r[2].as<int64_t>(),
                                   r[3].as<int64_t>(), r[4].as<int64_t>()};
        },
        tenantId, since, static_cast<int64_t>(limit));
  });
}

}  // namespace medrtc::store
