#!/usr/bin/env bash
# Upstream-pool benchmark on loopback (docs/upstream-pool.md): a client through an IPLoop pool port
# whose upstream is a local Squid, against the same client going through that Squid directly. Same
# origin (nginx), same load: hey -c 50 (keep-alive) of 1 KiB, and curl of a 64 MiB HTTPS file
# (CONNECT), best of 3. The pool grant has every limit on (threads, QPS, per-IP, shaping, quota,
# expiry; far above the load) and usage is metered. Then the memory of 1,000 bound pool ports
# (heap after GC and RSS, 1,000 vs 0) and the thread-limit check (PoolThreadCheckBench).
# Prints a Markdown report and writes it to bench-results/pool-latest.md under the repository root.
#
#   iploop-bench/pool-bench.sh [--skip-build] [--quick] [--keep-tmp]
#   iploop-bench/bench.sh --pool [same options]
#
# Environment: BENCH_DURATION (s per hey run, default 10), BENCH_RUNS (hey runs per row, the best
# is kept, default 2), BENCH_WARMUP (s, default 8: the JIT), IPLOOP_BENCH_JVM_OPTS (default -Xmx1g),
# BENCH_PORT_OFFSET (added to every port below, default 0).
# Needs root only to install missing Debian packages (squid, nginx-light, hey, curl); every daemon
# runs from a private config in a temp dir, on 127.0.0.1, and is stopped on exit.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
DURATION="${BENCH_DURATION:-10}"
RUNS="${BENCH_RUNS:-2}"
WARMUP="${BENCH_WARMUP:-8}"
JVM_OPTS="${IPLOOP_BENCH_JVM_OPTS:--Xmx1g}"
BUILD=1
KEEP_TMP=0
while [ $# -gt 0 ]; do
  case "$1" in
    --skip-build) BUILD=0 ;;
    --quick) DURATION=3; RUNS=1; WARMUP=3 ;;
    --keep-tmp) KEEP_TMP=1 ;;
    -h|--help) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "pool-bench.sh: unknown option '$1' (try --help)" >&2; exit 2 ;;
  esac
  shift
done

OFF="${BENCH_PORT_OFFSET:-0}"   # moves every port, for a machine where another benchmark holds the defaults
ORIGIN_HTTP=$((18080 + OFF))
ORIGIN_HTTPS=$((18443 + OFF))
SQUID_PORT=$((13128 + OFF))
POOL_PORT=$((14000 + OFF))
PORTS_BASE=$((20000 + OFF))
TARGET_1K="http://127.0.0.1:${ORIGIN_HTTP}/1k"
TARGET_64M="https://127.0.0.1:${ORIGIN_HTTPS}/64m"

