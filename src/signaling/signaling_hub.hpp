#pragma once
// The WebSocket signaling protocol (docs/protocol.md) as a state machine over plain
// sockets: who is connected, who joined which room, and what each message does. The
// Beast WebSocket session (websocket_session.cpp) only moves frames and timers; every
// protocol decision is here, on the control thread.
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "clinic/admission.hpp"
#include "common/clock.hpp"
#include "compliance/audit_sink.hpp"
#include "signaling/call_quality_board.hpp"
#include "signaling/quality_history.hpp"
#include "sfu/media_api.hpp"
#include "signaling/join_check.hpp"
#include "signaling/join_token.hpp"
#include "signaling/key_replay_window.hpp"
#include "signaling/message_budget.hpp"
#include "signaling/participant_limits.hpp"
#include "signaling/pending_joins.hpp"
#include "signaling/message/client_message.hpp"
#include "signaling/message/error_code.hpp"
#include "signaling/message/server_message.hpp"
#include "store/store.hpp"
#include "store/store_pool.hpp"
#include "webhooks/webhook_sink.hpp"

namespace medrtc::clinic {
class RefusalAudit;
}

namespace medrtc::signaling {

class HeldSocket;

// One client's WebSocket, as the hub drives it.
class PeerSocket {
 public:
  virtual ~PeerSocket() = default;
  // Queues one text frame.
  virtual void sendText(std::string text) = 0;
  // Sends the queued frames, then a close frame with `code` (RFC 6455 §7.4). The socket
  // then reports onDisconnected when the TCP connection is gone.
  virtual void close(uint16_t code, std::string_view reason) = 0;
  // After close(): cuts the TCP connection as soon as the close frame is out, without
  // waiting for the peer's close frame (RFC 6455 §7.1.7, failing the connection). A socket
  // displaced for a newer one must not hold its descriptor through a closing handshake its
  // peer may never answer: a flood of unjoined upgrades would otherwise keep up to 5 s of
  // displaced sockets open and exhaust the descriptors (issue 10 item 5).
  virtual void cutAfterClose() {}
};

// RFC 6455 §7.4.1.
inline constexpr uint16_t kCloseNormal = 1000;
inline constexpr uint16_t kCloseGoingAway = 1001;
// RFC 6455 1011: the participant's media failed; the client rejoins (not fatal, unlike 4xxx).
inline constexpr uint16_t kCloseMediaFailed = 1011;
// RFC 6455 1013 (Try Again Later): a join the store could not serve now (pool full, store
// error) gets `internal` and this close, so the client reconnects with its backoff instead
// of waiting on a socket nobody will answer (docs/protocol.md "Error codes").
inline constexpr uint16_t kCloseTryAgainLater = 1013;
// Private use (RFC 6455 §7.4.2), from the client: it gives up on this socket and resumes
// on a new one (docs/protocol.md "Recovery"), so it is not a leave.
inline constexpr uint16_t kCloseResuming = 4000;

struct LiveParticipant {
  ParticipantView view;
  int64_t joinedAt = 0;  // Unix seconds
};

class SignalingHub final : public sfu::MediaEvents {
 public:
  using ConnectionId = uint64_t;
  // What one client may cost (docs/security.md "Limits"): messages per socket (a burst
  // covers a join's ICE candidates and a key change to a full room), and joins per room
  // and identity (a reconnect loop with one token).
  static constexpr double kMessagesPerSecond = 50;
  static constexpr double kMessageBurst = 200;
  static constexpr double kJoinsPerSecond = 1.0 / 6;  // 10 a minute
  static constexpr double kJoinBurst = 10;

  SignalingHub(store::Store& store, const JoinTokenSigner& tokens, const Clock& clock);
  ~SignalingHub() override;

