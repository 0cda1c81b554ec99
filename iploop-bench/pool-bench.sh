#!/usr/bin/env bash
# Upstream-pool benchmark on loopback (docs/upstream-pool.md): a client through an IPLoop pool port
# whose upstream is a local Squid, against the same client going through that Squid directly. Same
# origin (nginx), same load: hey -c 50 (keep-alive) of 1 KiB, and curl of a 64 MiB HTTPS file
# (CONNECT), best of 3 after WARMUP s of untimed downloads. The pool grant has every limit on
# (threads, QPS, per-IP, shaping, quota, expiry; far above the load) and usage is metered. Then the memory of 1,000 bound pool ports
# (heap after GC and RSS, 1,000 vs 0) and the thread-limit check (PoolThreadCheckBench).
# Prints a Markdown report and writes it to bench-results/pool-latest.md under the repository root.
#
#   iploop-bench/pool-bench.sh [--skip-build] [--quick] [--stream-only] [--profile=NAME] [--keep-tmp]
#   iploop-bench/bench.sh --pool [same options]
#
# --stream-only runs only the 64 MiB rows (no hey rows, no memory or thread-limit check): about a minute.
# Each row's timed downloads follow WARMUP s of untimed ones.
# --profile=NAME samples the pool gateway's CPU with async-profiler during its timed 64 MiB downloads
# and writes iploop-bench/profiles/NAME.{html,collapsed.gz} (ASPROF: a directory holding
# async-profiler-4.2.jar and jfr-converter-4.5.jar, fetched through ./mvnw when missing).
# Environment: BENCH_DURATION (s per hey run, default 10), BENCH_RUNS (hey runs per row, the best
# is kept, default 2), BENCH_WARMUP (s, default 8: the JIT), BENCH_STREAM_RUNS (timed 64 MiB
# downloads per row, the best is kept, default 3), IPLOOP_BENCH_JVM_OPTS (default -Xmx1g),
# BENCH_HARNESS_DIR (a copy of iploop-bench/target's classes/ and lib/ to run instead, e.g. an
# earlier build for a before/after comparison; use with --skip-build),
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
STREAM_RUNS="${BENCH_STREAM_RUNS:-3}"
BUILD=1
KEEP_TMP=0
STREAM_ONLY=0
PROFILE=
while [ $# -gt 0 ]; do
  case "$1" in
    --skip-build) BUILD=0 ;;
    --quick) DURATION=3; RUNS=1; WARMUP=3 ;;
    --keep-tmp) KEEP_TMP=1 ;;
    --stream-only) STREAM_ONLY=1 ;;
    --profile=*) PROFILE="${1#--profile=}" ;;
    -h|--help) sed -n '2,25p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
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
HARNESS="${BENCH_HARNESS_DIR:-$here/target}"
[ -d "$HARNESS/classes" ] && [ -d "$HARNESS/lib" ] || die "harness not built in $HARNESS (run without --skip-build)"
CP="$HARNESS/classes:$HARNESS/lib/*"

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

# cpu_ticks <pid>: user + system CPU of a process so far, in clock ticks (0 when it is gone)
cpu_ticks() { local t; t="$(sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | awk '{print $12 + $13}')" || true; echo "${t:-0}"; }
HZ="$(getconf CLK_TCK)"
# tree_ticks <pid>: the same for a process and its descendants (nginx's workers)
tree_ticks() { local p t=0; for p in $(descendants "$1"); do t=$((t + $(cpu_ticks "$p"))); done; echo "$t"; }
# children_ticks: user + system CPU of this shell's finished children (the curl processes, and the
# few ms of the awk calls around them), in ticks. `times` must run in this shell itself (a command substitution's subshell has no children).
children_ticks() { awk -v hz="$HZ" 'NR == 2 {
  split($1, u, /[ms]/); split($2, s, /[ms]/); printf "%.0f", (u[1] * 60 + u[2] + s[1] * 60 + s[2]) * hz }' "$TMP/times.txt"; }

