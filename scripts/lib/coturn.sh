#!/usr/bin/env bash
# A throw-away coturn (Debian's `turnserver`) for medrtc's TURN REST credentials, with
# the three transports a browser may need: UDP and TCP on one port, TLS (`turns:`) on
# another, for networks that allow only TCP, or only TLS to port 443.
#   coturn.sh start DIR   writes DIR/turn.secret (0600) and DIR/turnserver.conf, starts
#                         turnserver and prints its UDP/TCP port on stdout; writes
#                         DIR/turn.urls, the URLs for `medrtc serve --turn-url` (one a
#                         line: turn: UDP, turn: TCP, turns: TLS)
#   coturn.sh stop DIR    stops it (the pid in DIR/turnserver.pid)
# For development and tests on this machine: relay-ip is this machine's first IPv4
# interface address (127.0.0.1 when it has none), and coturn also listens there when it
# listens on 127.0.0.1 (Firefox gathers no candidates on loopback and so never reaches a
# TURN server on 127.0.0.1). Peers on 127.0.0.1 and on this machine's own addresses are
# allowed (the medrtc media server announces its interface addresses, which may be in a
# private range denied below). docs/deploy.md shows a production setup.
#   MEDRTC_TURN_PORT       UDP/TCP listening port (default: a free one)
#   MEDRTC_TURN_TLS_PORT   TLS listening port (default: a free one; 0: no TLS listener)
#   MEDRTC_TURN_LISTEN_IP  listening address (default 127.0.0.1)
#   MEDRTC_TURN_CERT, MEDRTC_TURN_KEY  PEM certificate chain and key for TLS (default: a
#                          self-signed one for the listening address, made in DIR)
#   MEDRTC_TURN_REALM      realm (default medrtc.local)
#   MEDRTC_TURN_RELAY_IP   relay address (default: as above)
set -euo pipefail

cmd="${1:-}"
dir="${2:-}"
if [[ -z "$cmd" || -z "$dir" ]]; then
  echo "usage: $0 start|stop DIR" >&2
  exit 2
fi

udp_port_free() { ! ss -Hlun "sport = :$1" 2>/dev/null | grep -q .; }
tcp_port_free() { ! ss -Hltn "sport = :$1" 2>/dev/null | grep -q .; }
free_port() {
  local candidate
  for _ in $(seq 50); do
    candidate=$((20000 + RANDOM % 20000))
    if udp_port_free "$candidate" && tcp_port_free "$candidate"; then echo "$candidate"; return 0; fi
  done
  return 1
}

case "$cmd" in
  start)
    command -v turnserver >/dev/null || { echo "turnserver not found: apt-get install coturn" >&2; exit 1; }
    (umask 077 && mkdir -p "$dir")
    dir="$(cd "$dir" && pwd)"
    if [[ ! -s "$dir/turn.secret" ]]; then
      (umask 077 && head -c 32 /dev/urandom | base64 | tr -d '\n=' >"$dir/turn.secret" && echo >>"$dir/turn.secret")
    fi
    chmod 600 "$dir/turn.secret"
    listen_ip="${MEDRTC_TURN_LISTEN_IP:-127.0.0.1}"
    realm="${MEDRTC_TURN_REALM:-medrtc.local}"
    port="${MEDRTC_TURN_PORT:-$(free_port || true)}"
    [[ -n "$port" ]] || { echo "no free port for turnserver" >&2; exit 1; }
    tls_port="${MEDRTC_TURN_TLS_PORT:-$(free_port || true)}"
    [[ -n "$tls_port" && "$tls_port" != "$port" ]] || { echo "no free TLS port for turnserver" >&2; exit 1; }
    tls_conf="no-tls"
    if [[ "$tls_port" != "0" ]]; then
      cert="${MEDRTC_TURN_CERT:-}"
      key="${MEDRTC_TURN_KEY:-}"
      if [[ -z "$cert" || -z "$key" ]]; then
        # Self-signed, for development only: a browser that checks TURN certificates
        # refuses it (give MEDRTC_TURN_CERT/KEY, e.g. a Let's Encrypt pair, for real use).
        cert="$dir/turn-cert.pem"
        key="$dir/turn-key.pem"
        if [[ ! -s "$cert" || ! -s "$key" ]]; then
          san="IP:$listen_ip"
          [[ "$listen_ip" == "0.0.0.0" ]] && san="IP:127.0.0.1"
          (umask 077 && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 30 \
            -subj "/CN=medrtc-dev-turn" -addext "subjectAltName=$san" \
            -keyout "$key" -out "$cert" >/dev/null 2>&1) || { echo "openssl could not make a TURN certificate" >&2; exit 1; }
        fi
      fi
      # turnserver drops privileges only when asked to; the key stays readable by us.
      tls_conf="tls-listening-port=$tls_port"$'\n'"cert=$cert"$'\n'"pkey=$key"$'\n'"no-tlsv1"$'\n'"no-tlsv1_1"
    fi
    # A relay port range of its own, so two runs side by side do not collide.
    min_port=$((40000 + (port % 100) * 250))
    max_port=$((min_port + 249))
    # allowed-peer-ip wins over denied-peer-ip: the relay may reach this machine's own
    # addresses (where medrtc's media workers are), no other host in those ranges.
    allowed=""
    relay_ip=""
    for own in $(ip -o addr show scope global 2>/dev/null | awk '{split($4, a, "/"); print a[1]}'); do
      allowed+="allowed-peer-ip=$own"$'\n'
      [[ -z "$relay_ip" && "$own" != *:* ]] && relay_ip="$own"
    done
    # Relay from an interface address, not 127.0.0.1: medrtc's media socket binds 0.0.0.0
    # and answers from the address the kernel picks for the destination, 127.0.0.1 for a
    # relay on 127.0.0.1, which coturn then drops as not from the permitted peer address.
    relay_ip="${MEDRTC_TURN_RELAY_IP:-${relay_ip:-127.0.0.1}}"
    listen_own=""
    [[ "$listen_ip" == 127.0.0.1 && "$relay_ip" != 127.0.0.1 ]] && listen_own="listening-ip=$relay_ip"
    umask 077
    cat >"$dir/turnserver.conf" <<CONF