  // The media plane is built after the hub (it needs the hub as its MediaEvents).
  void setMedia(sfu::MediaApi* media) { media_ = media; }
  // Where admit, deny, removal, end and refused host-only requests are recorded (none when
  // unset). docs/consultation-api.md "Audit".
  void setAudit(compliance::AuditSink* audit) {
    audit_ = audit;
    admission_.setAudit(audit);
  }
  // The policy profiles governing each tenant: whether third participants wait (K12).
  void setTenantProfiles(clinic::TenantProfileLookup profiles) { admission_.setProfiles(std::move(profiles)); }
  // Refused host-only requests are audited once per participant per window through this
  // (issue 10 item 6); unset: each one is recorded. Not owned; outlives the hub.
  void setRefusalAudit(clinic::RefusalAudit* refusals) { refusals_ = refusals; }
  // TURN servers handed to each participant in `joined` (none when unset).
  void setIceServers(IceServerProvider provider) { iceServers_ = std::move(provider); }
  // The node's profile prefers peer-to-peer media for 1:1 calls (docs/p2p.md).
  void setP2pPreferred(bool on) { p2pPreferred_ = on; }
  void setParticipantLimits(ParticipantLimits limits) { limits_ = limits; }
  // How long after an appointment's end its tokens still join (clinic::AppointmentPolicy).
  void setAppointmentGrace(int64_t seconds) { appointmentGraceSeconds_ = seconds; }
  // Where room and participant events go as webhooks (webhook_events.cpp); none when unset.
  // Not owned; outlives the hub.
  void setWebhooks(webhooks::WebhookSink* sink) { webhooks_ = sink; }
  // Where the call-quality samples go to be kept after the room ends (quality_history.hpp);
  // none when unset. Not owned; outlives the hub.
  void setQualityHistory(QualityHistory* history) { history_ = history; }
  // The call-quality figures of one participant fell below the alert line: a
  // `quality_alert` webhook with loss (0..1), RTT (ms) and score (0..5). For the quality
  // monitor on the control thread; unknown participants are ignored, and a participant
  // gets at most one alert a minute (a flapping link must not flood the receiver).
  void qualityAlert(const std::string& participantId, const webhooks::QualityFigures& figures);

  // Transport events, from the WebSocket session. `limitKey`: the client's address as the
  // connection limits count it ("" : none), for the cap on sockets that have not joined.
  ConnectionId connect(std::shared_ptr<PeerSocket> socket, const std::string& limitKey = "");
  // Caps on sockets that have not sent `join` yet (pending_joins.hpp).
  void setPendingJoinLimits(PendingJoinLimits limits) { pendingJoins_.setLimits(limits); }
  size_t pendingJoinCount() const { return pendingJoins_.size(); }
  void onText(ConnectionId id, std::string_view text);
  void onTooLarge(ConnectionId id);
  void onJoinTimeout(ConnectionId id);
  // The socket is gone (close handshake done, TCP reset/EOF, or idle timeout). Always the
  // last event of a connection. A participant (joined or waiting) whose socket dropped
  // without `leave` is kept for kResumeGrace: its client may `resume` (session_resume.cpp).
  void onDisconnected(ConnectionId id, std::string_view why);
  // docs/protocol.md "Recovery": how long a dropped participant waits for its client to
  // resume before it leaves for good (the others then get participant_left).
  static constexpr std::chrono::seconds kResumeGrace{30};
  // Lets go of participants whose grace has passed, and forgets old resume tokens. The
  // server calls it every second (timer); the hub's clock decides.
  void expireGrace();

