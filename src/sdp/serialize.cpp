#include "sdp/serialize.hpp"

namespace medrtc::sdp {

namespace {

class Writer {
 public:
  // One line: parts are concatenated, then CRLF.
  template <typename... Parts>
  void line(const Parts&... parts) {
    (out_.append(toText(parts)), ...);
    out_ += "\r\n";
  }
  std::string take() { return std::move(out_); }

 private:
  static std::string_view toText(std::string_view s) { return s; }
  static std::string_view toText(const std::string& s) { return s; }
  static std::string_view toText(const char* s) { return s; }
  std::string out_;
};

std::string join(const std::vector<std::string>& items, char sep) {
  std::string out;
  for (const std::string& s : items) {
    if (!out.empty()) {
      out += sep;
    }
    out += s;
  }
  return out;
}

std::string simulcastList(const std::vector<std::vector<std::string>>& streams) {
  std::vector<std::string> parts;
  parts.reserve(streams.size());
  for (const auto& alternatives : streams) {
    parts.push_back(join(alternatives, ','));
  }
  return join(parts, ';');
}

void writeTransport(Writer& w, const std::string& ufrag, const std::string& pwd,
                    const std::string& options, const std::vector<Fingerprint>& fingerprints,
                    const std::optional<SetupRole>& setup) {
  if (!ufrag.empty()) {
    w.line("a=ice-ufrag:", ufrag);
  }
  if (!pwd.empty()) {
    w.line("a=ice-pwd:", pwd);
  }
  if (!options.empty()) {
    w.line("a=ice-options:", options);
  }
  for (const Fingerprint& f : fingerprints) {
    w.line("a=fingerprint:", f.algorithm, " ", f.value);
  }
  if (setup) {
    w.line("a=setup:", toString(*setup));
  }
}

void writeCodec(Writer& w, const Codec& c) {
  if (!c.name.empty()) {
    if (c.channels != 0) {
      w.line("a=rtpmap:", std::to_string(c.payloadType), " ", c.name, "/",
             std::to_string(c.clockRate), "/", std::to_string(c.channels));
    } else {
      w.line("a=rtpmap:", std::to_string(c.payloadType), " ", c.name, "/",
             std::to_string(c.clockRate));
    }
  }
  for (const std::string& fb : c.rtcpFeedback) {
    w.line("a=rtcp-fb:", std::to_string(c.payloadType), " ", fb);
  }
  if (!c.fmtp.empty()) {
    w.line("a=fmtp:", std::to_string(c.payloadType), " ", c.fmtp);
  }
}

void writeMedia(Writer& w, const MediaSection& m) {
  std::string mline = "m=" + m.kind + " " + std::to_string(m.port) + " " + m.protocol;
  for (const std::string& f : m.formats) {
    mline += " " + f;
  }
  w.line(mline);
  if (m.connection) {
    w.line("c=IN ", m.connection->addressType, " ", m.connection->address);
  }
  for (const std::string& b : m.bandwidths) {
    w.line("b=", b);
  }
  for (const CandidateLine& c : m.candidates) {
    w.line("a=candidate:", c.value);
  }
  if (m.endOfCandidates) {
    w.line("a=end-of-candidates");
  }
  writeTransport(w, m.iceUfrag, m.icePwd, m.iceOptions, m.fingerprints, m.setup);
  if (!m.mid.empty()) {
    w.line("a=mid:", m.mid);
  }
  if (m.extmapAllowMixed) {
    w.line("a=extmap-allow-mixed");
  }
  for (const ExtMap& e : m.extensions) {
    std::string entry = std::to_string(e.id);
    if (e.direction) {
      entry += "/";
      entry += toString(*e.direction);
    }
    if (e.attributes.empty()) {
      w.line("a=extmap:", entry, " ", e.uri);
    } else {
      w.line("a=extmap:", entry, " ", e.uri, " ", e.attributes);
    }
  }
  if (m.direction) {
    w.line("a=", toString(*m.direction));
  }
  if (m.msid) {
    if (m.msid->second.empty()) {
      w.line("a=msid:", m.msid->first);
    } else {
      w.line("a=msid:", m.msid->first, " ", m.msid->second);
    }
  }
  if (m.rtcpMux) {
    w.line("a=rtcp-mux");
  }
  if (m.rtcpRsize) {
    w.line("a=rtcp-rsize");
  }
  for (const Codec& c : m.codecs) {
    writeCodec(w, c);
  }
  for (const SsrcGroup& g : m.ssrcGroups) {
    std::string ids;
    for (uint32_t s : g.ssrcs) {
      ids += " " + std::to_string(s);
    }
    w.line("a=ssrc-group:", g.semantics, ids);
  }
  for (const SsrcInfo& s : m.ssrcs) {
    std::string id = std::to_string(s.ssrc);
    if (!s.cname.empty()) {
      w.line("a=ssrc:", id, " cname:", s.cname);
    }
    if (!s.msid.empty()) {
      w.line("a=ssrc:", id, " msid:", s.msid);
    }
    for (const auto& [name, value] : s.otherAttributes) {
      if (value.empty()) {
        w.line("a=ssrc:", id, " ", name);
      } else {
        w.line("a=ssrc:", id, " ", name, ":", value);
      }
    }
  }
  for (const Rid& r : m.rids) {
    if (r.params.empty()) {
      w.line("a=rid:", r.id, " ", r.direction);
    } else {
      w.line("a=rid:", r.id, " ", r.direction, " ", r.params);
    }
  }
  if (m.simulcast) {
    std::string value;
    if (!m.simulcast->send.empty()) {
      value = "send " + simulcastList(m.simulcast->send);
    }
    if (!m.simulcast->recv.empty()) {
      value += value.empty() ? "" : " ";
      value += "recv " + simulcastList(m.simulcast->recv);
    }
    if (!value.empty()) {
      w.line("a=simulcast:", value);
    }
  }
  if (m.sctpPort) {
    w.line("a=sctp-port:", std::to_string(*m.sctpPort));
  }
  if (m.maxMessageSize) {
    w.line("a=max-message-size:", std::to_string(*m.maxMessageSize));
  }
  for (const std::string& a : m.otherAttributes) {
    w.line("a=", a);
  }
}

}  // namespace

std::string serialize(const SessionDescription& sdp) {
  Writer w;
  w.line("v=0");
  w.line("o=", sdp.originUsername, " ", sdp.sessionId, " ", std::to_string(sdp.sessionVersion),
         " IN ", sdp.originAddressType, " ", sdp.originAddress);
  w.line("s=", sdp.sessionName);
  if (sdp.connection) {
    w.line("c=IN ", sdp.connection->addressType, " ", sdp.connection->address);
  }
  for (const std::string& b : sdp.bandwidths) {
    w.line("b=", b);
  }
  w.line("t=0 0");  // RFC 8829 §5.2.1: unbounded session
  if (sdp.iceLite) {
    w.line("a=ice-lite");
  }
  writeTransport(w, sdp.iceUfrag, sdp.icePwd, sdp.iceOptions, sdp.fingerprints, sdp.setup);
  for (const Group& g : sdp.groups) {
    std::string mids;
    for (const std::string& mid : g.mids) {
      mids += " " + mid;
    }
    w.line("a=group:", g.semantics, mids);
  }
  if (sdp.extmapAllowMixed) {
    w.line("a=extmap-allow-mixed");
  }
  if (!sdp.msidSemantic.empty()) {
    w.line("a=msid-semantic: ", sdp.msidSemantic);  // Chrome's spelling
  }
  if (sdp.direction) {
    w.line("a=", toString(*sdp.direction));
  }
  for (const std::string& a : sdp.otherAttributes) {
    w.line("a=", a);
  }
  for (const MediaSection& m : sdp.media) {
    writeMedia(w, m);
  }
  return w.take();
}

}  // namespace medrtc::sdp
