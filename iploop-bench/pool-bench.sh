#!/usr/bin/env bash
# Upstream-pool benchmark on loopback (docs/upstream-pool.md): a client through an IPLoop pool port
# whose upstream is a local Squid, against the same client going through that Squid directly. Same
# origin (nginx), same load: hey -c 50 (keep-alive) of 1 KiB (best of BENCH_RUNS after BENCH_WARMUP s,
# Squid's row then the pool's), and curl of a 64 MiB HTTPS file (CONNECT) in ROUNDS interleaved rounds:
# each round one download through Squid directly and one through the pool port, the first of the two
# alternating, so a busy moment of the shared machine hits both sides alike. The 64 MiB figure is the
# median of the per-round ratios (each listed), beside each side's median MB/s and CPU per download;
# the rounds follow STREAM_WARMUP s of untimed downloads through the pool (the gateway's JIT), and the
# report gives the CPU the gateway's compiler threads spent during the warm-up and during the rounds.
# Placement: the client (hey, curl) and the origin (nginx) run on the first half of the CPUs this script
# may use, the proxies under test (Squid, the pool gateway) on the other half (taskset), as they would on
# separate hosts; on one machine otherwise curl's TLS and nginx compete with the proxies for the same
# cores and the row measures the sum of everyone's CPU (README "The upstream pool"). The 64 MiB rounds
# are then run a second time with every process on every CPU, reported beside the first for reference.
# The pool grant has every limit on (threads, QPS, per-IP, shaping, quota, expiry; far above the load)
# and usage is metered. Then the memory of 1,000 bound pool ports (heap after GC and RSS, 1,000 vs 0)
# and the thread-limit check (PoolThreadCheckBench).
# Prints a Markdown report and writes it to bench-results/pool-latest.md under the repository root.
#
#   iploop-bench/pool-bench.sh [--skip-build] [--quick] [--stream-only] [--shared-cores] [--rounds N] [--profile=NAME] [--keep-tmp]
#   iploop-bench/bench.sh --pool [same options]
#
# --stream-only runs only the 64 MiB rounds (no hey rows, no memory or thread-limit check): about a minute.
# --shared-cores: no placement; every row with every process on every CPU (the rounds run once).
# --rounds N: 64 MiB rounds (default 15; a round takes about a second).
# --profile=NAME samples the pool gateway's CPU with async-profiler during the 64 MiB rounds
# and writes iploop-bench/profiles/NAME.{html,collapsed.gz} (ASPROF: a directory holding
# async-profiler-4.2.jar and jfr-converter-4.5.jar, fetched through ./mvnw when missing).
# Environment: BENCH_DURATION (s per hey run, default 10), BENCH_RUNS (hey runs per row, the best
# is kept, default 2), BENCH_WARMUP (s of hey before each hey row, default 8), BENCH_ROUNDS (as
# --rounds), BENCH_STREAM_WARMUP (s of untimed 64 MiB downloads through the pool before the rounds,
# default 20: see README "Upstream pool"), IPLOOP_BENCH_JVM_OPTS (default -Xmx1g),
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
ROUNDS="${BENCH_ROUNDS:-15}"
STREAM_WARMUP="${BENCH_STREAM_WARMUP:-20}"
[ -z "${BENCH_STREAM_RUNS:-}" ] || { echo "pool-bench.sh: BENCH_STREAM_RUNS is gone: the 64 MiB row is now BENCH_ROUNDS interleaved rounds" >&2; exit 2; }
BUILD=1
KEEP_TMP=0
STREAM_ONLY=0
SHARED_CORES=0
PROFILE=
while [ $# -gt 0 ]; do
  case "$1" in
    --skip-build) BUILD=0 ;;
    --quick) DURATION=3; RUNS=1; WARMUP=3; ROUNDS=5; STREAM_WARMUP=5 ;;
    --rounds) shift; ROUNDS="$1" ;;
    --keep-tmp) KEEP_TMP=1 ;;
    --stream-only) STREAM_ONLY=1 ;;
    --shared-cores) SHARED_CORES=1 ;;
    --profile=*) PROFILE="${1#--profile=}" ;;
    -h|--help) sed -n '2,38p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
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
# shellcheck source=lib/stats.sh
. "$here/lib/stats.sh"   # median fmt_ratio verdict

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