  // REST: live participants of a room; ending a room for everyone.
  std::vector<LiveParticipant> participants(const std::string& roomId) const;
  // Guests connected and waiting for a host's admit.
  size_t waitingCount(const std::string& roomId) const;
  // `by`: the host's participant id when a host ended it (the consultation_ended webhook).
  // `announce` false: the room had already ended (a repeated DELETE or cancel, another
  // node ended it): whoever is still connected is sent away, each with participant_left
  // and room_finished once they are all gone, but consultation_ended is not sent again.
  void endRoom(const std::string& roomId, std::string_view reason, const std::string& by = "",
               bool announce = true);
  // The state behind a room's tokens changed (an invitation revoked, a reschedule): every
  // participant, waiting or in the call, is checked again and dismissed when refused.
  void recheckRoom(const std::string& roomId);
  // A sign-in session ended: the host tokens it minted stop working, live ones leave.
  void sessionEnded(const std::string& sessionHash);
  // The sessions behind the present participants' tokens, read again (the server calls it
  // every few seconds): one ended behind this process's back — `medrtc admin
  // erase-subject` (erasure signs the person out everywhere), a sign-out on another node,
  // its absolute limit — ends their part at once, as sessionEnded does. Reads on the store
  // pool when one is set; a store fault keeps everyone and the next call tries again.
  void recheckSessions();
  // Where store reads that can wait run (store/store_pool.hpp); inline when unset. Not
  // owned; outlives the hub.
  void setStorePool(store::StorePool* pool) { storePool_ = pool; }
  // Shutdown: ends every live room and closes every socket.
  void closeAll();
  // Graceful drain (SIGTERM): from now on a join starts no new call. A join to a room
  // with someone already in it (joined or waiting) still works, so a patient whose
  // network dropped gets back into the running call; any other is refused with
  // `server_draining` and the socket closed "going away", so the client retries later.
  void startDraining() { draining_ = true; }
  bool draining() const { return draining_; }
  // True when someone is in the room (joining, joined or in its waiting room).
  bool roomLive(const std::string& roomId) const;
  // Rooms with someone in them: the drain ends when this reaches 0.
  size_t liveRoomCount() const;

  size_t connectionCount() const { return connections_.size(); }
  // /metrics: rooms with anyone in the call, participants in calls, guests waiting.
  struct Counts {
    size_t rooms = 0;
    size_t participants = 0;
    size_t waiting = 0;
  };
  Counts counts() const;

  // sfu::MediaEvents
  void onSubscribeOffer(const std::string& roomId, const std::string& participantId, uint32_t version,
                        std::string sdp) override;
  void onMediaFailed(const std::string& roomId, const std::string& participantId, std::string reason) override;
  // codec_unsupported to the subscriber (codec_events.cpp).
  void onCodecUnsupported(const std::string& roomId, const std::string& participantId, const std::string& publisherId,
                          const std::string& kind, const std::string& codec) override;
  // Call quality (call_quality_events.cpp): `active_speaker` to the room, `network_quality`
  // to its hosts, and the samples the admin dashboard charts.
  void onActiveSpeaker(const std::string& roomId, const std::string& participantId) override;
  void onQualityReport(const std::string& roomId, std::vector<sfu::ParticipantQuality> figures) override;
  const CallQualityBoard& qualityBoard() const { return quality_; }

  // The admin dashboard (issue 15 item 6, live_consultations.cpp): the tenant's rooms with
  // anyone in the call or waiting. Ids, counts and times only: no names.
  struct LiveConsultation {
    std::string roomId;
    int64_t startedAt = 0;        // Unix seconds: the earliest join of those in the call (0: nobody yet)
    size_t participants = 0;      // joining or in the call
    std::vector<int64_t> waitingSince;  // Unix seconds, one per waiting guest, longest first
  };
  std::vector<LiveConsultation> liveConsultations(const std::string& tenantId) const;
  // True when the tenant has someone in room `roomId` now (a room of another tenant is
  // as unknown as a room that does not exist).
  bool tenantRoomLive(const std::string& tenantId, const std::string& roomId) const;