# Generated by scripts/lib/coturn.sh for medrtc; TURN REST credentials
# (draft-uberti-behave-turn-rest-00) checked against static-auth-secret.
listening-ip=$listen_ip
$listen_own
relay-ip=$relay_ip
listening-port=$port
min-port=$min_port
max-port=$max_port
use-auth-secret
static-auth-secret=$(head -1 "$dir/turn.secret")
realm=$realm
fingerprint
$tls_conf
no-dtls
no-cli
no-multicast-peers
no-software-attribute
# The media server announces this machine's interface addresses, or 127.0.0.1 when it has
# none: allow loopback peers for that case; private ranges stay denied (a test on one
# machine does not need them).
allow-loopback-peers
denied-peer-ip=0.0.0.0-0.255.255.255
denied-peer-ip=10.0.0.0-10.255.255.255
denied-peer-ip=100.64.0.0-100.127.255.255
denied-peer-ip=169.254.0.0-169.254.255.255
denied-peer-ip=172.16.0.0-172.31.255.255
denied-peer-ip=192.168.0.0-192.168.255.255
${allowed}userdb=$dir/turndb
pidfile=$dir/turnserver.pid
log-file=$dir/turnserver.log
simple-log
CONF
    url_host="$listen_ip"
    [[ "$url_host" == "0.0.0.0" ]] && url_host=127.0.0.1
    {
      echo "turn:$url_host:$port?transport=udp"
      echo "turn:$url_host:$port?transport=tcp"
      [[ "$tls_port" != "0" ]] && echo "turns:$url_host:$tls_port?transport=tcp"
    } >"$dir/turn.urls"
    turnserver -c "$dir/turnserver.conf" >"$dir/turnserver.out" 2>&1 &
    echo $! >"$dir/turnserver.pid"
    for _ in $(seq 100); do
      if ! udp_port_free "$port" && { [[ "$tls_port" == "0" ]] || ! tcp_port_free "$tls_port"; }; then
        echo "$port"
        exit 0
      fi
      if ! kill -0 "$(cat "$dir/turnserver.pid")" 2>/dev/null; then
        echo "turnserver exited; see $dir/turnserver.out and $dir/turnserver.log" >&2
        tail -20 "$dir/turnserver.out" >&2 || true
        exit 1
      fi
      sleep 0.1
    done
    echo "turnserver did not listen on $listen_ip:$port (TLS $tls_port) within 10 s" >&2
    exit 1
    ;;
  stop)
    if [[ -f "$dir/turnserver.pid" ]]; then
      pid=$(cat "$dir/turnserver.pid")
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 50); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
      done
      kill -9 "$pid" 2>/dev/null || true
      rm -f "$dir/turnserver.pid"
    fi
    ;;
  *)
    echo "usage: $0 start|stop DIR" >&2
    exit 2
    ;;
esac
