// The small pure pieces: RFC 7983 demux, key splitting, record packing.
#include <gtest/gtest.h>

#include <numeric>
#include <vector>

#include "dtls/dtls_demux.hpp"
#include "dtls/dtls_record_packer.hpp"
#include "dtls/srtp_key_material.hpp"

namespace medrtc::dtls {
namespace {

TEST(DtlsDemux, FirstByteTwentyToSixtyThreeIsDtls) {
  std::vector<uint8_t> d{0};
  for (int b : {0, 1, 3, 19, 64, 127, 128, 191, 255}) {
    d[0] = static_cast<uint8_t>(b);
    EXPECT_FALSE(looksLikeDtls(d)) << b;
  }
  for (int b : {20, 22, 23, 63}) {
    d[0] = static_cast<uint8_t>(b);
    EXPECT_TRUE(looksLikeDtls(d)) << b;
  }
  EXPECT_FALSE(looksLikeDtls({}));
}

std::vector<uint8_t> counting(size_t n) {
  std::vector<uint8_t> v(n);
  std::iota(v.begin(), v.end(), uint8_t{0});
  return v;
}

TEST(SrtpKeyMaterial, SplitsRfc5764LayoutForSha1_80) {
  auto exported = counting(60);  // 16 + 16 + 14 + 14
  auto client = splitSrtpKeyingMaterial(srtp::SrtpProfile::kAes128CmSha1_80, DtlsRole::kClient, exported);
  std::vector<uint8_t> clientWrite(exported.begin(), exported.begin() + 16);
  clientWrite.insert(clientWrite.end(), exported.begin() + 32, exported.begin() + 46);
  std::vector<uint8_t> serverWrite(exported.begin() + 16, exported.begin() + 32);
  serverWrite.insert(serverWrite.end(), exported.begin() + 46, exported.begin() + 60);
  EXPECT_EQ(client.localKeySalt, clientWrite);
  EXPECT_EQ(client.remoteKeySalt, serverWrite);

  auto server = splitSrtpKeyingMaterial(srtp::SrtpProfile::kAes128CmSha1_80, DtlsRole::kServer, exported);
  EXPECT_EQ(server.localKeySalt, serverWrite);
  EXPECT_EQ(server.remoteKeySalt, clientWrite);
}

TEST(SrtpKeyMaterial, SplitsRfc5764LayoutForGcm) {
  EXPECT_EQ(srtpExporterLength(srtp::SrtpProfile::kAeadAes128Gcm), 56u);
  auto exported = counting(56);  // 16 + 16 + 12 + 12
  auto client = splitSrtpKeyingMaterial(srtp::SrtpProfile::kAeadAes128Gcm, DtlsRole::kClient, exported);
  ASSERT_EQ(client.localKeySalt.size(), 28u);
  EXPECT_EQ(client.localKeySalt[15], 15);
  EXPECT_EQ(client.localKeySalt[16], 32);  // client salt starts after both keys
  EXPECT_EQ(client.remoteKeySalt[0], 16);
  EXPECT_EQ(client.remoteKeySalt[16], 44);
  EXPECT_EQ(client.profile, srtp::SrtpProfile::kAeadAes128Gcm);
}

std::vector<uint8_t> record(size_t bodyLength, uint8_t tag) {
  std::vector<uint8_t> r(kDtlsRecordHeaderLength + bodyLength, tag);
  r[11] = static_cast<uint8_t>(bodyLength >> 8);
  r[12] = static_cast<uint8_t>(bodyLength);
  return r;
}

std::vector<size_t> packSizes(const std::vector<uint8_t>& records, size_t mtu) {
  std::vector<size_t> sizes;
  packDtlsRecords(records, mtu, [&](ByteView d) { sizes.push_back(d.size()); });
  return sizes;
}

TEST(DtlsRecordPacker, PacksWholeRecordsUpToMtu) {
  std::vector<uint8_t> flight;
  for (size_t body : {87, 487, 187, 587}) {  // records of 100, 500, 200, 600 bytes
    auto r = record(body, 1);
    flight.insert(flight.end(), r.begin(), r.end());
  }
  EXPECT_EQ(packSizes(flight, 1200), (std::vector<size_t>{800, 600}));
  EXPECT_EQ(packSizes(flight, 600), (std::vector<size_t>{600, 200, 600}));
  EXPECT_EQ(packSizes(flight, 10'000), (std::vector<size_t>{1400}));
  // A record bigger than the MTU still goes, alone.
  EXPECT_EQ(packSizes(flight, 550), (std::vector<size_t>{100, 500, 200, 600}));
}

TEST(DtlsRecordPacker, TruncatedTailIsEmittedNotLost) {
  auto r = record(50, 1);
  r.resize(30);
  EXPECT_EQ(packSizes(r, 1200), (std::vector<size_t>{30}));
  std::vector<uint8_t> tiny{22, 0xfe};
  EXPECT_EQ(packSizes(tiny, 1200), (std::vector<size_t>{2}));
  EXPECT_TRUE(packSizes({}, 1200).empty());
}

}  // namespace
}  // namespace medrtc::dtls