 private:
  // kWaiting: in a room's waiting room — no media, no room information (K3).
  enum class State { kAwaitingJoin, kWaiting, kJoining, kJoined, kClosed };
  struct Connection {
    std::shared_ptr<PeerSocket> socket;
    State state = State::kAwaitingJoin;
    std::string roomId;
    std::string participantId;
    JoinClaims claims;
    bool audioMuted = false;
    bool videoMuted = false;
    int64_t joinedAt = 0;
    std::string tenantId;       // the room's tenant ("" for node-operator rooms)
    std::string guestId;        // the stored admission record (waiting-room rooms)
    int64_t waitingSince = 0;   // Unix seconds
    size_t sentPosition = 0;    // the last `waiting.position` sent (0: none yet)
    bool waitingRoomRoom = false;  // the room has a waiting room (hosts get the queue)
    // A subscribe offer that arrived before `joined` was sent; only the newest counts.
    std::optional<std::pair<uint32_t, std::string>> pendingOffer;
    // codec_unsupported messages raised while joining (announced decoders), sent after `joined`.
    std::vector<std::string> pendingCodecNotices;
    // docs/p2p.md: the join announced "p2p"; the mode and peer this client was last told.
    bool p2pCapable = false;
    // join.decoders (docs/protocol.md): what the browser can receive, typed; none when the
    // join had none or a malformed one. Given to the media plane with the participant.
    std::optional<sfu::ReceiveCapabilities> decoders;
    bool tenantPrefersP2p = false;  // K7: the room's tenant's own profile prefers P2P 1:1
    std::string mediaMode;  // "" (never told: not capable or not preferred), "sfu", "p2p"
    std::string p2pPeer;    // the participant id of the P2P peer, "" while alone
    Micros mediaRequestedAt{0};  // startMedia(): the join latency /metrics shows starts here
    // Session resume (session_resume.cpp). `resumeToken`: the one the client may resume with
    // (empty until `joined` or the first `waiting`). `held`: set while the socket is gone
    // and the participant waits for its client until `graceEnds`.
    std::string resumeToken;
    std::shared_ptr<HeldSocket> held;
    Micros graceEnds{0};
    // The newest subscribe offer and the newest version answered: a resumed client gets an
    // unanswered offer again (the old socket may have swallowed it or its answer).
    uint32_t offeredVersion = 0;
    std::string offeredSdp;
    uint32_t answeredVersion = 0;
    bool offeredWhileHeld = false;  // that offer is among the held frames already
    // End-to-end encryption (e2ee_relay.cpp, docs/e2ee.md). `e2eeRoom`: the room's profile
    // requires E2EE (decided at join, like the P2P preference). `e2eePublicKey`: the last
    // one the participant sent (base64url), relayed to the others and in participant objects.
    bool e2eeCapable = false;
    bool e2eeRoom = false;
    std::string e2eePublicKey;
    KeyReplayWindow sentKeys;
    // What this client may send (docs/security.md "Limits"): checked before parsing.
    MessageBudget messages{kMessagesPerSecond, kMessageBurst};
    Micros lastRateLimitedError{0};  // one `rate_limited` error per second, not one per frame
    // Its join event was handed to the audit and its outcome has not come back: a leave
    // meanwhile is audited only once the join is known durable (auditLeave).
    bool joinBeingRecorded = false;
    // Its `join` is being checked against the store on the store pool (join_gate.cpp): a
    // second join or a resume meanwhile is refused, and the join timer does not fire.
    bool joinChecking = false;
  };
  // What a join reads from the store before anything changes (join_gate.cpp).
  struct JoinReading {
    std::optional<store::RoomRecord> room;
    std::optional<JoinRefusal> refusal;
    std::optional<store::TenantRecord> tenant;  // the room's (its P2P preference, K7)
    std::string error;                          // a store fault: the join did not happen
  };