log() { printf '[pool-bench %s] %s\n' "$(date +%T)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
# shellcheck source=lib/peers.sh
. "$here/lib/peers.sh"   # ensure_packages descendants port_free wait_port start_origin start_squid

ensure_packages "${TMPDIR:-/tmp}/iploop-bench-apt.log" nginx:nginx-light squid:squid hey:hey curl:curl ss:iproute2
export PATH="$PATH:/usr/sbin:/sbin"

TMP="$(mktemp -d /tmp/iploop-pool-bench.XXXXXX)"
chmod 755 "$TMP"
STARTED=()
cleanup_on_exit 3
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
LOADAVG0="$(cut -d' ' -f1-3 /proc/loadavg)"
for p in $ORIGIN_HTTP $ORIGIN_HTTPS $SQUID_PORT $POOL_PORT $PORTS_BASE $((PORTS_BASE + 999)); do
  port_free "$p" || die "port 127.0.0.1:$p is already in use"
done

if [ $BUILD -eq 1 ]; then
  log "building iploop-bench and its upstream modules (./mvnw -pl iploop-bench -am package)"
  (cd "$root" && ./mvnw -q -B -ntp -pl iploop-bench -am -DskipTests package) >"$TMP/build.log" 2>&1 \
    || die "build failed: $(grep -m1 -E '^\[ERROR\]' "$TMP/build.log" | cut -c1-240)"
fi
jdk="$("$root/iploop" java-home 2>/dev/null)" || jdk=/usr/lib/jvm/temurin-25-jdk-amd64
[ -x "$jdk/bin/java" ] || die "no JDK 25 found"
[ -d "$here/target/classes" ] && [ -d "$here/target/lib" ] || die "harness not built (run without --skip-build)"
CP="$here/target/classes:$here/target/lib/*"

start_origin $ORIGIN_HTTP $ORIGIN_HTTPS 20000 16384
[ "$(curl -s -o /dev/null -w '%{http_code} %{size_download}' "$TARGET_1K")" = "200 1024" ] || die "origin /1k broken"
start_squid $SQUID_PORT $ORIGIN_HTTP $ORIGIN_HTTPS
wait_port $SQUID_PORT 20 $SQUID_PID || die "Squid did not start: $(tail -5 "$TMP/squid.out" "$TMP/squid-cache.log" 2>/dev/null)"
log "origin nginx (pid $NGINX_PID) and Squid (pid $SQUID_PID) up"

# hey_rps <proxy URL> <secs> -> requests per second (keep-alive, 50 connections), or 0
hey_rps() {
  local out="$TMP/hey.txt"
  hey -z "${2}s" -c 50 -x "$1" "$TARGET_1K" >"$out" 2>&1 || true
  local codes; codes="$(sed -n '/Status code distribution/,/^$/p' "$out" | grep -v '\[200\]' | grep -c '\[' || true)"
  [ "$codes" -eq 0 ] || log "non-200 answers: $(sed -n '/Status code distribution/,/^$/p' "$out" | tr '\n' ' ')"
  awk '/Requests\/sec:/ {printf "%.0f", $2}' "$out"
}

# row <name> <proxy URL> <curl proxy args...>: best of RUNS hey runs and best of 3 64 MiB downloads
declare -A RPS MBS
row() {
  local name="$1" proxy="$2"; shift 2
  local chk; chk="$(curl -s -o /dev/null -w '%{http_code} %{size_download}' "$@" "$TARGET_1K")"
  [ "$chk" = "200 1024" ] || die "$name: sanity request failed ($chk)"
  log "$name: warm-up ${WARMUP}s"
  hey_rps "$proxy" "$WARMUP" >/dev/null
  local best=0 r i
  for ((i = 1; i <= RUNS; i++)); do
    r="$(hey_rps "$proxy" "$DURATION")"
    log "$name: hey -c 50 -z ${DURATION}s run $i: ${r:-0} req/s"
    [ "${r:-0}" -gt "$best" ] && best="$r"
  done
  RPS[$name]="$best"
  best=0
  curl -s -k -o /dev/null "$@" "$TARGET_64M" || true   # untimed first download
  for i in 1 2 3; do
    r="$(curl -s -k -o /dev/null -w '%{http_code} %{size_download} %{speed_download}' --max-time 120 "$@" "$TARGET_64M" || true)"
    if [ "${r%% *}" = 200 ] && [ "$(awk '{print $2}' <<<"$r")" = "$((64 * 1024 * 1024))" ]; then
      best="$(awk -v a="$best" -v b="$(awk '{print $3}' <<<"$r")" 'BEGIN {print (b > a ? b : a)}')"
    else
      log "$name: 64 MiB download failed ($r)"
    fi
  done
  MBS[$name]="$(awk -v b="$best" 'BEGIN {printf "%.0f", b / 1e6}')"
  log "$name: ${RPS[$name]} req/s, ${MBS[$name]} MB/s"
}

row squid "http://127.0.0.1:$SQUID_PORT" -x "http://127.0.0.1:$SQUID_PORT"

# shellcheck disable=SC2086
"$jdk/bin/java" --enable-native-access=ALL-UNNAMED $JVM_OPTS -cp "$CP" io.iploop.bench.DataPlaneHarness pool \
  --pool-port=$POOL_PORT --upstream-port=$SQUID_PORT >"$TMP/pool.out" 2>"$TMP/pool.err" &
GW_PID=$!; STARTED+=($GW_PID)
for _ in $(seq 1 300); do grep -q '^READY' "$TMP/pool.out" 2>/dev/null && break; kill -0 $GW_PID 2>/dev/null || break; sleep 0.1; done
grep -q '^READY' "$TMP/pool.out" || die "pool gateway did not start: $(grep -m1 -E 'Exception|Error' "$TMP/pool.err" | cut -c1-200)"
USER_="$(sed -n 's/^READY.* user=\([^ ]*\).*/\1/p' "$TMP/pool.out")"
PASS_="$(sed -n 's/^READY.* pass=\([^ ]*\).*/\1/p' "$TMP/pool.out")"
row pool "http://$USER_:$PASS_@127.0.0.1:$POOL_PORT" -x "http://127.0.0.1:$POOL_PORT" --proxy-user "$USER_:$PASS_"
kill -TERM "$GW_PID" 2>/dev/null || true
for _ in $(seq 1 50); do kill -0 "$GW_PID" 2>/dev/null || break; sleep 0.1; done
USAGE="$(grep -m1 '^usage:' "$TMP/pool.err" || echo 'usage: n/a')"

log "1,000 pool ports: memory with 0 and with 1,000 bound"
# shellcheck disable=SC2086
"$jdk/bin/java" --enable-native-access=ALL-UNNAMED $JVM_OPTS -cp "$CP" io.iploop.bench.DataPlaneHarness pool-ports \
  --pool-port=$PORTS_BASE --upstream-port=$SQUID_PORT --count=1000 >"$TMP/ports.out" 2>"$TMP/ports.err" \
  || die "pool-ports failed: $(tail -3 "$TMP/ports.err")"
p0="$(grep '^PORTS bound=0 ' "$TMP/ports.out")"; p1="$(grep -v '^PORTS bound=0 ' "$TMP/ports.out" | grep '^PORTS')"
fld() { sed -n "s/.* $1=\([0-9]*\).*/\1/p" <<<"$2"; }
HEAP_MIB="$(awk -v a="$(fld heapBytes "$p1")" -v b="$(fld heapBytes "$p0")" 'BEGIN {printf "%.1f", (a - b) / 1048576}')"
RSS_MIB="$(awk -v a="$(fld rssBytes "$p1")" -v b="$(fld rssBytes "$p0")" 'BEGIN {printf "%.1f", (a - b) / 1048576}')"
FDS="$(( $(fld fds "$p1") - $(fld fds "$p0") ))"
BOUND="$(sed -n 's/^PORTS bound=\([0-9]*\).*/\1/p' <<<"$p1")"

log "thread-limit check (PoolThreadCheckBench)"
"$jdk/bin/java" -cp "$CP" io.iploop.bench.PoolThreadCheckBench >"$TMP/threads.md" 2>&1 || die "PoolThreadCheckBench failed"
LOADAVG1="$(cut -d' ' -f1-3 /proc/loadavg)"

ratio() { awk -v a="${1:-0}" -v b="${2:-0}" 'BEGIN { if (b + 0 == 0) print "—"; else printf "%.2f", a / b }'; }
verdict() { awk -v v="$1" -v t="$2" -v op="$3" 'BEGIN { ok = (op == ">=") ? (v + 0 >= t + 0) : (v + 0 <= t + 0); print (ok ? "PASS" : "FAIL") }'; }
rr="$(ratio "${RPS[pool]}" "${RPS[squid]}")"; mr="$(ratio "${MBS[pool]}" "${MBS[squid]}")"
worst="$(grep -E '^\| (below|at) ' "$TMP/threads.md" | awk -F'|' '{v = $3 + 0; if (v > m) m = v} END {print m + 0}')"
{
  echo "# IPLoop upstream pool vs Squid directly (loopback)"
  echo
  echo "$(date -u '+%Y-%m-%d %H:%M UTC') · $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo), $(nproc) cores · $(squid -v | head -1 | sed 's/Squid Cache: Version/Squid/') · load average $LOADAVG0 before, $LOADAVG1 after (a shared machine: other builds ran meanwhile)"
  echo
  echo "| row | 1 KiB req/s, hey -c 50 keep-alive | single-stream MB/s, 64 MiB HTTPS (CONNECT) |"
  echo "|---|---:|---:|"
  echo "| client → Squid → origin | ${RPS[squid]} | ${MBS[squid]} |"
  echo "| client → **IPLoop pool port** → Squid → origin (limits and metering on) | ${RPS[pool]} | ${MBS[pool]} |"
  echo "| ratio pool / Squid direct (target ≥ 0.9) | ${rr} — $(verdict "$rr" 0.9 '>=') | ${mr} — $(verdict "$mr" 0.9 '>=') |"
  echo
  echo "Metering (the harness's counting UsageSink): ${USAGE#usage: }."
  echo
  echo "1,000 listening pool ports (one gateway JVM, $JVM_OPTS; heap used after full GCs, RSS from /proc): $BOUND bound;"
  echo "heap +$HEAP_MIB MiB, RSS +$RSS_MIB MiB, +$FDS file descriptors (target ≤ 50 MiB: $(verdict "$RSS_MIB" 50 '<=') on RSS, $(verdict "$HEAP_MIB" 50 '<=') on heap)."
  echo
  echo "Thread-limit check (\`PoolThreadCheckBench\`, plain warmed loop, target ≤ 1 µs = 1000 ns: $(verdict "$worst" 1000 '<=')):"
  echo
  cat "$TMP/threads.md"
} >"$TMP/report.md"
mkdir -p "$root/bench-results"
cp "$TMP/report.md" "$root/bench-results/pool-latest.md"
cat "$TMP/report.md"
log "written to $root/bench-results/pool-latest.md"
