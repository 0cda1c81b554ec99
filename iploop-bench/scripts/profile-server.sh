#!/usr/bin/env bash
# Profiles one server build on one hey row (iploop-bench/PROFILE.md, round 4): `server --local-node`
# with a throw-away data dir and the JVM options of `./iploop server`, one nginx origin, WARM s of
# the row, then DUR s with async-profiler sampling the server JVM's CPU (every 1 ms of CPU), and
# what the embedded PostgreSQL did meanwhile: its CPU and, per request, the rows written per table
# and the transactions (pg_stat_user_tables / pg_stat_database, read with psql as the superuser).
#
#   RUN=<dir> NAME=<profile name> iploop-bench/scripts/profile-server.sh
#
# RUN: a directory holding an extracted server jar (see ab-servers.sh). Environment: ROW (new-conn,
# https-ka or 64m, default new-conn), WARM (s, 20), DUR (s, 15), OPTS (extra JVM options), ASPROF (dir
# holding async-profiler-4.2.jar and jfr-converter-4.5.jar; fetched through ./mvnw when missing),
# ASPROF_OPTS (appended to the profiler's start options, e.g. ',threads' for a frame per thread).
# ROW=64m downloads the 64 MiB HTTPS file through CONNECT one after another (curl, one stream) for
# WARM s, then for DUR s under the profiler, and prints CPU ms and MB/s per download and the CPU of
# each of the server's busiest threads (which loop carries the stream, and whether one is saturated).
# Writes iploop-bench/profiles/NAME-ROW.{html,collapsed.gz} and prints the figures.
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
root="$(dirname "$here")"
ROW="${ROW:-new-conn}"; WARM="${WARM:-20}"; DUR="${DUR:-15}"
: "${RUN:?RUN: directory of the extracted server jar}" "${NAME:?NAME: profile name}"
TMP="$(mktemp -d /tmp/iploop-prof.XXXXXX)"; chmod 755 "$TMP"
ASPROF="${ASPROF:-$TMP/tools}"
log() { printf '[prof %s] %s\n' "$(date +%T)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
# shellcheck source=../lib/peers.sh
. "$here/lib/peers.sh"
export PATH="$PATH:/usr/sbin:/sbin"
STARTED=()
trap 'for p in "${STARTED[@]}"; do kill $p 2>/dev/null; done; sleep 3; for p in "${STARTED[@]}"; do kill -9 $p 2>/dev/null; done; rm -rf "$TMP"' EXIT
JDK="$("$root/iploop" java-home)" || die "no JDK 25"
if [ ! -f "$ASPROF/async-profiler-4.2.jar" ] || [ ! -f "$ASPROF/jfr-converter-4.5.jar" ]; then
  for a in tools.profiler:async-profiler:4.2 tools.profiler:jfr-converter:4.5; do
    (cd "$root" && ./mvnw -q -B -ntp dependency:copy -Dartifact=$a -DoutputDirectory="$ASPROF") || die "could not fetch $a"
  done
fi
[ -f "$ASPROF/linux-x64/lib/libasyncProfiler.so" ] || (cd "$ASPROF" && unzip -q -o async-profiler-4.2.jar 'linux-x64/*') \
  || die "no linux-x64 library in async-profiler-4.2.jar"
LIB="$(find "$ASPROF/linux-x64" -name libasyncProfiler.so | head -n1)"
OH=28290; OS=28653
start_origin $OH $OS 40000 30000
STARTED+=("$NGINX_PID")
OPTS_SERVER=(--enable-native-access=ALL-UNNAMED -XX:+UseSerialGC -Xms32m -Xmx1g -XX:MinHeapFreeRatio=10 -XX:MaxHeapFreeRatio=10
  -XX:-ShrinkHeapInSteps -XX:NewRatio=3 -XX:+UseStringDeduplication -XX:+UseCompactObjectHeaders -XX:TrimNativeHeapInterval=5000 -Dio.netty.leakDetection.level=disabled
  -XX:+EnableDynamicAgentLoading)
bp=28400
# shellcheck disable=SC2086
IPLOOP_DATA_DIR="$TMP/data" IPLOOP_HTTP_PORT=$bp IPLOOP_PROXY_PORT=$((bp+1)) IPLOOP_SOCKS_PORT=$((bp+2)) \
IPLOOP_NODE_HUB_PORT=$((bp+3)) IPLOOP_DB_PORT=0 IPLOOP_PROXY_TLS_PORT=0 IPLOOP_SOCKS_TLS_PORT=0 IPLOOP_NODE_HUB_TLS_PORT=0 \
IPLOOP_BIND_ADDRESS=127.0.0.1 IPLOOP_EGRESS_ALLOW_LOOPBACK=true MALLOC_ARENA_MAX=2 \
  "$JDK/bin/java" "${OPTS_SERVER[@]}" ${OPTS:-} -jar "$RUN/iploop-server.jar" server --local-node >"$TMP/server.out" 2>&1 &
PID=$!; STARTED+=($PID)
for _ in $(seq 1 3000); do grep -q 'as the local exit' "$TMP/server.out" 2>/dev/null && grep -q 'Demo API key' "$TMP/server.out" && break; sleep 0.2; done
grep -q 'as the local exit' "$TMP/server.out" || die "the server did not start: $(tail -5 "$TMP/server.out")"
c="$(sed -n 's/^ *Demo customer id *: *\([^ ]*\).*/\1/p' "$TMP/server.out")"
k="$(sed -n 's/^ *Demo API key *: *\([^ ]*\).*/\1/p' "$TMP/server.out")"
PX="http://$c:$k@127.0.0.1:$((bp+1))"
pgticks() {
  local p t total=0
  for p in $(for r in $(pgrep -f -- "-D $TMP/data/postgres" || true); do descendants "$r"; done); do
    t="$(sed 's/^.*) //' "/proc/$p/stat" 2>/dev/null | awk '{print $12 + $13 + $14 + $15}')" || true
    total=$((total + ${t:-0}))
  done
  echo "$total"
}
PGPORT="$(sed -n '4p' "$TMP/data/postgres/postmaster.pid")" # line 4 of the pid file: the port
psqlq() { PGPASSWORD="$(cat "$TMP/data/postgres-superuser.password")" psql -h 127.0.0.1 -p "$PGPORT" -U postgres -d postgres -XAtq -c "$1"; }
pgstats() {
  psqlq "SELECT relname, n_tup_ins, n_tup_upd, n_tup_del, coalesce(seq_scan, 0) + coalesce(idx_scan, 0) FROM pg_stat_user_tables
         UNION ALL SELECT '(transactions)', xact_commit, xact_rollback, 0, 0 FROM pg_stat_database WHERE datname = 'postgres'
         ORDER BY 1"
}
hey_row() { # secs
  local args=(-c 50 -z "${1}s" -t 10 -x "$PX") url
  if [ "$ROW" = 64m ]; then downloads "$1"; return; fi
  case "$ROW" in
    new-conn) args+=(-disable-keepalive); url="http://127.0.0.1:$OH/1k" ;;
    https-ka) url="https://127.0.0.1:$OS/1k" ;;
    *) die "ROW: new-conn or https-ka" ;;
  esac
  hey "${args[@]}" "$url" >"$TMP/hey.txt" 2>&1
}
# downloads <secs>: 64 MiB downloads one after another until secs passed; their MB/s to "$TMP/speeds"
downloads() {
  local end=$(( $(date +%s) + $1 )) r
  : >"$TMP/speeds"
  while [ "$(date +%s)" -lt "$end" ]; do
    r="$(curl -sk -o /dev/null -w '%{http_code} %{size_download} %{speed_download}' --max-time 120 -x "$PX" "https://127.0.0.1:$OS/64m")"
    [ "${r%% *}" = 200 ] && [ "$(awk '{print $2}' <<<"$r")" = $((64 * 1024 * 1024)) ] || die "64 MiB download failed: $r"
    awk '{printf "%.0f\n", $3 / 1e6}' <<<"$r" >>"$TMP/speeds"
  done
  printf '  [200]\t%d responses\n' "$(wc -l <"$TMP/speeds")" >"$TMP/hey.txt"
}
# thread_ticks: "tid name utime+stime" for every thread of the server, sorted by tid
thread_ticks() {
  local t
  for t in /proc/"$PID"/task/*; do
    printf '%s %s %s\n' "${t##*/}" "$(tr ' ' _ 2>/dev/null <"$t/comm")" "$(sed 's/^.*) //' "$t/stat" 2>/dev/null | awk '{print $12 + $13}')"
  done | sort
}
log "up (pid $PID, PostgreSQL port $PGPORT); warm-up $WARM s"
hey_row "$WARM"
sleep 2
ticks() { sed 's/^.*) //' "/proc/$1/stat" | awk '{print $12 + $13}'; }
pgstats | sort >"$TMP/pg0"
"$JDK/bin/jcmd" "$PID" JVMTI.agent_load "$LIB" "\"start,event=cpu,interval=1000000${ASPROF_OPTS:-}\"" >/dev/null || die "could not load async-profiler"
t0=$(ticks "$PID"); g0=$(pgticks); thread_ticks >"$TMP/th0"
hey_row "$DUR"
t1=$(ticks "$PID"); g1=$(pgticks); thread_ticks >"$TMP/th1"
"$JDK/bin/jcmd" "$PID" JVMTI.agent_load "$LIB" "\"stop,file=$TMP/p.collapsed,collapsed\"" >/dev/null || die "could not stop async-profiler"
sleep 2 # the usage batcher writes once a second
pgstats | sort >"$TMP/pg1"
N="$(awk '/^\s*\[2[0-9][0-9]\]/ {n += $2} END {print n + 0}' "$TMP/hey.txt")"
hz="$(getconf CLK_TCK)"
if [ "$ROW" = 64m ]; then
  echo "64m: $N downloads in $DUR s, server JVM $(awk -v t=$((t1 - t0)) -v n="$N" -v hz="$hz" 'BEGIN {printf "%.0f", t * 1000 / hz / n}') ms CPU per download, MB/s median $(sort -n "$TMP/speeds" | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}') (all: $(tr '\n' ' ' <"$TMP/speeds")), load $(cut -d' ' -f1 /proc/loadavg)"
  echo "busiest server threads, CPU ms per download:"
  join "$TMP/th0" "$TMP/th1" | awk -v n="$N" -v hz="$hz" '{d = $5 - $3; if (d > 0) printf "%8.1f  %s\n", d * 1000 / hz / n, $2}' | sort -rn | head -8