# cpu_ids <list>: a CPU list as taskset prints it ("0-3,6") -> one id per line
cpu_ids() { tr ',' '\n' <<<"$1" | awk -F- '{e = (NF > 1) ? $2 : $1; for (c = $1; c <= e; c++) print c}'; }
MY_CPUS=($(cpu_ids "$(taskset -pc $$ | sed 's/.*: //')"))
ALL_CPUS="$(IFS=,; echo "${MY_CPUS[*]}")"
if [ $SHARED_CORES -eq 0 ] && [ ${#MY_CPUS[@]} -lt 2 ]; then
  log "one CPU only: every process shares it (as --shared-cores)"; SHARED_CORES=1
fi
half=$(( ${#MY_CPUS[@]} / 2 ))
ENV_CPUS="$(IFS=,; echo "${MY_CPUS[*]:0:half}")"      # client and origin
PROXY_CPUS="$(IFS=,; echo "${MY_CPUS[*]:half}")"      # Squid and the pool gateway
CLIENT_CPUS="$ALL_CPUS"                               # where place() last put the client
# place <client and origin CPUs> <proxy CPUs>: moves every thread of nginx, Squid and the gateway
# (their later threads inherit it) and sets where hey and curl start
place() {
  local p
  for p in "${NGINX_TREE[@]}"; do taskset -a -pc "$1" "$p" >/dev/null; done
  for p in $(descendants "$SQUID_PID") "$GW_PID"; do taskset -a -pc "$2" "$p" >/dev/null; done
  CLIENT_CPUS="$1"
}
placement() { # the current placement, for the log and the report
  if [ "$CLIENT_CPUS" = "$ALL_CPUS" ]; then echo "every process on CPUs $ALL_CPUS"
  else echo "client (hey, curl) and origin (nginx) on CPU $ENV_CPUS, Squid and the pool gateway on CPU $PROXY_CPUS"; fi
}

start_origin $ORIGIN_HTTP $ORIGIN_HTTPS 20000 16384
NGINX_TREE=($(descendants "$NGINX_PID"))
[ "$(curl -s -o /dev/null -w '%{http_code} %{size_download}' "$TARGET_1K")" = "200 1024" ] || die "origin /1k broken"
start_squid $SQUID_PORT $ORIGIN_HTTP $ORIGIN_HTTPS
wait_port $SQUID_PORT 20 $SQUID_PID || die "Squid did not start: $(tail -5 "$TMP/squid.out" "$TMP/squid-cache.log" 2>/dev/null)"
log "origin nginx (pid $NGINX_PID) and Squid (pid $SQUID_PID) up"

# hey_rps <proxy URL> <secs> -> requests per second (keep-alive, 50 connections), or 0
hey_rps() {
  local out="$TMP/hey.txt"
  taskset -c "$CLIENT_CPUS" hey -z "${2}s" -c 50 -x "$1" "$TARGET_1K" >"$out" 2>&1 || true
  local codes; codes="$(sed -n '/Status code distribution/,/^$/p' "$out" | grep -v '\[200\]' | grep -c '\[' || true)"
  [ "$codes" -eq 0 ] || log "non-200 answers: $(sed -n '/Status code distribution/,/^$/p' "$out" | tr '\n' ' ')"
  awk '/Requests\/sec:/ {printf "%.0f", $2}' "$out"
}

# ticks <pid>...: user + system CPU of those processes so far, in clock ticks; one that is gone counts 0
ticks() { local p f=(); for p in "$@"; do f+=("/proc/$p/stat"); done; stat_ticks "${f[@]}"; }
stat_ticks() { local p f=(); for p in "$@"; do [ -r "$p" ] && f+=("$p"); done
  [ ${#f[@]} -gt 0 ] || { echo 0; return; }
  awk '{sub(/^.*\) /, ""); split($0, v, " "); t += v[12] + v[13]} END {print t + 0}' "${f[@]}" 2>/dev/null || echo 0; }
HZ="$(getconf CLK_TCK)"
ms() { awk -v t="$1" -v n="${2:-1}" -v hz="$HZ" 'BEGIN {if (n > 0) printf "%.0f", t * 1000 / hz / n; else print "—"}'; }
# jit_ticks <pid>: the same for a JVM's compiler threads (C1 and C2; on 2 cores there is one of each,
# and they live as long as the JVM). Per thread only under /proc/<pid>/task: /proc/<tid>/stat is the whole process.
jit_ticks() { local d f=(); for d in /proc/"$1"/task/*; do
  case "$(cat "$d/comm" 2>/dev/null)" in "C1 CompilerThre"*|"C2 CompilerThre"*) f+=("$d/stat") ;; esac; done
  stat_ticks "${f[@]}"; }
# children_ticks <file>: user + system CPU of this shell's finished children in a `times` output
# (the curl processes and the subshell around each), in ticks. `times` must run in this shell itself
# (a command substitution's subshell has no children).
children_ticks() { awk -v hz="$HZ" 'NR == 2 {
  split($1, u, /[ms]/); split($2, s, /[ms]/); printf "%.0f", (u[1] * 60 + u[2] + s[1] * 60 + s[2]) * hz }' "$1"; }

# hey_row <name> <proxy URL>: best of RUNS hey runs after WARMUP s of hey -> RPS[name]
declare -A RPS
hey_row() {
  local name="$1" proxy="$2" best=0 r i
  log "$name: warm-up ${WARMUP}s"
  hey_rps "$proxy" "$WARMUP" >/dev/null
  for ((i = 1; i <= RUNS; i++)); do
    r="$(hey_rps "$proxy" "$DURATION")"
    log "$name: hey -c 50 -z ${DURATION}s run $i: ${r:-0} req/s"
    [ "${r:-0}" -gt "$best" ] && best="$r"
  done
  RPS[$name]="$best"
}

# curl's proxy arguments per side (set once the gateway is up)
declare -A CURL_PROXY
CURL_PROXY[squid]="-x http://127.0.0.1:$SQUID_PORT"
# download_64m <side>: one 64 MiB download -> D_OUT "<http code> <bytes> <bytes/s>"
download_64m() {
  # shellcheck disable=SC2086
  D_OUT="$(taskset -c "$CLIENT_CPUS" curl -s -k -o /dev/null -w '%{http_code} %{size_download} %{speed_download}' --max-time 120 ${CURL_PROXY[$1]} "$TARGET_64M" || true)"
}
# timed_64m <side> <placement tag> <round>: one timed download with the CPU each process spent on it,
# added to the sums of tag/side -> MB_R[tag/side/round] (empty when it failed)
declare -A MB_R SUM_NGINX SUM_SQUID SUM_GW SUM_CURL
timed_64m() {
  local side="$1" key="$2/$1" round="$3" n0 s0 g0 n1 s1 g1
  n0="$(ticks "${NGINX_TREE[@]}")"; s0="$(ticks "$SQUID_PID")"; g0="$(ticks "$GW_PID")"
  times >"$TMP/times0.txt"
  download_64m "$side"
  times >"$TMP/times1.txt"
  n1="$(ticks "${NGINX_TREE[@]}")"; s1="$(ticks "$SQUID_PID")"; g1="$(ticks "$GW_PID")"
  SUM_NGINX[$key]=$(( ${SUM_NGINX[$key]:-0} + n1 - n0 )); SUM_SQUID[$key]=$(( ${SUM_SQUID[$key]:-0} + s1 - s0 ))
  SUM_GW[$key]=$(( ${SUM_GW[$key]:-0} + g1 - g0 ))
  SUM_CURL[$key]=$(( ${SUM_CURL[$key]:-0} + $(children_ticks "$TMP/times1.txt") - $(children_ticks "$TMP/times0.txt") ))
  if [ "${D_OUT%% *}" = 200 ] && [ "$(awk '{print $2}' <<<"$D_OUT")" = "$((64 * 1024 * 1024))" ]; then
    MB_R[$key/$round]="$(awk '{printf "%.0f", $3 / 1e6}' <<<"$D_OUT")"
  else
    MB_R[$key/$round]=""; log "round $round $side ($2): 64 MiB download failed ($D_OUT)"
  fi
}
# run_rounds <placement tag>: ROUNDS rounds, each one timed download per side, the first alternating
run_rounds() {
  local round side order
  log "64 MiB rounds: $(placement)"
  for ((round = 1; round <= ROUNDS; round++)); do
    if ((round % 2)); then order=(squid pool); else order=(pool squid); fi
    for side in "${order[@]}"; do timed_64m "$side" "$1" "$round"; done
    log "round $round (${order[0]} first): Squid direct ${MB_R[$1/squid/$round]:-—} MB/s, pool ${MB_R[$1/pool/$round]:-—} MB/s, load $(cut -d' ' -f1 /proc/loadavg)"
  done
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

# The gateway runs (idle) during Squid's rows too: the 64 MiB rounds alternate between the two.
# shellcheck disable=SC2086
"$jdk/bin/java" --enable-native-access=ALL-UNNAMED ${PROFILE:+-XX:+EnableDynamicAgentLoading} $JVM_OPTS -cp "$CP" io.iploop.bench.DataPlaneHarness pool \
  --pool-port=$POOL_PORT --upstream-port=$SQUID_PORT >"$TMP/pool.out" 2>"$TMP/pool.err" &
GW_PID=$!; STARTED+=($GW_PID)
for _ in $(seq 1 300); do grep -q '^READY' "$TMP/pool.out" 2>/dev/null && break; kill -0 $GW_PID 2>/dev/null || break; sleep 0.1; done
grep -q '^READY' "$TMP/pool.out" || die "pool gateway did not start: $(grep -m1 -E 'Exception|Error' "$TMP/pool.err" | cut -c1-200)"
USER_="$(sed -n 's/^READY.* user=\([^ ]*\).*/\1/p' "$TMP/pool.out")"
PASS_="$(sed -n 's/^READY.* pass=\([^ ]*\).*/\1/p' "$TMP/pool.out")"
CURL_PROXY[pool]="-x http://127.0.0.1:$POOL_PORT --proxy-user $USER_:$PASS_"
if [ $SHARED_CORES -eq 0 ]; then place "$ENV_CPUS" "$PROXY_CPUS"; fi
log "placement: $(placement)"
for side in squid pool; do
  # shellcheck disable=SC2086
  chk="$(curl -s -o /dev/null -w '%{http_code} %{size_download}' ${CURL_PROXY[$side]} "$TARGET_1K")"
  [ "$chk" = "200 1024" ] || die "$side: sanity request failed ($chk)"
done

if [ $STREAM_ONLY -eq 0 ]; then
  hey_row squid "http://127.0.0.1:$SQUID_PORT"
  hey_row pool "http://$USER_:$PASS_@127.0.0.1:$POOL_PORT"
else
  RPS[squid]="not run"; RPS[pool]="not run"
fi

# 64 MiB: untimed downloads through the pool for STREAM_WARMUP s (the hey rows do not warm the relay:
# plain HTTP through the pool is forwarded, not relayed), logging the compiler threads' CPU every 5 s,
# then one untimed download each way, then the rounds; without --shared-cores, then the same rounds again
# with every process on every CPU.
log "warm-up: ${STREAM_WARMUP}s of 64 MiB downloads through the pool (JIT)"
j0="$(jit_ticks "$GW_PID")"; jw="$j0"; t_start=$SECONDS; t_end=$((SECONDS + STREAM_WARMUP)); t_log=$((SECONDS + 5))
while [ $SECONDS -lt $t_end ]; do
  download_64m pool
  if [ $SECONDS -ge $t_log ]; then
    j="$(jit_ticks "$GW_PID")"; log "warm-up $((SECONDS - t_start))s: gateway JIT $(ms $((j - jw))) ms of CPU since the last line"
    jw="$j"; t_log=$((SECONDS + 5))
  fi
done
JIT_WARMUP_MS="$(ms $(( $(jit_ticks "$GW_PID") - j0 )))"
download_64m squid; download_64m pool
[ -n "$PROFILE" ] && profiler_start
j1="$(jit_ticks "$GW_PID")"
MAIN_PLACEMENT="$(placement)"
if [ $SHARED_CORES -eq 0 ]; then TAGS=(split shared); else TAGS=(shared); fi
run_rounds "${TAGS[0]}"
if [ $SHARED_CORES -eq 0 ]; then
  place "$ALL_CPUS" "$ALL_CPUS"
  download_64m squid; download_64m pool
  run_rounds shared
fi
JIT_ROUNDS_MS="$(ms $(( $(jit_ticks "$GW_PID") - j1 )))"
[ -n "$PROFILE" ] && profiler_stop
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
# per tag/side: the rounds' MB/s; per tag and round: pool ÷ Squid direct where both downloads succeeded
vals() { local r out=""; for ((r = 1; r <= ROUNDS; r++)); do out+=" ${MB_R[$1/$r]:-}"; done; echo "$out"; }
declare -A RATIOS MED RANGE
for tag in "${TAGS[@]}"; do
  RATIOS[$tag]=""; for ((r = 1; r <= ROUNDS; r++)); do
    RATIOS[$tag]+=" $(awk -v x="${MB_R[$tag/pool/$r]:-}" -v y="${MB_R[$tag/squid/$r]:-}" 'BEGIN {if (x != "" && y != "" && y > 0) printf "%.2f", x / y}')"; done
  for side in squid pool; do
    MED[$tag/$side]="$(median <<<"$(vals "$tag/$side")" | awk '{printf "%.0f", $1}')"
    RANGE[$tag/$side]="$(vals "$tag/$side" | tr ' ' '\n' | grep . | sort -g | sed -n '1p;$p' | paste -sd-)"
  done
done
T="${TAGS[0]}"
mr="$(median <<<"${RATIOS[$T]}")"; mrv="$(fmt_ratio "${RATIOS[$T]}") — $(verdict "$mr" 0.9 '>=')"
cpu() { ms "$1" "$ROUNDS"; }
cpu_line() { # <tag>: the CPU per download of every process, both sides
  echo "directly nginx $(cpu "${SUM_NGINX[$1/squid]}") ms, Squid $(cpu "${SUM_SQUID[$1/squid]}") ms, curl $(cpu "${SUM_CURL[$1/squid]}") ms (the idle gateway $(cpu "${SUM_GW[$1/squid]}") ms);"
  echo "through the pool nginx $(cpu "${SUM_NGINX[$1/pool]}") ms, Squid $(cpu "${SUM_SQUID[$1/pool]}") ms, pool gateway JVM $(cpu "${SUM_GW[$1/pool]}") ms, curl $(cpu "${SUM_CURL[$1/pool]}") ms."
}
if [ $STREAM_ONLY -eq 1 ]; then
  rrv="(--stream-only)"
else
  rr="$(ratio "${RPS[pool]}" "${RPS[squid]}")"
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
  echo "| client → Squid → origin | ${RPS[squid]} | ${MED[$T/squid]} |"
  echo "| client → **IPLoop pool port** → Squid → origin (limits and metering on) | ${RPS[pool]} | ${MED[$T/pool]} |"
  echo "| ratio pool / Squid direct (target ≥ 0.9) | ${rrv} | ${mrv} |"
  echo
  echo "Placement: $MAIN_PLACEMENT (taskset)."
  echo
  echo "64 MiB: $ROUNDS interleaved rounds, each one download through Squid directly and one through the pool port"
  echo "(Squid first in odd rounds, the pool first in even ones), after ${STREAM_WARMUP} s of untimed downloads through the pool."
  echo "MB/s cells: the median over the rounds (Squid direct ${RANGE[$T/squid]}, pool ${RANGE[$T/pool]} MB/s); the ratio: the median"
  echo "of the per-round ratios, each round's in brackets. The gateway's compiler threads (C1, C2) spent"
  echo "${JIT_WARMUP_MS} ms of CPU in the warm-up and ${JIT_ROUNDS_MS} ms during the rounds."
  echo "CPU per 64 MiB download (mean; /proc and the shell's children's times): $(cpu_line "$T")"
  if [ "$T" = split ]; then
    echo
    echo "For reference, the same $ROUNDS rounds with every process on CPUs $ALL_CPUS (the sum of everyone's CPU bounds"
    echo "the stream there): Squid direct ${MED[shared/squid]} MB/s (${RANGE[shared/squid]}), pool ${MED[shared/pool]} MB/s (${RANGE[shared/pool]}),"
    echo "ratio $(fmt_ratio "${RATIOS[shared]}"). CPU per download: $(cpu_line shared)"
  fi
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
