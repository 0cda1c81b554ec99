#!/usr/bin/env bash
# The real server process against Squid and Dante, in one run: `./iploop server --local-node` built
# from this checkout (embedded PostgreSQL, plan limits and metering on, the demo customer on its
# unthrottled plan), Squid (HTTP proxy) and Dante (SOCKS5), all three running at once and measured
# row by row, interleaved (Squid, IPLoop, Dante for each row, then the next round), so a busy moment
# of a shared machine disturbs all three alike. Prints a Markdown table; also written to
# bench-results/server-latest.md. Run as `iploop-bench/bench.sh --server [options]`.
#
#   iploop-bench/server-bench.sh [--rounds N] [--duration S] [--rows LIST] [--skip-build] [--profile [--profile-name NAME]] [--keep-tmp]
#
# Rows (hey, 50 connections, 1 KiB body from nginx on loopback):
#   new-conn  a new TCP connection (and proxy handshake) per request: hey -disable-keepalive
#   https-ka  HTTPS 1 KiB over 50 keep-alive CONNECT tunnels (SOCKS5 for Dante)
#   http-ka   1 KiB keep-alive HTTP through the proxy (absolute-form; SOCKS5 for Dante)
#   64m       one 64 MiB HTTPS download through CONNECT per round (curl; median over rounds)
# --rows LIST (comma-separated, default all four) measures only those rows, e.g. `--rows 64m --rounds 9`:
# the 64 MiB row alone takes a few seconds per round, so many rounds fit where one hey round would.
# Without a hey row the warm-up is WARMUP s of 64 MiB downloads through IPLoop instead.
# CPU µs/request: utime+stime of the proxy's processes (/proc/<pid>/stat) over the row ÷ requests.
# For IPLoop that is the server JVM (gateway + local node agent + control plane); the embedded
# PostgreSQL's CPU (metering writes) is reported beside it.
#
# --profile samples the server JVM's CPU (async-profiler 4.2 from Maven Central, loaded with jcmd,
# 1 ms, Java + native + kernel frames) during the new-conn and https-ka rows of the last round and
# writes collapsed stacks and flame graphs to iploop-bench/profiles/NAME-<row>.{html,collapsed.gz}
# (--profile-name NAME, default latest). With the 64m row it also profiles DURATION s of 64 MiB
# downloads through IPLoop after the rounds (untimed, not in the table), one frame per thread.
#
# Environment: BENCH_ROUNDS (default 3), BENCH_DURATION (s per row run, default 10), BENCH_WARMUP
# (s, default 20: JIT warm-up of the server before the first round; C2 is still busy after 10 s on 2 shared cores).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"

ROUNDS="${BENCH_ROUNDS:-3}"
DURATION="${BENCH_DURATION:-10}"
WARMUP="${BENCH_WARMUP:-20}"
BUILD=1
PROFILE=0
PROFILE_NAME=latest
KEEP_TMP=0
ROW_LIST="${BENCH_ROWS:-new-conn,https-ka,http-ka,64m}"
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) shift; ROUNDS="$1" ;;
    --duration) shift; DURATION="$1" ;;
    --rows) shift; ROW_LIST="$1" ;;
    --skip-build) BUILD=0 ;;
    --profile) PROFILE=1 ;;
    --profile-name) shift; PROFILE_NAME="$1" ;;
    --keep-tmp) KEEP_TMP=1 ;;
    -h|--help) sed -n '2,31p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "server-bench.sh: unknown option '$1' (try --help)" >&2; exit 2 ;;
  esac
  shift
done
ROWS=()   # the hey rows asked for, in their fixed order
RUN_64M=0
for r in ${ROW_LIST//,/ }; do
  case "$r" in new-conn|https-ka|http-ka|64m) ;; *) echo "server-bench.sh: unknown row '$r' (rows: new-conn, https-ka, http-ka, 64m)" >&2; exit 2 ;; esac
done
for r in new-conn https-ka http-ka; do [[ ",$ROW_LIST," == *",$r,"* ]] && ROWS+=("$r"); done
[[ ",$ROW_LIST," == *,64m,* ]] && RUN_64M=1

