#pragma once
// OpenSSL writes a flight as whole DTLS records, back to back, into a memory BIO, which
// loses datagram boundaries. This puts them back: records are packed into datagrams of at
// most `mtu` bytes and a record never spans two datagrams (RFC 6347 §4.1.1).
#include <algorithm>
#include <cstddef>

#include "common/bytes.hpp"

namespace medrtc::dtls {

inline constexpr size_t kDtlsRecordHeaderLength = 13;  // RFC 6347 §4.1

// Calls emit(datagram) for each datagram, as views into `records` (no copy). A record
// larger than mtu goes alone; a truncated tail (can't happen with OpenSSL output) goes as is.
template <typename Emit>
void packDtlsRecords(ByteView records, size_t mtu, Emit&& emit) {
  size_t start = 0;
  size_t pos = 0;
  while (pos < records.size()) {
    size_t recordLength = records.size() - pos;
    if (recordLength >= kDtlsRecordHeaderLength) {
      size_t bodyLength = readU16(records.data() + pos + 11);
      recordLength = std::min(recordLength, kDtlsRecordHeaderLength + bodyLength);
    }
    if (pos > start && pos + recordLength - start > mtu) {
      emit(records.subspan(start, pos - start));
      start = pos;
    }
    pos += recordLength;
  }
  if (pos > start) {
    emit(records.subspan(start, pos - start));
  }
}

}  // namespace medrtc::dtls
