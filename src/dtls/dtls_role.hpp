#pragma once

namespace medrtc::dtls {

// Who sends the ClientHello. From SDP a=setup (RFC 5763 §5): "active" is the client,
// "passive" the server.
enum class DtlsRole { kServer, kClient };

}  // namespace medrtc::dtls