# Ports, all on 127.0.0.1; none is bench.sh's or the server's default, so both can run beside a
# developer's own server.
ORIGIN_HTTP=28180
ORIGIN_HTTPS=28543
SQUID_PORT=23128
DANTE_PORT=21180
IP_CONTROL=28280
IP_HTTP=27877
IP_SOCKS=21181
IP_HUB=28201
T_1K="http://127.0.0.1:${ORIGIN_HTTP}/1k"
T_1K_TLS="https://127.0.0.1:${ORIGIN_HTTPS}/1k"
T_64M="https://127.0.0.1:${ORIGIN_HTTPS}/64m"

log() { printf '[server-bench %s] %s\n' "$(date +%T)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
# shellcheck source=lib/peers.sh
. "$here/lib/peers.sh"   # ensure_packages descendants port_free wait_port start_origin start_squid start_dante
# shellcheck source=lib/stats.sh
. "$here/lib/stats.sh"   # median fmt_ratio verdict

# ---------------------------------------------------------------------------------------------
# Packages (Debian), as bench.sh installs them
# ---------------------------------------------------------------------------------------------
ensure_packages "${TMPDIR:-/tmp}/iploop-server-bench-apt.log" nginx:nginx-light squid:squid danted:dante-server \
  hey:hey curl:curl openssl:openssl ss:iproute2
export PATH="$PATH:/usr/sbin:/sbin"

# ---------------------------------------------------------------------------------------------
# Temp dir, process bookkeeping, cleanup
# ---------------------------------------------------------------------------------------------
TMP="$(mktemp -d /tmp/iploop-server-bench.XXXXXX)"
chmod 755 "$TMP"
STARTED=()
cleanup_on_exit 10

ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
for p in $ORIGIN_HTTP $ORIGIN_HTTPS $SQUID_PORT $DANTE_PORT $IP_CONTROL $IP_HTTP $IP_SOCKS $IP_HUB; do
  port_free "$p" || die "port 127.0.0.1:$p is already in use"
done

CLK_TCK="$(getconf CLK_TCK)"
machine_busy_ticks() { awk '/^cpu / {print $2 + $3 + $4 + $7 + $8 + $9}' /proc/stat; }
cpu_ticks() {  # pids... (no descendants) -> utime+stime+cutime+cstime
  local p total=0 t
  for p in "$@"; do
    t="$(sed 's/^.*) //' "/proc/$p/stat" 2>/dev/null | awk '{print $12 + $13 + $14 + $15}')" || true
    total=$((total + ${t:-0}))
  done
  echo "$total"
}
tree() { for r in "$@"; do descendants "$r"; done; }

# ---------------------------------------------------------------------------------------------
# Build the server from this checkout first, so the build never overlaps a measurement.
# ---------------------------------------------------------------------------------------------
JDK="$("$root/iploop" java-home)" || die "no JDK 25"
if [ $BUILD -eq 1 ]; then
  log "building the server (./iploop build)"
  "$root/iploop" build >"$TMP/build.log" 2>&1 || die "build failed: $(tail -5 "$TMP/build.log")"
fi
CONVERTER=""
if [ $PROFILE -eq 1 ]; then
  CONVERTER="$TMP/tools/jfr-converter-4.5.jar"
  ASPROF_LIB="$TMP/tools/linux-x64/libasyncProfiler.so"
  log "fetching async-profiler 4.2 and its converter 4.5 (Maven Central, through ./mvnw)"
  for a in tools.profiler:async-profiler:4.2 tools.profiler:jfr-converter:4.5; do
    (cd "$root" && ./mvnw -q -B -ntp dependency:copy -Dartifact=$a -DoutputDirectory="$TMP/tools") >>"$TMP/tools.log" 2>&1 \
      || die "could not fetch $a: $(tail -3 "$TMP/tools.log")"
  done
  (cd "$TMP/tools" && unzip -q -o async-profiler-4.2.jar 'linux-x64/*') || die "no linux-x64 library in async-profiler-4.2.jar"
fi
# async-profiler is loaded into the running server with jcmd (JVMTI.agent_load), which JDK 21+
# allows for native agents only with this flag; options go quoted or jcmd splits them at commas.
profiler() { "$JDK/bin/jcmd" "$JAVA_PID" JVMTI.agent_load "$ASPROF_LIB" "\"$1\"" >/dev/null 2>&1; }
PROFILE_OPTS=""; [ $PROFILE -eq 1 ] && PROFILE_OPTS=" -XX:+EnableDynamicAgentLoading"

# ---------------------------------------------------------------------------------------------
# Origin (nginx): /1k over HTTP and HTTPS, /64m over HTTPS
# ---------------------------------------------------------------------------------------------
start_origin $ORIGIN_HTTP $ORIGIN_HTTPS 40000 30000

# ---------------------------------------------------------------------------------------------
# Squid and Dante (configs as in bench.sh; README "Peer configs")
# ---------------------------------------------------------------------------------------------
start_squid $SQUID_PORT $ORIGIN_HTTP $ORIGIN_HTTPS
start_dante $DANTE_PORT
wait_port $SQUID_PORT 20 $SQUID_PID || die "Squid did not start: $(tail -5 "$TMP/squid.out" "$TMP/squid-cache.log")"
wait_port $DANTE_PORT 10 $DANTE_PID || die "Dante did not start: $(tail -5 "$TMP/danted.out" "$TMP/danted.log")"

# ---------------------------------------------------------------------------------------------
# IPLoop: the real server process, throw-away data dir
# ---------------------------------------------------------------------------------------------
log "starting ./iploop server --local-node (data dir $TMP/iploop-data)"
IPLOOP_DATA_DIR="$TMP/iploop-data" IPLOOP_HTTP_PORT=$IP_CONTROL IPLOOP_PROXY_PORT=$IP_HTTP \
IPLOOP_SOCKS_PORT=$IP_SOCKS IPLOOP_NODE_HUB_PORT=$IP_HUB IPLOOP_BIND_ADDRESS=127.0.0.1 \
IPLOOP_PROXY_TLS_PORT=0 IPLOOP_SOCKS_TLS_PORT=0 IPLOOP_NODE_HUB_TLS_PORT=0 \
IPLOOP_EGRESS_ALLOW_LOOPBACK=true IPLOOP_JAVA_OPTS="${IPLOOP_BENCH_JVM_OPTS:--Xmx1g}$PROFILE_OPTS" \
  "$root/iploop" server --local-node >"$TMP/server.out" 2>&1 &
SERVER_PID=$!; STARTED+=($SERVER_PID)
for _ in $(seq 1 1200); do
  # The local exit may connect before the first-start banner (demo customer, key) is printed: wait for both.
  grep -q 'connected from .* as the local exit' "$TMP/server.out" 2>/dev/null && grep -q 'Demo API key' "$TMP/server.out" && break
  kill -0 $SERVER_PID 2>/dev/null || die "server exited: $(grep -m3 -E 'ERROR|Exception' "$TMP/server.out")"
  sleep 0.1
done
grep -q 'as the local exit' "$TMP/server.out" || die "the local exit did not connect within 120 s"
CUST="$(sed -n 's/^ *Demo customer id *: *\([^ ]*\).*/\1/p' "$TMP/server.out")"
KEY="$(sed -n 's/^ *Demo API key *: *\([^ ]*\).*/\1/p' "$TMP/server.out")"
PLAN="$(sed -n 's/^ *Demo plan *: *\([^ ]*\).*/\1/p' "$TMP/server.out")"
[ -n "$CUST" ] && [ -n "$KEY" ] || die "no demo customer in the first-start banner"
JAVA_PID="$SERVER_PID"   # ./iploop execs java
# The embedded PostgreSQL runs detached from the JVM (pg_ctl): its postmaster is found by its data
# directory under ours, its backends are the postmaster's children.
PG_PIDS() { local p; for p in $(pgrep -f -- "-D $TMP/iploop-data" || true); do tree "$p"; done; }
log "IPLoop up: java pid $JAVA_PID, demo customer $CUST on plan $PLAN"

# Proxy URL per peer for hey/curl; Dante speaks SOCKS5 only.
declare -A PX
PX[Squid]="http://127.0.0.1:$SQUID_PORT"
PX[IPLoop]="http://$CUST:$KEY@127.0.0.1:$IP_HTTP"
PX[Dante]="socks5://127.0.0.1:$DANTE_PORT"
PEERS=(Squid IPLoop Dante)
pids_of() { case "$1" in Squid) echo "$SQUID_PID" ;; Dante) tree "$DANTE_PID" ;; IPLoop) echo "$JAVA_PID" ;; esac; }

