#!/usr/bin/env bash
# Builds the TypeScript web client with Vite into <out dir>, only when a source changed.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
out="$(realpath -m "${1:-$root/build/web}")"
stamp="$out/.built"
if [[ -f "$stamp" ]] && [[ -z "$(find "$root/web" -newer "$stamp" -not -path '*/node_modules/*' -print -quit)" ]]; then
  exit 0
fi
(cd "$root" && npx --no-install vite build web --outDir "$out" --emptyOutDir --logLevel warn)
touch "$stamp"
