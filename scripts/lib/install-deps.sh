#!/usr/bin/env bash
# Installs what scripts/deps/ lists and is missing. Idempotent and quiet when nothing is missing.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

missing=()
while read -r line; do
  [[ -z "$line" || "$line" == \#* ]] && continue
  pkg="${line%%|*}"
  if [[ "$line" == *"|"* ]] && command -v "${line#*|}" >/dev/null 2>&1; then
    continue
  fi
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done < "$root/scripts/deps/debian.txt"

if ((${#missing[@]})); then
  echo "install-deps: apt-get install ${missing[*]}"
  sudo_cmd=""
  [[ $(id -u) -ne 0 ]] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# npm packages: reinstall when the lock file's content differs from the one installed
# (a stamp with its SHA-256). Content, not modification time: a fresh checkout or git
# worktree has a newer lock file without any change, and `npm ci` would wipe a tree that
# is fine (and shared, where node_modules is a link).
lock_sum=$(sha256sum "$root/package-lock.json" | cut -d' ' -f1)
stamp="$root/node_modules/.medrtc-lock-sha256"
if [[ ! -d "$root/node_modules" || "$(cat "$stamp" 2>/dev/null)" != "$lock_sum" ]]; then
  echo "install-deps: npm ci"
  (cd "$root" && npm ci --no-audit --no-fund --loglevel=error)
  echo "$lock_sum" >"$stamp"
fi