fi
echo "$ROW: $N 2xx in $DUR s ($((N / DUR)) req/s), server JVM $(awk -v t=$((t1 - t0)) -v n="$N" -v hz="$hz" 'BEGIN {printf "%.0f", t * 1e6 / hz / n}') µs/req, PostgreSQL $(awk -v t=$((g1 - g0)) -v n="$N" -v hz="$hz" 'BEGIN {printf "%.0f", t * 1e6 / hz / n}') µs/req, load $(cut -d' ' -f1 /proc/loadavg)"
echo "PostgreSQL per 1000 requests (table: inserted updated deleted scans):"
join -t'|' "$TMP/pg0" "$TMP/pg1" | awk -F'|' -v n="$N" '{
  i = $6 - $2; u = $7 - $3; d = $8 - $4; s = $9 - $5
  if (i || u || d || s) printf "  %-32s %8.1f %8.1f %8.1f %8.1f\n", $1, i * 1000 / n, u * 1000 / n, d * 1000 / n, s * 1000 / n }'
mkdir -p "$here/profiles"
gzip -9 -c "$TMP/p.collapsed" >"$here/profiles/$NAME-$ROW.collapsed.gz"
"$JDK/bin/java" -jar "$ASPROF/jfr-converter-4.5.jar" "$TMP/p.collapsed" "$here/profiles/$NAME-$ROW.html" >/dev/null 2>&1 || log "no flame graph"
log "profile: iploop-bench/profiles/$NAME-$ROW.{html,collapsed.gz}"
