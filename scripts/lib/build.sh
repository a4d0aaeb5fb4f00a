#!/usr/bin/env bash
# Builds one CMake tree with Ninja. Usage: build.sh <dir> [extra cmake args...]
#   MEDRTC_BUILD_TARGETS  build only these targets (space-separated; default: all)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
dir="$1"; shift
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
if [[ ! -f "$root/$dir/build.ninja" ]]; then
  cmake -S "$root" -B "$root/$dir" -G Ninja "${launcher[@]}" "$@" >/dev/null
fi
targets=()
[[ -n "${MEDRTC_BUILD_TARGETS:-}" ]] && read -ra targets <<<"--target $MEDRTC_BUILD_TARGETS"
cmake --build "$root/$dir" "${targets[@]}" -- -j"$(nproc)"
