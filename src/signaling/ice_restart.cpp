// restart_ice (docs/protocol.md "Recovery"): the client's ICE restart of one of its two
// connections to the server, as mediasoup's restartIce. Only the media plane knows the
// transports; the hub checks who may ask and passes the answer on.
#include <spdlog/spdlog.h>
#include "log/log.hpp"

#include "signaling/signaling_hub.hpp"

namespace medrtc::signaling {

void SignalingHub::handle(ConnectionId, Connection& c, RestartIceMessage& m) {
  // Waiting guests and P2P calls have no server transports yet; a join still in progress
  // has nothing to restart either.
  if (c.state != State::kJoined) {
    sendError(c, ErrorCode::kNotJoined, "join first", "restart_ice");
    return;
  }
  media_->restartIce(c.roomId, c.participantId, std::move(m.iceUfrag),
                     [this, pid = c.participantId](Result<sfu::IceRestart, sfu::MediaError> r) {
                       Connection* c = byParticipant(pid);
                       if (c == nullptr || c->state != State::kJoined) {
                         return;
                       }
                       if (!r) {
                         // A ufrag of someone else's transport gets the same answer as an
                         // unknown one: nothing tells the sender whether it exists.
                         log::info("ice_restart_refused", {{"room", c->roomId}, {"participant", pid},
                                                           {"code", toString(errorCodeFor(r.error()))}});
                         sendError(*c, errorCodeFor(r.error()), "no such transport of yours", "restart_ice");
                         return;
                       }
                       const bool publisher = r->connection == sfu::IceRestart::Connection::kPublisher;
                       c->socket->sendText(
                           iceRestartedMessage(publisher ? "publisher" : "subscriber", r->iceUfrag, r->icePwd));
                     });
}

}  // namespace medrtc::signaling
