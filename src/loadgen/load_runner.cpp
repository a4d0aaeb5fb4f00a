#include "loadgen/load_runner.hpp"

#include <sched.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <future>
#include <stdexcept>
#include <thread>

#include "client/client_identity.hpp"
#include "common/random.hpp"
#include "loadgen/http_client.hpp"
#include "loadgen/janus_messages.hpp"
#include "loadgen/janus_signaling.hpp"
#include "loadgen/medrtc_messages.hpp"
#include "loadgen/medrtc_signaling.hpp"
#include "loadgen/participant_media.hpp"
#include "loadgen/process_stats.hpp"

namespace medrtc::loadgen {

namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace {

// After sending stops, packets still in flight get this long to arrive before counting.
constexpr auto kDrain = 300ms;
// Time for leave / session destroy requests to go out before the sockets close.
constexpr auto kLeaveGrace = 200ms;
constexpr Micros kDtlsInitialRetransmit = 100ms;

struct Participant {
  std::string name;
  int consultation = 0;
  net::EventLoop* loop = nullptr;
  std::unique_ptr<ParticipantMedia> media;
  std::unique_ptr<ParticipantSignaling> signaling;
  ParticipantResult result;
};

// Runs `f` on `loop` and waits for its result.
template <class F>
auto onLoop(net::EventLoop& loop, F f) -> decltype(f()) {
  std::promise<decltype(f())> done;
  auto future = done.get_future();
  loop.post([&] {
    if constexpr (std::is_void_v<decltype(f())>) {
      f();
      done.set_value();
    } else {
      done.set_value(f());
    }
  });
  return future.get();
}

Result<HttpReply, std::string> httpSync(asio::io_context& ioc, const Url& url, std::string method, std::string target,
                                        std::string body, HttpHeaders headers) {
  std::promise<Result<HttpReply, std::string>> done;
  auto future = done.get_future();
  asio::post(ioc, [&] {
    asyncHttpRequest(ioc, url, std::move(method), std::move(target), std::move(body), std::move(headers), 10s,
                     [&](Result<HttpReply, std::string> reply) { done.set_value(std::move(reply)); });
  });
  return future.get();
}

int usableCores() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof(set), &set) == 0) {
    return std::max(CPU_COUNT(&set), 1);
  }
  return static_cast<int>(std::max(std::thread::hardware_concurrency(), 1U));
}

double secondsBetween(Micros a, Micros b) { return static_cast<double>((b - a).count()) / 1e6; }

// Joins the threads however the run ends; an exception must not leave them joinable.
struct Threads {
  asio::io_context& ioc;
  std::vector<std::unique_ptr<net::EventLoop>>& loops;
  std::thread control;
  std::vector<std::thread> media;
  void stop() {
    for (auto& loop : loops) {
      loop->stop();
    }
    for (std::thread& t : media) {
      if (t.joinable()) {
        t.join();
      }
    }
    ioc.stop();
    if (control.joinable()) {
      control.join();
    }
  }
  ~Threads() { stop(); }
};

// medrtc: one room per consultation and a token per participant, through the REST API.
std::vector<std::string> medrtcTokens(asio::io_context& ioc, const Url& url, const LoadgenConfig& config) {
  HttpHeaders auth{{"Authorization", "Bearer " + config.apiKey}};
  std::vector<std::string> tokens;
  for (int c = 0; c < config.consultations; ++c) {
    auto room = httpSync(ioc, url, "POST", url.path + "/api/v1/rooms", createRoomBody("loadgen " + std::to_string(c)),
                         auth);
    if (!room || room->status != 201) {
      throw std::runtime_error("POST /api/v1/rooms failed: " +
                               (room ? std::to_string(room->status) + " " + room->body : room.error()));
    }
    auto roomId = parseRoomId(room->body);
    if (!roomId) {
      throw std::runtime_error("POST /api/v1/rooms: no room id in " + room->body);
    }
    for (const char* who : {"a", "b"}) {
      const std::string identity = "loadgen-c" + std::to_string(c) + "-" + who;
      auto token = httpSync(ioc, url, "POST", url.path + "/api/v1/rooms/" + *roomId + "/tokens",
                            createTokenBody(identity, identity, who[0] == 'a' ? "host" : "guest"), auth);
      auto value = token && token->status == 201 ? parseToken(token->body) : std::nullopt;
      if (!value) {
        throw std::runtime_error("POST /api/v1/rooms/{id}/tokens failed: " +
                                 (token ? std::to_string(token->status) + " " + token->body : token.error()));
      }
      tokens.push_back(*value);
    }
  }
  return tokens;
}

void janusRoomRequests(asio::io_context& ioc, const Url& url, std::vector<std::string> bodies) {
  std::promise<Result<Ok, std::string>> done;
  auto future = done.get_future();
  asio::post(ioc, [&] {
    runJanusRoomRequests(ioc, url, std::move(bodies), [&](Result<Ok, std::string> r) { done.set_value(r); });
  });
  if (future.wait_for(30s) != std::future_status::ready) {
    throw std::runtime_error("janus: room requests timed out");
  }
  auto result = future.get();
  if (!result) {
    throw std::runtime_error(result.error());
  }
}

