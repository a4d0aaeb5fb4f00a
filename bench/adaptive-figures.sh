#!/usr/bin/env bash
# The adaptive-media figures of issue 12 (docs/simulcast-figures.md): runs the capped-link
# browser test N times (default 5) and prints, per run and as medians, the time to switch
# down after a 500 kbit/s cap, the time to switch back up after it is removed, and the
# share of audio samples concealed under the cap. Needs root (network namespaces), Debian
# chromium and a Release build with the web client:
#   scripts/lib/build.sh build -DCMAKE_BUILD_TYPE=Release && scripts/lib/build-web.sh build/web
#   bench/adaptive-figures.sh [N]
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
runs="${1:-5}"
out=$(mktemp)
trap 'rm -f "$out"' EXIT
for ((i = 1; i <= runs; i++)); do
  MEDRTC_BIN="$root/build/medrtc" MEDRTC_WEB_ROOT="$root/build/web" \
    node --test --test-concurrency=1 "$root/tests/e2e/simulcast-capped-link.test.mjs" 2>&1 |
    grep -E '^# (switched|audio under)|^(ok|not ok) ' | sed "s/^/run $i: /" | tee -a "$out"
done
median() { sort -n | awk '{ v[NR] = $1 } END { if (NR == 0) { print "-" } else if (NR % 2) { print v[(NR + 1) / 2] } else { print (v[NR / 2] + v[NR / 2 + 1]) / 2 } }'; }
down=$(grep -oE 'switched down to [0-9]+ px [0-9]+ ms' "$out" | awk '{ print $6 }' | median)
up=$(grep -oE 'switched back up to [0-9]+ px [0-9]+ ms' "$out" | awk '{ print $7 }' | median)
concealed=$(grep -oE '\(([0-9.]+) %\) in' "$out" | tr -d '(' | awk '{ print $1 }' | median)
echo "runs: $runs; medians over the runs that got that far:"
echo "  switch down after the cap: $down ms ($(grep -c 'switched down' "$out") runs)"
echo "  switch back up after its removal: $up ms ($(grep -c 'switched back up' "$out") runs)"
echo "  audio concealed under the cap: $concealed % ($(grep -c 'audio under' "$out") runs)"