  void handle(ConnectionId id, Connection& c, JoinMessage& m);
  // The store reads of a join, on the store pool when one is set; then continueJoin.
  // A join within the identity's join budget (same room and identity: reconnect loops
  // would otherwise cost an audited join and leave each). False: refused and closed.
  bool withinJoinBudget(Connection& c, const JoinClaims& claims);
  // The codec_unsupported notices that came while it was joining (codec_events.cpp).
  void sendPendingCodecNotices(Connection& c);
  void checkJoin(ConnectionId id, Connection& c, JoinClaims claims, bool p2pCapable, bool e2eeCapable);
  static JoinReading readJoinState(store::Store& store, const JoinClaims& claims, int64_t now, int64_t grace);
  // The rest of a join once its reads are back: the refusals, the caps, then admission.
  void continueJoin(ConnectionId id, Connection& c, JoinClaims& claims, bool p2pCapable, bool e2eeCapable,
                    JoinReading& read);
  // Session resume (session_resume.cpp).
  void handle(ConnectionId id, Connection& c, ResumeMessage& m);
  // The socket of a participant dropped: hold it for kResumeGrace. False when it is not
  // someone who can resume (then it leaves as before).
  bool holdForResume(Connection& c, std::string_view why);
  // Moves the participant of connection `from` onto the socket of `to` (a good resume).
  void takeOver(ConnectionId from, ConnectionId to);
  // A fresh resume token for `c`; its previous one is remembered as used.
  const std::string& rotateResumeToken(ConnectionId id, Connection& c);
  void retireResumeToken(Connection& c, bool used);
  void handle(ConnectionId id, Connection& c, PublishOfferMessage& m);
  void handle(ConnectionId id, Connection& c, SubscribeAnswerMessage& m);
  void handle(ConnectionId id, Connection& c, TrackStateMessage& m);
  void handle(ConnectionId id, Connection& c, LeaveMessage& m);
  void handle(ConnectionId id, Connection& c, PingMessage& m);
  // Consultation (consultation_controls.cpp).
  void handle(ConnectionId id, Connection& c, AdmitMessage& m);
  void handle(ConnectionId id, Connection& c, DenyMessage& m);
  void handle(ConnectionId id, Connection& c, MuteParticipantMessage& m);
  void handle(ConnectionId id, Connection& c, RemoveParticipantMessage& m);
  void handle(ConnectionId id, Connection& c, EndConsultationMessage& m);
  void handle(ConnectionId id, Connection& c, ChatMessage& m);
  // Peer-to-peer 1:1 (media_mode.cpp, docs/p2p.md).
  void handle(ConnectionId id, Connection& c, P2pSignalMessage& m);
  void handle(ConnectionId id, Connection& c, P2pFailedMessage& m);
  // ICE restart of one of the participant's transports (ice_restart.cpp).
  void handle(ConnectionId id, Connection& c, RestartIceMessage& m);
  // End-to-end encryption relays (e2ee_relay.cpp, docs/e2ee.md).
  void handle(ConnectionId id, Connection& c, E2eePublicKeyMessage& m);
  void handle(ConnectionId id, Connection& c, E2eeKeyMessage& m);
  // Chat in an E2EE room (e2ee_relay.cpp): ciphertext only, never clear text.
  void relayEncryptedChat(Connection& c, ChatMessage& m);
  // The mode the room's joined participants should use now: "p2p" or "sfu" ("" when the
  // node does not prefer P2P). Marks the room as fallen back when it leaves P2P.
  std::string decideMediaMode(const std::string& roomId);
  // Tells each capable joined participant its mode and peer when they changed.
  void updateMediaMode(const std::string& roomId);
  // Sends a verified join where clinic::Admission says: straight to media, the waiting room,
  // or out (a denied or removed guest). Store faults throw StoreFailure.
  void admitOrQueue(ConnectionId id, Connection& c, const store::RoomRecord& room);
  // Join-time checks (join_gate.cpp): the current state behind the token, and the caps.
  std::optional<JoinRefusal> capacityRefusal(const store::RoomRecord& room) const;
  void refuseJoin(Connection& c, const JoinRefusal& refusal, const std::string& roomId);
  // Before an admit: the waiting guest's token state again. True (host told, guest
  // dismissed) when it may no longer enter.
  bool refuseAdmission(Connection& host, Connection& guest);
  // Closes a participant refused by checkJoinState with the matching message.
  void dismissRefused(Connection& c, const JoinRefusal& refusal);
  void startMedia(ConnectionId id, Connection& c);
  void enterQueue(ConnectionId id, Connection& c);
  void leaveQueue(Connection& c);
  // A waiting guest leaves for good (`leave`, or away past the resume grace): its stored
  // place in line is given up, so it queues at the end when it comes back.
  void forgetQueuePlace(Connection& c);
  // Sends changed positions to the waiting and the queue to the room's hosts.
  void queueChanged(const std::string& roomId);
  void sendQueue(Connection& host);
  bool isHost(const Connection& c) const;
  // `forbidden` to a non-host (audited as a security alert). True when refused.
  bool refuseUnlessHost(Connection& c, std::string_view requestType, const std::string& target);
  // A host-only action's target in the host's room (waiting or in the call); null after
  // sending the error.
  Connection* targetOf(Connection& host, const std::string& participantId, std::string_view requestType);
  // A host's decision as clinic::Admission reported it (maybe after its audit event was
  // written; the host may have left by then: null). On failure (nothing changed) the host
  // gets `internal`, when another host decided first `already_admitted`; true otherwise.
  bool decisionStands(Connection* host, std::string_view requestType, const clinic::Decided& d);
  static clinic::Party partyOf(const Connection& c) { return {c.roomId, c.claims.identity, c.claims.role}; }
  // Closes a participant for good with a `denied`/`removed` message and close code.
  void dismiss(Connection& c, ErrorCode code, const std::string& text);
  static clinic::AuditFacts actionFacts(const Connection& actor, std::string_view what,
                                        compliance::AuditOutcome outcome, const std::string& target, bool alert);
  // Audits without waiting for the disk; a failed write is logged (nothing to undo).
  void auditAction(const Connection& actor, std::string_view what, compliance::AuditOutcome outcome,
                   const std::string& target, bool alert);
  // The rest of a join once the media plane added the participant and its join event is
  // durable: `joined` to it, `participant_joined` to the others.
  void completeJoin(const std::string& participantId, Connection& c);
  Connection* byIdentity(const std::string& roomId, const std::string& identity);
  void onAdded(const std::string& participantId, Result<Ok, sfu::MediaError> result);

