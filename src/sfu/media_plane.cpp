// The media plane seen from the control thread: a pool of workers and the room → worker
// map. Every MediaApi call becomes a task posted to the room's worker; every answer comes
// back as a task posted to the control thread. SDP is parsed and written here, on the
// control thread (sfu/negotiation.hpp); the workers get and give typed parameters
// (sfu/rtp_parameters.hpp).
//
// A task that throws on a worker thread would end the process (nothing above the worker's
// event loop catches), taking every call on the node with it. So each task that acts for
// one participant is contained here: the participant is taken out of its room, it gets an
// error (add) or a media failure (publish, answer), and the worker and every other call go on.
#include "sfu/media_plane.hpp"
#include "log/log.hpp"


#include <thread>
#include <unordered_map>
#include <vector>

#include "sfu/heap_trimmer.hpp"
#include "sfu/negotiation.hpp"
#include "sfu/room.hpp"
#include "sfu/worker.hpp"

namespace medrtc::sfu {

namespace {

class WorkerPool final : public MediaApi {
 public:
  WorkerPool(const MediaConfig& config, ControlPoster toControl, MediaEvents& events)
      : toControl_(toControl), events_(events), addParticipantFault_(config.addParticipantFault) {
    int count = config.workers > 0 ? config.workers : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    for (int i = 0; i < count; ++i) {
      workers_.push_back(std::make_unique<Worker>(
          i, config, toControl, events,
          [&events](const std::string& roomId, const std::string& participantId, SubscribeOffer offer) {
            events.onSubscribeOffer(roomId, participantId, offer.version, writeSubscribeOffer(offer));
          }));
    }
    roomsPerWorker_.assign(workers_.size(), 0);
    for (auto& worker : workers_) {
      worker->start();
    }
  }

  ~WorkerPool() override {
    for (auto& worker : workers_) {
      worker->stop();
    }
  }

  void openRoom(const std::string& roomId) override {
    Worker& worker = workerFor(roomId);
    worker.post([&worker, roomId] { worker.openRoom(roomId); });
  }

  void closeRoom(const std::string& roomId) override {
    auto it = roomWorker_.find(roomId);
    if (it == roomWorker_.end()) {
      return;
    }
    Worker& worker = *workers_[it->second];
    --roomsPerWorker_[it->second];
    roomWorker_.erase(it);
    worker.post([&worker, roomId] { worker.closeRoom(roomId); });
  }

  void addParticipant(const std::string& roomId, const std::string& participantId, ParticipantGrants grants,
                      std::optional<ReceiveCapabilities> decoders, Done<Ok> done) override {
    Worker& worker = workerFor(roomId);
    worker.post([this, &worker, roomId, participantId, grants, decoders = std::move(decoders),
                 done = std::move(done)]() mutable {
      Result<Ok, MediaError> result = fail(MediaError::kInternal);
      try {
        if (addParticipantFault_) {
          addParticipantFault_(participantId);
        }
        Room& room = worker.openRoom(roomId);
        result = room.addParticipant(participantId, grants, std::move(decoders));
      } catch (const std::exception& e) {
        contain(worker, roomId, participantId, "add", e.what());
      }
      reply(std::move(done), std::move(result));
    });
  }

  void removeParticipant(const std::string& roomId, const std::string& participantId) override {
    Worker* worker = existingWorker(roomId);
    if (!worker) {
      return;
    }
    worker->post([worker, roomId, participantId] {
      if (Room* room = worker->findRoom(roomId)) {
        room->removeParticipant(participantId);
      }
    });
  }

  // Two hops: the worker gives the publisher connection's local parameters, the offer is
  // negotiated here, and the worker applies the typed result (produce()); the answer goes
  // out only once it did.
  void publish(const std::string& roomId, const std::string& participantId, std::string offerSdp,
               Done<std::string> done) override {
    Worker* worker = existingWorker(roomId);
    if (!worker) {
      toControl_([done = std::move(done)] { done(fail(MediaError::kRoomNotFound)); });
      return;
    }
    negotiatePublishOn(*worker, roomId, participantId, std::move(offerSdp), std::move(done), 1);
  }

  void restartIce(const std::string& roomId, const std::string& participantId, std::string iceUfrag,
                  Done<IceRestart> done) override {
    Worker* worker = existingWorker(roomId);
    if (!worker) {
      toControl_([done = std::move(done)] { done(fail(MediaError::kRoomNotFound)); });
      return;
    }
    worker->post([this, worker, roomId, participantId, iceUfrag = std::move(iceUfrag), done = std::move(done)]() mutable {
      Room* room = worker->findRoom(roomId);
      if (!room) {
        reply(std::move(done), Result<IceRestart, MediaError>(fail(MediaError::kRoomNotFound)));
        return;
      }
      reply(std::move(done), room->restartIce(participantId, iceUfrag));
    });
  }