for p in "${PEERS[@]}"; do
  r="$(curl -s -o /dev/null -w '%{http_code} %{size_download}' -x "${PX[$p]/socks5:/socks5h:}" "$T_1K")"
  [ "$r" = "200 1024" ] || die "$p: sanity request failed ($r)"
  r="$(curl -sk -o /dev/null -w '%{http_code} %{size_download}' -x "${PX[$p]/socks5:/socks5h:}" "$T_1K_TLS")"
  [ "$r" = "200 1024" ] || die "$p: sanity HTTPS request failed ($r)"
done

# hey_row <peer> <row> <secs> -> H_N (2xx responses) H_RPS H_ERR
hey_row() {
  local peer="$1" row="$2" secs="$3" url out args=()
  args=(-c 50 -z "${secs}s" -t 10 -x "${PX[$peer]}")
  case "$row" in
    new-conn) args+=(-disable-keepalive); url="$T_1K" ;;
    https-ka) url="$T_1K_TLS" ;;
    http-ka) url="$T_1K" ;;
  esac
  out="$TMP/hey-$peer-$row.txt"
  hey "${args[@]}" "$url" >"$out" 2>&1 || true
  H_RPS="$(sed -n 's/^ *Requests\/sec: *\([0-9.]*\).*/\1/p' "$out")"
  H_N="$(awk '/^\s*\[2[0-9][0-9]\]/ {n += $2} END {print n + 0}' "$out")"
  H_ERR="$(awk '/^Error distribution:/ {e = 1; next} e && /\[[0-9]+\]/ {n += substr($1, 2, length($1) - 2)} END {print n + 0}' "$out")"
  local non2xx; non2xx="$(awk '/^\s*\[[0-9]+\]\s+[0-9]+ responses/ && !/\[2[0-9][0-9]\]/ {n += $2} END {print n + 0}' "$out")"
  H_ERR=$((H_ERR + non2xx))
  # Requests/sec counts errors too; the row's rate is 2xx responses over the run.
  H_RPS="$(awk -v n="$H_N" -v s="$secs" 'BEGIN {printf "%.0f", n / s}')"
}