struct CpuMark {
  Micros at{0};
  double process = 0;
  std::vector<double> loops;
};

CpuMark markCpu(std::vector<std::unique_ptr<net::EventLoop>>& loops) {
  CpuMark m;
  m.at = SystemClock::instance().now();
  m.process = processCpuSeconds();
  for (auto& loop : loops) {
    m.loops.push_back(onLoop(*loop, [] { return threadCpuSeconds(); }));
  }
  return m;
}

}  // namespace

LoadResult runLoad(const LoadgenConfig& config, std::ostream& progress) {
  const auto url = parseUrl(config.url);
  if (!url) {
    throw std::runtime_error("--url must look like http://host:port[/path], got " + config.url);
  }
  const auto bindAddress = SocketAddress::fromIp(config.bindIp, 0);
  if (!bindAddress) {
    throw std::runtime_error("--bind-ip must be an IP address, got " + config.bindIp);
  }
  if (config.consultations < 1 || config.loops < 1) {
    throw std::runtime_error("--consultations and --loops must be at least 1");
  }
  LoadResult result;
  result.config = config;
  const Clock& clock = SystemClock::instance();

  MediaSettings settings;
  settings.bindAddress = *bindAddress;
  // A full-ICE server (Janus) drops a ClientHello that arrives before its own check on the
  // pair succeeded; RFC 6347's 1 s first retransmission would then add a second to every
  // join. Browsers start lower (libwebrtc: 50 ms, doubling); so do we.
  dtls::DtlsConfig dtlsConfig;
  dtlsConfig.initialRetransmitTimeout = kDtlsInitialRetransmit;
  settings.identity = client::ClientIdentity::generate(dtlsConfig);
  settings.maxRtpPayload = config.packetSize;
  settings.kernelArrivalTimes = !config.loopReceiveTimes;
  if (config.simulcast) {
    settings.videoRids = {"q", "h", "f"};
  }
  settings.publisher.videoBitrateBps = config.videoBitrateBps;

  asio::io_context ioc;
  std::vector<std::unique_ptr<net::EventLoop>> loops;
  for (int i = 0; i < config.loops; ++i) {
    loops.push_back(std::make_unique<net::EventLoop>());
  }
  std::vector<Participant> participants;
  Threads threads{ioc, loops, {}, {}};
  auto work = asio::make_work_guard(ioc);
  threads.control = std::thread([&] { ioc.run(); });
  for (auto& loop : loops) {
    threads.media.emplace_back([l = loop.get()] { l->run(); });
  }

  // Setup, not timed: rooms (and medrtc tokens).
  std::vector<std::string> tokens;
  std::vector<uint64_t> janusRooms;
  if (config.target == Target::kMedrtc) {
    tokens = medrtcTokens(ioc, *url, config);
  } else {
    std::vector<std::string> bodies;
    const uint64_t base = 1'000'000 + randomU32() % 1'000'000'000;
    for (int c = 0; c < config.consultations; ++c) {
      janusRooms.push_back(base + static_cast<uint64_t>(c));
      bodies.push_back(videoRoomCreate("create-" + std::to_string(c), janusRooms.back(), config.videoBitrateBps * 2));
    }
    janusRoomRequests(ioc, *url, std::move(bodies));
  }
  progress << "loadgen: " << config.consultations << " consultation(s) set up on " << toString(config.target) << "\n";

  auto postControl = [&ioc](std::function<void()> task) { asio::post(ioc, std::move(task)); };
  for (int c = 0; c < config.consultations; ++c) {
    for (int who = 0; who < 2; ++who) {
      Participant p;
      p.name = "c" + std::to_string(c) + "-" + (who == 0 ? "a" : "b");
      p.consultation = c;
      p.loop = loops[participants.size() % loops.size()].get();
      auto media = onLoop(*p.loop, [&] { return ParticipantMedia::create(*p.loop, settings); });
      if (!media) {
        throw std::runtime_error(media.error());
      }
      p.media = std::move(*media);
      MediaLink link{p.loop, p.media.get(), postControl};
      if (config.target == Target::kMedrtc) {
        p.signaling = std::make_unique<MedrtcSignaling>(ioc, *url, tokens[participants.size()], link);
      } else {
        p.signaling = std::make_unique<JanusSignaling>(ioc, *url, janusRooms[static_cast<size_t>(c)], p.name, link);
      }
      participants.push_back(std::move(p));
    }
  }

  if (config.serverPid) {
    result.serverBaseline = sampleProcess(*config.serverPid);
  }

  // Ramp: consultation c starts at t0 + c × ramp / N.
  const auto t0 = std::chrono::steady_clock::now();
  for (int c = 0; c < config.consultations; ++c) {
    std::this_thread::sleep_until(t0 + std::chrono::duration<double>(config.rampSeconds * c / config.consultations));
    for (int who = 0; who < 2; ++who) {
      ParticipantSignaling* s = participants[static_cast<size_t>(2 * c + who)].signaling.get();
      asio::post(ioc, [s] { s->start(); });
    }
  }
  const auto joinDeadline =
      std::chrono::steady_clock::now() + std::chrono::duration<double>(config.joinTimeoutSeconds);
  for (;;) {
    const bool settled = std::all_of(participants.begin(), participants.end(), [](const Participant& p) {
      return p.media->receivingSince() != 0 || p.media->failed() || p.signaling->failed();
    });
    if (settled || std::chrono::steady_clock::now() > joinDeadline) {
      break;
    }
    std::this_thread::sleep_for(20ms);
  }
  const size_t joined = static_cast<size_t>(std::count_if(participants.begin(), participants.end(),
                                                          [](const Participant& p) { return p.media->receivingSince() != 0; }));
  progress << "loadgen: " << joined << "/" << participants.size() << " participants receiving after "
           << std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count()
           << " ms; measuring for " << config.durationSeconds << " s\n";
  for (Participant& p : participants) {
    if (p.media->receivingSince() == 0) {
      p.result.failure = "did not receive remote media within " + std::to_string(int(config.joinTimeoutSeconds)) + " s";
    }
  }

  // The measured window.
  if (config.serverPid) {
    result.serverStart = sampleProcess(*config.serverPid);
  }
  const CpuMark cpuStart = markCpu(loops);
  std::vector<ParticipantResult> atWindowStart(participants.size());
  for (auto& loop : loops) {
    onLoop(*loop, [&, l = loop.get()] {
      for (size_t i = 0; i < participants.size(); ++i) {
        if (participants[i].loop == l) {
          atWindowStart[i] = participants[i].media->snapshot(clock.now());
        }
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::duration<double>(config.durationSeconds));
  if (config.serverPid) {
    result.serverEnd = sampleProcess(*config.serverPid);
  }
  const CpuMark cpuEnd = markCpu(loops);
  result.windowSeconds = secondsBetween(cpuStart.at, cpuEnd.at);

  // Stop sending, let packets in flight arrive, count.
  for (auto& loop : loops) {
    onLoop(*loop, [&, l = loop.get()] {
      for (Participant& p : participants) {
        if (p.loop == l) {
          p.media->stopSending();
        }
      }
    });
  }
  const Micros stoppedAt = clock.now();
  std::this_thread::sleep_for(kDrain);
  for (auto& loop : loops) {
    onLoop(*loop, [&, l = loop.get()] {
      for (size_t i = 0; i < participants.size(); ++i) {
        Participant& p = participants[i];
        if (p.loop == l) {
          std::string failure = std::move(p.result.failure);
          p.result = windowDelta(p.media->snapshot(stoppedAt), atWindowStart[i]);
          if (p.result.failure.empty()) {
            p.result.failure = std::move(failure);
          }
        }
      }
    });
  }

  // Tear down: leave, then close the media on its own loop.
  for (Participant& p : participants) {
    asio::post(ioc, [s = p.signaling.get()] { s->leave(); });
  }
  std::this_thread::sleep_for(kLeaveGrace);
  if (config.target == Target::kJanus) {
    std::vector<std::string> bodies;
    for (uint64_t room : janusRooms) {
      bodies.push_back(videoRoomDestroy("destroy", room));
    }
    try {
      janusRoomRequests(ioc, *url, std::move(bodies));
    } catch (const std::exception& e) {
      progress << "loadgen: could not destroy the Janus rooms: " << e.what() << "\n";
    }
  }
  for (auto& loop : loops) {
    onLoop(*loop, [&, l = loop.get()] {
      for (Participant& p : participants) {
        if (p.loop == l) {
          p.media.reset();
        }
      }
    });
  }
  work.reset();
  threads.stop();

  // Assemble: a signaling failure explains more than what the media saw afterwards.
  for (Participant& p : participants) {
    ParticipantResult r = std::move(p.result);
    r.name = p.name;
    r.consultation = p.consultation;
    if (p.signaling->failed()) {
      r.failure = p.signaling->failure();
    }
    const int64_t origin = p.signaling->joinOrigin();
    if (r.failure.empty() && r.maxGapMs > kStallSeconds * 1000.0) {
      r.failure = "stopped receiving for " + std::to_string(static_cast<int>(r.maxGapMs)) + " ms";
    }
    if (origin != 0 && r.firstRemoteRtpAt.count() != 0) {
      r.joinMs = static_cast<double>(r.firstRemoteRtpAt.count() - origin) / 1000.0;
    }
    result.participants.push_back(std::move(r));
  }

  LoadgenCpu& cpu = result.loadgenCpu;
  cpu.cores = usableCores();
  cpu.processCpuSeconds = cpuEnd.process - cpuStart.process;
  cpu.processShareOfCores = result.windowSeconds > 0 ? cpu.processCpuSeconds / (result.windowSeconds * cpu.cores) : 0;
  for (size_t i = 0; i < cpuStart.loops.size(); ++i) {
    cpu.loopThreadShares.push_back(result.windowSeconds > 0 ? (cpuEnd.loops[i] - cpuStart.loops[i]) / result.windowSeconds
                                                            : 0);
  }
  cpu.saturated = isSaturated(cpu);
  return result;
}

}  // namespace medrtc::loadgen
