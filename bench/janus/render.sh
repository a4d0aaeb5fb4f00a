#!/usr/bin/env bash
# Renders the Janus templates of this folder into <out dir>.
# Usage: render.sh <out dir> <media ip> <http port> [rtp port range, default 20000-29999]
# JANUS_EVENT_LOOPS: media event loops (default 1; scripts/bench --workers W gives W).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="$1" media_ip="$2" http_port="$3" rtp_range="${4:-20000-29999}"
mkdir -p "$out"
for template in "$here"/*.jcfg.in; do
  name="$(basename "$template" .in)"
  sed -e "s|@CONFIGS_DIR@|$out|g" -e "s|@MEDIA_IP@|$media_ip|g" -e "s|@HTTP_PORT@|$http_port|g" \
      -e "s|@RTP_PORT_RANGE@|$rtp_range|g" -e "s|@EVENT_LOOPS@|${JANUS_EVENT_LOOPS:-1}|g" -e "s|@LOG_FILE@|$out/janus.log|g" "$template" >"$out/$name"
done