  void sendError(Connection& c, ErrorCode code, std::string_view message, std::string_view requestType = {});
  // Sends a fatal error, closes the socket with 4000+n and drops the participant.
  void failConnection(Connection& c, ErrorCode code, std::string_view message);
  // Takes the connection out of its room (media, maps, participant_left to the others).
  void removeFromRoom(Connection& c, std::string_view reason);
  // The leave that pairs with an audited join (issue 10 item 4): written now for a joined
  // participant; for one whose join event is still being written, kept until that
  // event's outcome (written if the join became durable, dropped if it failed).
  void auditLeave(const Connection& c, std::string_view reason);
  void broadcast(const std::string& roomId, const std::string& exceptParticipant, const std::string& text);
  Connection* byParticipant(const std::string& participantId);
  ParticipantView viewOf(const Connection& c) const;
  int64_t nowSeconds() const;
  // Webhooks (webhook_events.cpp): an event about participant `c`, and one about a room.
  void emitParticipantEvent(webhooks::EventType type, const Connection& c, const std::string& by = "",
                            std::string_view reason = {});
  // The event about `c`, built now and emitted later with emitEvent: a host's decision is
  // announced once it is durable, even if the guest has gone by then.
  webhooks::Event participantEvent(webhooks::EventType type, const Connection& c, const std::string& by = "",
                                   std::string_view reason = {}) const;
  void emitEvent(webhooks::Event e);
  // The waiting connection of stored guest `guestId` in `roomId` (a guest that reconnected
  // while a host's decision about it was being recorded has a new participant id).
  Connection* waitingGuest(const std::string& roomId, const std::string& guestId);
  // Sends `c` its room's current active speaker, if one was named (call_quality_events.cpp).
  void tellActiveSpeaker(Connection& c);
  void emitRoomEvent(webhooks::EventType type, const std::string& roomId, const std::string& tenantId,
                     const std::string& by = "", std::string_view reason = {});
  // True while someone of the room is in the call (kJoined).
  bool anyoneJoined(const std::string& roomId) const;