# row <name> <proxy URL> <curl proxy args...>: best of RUNS hey runs and best of STREAM_RUNS 64 MiB
# downloads, with the CPU Squid (and the pool gateway, once it runs) spent per download
declare -A RPS MBS SQUID_MS GW_MS NGINX_MS CURL_MS MEDIAN
row() {
  local name="$1" proxy="$2"; shift 2
  local chk; chk="$(curl -s -o /dev/null -w '%{http_code} %{size_download}' "$@" "$TARGET_1K")"
  [ "$chk" = "200 1024" ] || die "$name: sanity request failed ($chk)"
  local best=0 r i
  if [ $STREAM_ONLY -eq 0 ]; then
    log "$name: warm-up ${WARMUP}s"
    hey_rps "$proxy" "$WARMUP" >/dev/null
    for ((i = 1; i <= RUNS; i++)); do
      r="$(hey_rps "$proxy" "$DURATION")"
      log "$name: hey -c 50 -z ${DURATION}s run $i: ${r:-0} req/s"
      [ "${r:-0}" -gt "$best" ] && best="$r"
    done
  fi
  RPS[$name]="$best"
  best=0
  # Untimed downloads for WARMUP s: the hey rows do not warm the JIT for this path (plain HTTP through
  # the pool is forwarded, not relayed), and one download alone left C2 compiling during the timed ones.
  log "$name: warm-up ${WARMUP}s of 64 MiB downloads"
  local until=$((SECONDS + WARMUP))
  curl -s -k -o /dev/null --max-time 60 "$@" "$TARGET_64M" || true
  while [ $SECONDS -lt $until ]; do curl -s -k -o /dev/null --max-time 60 "$@" "$TARGET_64M" || true; done
  [ "$name" = pool ] && [ -n "$PROFILE" ] && profiler_start
  local s0 g0 n0 c0 s1 g1 n1 c1 all=""
  s0="$(cpu_ticks "$SQUID_PID")"; g0="$(cpu_ticks "${GW_PID:-0}")"; n0="$(tree_ticks "$NGINX_PID")"
  times >"$TMP/times.txt"; c0="$(children_ticks)"
  for ((i = 1; i <= STREAM_RUNS; i++)); do
    r="$(curl -s -k -o /dev/null -w '%{http_code} %{size_download} %{speed_download}' --max-time 120 "$@" "$TARGET_64M" || true)"
    if [ "${r%% *}" = 200 ] && [ "$(awk '{print $2}' <<<"$r")" = "$((64 * 1024 * 1024))" ]; then
      log "$name: 64 MiB download $i: $(awk '{printf "%.0f", $3 / 1e6}' <<<"$r") MB/s"
      best="$(awk -v a="$best" -v b="$(awk '{print $3}' <<<"$r")" 'BEGIN {print (b > a ? b : a)}')"
      all="$all $(awk '{print $3}' <<<"$r")"
    else
      log "$name: 64 MiB download failed ($r)"
    fi
  done
  s1="$(cpu_ticks "$SQUID_PID")"; g1="$(cpu_ticks "${GW_PID:-0}")"; n1="$(tree_ticks "$NGINX_PID")"
  times >"$TMP/times.txt"; c1="$(children_ticks)"
  [ "$name" = pool ] && [ -n "$PROFILE" ] && profiler_stop
  MBS[$name]="$(awk -v b="$best" 'BEGIN {printf "%.0f", b / 1e6}')"
  MEDIAN[$name]="$(tr ' ' '\n' <<<"$all" | grep . | sort -g | awk '{v[NR] = $1} END {
    if (NR == 0) print 0; else printf "%.0f", (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) / 1e6 }')"
  NGINX_MS[$name]="$(awk -v t=$((n1 - n0)) -v n="$STREAM_RUNS" -v hz="$HZ" 'BEGIN {printf "%.0f", t * 1000 / hz / n}')"
  CURL_MS[$name]="$(awk -v t=$((c1 - c0)) -v n="$STREAM_RUNS" -v hz="$HZ" 'BEGIN {printf "%.0f", t * 1000 / hz / n}')"
  SQUID_MS[$name]="$(awk -v t=$((s1 - s0)) -v n="$STREAM_RUNS" -v hz="$HZ" 'BEGIN {printf "%.0f", t * 1000 / hz / n}')"
  GW_MS[$name]="$(awk -v t=$((g1 - g0)) -v n="$STREAM_RUNS" -v hz="$HZ" 'BEGIN {printf "%.0f", t * 1000 / hz / n}')"
  log "$name: ${RPS[$name]} req/s, ${MBS[$name]} MB/s best, ${MEDIAN[$name]} MB/s median; CPU per 64 MiB: nginx ${NGINX_MS[$name]} ms, Squid ${SQUID_MS[$name]} ms, pool gateway ${GW_MS[$name]} ms, curl ${CURL_MS[$name]} ms"
}

# async-profiler in the pool gateway during its timed downloads (--profile=NAME)
ASPROF="${ASPROF:-$TMP/asprof}"
profiler_lib() { find "$ASPROF/linux-x64" -name libasyncProfiler.so 2>/dev/null | head -n1; }
if [ -n "$PROFILE" ] && [ -z "$(profiler_lib)" ]; then
  if [ ! -f "$ASPROF/async-profiler-4.2.jar" ] || [ ! -f "$ASPROF/jfr-converter-4.5.jar" ]; then
    for a in tools.profiler:async-profiler:4.2 tools.profiler:jfr-converter:4.5; do
      (cd "$root" && ./mvnw -q -B -ntp dependency:copy -Dartifact=$a -DoutputDirectory="$ASPROF") >/dev/null || die "could not fetch $a"
    done
  fi
  (cd "$ASPROF" && unzip -q -o async-profiler-4.2.jar 'linux-x64/*') || die "no linux-x64 library in async-profiler-4.2.jar"