declare -A SUM_RPS SUM_CPU CNT RPS_R CPU_R PG_R ERRS BG_R
JFR_FILES=()
profiling_row() { [ $PROFILE -eq 1 ] && [ "$1" -eq "$ROUNDS" ] && [ "$2" != http-ka ]; }

# download_64m <peer>: one 64 MiB download -> D_OUT "<http code> <bytes> <bytes/s>"
download_64m() { D_OUT="$(curl -sk -o /dev/null -w '%{http_code} %{size_download} %{speed_download}' --max-time 120 -x "${PX[$1]/socks5:/socks5h:}" "$T_64M" || true)"; }
# downloads_for <peer> <secs>: 64 MiB downloads one after another for secs (warm-up, profile)
downloads_for() { local end=$(( $(date +%s) + $2 )); while [ "$(date +%s)" -lt "$end" ]; do download_64m "$1"; done; }
if [ ${#ROWS[@]} -gt 0 ]; then
  log "warm-up: ${WARMUP}s of each row through IPLoop (JIT), 3 s through the peers"
  for row in "${ROWS[@]}"; do hey_row IPLoop "$row" "$WARMUP"; done
  for p in Squid Dante; do for row in "${ROWS[@]}"; do hey_row "$p" "$row" 3; done; done
else
  log "warm-up: ${WARMUP}s of 64 MiB downloads through IPLoop (JIT)"
  downloads_for IPLoop "$WARMUP"
fi
for p in "${PEERS[@]}"; do download_64m "$p"; done

for ((round = 1; round <= ROUNDS; round++)); do
  for row in "${ROWS[@]}"; do
    for p in "${PEERS[@]}"; do
      pids=($(pids_of "$p"))
      if [ "$p" = IPLoop ] && profiling_row "$round" "$row"; then
        profiler "start,event=cpu,interval=1000000" || log "could not start async-profiler"
      fi
      c0="$(cpu_ticks $(tree "${pids[@]}"))"; g0=0; [ "$p" = IPLoop ] && g0="$(cpu_ticks $(PG_PIDS))"
      b0="$(machine_busy_ticks)"; t0="$(date +%s%N)"
      hey_row "$p" "$row" "$DURATION"
      b1="$(machine_busy_ticks)"; t1="$(date +%s%N)"
      c1="$(cpu_ticks $(tree "${pids[@]}"))"; g1=0; [ "$p" = IPLoop ] && g1="$(cpu_ticks $(PG_PIDS))"
      if [ "$p" = IPLoop ] && profiling_row "$round" "$row"; then
        profiler "stop,file=$TMP/$row.collapsed,collapsed" || log "could not stop async-profiler"
        JFR_FILES+=("$row")
      fi
      if [ "$p" = IPLoop ]; then c1=$((c1 - g1)); c0=$((c0 - g0)); fi   # the JVM alone
      k="$p/$row/$round"
      RPS_R[$k]="$H_RPS"
      CPU_R[$k]="$(awk -v t=$((c1 - c0)) -v hz="$CLK_TCK" -v n="$H_N" 'BEGIN {if (n > 0) printf "%.0f", t * 1e6 / hz / n; else print ""}')"
      PG_R[$k]="$(awk -v t=$((g1 - g0)) -v hz="$CLK_TCK" -v n="$H_N" 'BEGIN {if (n > 0) printf "%.0f", t * 1e6 / hz / n; else print ""}')"
      BG_R[$k]="$(awk -v b=$((b1 - b0)) -v ns=$((t1 - t0)) -v hz="$CLK_TCK" -v cpus="$(nproc)" 'BEGIN {printf "%.0f", 100 * b / (ns / 1e9 * hz * cpus)}')"
      [ "$H_ERR" -gt 0 ] && ERRS[$p/$row]="$(( ${ERRS[$p/$row]:-0} + H_ERR ))"
      log "round $round $row $p: ${H_RPS} req/s, ${CPU_R[$k]} µs CPU/req, machine busy ${BG_R[$k]} %, errors $H_ERR"
    done
  done
  if [ $RUN_64M -eq 1 ]; then for p in "${PEERS[@]}"; do
    x0="$(cpu_ticks $(tree $(pids_of "$p")))"; [ "$p" = IPLoop ] && x0=$((x0 - $(cpu_ticks $(PG_PIDS))))
    download_64m "$p"; r="$D_OUT"
    x1="$(cpu_ticks $(tree $(pids_of "$p")))"; [ "$p" = IPLoop ] && x1=$((x1 - $(cpu_ticks $(PG_PIDS))))
    k="$p/64m/$round"
    if [ "${r%% *}" = 200 ] && [ "$(awk '{print $2}' <<<"$r")" = $((64 * 1024 * 1024)) ]; then
      RPS_R[$k]="$(awk '{printf "%.0f", $3 / 1e6}' <<<"$r")"
      CPU_R[$k]="$(( (x1 - x0) * 1000 / CLK_TCK ))"; PG_R[$k]=""
    else
      RPS_R[$k]=""; ERRS[$p/64m]="$(( ${ERRS[$p/64m]:-0} + 1 ))"
    fi
    log "round $round 64m $p: ${RPS_R[$k]} MB/s, ${CPU_R[$k]:-?} ms CPU, load $(cut -d' ' -f1 /proc/loadavg)"
  done; fi
done
if [ $PROFILE -eq 1 ] && [ $RUN_64M -eq 1 ]; then
  log "profiling ${DURATION}s of 64 MiB downloads through IPLoop"
  profiler "start,event=cpu,interval=1000000,threads" || log "could not start async-profiler"
  downloads_for IPLoop "$DURATION"
  profiler "stop,file=$TMP/64m.collapsed,collapsed" || log "could not stop async-profiler"
  JFR_FILES+=(64m)
fi

# ---------------------------------------------------------------------------------------------
# Report: median over rounds of each peer's value, and the median of the per-round ratios
# ---------------------------------------------------------------------------------------------
int_or_dash() { awk -v v="${1:-}" 'BEGIN {if (v == "" || v + 0 < 0) print "—"; else printf "%.0f", v}'; }
vals() { local p="$1" row="$2" what="$3" r out=""; for ((r = 1; r <= ROUNDS; r++)); do
  case "$what" in rps) out+=" ${RPS_R[$p/$row/$r]:-}" ;; cpu) out+=" ${CPU_R[$p/$row/$r]:-}" ;; pg) out+=" ${PG_R[$p/$row/$r]:-}" ;; bg) out+=" ${BG_R[$p/$row/$r]:-}" ;; esac; done; echo "$out"; }