  store::Store& store_;
  const JoinTokenSigner& tokens_;
  const Clock& clock_;
  sfu::MediaApi* media_ = nullptr;
  compliance::AuditSink* audit_ = nullptr;
  // The stored admission state and the host's decisions on it (clinic/admission.hpp).
  clinic::Admission admission_;
  clinic::RefusalAudit* refusals_ = nullptr;
  IceServerProvider iceServers_;
  bool p2pPreferred_ = false;
  ParticipantLimits limits_;
  int64_t appointmentGraceSeconds_ = 30 * 60;
  bool draining_ = false;
  // room id + identity → its join budget (withinJoinBudget); idle entries are pruned.
  std::unordered_map<std::string, MessageBudget> joinBudgets_;
  store::StorePool* storePool_ = nullptr;
  bool sessionRecheckRunning_ = false;  // one recheckSessions round at a time
  webhooks::WebhookSink* webhooks_ = nullptr;
  QualityHistory* history_ = nullptr;
  // participant id → when its last quality_alert went out (monotonic).
  std::unordered_map<std::string, Micros> lastQualityAlert_;
  // Rooms that left P2P (a third participant, a client without P2P, or p2p_failed): they
  // stay on the SFU while anyone is in them, so a call never flaps between the two.
  std::unordered_set<std::string> sfuRooms_;
  // Rooms whose end_consultation is being recorded: a second end (a double click, two
  // hosts) is refused instead of ending, auditing and announcing it twice.
  std::unordered_set<std::string> endingRooms_;
  // Room id → its current active speaker (the media plane announces only changes): told to
  // whoever joins later, so a late joiner highlights the same tile as everyone else.
  std::unordered_map<std::string, std::string> activeSpeakers_;
  // Stored guests whose admit is stored but not yet durable in the audit log: one that
  // reconnects meanwhile waits in the queue rather than entering on an admission that may
  // still be undone (fail closed, clinic::Admission).
  std::unordered_set<std::string> admittingGuests_;
  // Participant id → the leave event of a participant that left while its join event was
  // being written (auditLeave); the join's completion writes or drops it.
  std::unordered_map<std::string, clinic::AuditFacts> leavesAfterJoin_;
  // Sockets that have not sent `join` or `resume` yet, with their caps.
  PendingJoins pendingJoins_;
  ConnectionId nextId_ = 1;
  std::unordered_map<ConnectionId, Connection> connections_;
  // room id → participant id → connection (joining or joined participants).
  std::unordered_map<std::string, std::map<std::string, ConnectionId>> rooms_;
  std::unordered_map<std::string, ConnectionId> participants_;
  // room id → waiting connections, first come first served.
  std::unordered_map<std::string, std::vector<ConnectionId>> queues_;
  // Live resume tokens → their connection; and recently retired ones (used by a resume, or
  // whose grace passed) with when, so a replayed or late token gets a precise error.
  std::unordered_map<std::string, ConnectionId> resumeTokens_;
  struct RetiredToken {
    bool used = false;  // false: expired
    Micros at{0};
  };
  std::unordered_map<std::string, RetiredToken> retiredTokens_;
  CallQualityBoard quality_;
};

ErrorCode errorCodeFor(sfu::MediaError e);

}  // namespace medrtc::signaling
