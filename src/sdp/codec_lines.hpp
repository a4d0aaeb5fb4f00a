#pragma once
// Turns a media section's rtpmap/fmtp/rtcp-fb lines into its Codec list (internal to the
// parser). The lines are collected first and assembled when the section ends, because they
// may come in any order relative to each other (Firefox writes every fmtp before any rtpmap).
#include <cstddef>
#include <optional>
#include <string_view>
#include <vector>

#include "sdp/sdp_error.hpp"
#include "sdp/session_description.hpp"

namespace medrtc::sdp {

struct CodecLine {
  std::string_view pt;  // digits, or "*" for rtcp-fb
  std::string_view rest;
  size_t line;
};

struct CodecLines {
  size_t line = 0;  // the m= line
  std::vector<CodecLine> rtpmaps;
  std::vector<CodecLine> fmtps;
  std::vector<CodecLine> rtcpFbs;
};

// One Codec per m= line format, in order. rtpmap/fmtp/rtcp-fb lines for payload types the
// m= line does not list are dropped, as browsers do: apps that reorder codecs by editing only
// the m= line leave them behind.
std::optional<ParseFailure> assembleCodecs(MediaSection& media, const CodecLines& lines);

}  // namespace medrtc::sdp
