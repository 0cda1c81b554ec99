#!/usr/bin/env bash
# A/B of two server builds side by side (iploop-bench/PROFILE.md, round 3): both run
# `server --local-node` at once with throw-away data dirs and the JVM options of `./iploop server`
# (no AOT cache), against one nginx origin; rows interleaved (A, B, then B, A in the next round);
# CPU of each JVM from /proc/<pid>/stat per row. Prints one line per row and server.
#
#   RUN_A=<dir> RUN_B=<dir> iploop-bench/scripts/ab-servers.sh
#
# RUN_A/RUN_B: directories holding an extracted server jar (`java -Djarmode=tools -jar
# iploop-server/target/iploop-server.jar extract --destination DIR`). Environment: ROUNDS (3),
# DUR (s per hey row, 8), WARM (s of warm-up per row, 15), ONLY64 (set: 64 MiB rows only),
# OPTS_A/OPTS_B (extra JVM options). Needs nginx-light, hey, curl, openssl (bench.sh installs them).
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
root="$(dirname "$here")"
ROUNDS="${ROUNDS:-3}"; DUR="${DUR:-8}"; WARM="${WARM:-15}"
: "${RUN_A:?RUN_A: directory of the extracted server jar A}" "${RUN_B:?RUN_B: directory of the extracted server jar B}"
TMP="$(mktemp -d /tmp/iploop-ab.XXXXXX)"; chmod 755 "$TMP"
log() { printf '[ab %s] %s\n' "$(date +%T)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
# shellcheck source=../lib/peers.sh
. "$here/lib/peers.sh"
export PATH="$PATH:/usr/sbin:/sbin"
STARTED=()
trap 'for p in "${STARTED[@]}"; do kill $p 2>/dev/null; done; sleep 3; for p in "${STARTED[@]}"; do kill -9 $p 2>/dev/null; done; rm -rf "$TMP"' EXIT
OH=28190; OS=28553
start_origin $OH $OS 40000 30000
STARTED+=("$NGINX_PID")
JDK="$("$root/iploop" java-home)" || die "no JDK 25"
OPTS=(--enable-native-access=ALL-UNNAMED -XX:+UseSerialGC -Xms32m -Xmx1g -XX:MinHeapFreeRatio=10 -XX:MaxHeapFreeRatio=10
  -XX:-ShrinkHeapInSteps -XX:NewRatio=3 -XX:+UseStringDeduplication -XX:+UseCompactObjectHeaders -XX:TrimNativeHeapInterval=5000 -Dio.netty.leakDetection.level=disabled)
start_server() { # name run_dir base_port extra_opts
  local n="$1" run="$2" bp="$3"
  # shellcheck disable=SC2086
  IPLOOP_DATA_DIR="$TMP/data-$n" IPLOOP_HTTP_PORT=$((bp)) IPLOOP_PROXY_PORT=$((bp+1)) IPLOOP_SOCKS_PORT=$((bp+2)) \
  IPLOOP_NODE_HUB_PORT=$((bp+3)) IPLOOP_DB_PORT=0 IPLOOP_PROXY_TLS_PORT=0 IPLOOP_SOCKS_TLS_PORT=0 IPLOOP_NODE_HUB_TLS_PORT=0 \
  IPLOOP_BIND_ADDRESS=127.0.0.1 IPLOOP_EGRESS_ALLOW_LOOPBACK=true MALLOC_ARENA_MAX=2 \
    "$JDK/bin/java" "${OPTS[@]}" ${4:-} -jar "$run/iploop-server.jar" server --local-node >"$TMP/server-$n.out" 2>&1 &
  eval "PID_$n=$!"; STARTED+=($!)
}
start_server A "$RUN_A" 28300 "${OPTS_A:-}"
start_server B "$RUN_B" 28310 "${OPTS_B:-}"
for n in A B; do
  for _ in $(seq 1 3000); do grep -q 'as the local exit' "$TMP/server-$n.out" 2>/dev/null && grep -q 'Demo API key' "$TMP/server-$n.out" && break; sleep 0.2; done
  grep -q 'as the local exit' "$TMP/server-$n.out" || die "$n did not start: $(tail -5 "$TMP/server-$n.out")"
  c="$(sed -n 's/^ *Demo customer id *: *\([^ ]*\).*/\1/p' "$TMP/server-$n.out")"
  k="$(sed -n 's/^ *Demo API key *: *\([^ ]*\).*/\1/p' "$TMP/server-$n.out")"
  bp=28300; [ "$n" = B ] && bp=28310
  eval "PX_$n=http://$c:$k@127.0.0.1:$((bp+1))"
done
log "up: A pid $PID_A, B pid $PID_B"
ticks() { sed 's/^.*) //' "/proc/$1/stat" | awk '{print $12 + $13}'; }
# The server's embedded PostgreSQL (postmaster found by its data dir, and its backends):
# utime + stime + reaped children's, summed.
pgticks() {
  local p t total=0
  for p in $(for r in $(pgrep -f -- "-D $TMP/data-$1/postgres" || true); do descendants "$r"; done); do
    t="$(sed 's/^.*) //' "/proc/$p/stat" 2>/dev/null | awk '{print $12 + $13 + $14 + $15}')" || true
    total=$((total + ${t:-0}))
  done
  echo "$total"
}
row() { # server row secs -> "2xx-responses cpu-µs-per-request req/s postgres-cpu-µs-per-request"
  local n="$1" r="$2" s="$3" pid px url args t0 t1 g0 g1 N
  eval "pid=\$PID_$n; px=\$PX_$n"
  args=(-c 50 -z "${s}s" -t 10 -x "$px")
  case "$r" in
    new-conn) args+=(-disable-keepalive); url="http://127.0.0.1:$OH/1k" ;;
    https-ka) url="https://127.0.0.1:$OS/1k" ;;
  esac
  t0=$(ticks "$pid"); g0=$(pgticks "$n")
  hey "${args[@]}" "$url" >"$TMP/hey.txt" 2>&1
  t1=$(ticks "$pid"); g1=$(pgticks "$n")
  N="$(awk '/^\s*\[2[0-9][0-9]\]/ {n += $2} END {print n + 0}' "$TMP/hey.txt")"
  awk -v n="$N" -v t=$((t1 - t0)) -v g=$((g1 - g0)) -v s="$s" -v hz="$(getconf CLK_TCK)" \
    'BEGIN {printf "%d %.0f %.0f (PostgreSQL %.0f)", n, (n ? t * 1e6 / hz / n : 0), n / s, (n ? g * 1e6 / hz / n : 0)}'
}
big() { # server -> "cpu-ms-per-download MB/s MB/s MB/s" over three 64 MiB downloads
  local n="$1" pid px t0 t1 sp="" i
  eval "pid=\$PID_$n; px=\$PX_$n"
  t0=$(ticks "$pid")
  for i in 1 2 3; do
    sp+="$(curl -sk -o /dev/null -w '%{speed_download}' --max-time 120 -x "$px" "https://127.0.0.1:$OS/64m") "
  done
  t1=$(ticks "$pid")
  echo "$(awk -v t=$((t1 - t0)) -v hz="$(getconf CLK_TCK)" 'BEGIN {printf "%.0f", t * 1000 / hz / 3}') $(echo "$sp" | awk '{for (i = 1; i <= NF; i++) printf "%.0f ", $i / 1e6}')"
}
log "warm-up"
for n in A B; do
  if [ -z "${ONLY64:-}" ]; then for r in new-conn https-ka; do row "$n" "$r" "$WARM" >/dev/null; done; fi
  big "$n" >/dev/null; big "$n" >/dev/null
done
for round in $(seq 1 "$ROUNDS"); do
  order="A B"; [ $((round % 2)) -eq 0 ] && order="B A"
  if [ -z "${ONLY64:-}" ]; then
    for r in new-conn https-ka; do for n in $order; do
      echo "round $round $r $n: 2xx / CPU µs per request / req/s (PostgreSQL µs per request) = $(row "$n" "$r" "$DUR") · load $(cut -d' ' -f1 /proc/loadavg)"
    done; done
  fi
  for n in $order; do
    echo "round $round 64m $n: CPU ms per download / MB/s of 3 = $(big "$n") · load $(cut -d' ' -f1 /proc/loadavg)"
  done
done