  void answerSubscription(const std::string& roomId, const std::string& participantId, uint32_t version,
                          std::string answerSdp, Done<Ok> done) override {
    Worker* worker = existingWorker(roomId);
    if (!worker) {
      toControl_([done = std::move(done)] { done(fail(MediaError::kRoomNotFound)); });
      return;
    }
    auto answer = readSubscribeAnswer(answerSdp);
    if (!answer.ok()) {
      toControl_([done = std::move(done), error = answer.error()] { done(fail(error)); });
      return;
    }
    worker->post(
        [this, worker, roomId, participantId, version, answer = std::move(*answer), done = std::move(done)]() mutable {
          Room* room = worker->findRoom(roomId);
          if (!room) {
            reply(std::move(done), Result<Ok, MediaError>(fail(MediaError::kRoomNotFound)));
            return;
          }
          try {
            reply(std::move(done), room->answerSubscription(participantId, version, answer));
          } catch (const std::exception& e) {
            contain(*worker, roomId, participantId, "answer", e.what());
            failMedia(roomId, participantId);
          }
        });
  }

  // Two hops, as a publish: the worker opens the probe's transport and gives its local
  // parameters, the offer is answered here, and the worker takes the browser's fingerprint.
  void openProbe(const std::string& probeId, ProbeCandidates candidates, std::string offerSdp,
                 Done<std::string> done) override {
    // Probes belong to no room: they take turns over the workers.
    Worker* worker = workers_[nextProbeWorker_++ % workers_.size()].get();
    worker->post([this, worker, probeId, candidates, offerSdp = std::move(offerSdp), done = std::move(done)]() mutable {
      Result<LocalTransportParameters, MediaError> local = fail(MediaError::kInternal);
      try {
        local = worker->openProbe(probeId, candidates);
      } catch (const std::exception& e) {
        log::error("media_task_failed", {{"task", "probe"}, {"probe", probeId}, {"worker", worker->index()}, {"error", e.what()}});
      }
      toControl_([this, worker, probeId, offerSdp = std::move(offerSdp), done = std::move(done),
                  local = std::move(local)]() mutable {
        if (!local.ok()) {
          done(fail(local.error()));
          return;
        }
        auto negotiated = negotiateProbe(offerSdp, *local);
        if (!negotiated.ok()) {
          worker->post([worker, probeId] { worker->closeProbe(probeId); });
          done(fail(negotiated.error()));
          return;
        }
        worker->post([this, worker, probeId, negotiated = std::move(*negotiated), done = std::move(done)]() mutable {
          bool open = worker->acceptProbeOffer(probeId, negotiated.parameters.remoteFingerprint);
          reply(std::move(done), open ? Result<std::string, MediaError>(std::move(negotiated.answerSdp))
                                      : Result<std::string, MediaError>(fail(MediaError::kInternal)));
        });
      });
    });
  }

  void collectMetrics(std::vector<metrics::Family>& out) const override {
    using metrics::MetricType;
    for (const auto& worker : workers_) {
      const metrics::Labels label{{"worker", std::to_string(worker->index())}};
      collectMediaCounters(worker->counters(), worker->index(), out);
      metrics::merge(out, metrics::Family{"medrtc_worker_cpu_seconds_total", "CPU time used by the worker's thread.",
                                          MetricType::kCounter, {{label, worker->cpuSeconds()}}, {}});
      metrics::merge(out, metrics::Family{"medrtc_worker_queue_depth", "Tasks posted to the worker and not yet run.",
                                          MetricType::kGauge,
                                          {{label, static_cast<double>(worker->queueDepth())}}, {}});
      metrics::merge(out, metrics::Family{"medrtc_worker_rooms", "Rooms placed on the worker.", MetricType::kGauge,
                                          {{label, static_cast<double>(roomsPerWorker_[static_cast<size_t>(
                                                       worker->index())])}},
                                          {}});
    }
    // Process-wide: a trim gives back every worker's arenas (and the control thread's).
    metrics::merge(out, metrics::Family{"medrtc_media_heap_trims_total",
                                        "Times the server gave heap freed by released DTLS states and closed "
                                        "transports back to the kernel (malloc_trim; at most once per 10 s).",
                                        MetricType::kCounter,
                                        {{{}, static_cast<double>(HeapTrimmer::processTrims())}},
                                        {}});
  }

 private:
  // An ICE restart of the publisher connection can run on the worker between the two hops
  // of a publish (the hub does not hold one back while the other is under way). An answer
  // written with the credentials it replaced would stop working once the restart's grace
  // ends, so the second hop compares the ufrag the answer carries with the transport's and
  // negotiates again from the new parameters; after a few tries the participant joins anew.
  static constexpr int kPublishAttempts = 3;

