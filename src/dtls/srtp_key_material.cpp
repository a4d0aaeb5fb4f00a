#include "dtls/srtp_key_material.hpp"

#include <cassert>

namespace medrtc::dtls {

size_t srtpExporterLength(srtp::SrtpProfile profile) { return 2 * srtp::srtpProfileSpec(profile).keySaltLength(); }

SrtpKeyMaterial splitSrtpKeyingMaterial(srtp::SrtpProfile profile, DtlsRole role, ByteView exported) {
  assert(exported.size() == srtpExporterLength(profile));
  const auto& spec = srtp::srtpProfileSpec(profile);
  const size_t k = spec.masterKeyLength;
  const size_t s = spec.masterSaltLength;
  ByteView clientKey = exported.subspan(0, k);
  ByteView serverKey = exported.subspan(k, k);
  ByteView clientSalt = exported.subspan(2 * k, s);
  ByteView serverSalt = exported.subspan(2 * k + s, s);

  auto join = [](ByteView key, ByteView salt) {
    std::vector<uint8_t> out(key.begin(), key.end());
    out.insert(out.end(), salt.begin(), salt.end());
    return out;
  };
  std::vector<uint8_t> client = join(clientKey, clientSalt);
  std::vector<uint8_t> server = join(serverKey, serverSalt);
  if (role == DtlsRole::kClient) {
    return {profile, std::move(client), std::move(server)};
  }
  return {profile, std::move(server), std::move(client)};
}

}  // namespace medrtc::dtls