fi
profiler_start() {
  "$jdk/bin/jcmd" "$GW_PID" JVMTI.agent_load "$(profiler_lib)" "\"start,event=cpu,interval=1000000\"" >/dev/null \
    || die "could not load async-profiler"
}
profiler_stop() {
  "$jdk/bin/jcmd" "$GW_PID" JVMTI.agent_load "$(profiler_lib)" "\"stop,file=$TMP/profile.collapsed,collapsed\"" >/dev/null \
    || die "could not stop async-profiler"
  mkdir -p "$here/profiles"
  gzip -9 -c "$TMP/profile.collapsed" >"$here/profiles/$PROFILE.collapsed.gz"
  "$jdk/bin/java" -jar "$ASPROF/jfr-converter-4.5.jar" "$TMP/profile.collapsed" "$here/profiles/$PROFILE.html" >/dev/null 2>&1 \
    || log "no flame graph (jfr-converter failed)"
  log "profile: iploop-bench/profiles/$PROFILE.{html,collapsed.gz}"
}

row squid "http://127.0.0.1:$SQUID_PORT" -x "http://127.0.0.1:$SQUID_PORT"

# shellcheck disable=SC2086
"$jdk/bin/java" --enable-native-access=ALL-UNNAMED ${PROFILE:+-XX:+EnableDynamicAgentLoading} $JVM_OPTS -cp "$CP" io.iploop.bench.DataPlaneHarness pool \
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

if [ $STREAM_ONLY -eq 0 ]; then
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
fi
LOADAVG1="$(cut -d' ' -f1-3 /proc/loadavg)"

ratio() { awk -v a="${1:-0}" -v b="${2:-0}" 'BEGIN { if (b + 0 == 0) print "—"; else printf "%.2f", a / b }'; }
verdict() { awk -v v="$1" -v t="$2" -v op="$3" 'BEGIN { ok = (op == ">=") ? (v + 0 >= t + 0) : (v + 0 <= t + 0); print (ok ? "PASS" : "FAIL") }'; }
rr="$(ratio "${RPS[pool]}" "${RPS[squid]}")"; mr="$(ratio "${MBS[pool]}" "${MBS[squid]}")"
if [ $STREAM_ONLY -eq 1 ]; then
  RPS[squid]="not run"; RPS[pool]="not run"; rrv="(--stream-only)"
else
  rrv="${rr} — $(verdict "$rr" 0.9 '>=')"
  worst="$(grep -E '^\| (below|at) ' "$TMP/threads.md" | awk -F'|' '{v = $3 + 0; if (v > m) m = v} END {print m + 0}')"
fi
{
  echo "# IPLoop upstream pool vs Squid directly (loopback)"
  echo
  echo "$(date -u '+%Y-%m-%d %H:%M UTC') · $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo), $(nproc) cores · $(squid -v | head -1 | sed 's/Squid Cache: Version/Squid/') · load average $LOADAVG0 before, $LOADAVG1 after (a shared machine: other builds ran meanwhile)"
  echo
  echo "| row | 1 KiB req/s, hey -c 50 keep-alive | single-stream MB/s, 64 MiB HTTPS (CONNECT) |"
  echo "|---|---:|---:|"
  echo "| client → Squid → origin | ${RPS[squid]} | ${MBS[squid]} |"
  echo "| client → **IPLoop pool port** → Squid → origin (limits and metering on) | ${RPS[pool]} | ${MBS[pool]} |"
  echo "| ratio pool / Squid direct (target ≥ 0.9) | ${rrv} | ${mr} — $(verdict "$mr" 0.9 '>=') |"
  echo
  echo "64 MiB rows: the best of $STREAM_RUNS downloads; their median: ${MEDIAN[squid]} MB/s directly, ${MEDIAN[pool]} MB/s through the pool ($(ratio "${MEDIAN[pool]}" "${MEDIAN[squid]}")×)."
  echo "CPU per 64 MiB download (mean; /proc and the shell's children's times): directly nginx ${NGINX_MS[squid]} ms, Squid ${SQUID_MS[squid]} ms,"
  echo "curl ${CURL_MS[squid]} ms; through the pool nginx ${NGINX_MS[pool]} ms, Squid ${SQUID_MS[pool]} ms, pool gateway JVM ${GW_MS[pool]} ms, curl ${CURL_MS[pool]} ms."
  echo
  echo "Metering (the harness's counting UsageSink): ${USAGE#usage: }."
  if [ $STREAM_ONLY -eq 0 ]; then
    echo
    echo "1,000 listening pool ports (one gateway JVM, $JVM_OPTS; heap used after full GCs, RSS from /proc): $BOUND bound;"
    echo "heap +$HEAP_MIB MiB, RSS +$RSS_MIB MiB, +$FDS file descriptors (target ≤ 50 MiB: $(verdict "$RSS_MIB" 50 '<=') on RSS, $(verdict "$HEAP_MIB" 50 '<=') on heap)."
    echo
    echo "Thread-limit check (\`PoolThreadCheckBench\`, plain warmed loop, target ≤ 1 µs = 1000 ns: $(verdict "$worst" 1000 '<=')):"
    echo
    cat "$TMP/threads.md"
  fi
} >"$TMP/report.md"
mkdir -p "$root/bench-results"
out="$root/bench-results/pool-latest.md"
[ $STREAM_ONLY -eq 1 ] && out="$root/bench-results/pool-stream-latest.md"
cp "$TMP/report.md" "$out"
cat "$TMP/report.md"
log "written to $out"