  // Control thread: hop 1, the publisher connection's local parameters from the worker.
  void negotiatePublishOn(Worker& worker, const std::string& roomId, const std::string& participantId,
                          std::string offerSdp, Done<std::string> done, int attempt) {
    worker.post([this, &worker, roomId, participantId, offerSdp = std::move(offerSdp), done = std::move(done),
                 attempt]() mutable {
      Room* room = worker.findRoom(roomId);
      auto local = room ? room->publisherTransport(participantId)
                        : Result<LocalTransportParameters, MediaError>(fail(MediaError::kRoomNotFound));
      toControl_([this, &worker, roomId, participantId, offerSdp = std::move(offerSdp), done = std::move(done),
                  local = std::move(local), attempt]() mutable {
        if (!local.ok()) {
          done(fail(local.error()));
          return;
        }
        auto negotiated = negotiatePublish(offerSdp, *local);
        if (!negotiated.ok()) {
          done(fail(negotiated.error()));
          return;
        }
        applyPublish(worker, roomId, participantId, std::move(offerSdp), local->iceUfrag, std::move(*negotiated),
                     std::move(done), attempt);
      });
    });
  }

  // Hop 2 (posted from the control thread): the worker applies what was negotiated, unless
  // the transport's credentials changed since hop 1.
  void applyPublish(Worker& worker, const std::string& roomId, const std::string& participantId,
                    std::string offerSdp, std::string answeredUfrag, NegotiatedPublish negotiated,
                    Done<std::string> done, int attempt) {
    worker.post([this, &worker, roomId, participantId, offerSdp = std::move(offerSdp),
                 answeredUfrag = std::move(answeredUfrag), negotiated = std::move(negotiated),
                 done = std::move(done), attempt]() mutable {
      Room* room = worker.findRoom(roomId);
      if (!room) {
        reply(std::move(done), Result<std::string, MediaError>(fail(MediaError::kRoomNotFound)));
        return;
      }
      try {
        auto current = room->publisherTransport(participantId);
        if (!current.ok()) {
          reply(std::move(done), Result<std::string, MediaError>(fail(current.error())));
          return;
        }
        if (current->iceUfrag != answeredUfrag) {
          if (attempt >= kPublishAttempts) {
            // The client would wait for an answer that never comes: take the participant
            // out and close its socket with 1011, so it joins again with fresh connections.
            contain(worker, roomId, participantId, "publish", "ice restarted during every negotiation");
            failMedia(roomId, participantId);
            return;
          }
          toControl_([this, &worker, roomId, participantId, offerSdp = std::move(offerSdp), done = std::move(done),
                      attempt]() mutable {
            negotiatePublishOn(worker, roomId, participantId, std::move(offerSdp), std::move(done), attempt + 1);
          });
          return;
        }
        auto applied = room->publish(participantId, negotiated.parameters);
        reply(std::move(done), applied.ok() ? Result<std::string, MediaError>(std::move(negotiated.answerSdp))
                                            : Result<std::string, MediaError>(fail(applied.error())));
      } catch (const std::exception& e) {
        contain(worker, roomId, participantId, "publish", e.what());
        failMedia(roomId, participantId);
      }
    });
  }

  // Worker thread. Takes a participant whose task threw out of its room: its objects may
  // be half built or half changed, and nothing else in the room may see them.
  void contain(Worker& worker, const std::string& roomId, const std::string& participantId, const char* task,
               const char* what) {
    log::error("media_task_failed", {{"task", task}, {"room", roomId}, {"participant", participantId},
                                     {"worker", worker.index()}, {"error", what}});
    if (Room* room = worker.findRoom(roomId)) {
      try {
        room->removeParticipant(participantId);
      } catch (const std::exception& e) {
        log::error("media_cleanup_failed", {{"room", roomId}, {"participant", participantId}, {"error", e.what()}});
      }
    }
  }

  // Its transports are gone: the control thread closes it with 1011 and the client rejoins.
  void failMedia(const std::string& roomId, const std::string& participantId) {
    toControl_([&events = events_, roomId, participantId] { events.onMediaFailed(roomId, participantId, "internal"); });
  }

  template <typename T>
  void reply(Done<T> done, Result<T, MediaError> result) {
    toControl_([done = std::move(done), result = std::move(result)]() mutable { done(std::move(result)); });
  }

  // Control thread only. A new room goes to the worker with the fewest rooms.
  Worker& workerFor(const std::string& roomId) {
    auto it = roomWorker_.find(roomId);
    if (it != roomWorker_.end()) {
      return *workers_[it->second];
    }
    size_t best = 0;
    for (size_t i = 1; i < workers_.size(); ++i) {
      if (roomsPerWorker_[i] < roomsPerWorker_[best]) {
        best = i;
      }
    }
    roomWorker_[roomId] = best;
    ++roomsPerWorker_[best];
    return *workers_[best];
  }

  Worker* existingWorker(const std::string& roomId) {
    auto it = roomWorker_.find(roomId);
    return it == roomWorker_.end() ? nullptr : workers_[it->second].get();
  }

  ControlPoster toControl_;
  MediaEvents& events_;
  std::function<void(const std::string&)> addParticipantFault_;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::vector<size_t> roomsPerWorker_;
  std::unordered_map<std::string, size_t> roomWorker_;
  size_t nextProbeWorker_ = 0;
};

}  // namespace

std::unique_ptr<MediaApi> createMediaPlane(const MediaConfig& config, ControlPoster toControl, MediaEvents& events) {
  return std::make_unique<WorkerPool>(config, std::move(toControl), events);
}

}  // namespace medrtc::sfu