ratios() { local a="$1" b="$2" row="$3" r out=""; for ((r = 1; r <= ROUNDS; r++)); do
  out+=" $(awk -v x="${RPS_R[$a/$row/$r]:-}" -v y="${RPS_R[$b/$row/$r]:-}" 'BEGIN {if (x != "" && y != "" && y > 0) printf "%.2f", x / y}')"; done; echo "$out"; }
# Dante forks and reaps worker processes during a run, so a per-process /proc sum can lose CPU
# between the two snapshots: a run whose figure comes out negative has none.
dante_cpu() { local r out=""; for ((r = 1; r <= ROUNDS; r++)); do
  v="${CPU_R[Dante/$1/$r]:-}"; [ -n "$v" ] && [ "$v" -ge 0 ] && out+=" $v"; done; median <<<"$out"; }

machine="$(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo), $(nproc) cores, $(uname -sr)"
declare -A LABEL=([new-conn]="new connection per request, 1 KiB HTTP" [https-ka]="HTTPS 1 KiB, keep-alive CONNECT tunnel" [http-ka]="1 KiB keep-alive HTTP" [64m]="64 MiB single stream through CONNECT (MB/s)")
{
  echo "# The IPLoop server process vs Squid and Dante (loopback, one run, interleaved)"
  echo
  echo "$(date -u '+%Y-%m-%d %H:%M UTC') · $machine · $(squid -v | head -1 | sed 's/Squid Cache: Version/Squid/'), Dante $(danted -v 2>&1 | awk '{print $2}' | tr -d v | sed 's/\.$//'), hey $(dpkg-query -W -f '${Version}' hey 2>/dev/null || echo '?') · IPLoop: \`./iploop server --local-node\` (embedded PostgreSQL, demo customer on plan $PLAN, limits and metering on)"
  echo
  echo "hey -c 50 -z ${DURATION}s, $ROUNDS rounds; each cell is the median over rounds (the ratio column: median of the per-round ratios, each round's ratios in brackets). Dante is reached over SOCKS5 (hey/curl speak it themselves). CPU: µs per request of the proxy's processes (IPLoop: the server JVM — gateway + local node agent + control plane; its PostgreSQL beside it), for 64 MiB: ms per download."
  echo
  echo "| row | Squid | IPLoop | Dante | IPLoop ÷ Squid | IPLoop ÷ Dante | CPU Squid | CPU IPLoop (+PostgreSQL) | CPU Dante |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
  for row in "${ROWS[@]}" $( [ $RUN_64M -eq 1 ] && echo 64m ); do
    printf '| %s | %s | %s | %s | %s | %s | %s | %s (+%s) | %s |\n' "${LABEL[$row]}" \
      "$(int_or_dash "$(median <<<"$(vals Squid $row rps)")")" "$(int_or_dash "$(median <<<"$(vals IPLoop $row rps)")")" \
      "$(int_or_dash "$(median <<<"$(vals Dante $row rps)")")" \
      "$(fmt_ratio "$(ratios IPLoop Squid $row)")" "$(fmt_ratio "$(ratios IPLoop Dante $row)")" \
      "$(int_or_dash "$(median <<<"$(vals Squid $row cpu)")")" "$(int_or_dash "$(median <<<"$(vals IPLoop $row cpu)")")" \
      "$(int_or_dash "$(median <<<"$(vals IPLoop $row pg)")")" "$(int_or_dash "$(dante_cpu $row)")"
  done
  echo
  [ ${#ROWS[@]} -gt 0 ] && echo "Machine busy during each hey run (all processes, % of $(nproc) cores; a quiet machine shows the load generator + proxy + origin only): $(for row in "${ROWS[@]}"; do for p in "${PEERS[@]}"; do printf '%s %s:%s · ' "$row" "$p" "$(echo $(vals $p $row bg) | tr ' ' '/')"; done; done | sed 's/ · $//'). Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)."
  [ ${#ROWS[@]} -gt 0 ] || echo "Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)."
  echo
  echo "## Targets (issue 10 §3)"
  echo
  nr="$(median <<<"$(ratios IPLoop Squid new-conn)")"; hr="$(median <<<"$(ratios IPLoop Squid https-ka)")"; br="$(median <<<"$(ratios IPLoop Dante 64m)")"
  nc="$(int_or_dash "$(median <<<"$(vals IPLoop new-conn cpu)")")"; hc="$(int_or_dash "$(median <<<"$(vals IPLoop https-ka cpu)")")"
  rowon() { [[ ",$ROW_LIST," == *",$1,"* ]]; }
  rowon new-conn && echo "- new connection per request ≥ 1.0× Squid req/s: ${nr:-—}× — $(verdict "$nr" 1.0 '>=')"
  rowon https-ka && echo "- HTTPS 1 KiB keep-alive through CONNECT ≥ 1.0× Squid: ${hr:-—}× — $(verdict "$hr" 1.0 '>=')"
  rowon 64m && echo "- 64 MiB single stream ≥ 0.9× Dante: ${br:-—}× — $(verdict "$br" 0.9 '>=')"
  rowon new-conn && echo "- gateway + agent ≤ 150 µs CPU per new connection: ${nc:-—} µs — $(verdict "$nc" 150 '<=')"
  rowon https-ka && echo "- gateway + agent ≤ 40 µs CPU per request in a tunnel: ${hc:-—} µs — $(verdict "$hc" 40 '<=')"
  echo
  errs=""; for k in "${!ERRS[@]}"; do errs+="$k ${ERRS[$k]} · "; done
  [ -n "$errs" ] && { echo "Errors (non-2xx, resets, timeouts; failed 64 MiB downloads): ${errs% · }"; echo; }
  echo "Dante's CPU is \"—\" where its forked workers came and went between the two /proc snapshots (the sum is then meaningless); Squid is the CPU reference. Method and caveats: iploop-bench/README.md (\"The server process\")."
} > "$TMP/report.md"

mkdir -p "$root/bench-results"
cp "$TMP/report.md" "$root/bench-results/server-latest.md"

if [ ${#JFR_FILES[@]} -gt 0 ]; then
  mkdir -p "$here/profiles"
  for row in "${JFR_FILES[@]}"; do
    [ -s "$TMP/$row.collapsed" ] || { log "no profile for $row"; continue; }
    gzip -9 -c "$TMP/$row.collapsed" > "$here/profiles/$PROFILE_NAME-$row.collapsed.gz"
    "$JDK/bin/java" -jar "$CONVERTER" "$TMP/$row.collapsed" "$here/profiles/$PROFILE_NAME-$row.html" >/dev/null 2>&1 || true
    log "profile of $row: iploop-bench/profiles/$PROFILE_NAME-$row.{html,collapsed.gz}"
  done
fi
cat "$TMP/report.md"
log "written to $root/bench-results/server-latest.md"
