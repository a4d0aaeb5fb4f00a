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

# npm packages: reinstall when the lock file is newer than the installed tree.
if [[ ! -d "$root/node_modules" || "$root/package-lock.json" -nt "$root/node_modules/.package-lock.json" ]]; then
  echo "install-deps: npm ci"
  (cd "$root" && npm ci --no-audit --no-fund --loglevel=error)
fi
