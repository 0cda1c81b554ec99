#!/usr/bin/env bash
# Side-by-side data-plane benchmark on loopback: IPLoop (gateway + one local node agent, two hops
# through the tunnel) against Squid, tinyproxy and Dante, same origin (nginx), same load (wrk, curl).
# Prints a Markdown table and writes it to bench-results/latest.md under the repository root.
#
#   iploop-bench/bench.sh [--no-iploop] [--skip-build] [--quick] [--tunnels N] [--peers LIST] [--keep-tmp]
#   iploop-bench/bench.sh --pool [pool-bench.sh options]   a pool port to a Squid upstream vs that Squid
#                                     directly, 1,000 pool ports' memory, the thread-limit check
#   iploop-bench/bench.sh --server [server-bench.sh options]   the real server process vs Squid and
#                                     Dante (server-bench.sh: new connection per request, HTTPS
#                                     keep-alive CONNECT, keep-alive HTTP, 64 MiB; CPU per request)
#
# --peers takes a comma-separated subset of squid,tinyproxy,dante,iploop (default: all); the direct
# baseline always runs. --quick: 3 s runs and 200 tunnels, for trying the script out.
#
# Environment: BENCH_DURATION (s, c50 run, default 10), BENCH_C1_DURATION (s, default 5),
# BENCH_WARMUP (s, default 3; IPLoop gets BENCH_JVM_WARMUP, default 8, for the JIT),
# BENCH_TUNNELS (idle tunnels held, default 1000), BENCH_C50_RUNS (c50 runs per peer, the least
# disturbed one is kept, default 2), IPLOOP_BENCH_JVM_OPTS (default -Xmx1g).
# Needs root only to install missing Debian packages; never touches /etc configs: every daemon runs
# from a private config in a temp dir, on 127.0.0.1, and is stopped on exit.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
if [ "${1:-}" = --server ]; then
  shift
  exec "$here/server-bench.sh" "$@"
fi
if [ "${1:-}" = --pool ]; then
  shift
  exec "$here/pool-bench.sh" "$@"
fi

DURATION="${BENCH_DURATION:-10}"
C1_DURATION="${BENCH_C1_DURATION:-5}"
WARMUP="${BENCH_WARMUP:-3}"
JVM_WARMUP="${BENCH_JVM_WARMUP:-8}"
TUNNELS="${BENCH_TUNNELS:-1000}"
C50_RUNS="${BENCH_C50_RUNS:-2}"
JVM_OPTS="${IPLOOP_BENCH_JVM_OPTS:--Xmx1g}"
RUN_IPLOOP=1
PEERS="squid,tinyproxy,dante,iploop"
BUILD=1
KEEP_TMP=0
while [ $# -gt 0 ]; do
  case "$1" in
    --no-iploop) RUN_IPLOOP=0 ;;
    --skip-build) BUILD=0 ;;
    --quick) DURATION=3; C1_DURATION=2; WARMUP=1; JVM_WARMUP=3; TUNNELS=200; C50_RUNS=1 ;;
    --tunnels) shift; TUNNELS="$1" ;;
    --peers) shift; PEERS="$1" ;;
    --keep-tmp) KEEP_TMP=1 ;;
    -h|--help) sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench.sh: unknown option '$1' (try --help)" >&2; exit 2 ;;
  esac
  shift
done

want() { [[ ",$PEERS," == *",$1,"* ]]; }
want iploop || RUN_IPLOOP=0

# Ports, all on 127.0.0.1.
ORIGIN_HTTP=18080
ORIGIN_HTTPS=18443
SQUID_PORT=13128
TINYPROXY_PORT=18888
DANTE_PORT=11080
IPLOOP_HTTP=17777
IPLOOP_SOCKS=11081
IPLOOP_HUB=18001
TARGET_1K="http://127.0.0.1:${ORIGIN_HTTP}/1k"
TARGET_64M="https://127.0.0.1:${ORIGIN_HTTPS}/64m"

log() { printf '[bench %s] %s\n' "$(date +%T)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
# shellcheck source=lib/peers.sh
. "$here/lib/peers.sh"   # ensure_packages descendants port_free wait_port start_origin start_squid start_dante

# ---------------------------------------------------------------------------------------------
# Packages
# ---------------------------------------------------------------------------------------------
ensure_packages "${TMPDIR:-/tmp}/iploop-bench-apt.log" nginx:nginx-light squid:squid tinyproxy:tinyproxy \
  danted:dante-server wrk:wrk curl:curl proxychains4:proxychains4 openssl:openssl python3:python3 ss:iproute2
export PATH="$PATH:/usr/sbin:/sbin"

# ---------------------------------------------------------------------------------------------
# Temp dir, process bookkeeping, cleanup
# ---------------------------------------------------------------------------------------------
TMP="$(mktemp -d /tmp/iploop-bench.XXXXXX)"
chmod 755 "$TMP"
STARTED=()   # root pids of everything we started

cleanup_on_exit 3

stop_tree() {  # stop one started daemon (and its children) now
  local all; all=($(descendants "$1"))
  kill -TERM "${all[@]}" 2>/dev/null || true
  for _ in $(seq 1 20); do kill -0 "$1" 2>/dev/null || break; sleep 0.2; done
  kill -KILL "${all[@]}" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
  local keep=() q   # forget it, so cleanup never signals a reused pid
  for q in "${STARTED[@]}"; do [ "$q" = "$1" ] || keep+=("$q"); done
  STARTED=("${keep[@]}")
}

ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
LOADAVG0="$(cut -d' ' -f1-3 /proc/loadavg)"
for p in $ORIGIN_HTTP $ORIGIN_HTTPS $SQUID_PORT $TINYPROXY_PORT $DANTE_PORT; do
  port_free "$p" || die "port 127.0.0.1:$p is already in use"
done

# ---------------------------------------------------------------------------------------------
# Per-process CPU and memory from /proc
# ---------------------------------------------------------------------------------------------
CLK_TCK="$(getconf CLK_TCK)"

machine_busy_ticks() { awk '/^cpu / {print $2 + $3 + $4 + $7 + $8 + $9}' /proc/stat; }  # user nice system irq softirq steal
self_child_ticks() { sed 's/^.*) //' "/proc/$$/stat" | awk '{print $14 + $15}'; }          # reaped children (wrk) of this shell

cpu_ticks() {  # root pids... -> utime+stime+cutime+cstime summed over their process trees
  local p total=0 t
  for p in $(for r in "$@"; do descendants "$r"; done); do
    t="$(sed 's/^.*) //' "/proc/$p/stat" 2>/dev/null | awk '{print $12 + $13 + $14 + $15}')" || true
    total=$((total + ${t:-0}))
  done
  echo "$total"
}

pss_kib() {  # root pids... -> proportional set size in KiB summed over their process trees
  local p total=0 v
  for p in $(for r in "$@"; do descendants "$r"; done); do
    v="$(awk '/^Pss:/ {print $2}' "/proc/$p/smaps_rollup" 2>/dev/null)" || true
    total=$((total + ${v:-0}))
  done
  echo "$total"
}

# ---------------------------------------------------------------------------------------------
# Build the IPLoop harness first, so the build's CPU never overlaps a measurement.
# ---------------------------------------------------------------------------------------------
IPLOOP_SKIP=""
IPLOOP_USAGE=""
if [ $RUN_IPLOOP -eq 1 ] && [ $BUILD -eq 1 ]; then
  log "IPLoop: building iploop-bench and its upstream modules (./mvnw -pl iploop-bench -am package)"
  if ! (cd "$root" && ./mvnw -q -B -ntp -pl iploop-bench -am -DskipTests package) >"$TMP/build.log" 2>&1; then
    IPLOOP_SKIP="build failed (upstream modules in progress?): $(grep -m1 -E '^\[ERROR\] .*(\.java|Failed)' "$TMP/build.log" | sed "s#$root/##" | cut -c1-240)"
    log "IPLoop will be skipped: $IPLOOP_SKIP"
  fi
fi

heap_used_kib() {  # pid of a JVM -> Java heap in use after a full GC, KiB (jcmd GC.run + GC.heap_info)
  local jcmd="${JDK_USED:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/jcmd"
  [ -x "$jcmd" ] || return 0
  "$jcmd" "$1" GC.run >/dev/null 2>&1 || return 0
  "$jcmd" "$1" GC.heap_info 2>/dev/null | sed -n 's/.*heap .*used \([0-9]*\)K.*/\1/p' | head -1
}

# ---------------------------------------------------------------------------------------------
# Origin: nginx on :18080 (HTTP) and :18443 (HTTPS, self-signed)
# ---------------------------------------------------------------------------------------------
start_origin $ORIGIN_HTTP $ORIGIN_HTTPS 20000 16384
[ "$(curl -s -o /dev/null -w '%{http_code} %{size_download}' "$TARGET_1K")" = "200 1024" ] || die "origin /1k broken"
log "origin nginx up (pid $NGINX_PID) on 127.0.0.1:$ORIGIN_HTTP and :$ORIGIN_HTTPS"

origin_requests() { curl -s "http://127.0.0.1:${ORIGIN_HTTP}/nginx_status" | awk 'NR == 3 {print $3}'; }

# ---------------------------------------------------------------------------------------------
# Measurements
# ---------------------------------------------------------------------------------------------
declare -A KIND PROXY AUTH REQS P50 P99 MBS C1P50 CPU TUNKIB NOTES ORIGOK BG XCPU C50ERR
ORDER=()

# run_wrk <name> <conns> <threads> <secs> -> sets W_REQS W_RPS W_P50 W_P99 W_ERR
run_wrk() {
  local name="$1" conns="$2" threads="$3" secs="$4" url abs="" pauth="" pre=() out
  case "${KIND[$name]}" in
    direct) url="$TARGET_1K" ;;
    http) url="http://${PROXY[$name]}/"; abs="$TARGET_1K"
          [ -n "${AUTH[$name]}" ] && pauth="Basic $(printf '%s' "${AUTH[$name]}" | base64 -w0)" ;;
    socks5) url="$TARGET_1K"; pre=(proxychains4 -q -f "$TMP/proxychains-$name.conf") ;;
  esac
  out="$TMP/wrk-$name-c$conns.txt"
  BENCH_ABS_URL="$abs" BENCH_PROXY_AUTH="$pauth" \
    "${pre[@]}" wrk -c"$conns" -t"$threads" -d"${secs}s" --timeout 5s -s "$here/scripts/proxy-load.lua" "$url" >"$out" 2>&1 || true
  local line; line="$(grep '^BENCH ' "$out" || true)"
  [ -n "$line" ] || { log "wrk failed for $name: $(tail -3 "$out")"; W_REQS=0; W_RPS=0; W_P50=0; W_P99=0; W_ERR="wrk failed"; return 0; }
  val() { sed -n "s/.* $1=\([0-9]*\).*/\1/p" <<<"$line"; }
  W_REQS="$(val requests)"
  W_RPS="$(awk -v r="$W_REQS" -v d="$(val duration_us)" 'BEGIN {printf "%.0f", r / (d / 1e6)}')"
  W_P50="$(val p50_us)"; W_P99="$(val p99_us)"
  local errs=$(( $(val err_connect) + $(val err_read) + $(val err_write) + $(val err_status) + $(val err_timeout) ))
  W_ERR=""
  if [ "$errs" -gt 0 ] && [ "$errs" -eq "$(val err_read)" ] && [ "${KIND[$name]}" = http ]; then
    # wrk counts a server-side close after a complete response as a read error; the request itself succeeded.
    W_ERR="$errs connection closes by the proxy after a response (counted by wrk as read errors; no client keep-alive)"
  elif [ "$errs" -gt 0 ]; then
    W_ERR="$errs errors (connect $(val err_connect), read $(val err_read), write $(val err_write), status $(val err_status), timeout $(val err_timeout))"
  fi
  return 0
}

# curl through the proxy: prints "<http_code> <bytes> <bytes_per_second>"
curl_via() {
  local name="$1" url="$2" args=(-s -k -o /dev/null -w '%{http_code} %{size_download} %{speed_download}' --max-time 60)
  case "${KIND[$name]}" in
    http) args+=(-x "http://${PROXY[$name]}"); [ -n "${AUTH[$name]}" ] && args+=(--proxy-user "${AUTH[$name]}") ;;
    socks5) if [ -n "${AUTH[$name]}" ]; then args+=(-x "socks5h://${AUTH[$name]}@${PROXY[$name]}"); else args+=(-x "socks5h://${PROXY[$name]}"); fi ;;
  esac
  curl "${args[@]}" "$url" || true
}

# measure <name> <pids...>: the whole battery for one peer
measure() {
  local name="$1"; shift
  local pids=("$@") warm="$WARMUP"
  [ "$name" = "${name#IPLoop}" ] || warm="$JVM_WARMUP"
  ORDER+=("$name"); NOTES[$name]=""

  # Sanity: the proxy forwards to the origin and returns the 1 KiB body.
  local chk; chk="$(curl_via "$name" "$TARGET_1K")"
  if [ "${chk% *}" != "200 1024" ]; then
    log "$name: sanity request failed ($chk); skipping"; NOTES[$name]="sanity request failed: $chk"
    REQS[$name]=""; return 0
  fi

  log "$name: warm-up ${warm}s and one untimed 64 MiB download"
  run_wrk "$name" 50 2 "$warm"
  curl_via "$name" "$TARGET_64M" >/dev/null

  # C50_RUNS runs; the one least disturbed by other work on the machine is kept.
  local run o0 c0 c1 o1 b0 b1 n0 n1 w0 w1 t0 t1 bg served
  BG[$name]=""
  for ((run = 1; run <= C50_RUNS; run++)); do
    log "$name: wrk -c50 -t2 -d${DURATION}s (run $run of $C50_RUNS)"
    c0=0; c1=0
    o0="$(origin_requests)"; [ ${#pids[@]} -gt 0 ] && c0="$(cpu_ticks "${pids[@]}")"
    n0="$(cpu_ticks "$NGINX_PID")"; w0="$(self_child_ticks)"; b0="$(machine_busy_ticks)"; t0="$(date +%s%N)"
    run_wrk "$name" 50 2 "$DURATION"
    b1="$(machine_busy_ticks)"; t1="$(date +%s%N)"; w1="$(self_child_ticks)"; n1="$(cpu_ticks "$NGINX_PID")"
    [ ${#pids[@]} -gt 0 ] && c1="$(cpu_ticks "${pids[@]}")"
    o1="$(origin_requests)"
    # CPU the machine spent outside wrk, the origin and the proxy during the run (other sessions,
    # hypervisor steal, kernel threads): a high value means the run was disturbed.
    bg="$(awk -v b=$((b1 - b0)) -v n=$((n1 - n0)) -v w=$((w1 - w0)) -v p=$((c1 - c0)) \
        -v ns=$((t1 - t0)) -v hz="$CLK_TCK" -v cpus="$(nproc)" \
        'BEGIN {o = b - n - w - p; if (o < 0) o = 0; printf "%.0f", 100 * o / (ns / 1e9 * hz * cpus)}')"
    log "$name: run $run: $W_RPS req/s, other CPU $bg %"
    if [ -n "${BG[$name]}" ] && [ "$bg" -ge "${BG[$name]}" ]; then continue; fi
    BG[$name]="$bg"
    REQS[$name]="$W_RPS"; P50[$name]="$W_P50"; P99[$name]="$W_P99"; C50ERR[$name]="$W_ERR"
    # The origin must have served (at least) every request wrk counted: proof the proxy forwarded.
    served=$(( o1 - o0 - 1 ))
    ORIGOK[$name]=""
    if [ "$W_REQS" -gt 0 ] && [ "$served" -lt $(( W_REQS * 98 / 100 )) ]; then
      ORIGOK[$name]="origin served only $served of $W_REQS requests! "
    fi
    CPU[$name]=""
    if [ ${#pids[@]} -gt 0 ] && [ "$W_REQS" -gt 0 ]; then
      CPU[$name]="$(awk -v t=$((c1 - c0)) -v hz="$CLK_TCK" -v r="$W_REQS" 'BEGIN {printf "%.1f", t * 1e6 / hz / r}')"
    fi
  done
  [ -n "${C50ERR[$name]}" ] && NOTES[$name]+="c50: ${C50ERR[$name]}. "
  NOTES[$name]+="${ORIGOK[$name]}"

  log "$name: wrk -c1 -t1 -d${C1_DURATION}s"
  run_wrk "$name" 1 1 "$C1_DURATION"
  C1P50[$name]="$W_P50"
  [ -n "$W_ERR" ] && NOTES[$name]+="c1: $W_ERR. "

  log "$name: 64 MiB HTTPS download, best of 3"
  local best=0 i r ok=0 x0 x1
  [ ${#pids[@]} -gt 0 ] && x0="$(cpu_ticks "${pids[@]}")"
  for i in 1 2 3; do
    r="$(curl_via "$name" "$TARGET_64M")"
    if [ "${r%% *}" = "200" ] && [ "$(awk '{print $2}' <<<"$r")" = "$((64 * 1024 * 1024))" ]; then
      best="$(awk -v a="$best" -v b="$(awk '{print $3}' <<<"$r")" 'BEGIN {print (b > a ? b : a)}')"
      ok=$((ok + 1))
    else
      NOTES[$name]+="64 MiB download failed ($r). "
    fi
  done
  MBS[$name]="$(awk -v b="$best" 'BEGIN {printf "%.0f", b / 1e6}')"
  if [ ${#pids[@]} -gt 0 ] && [ $ok -gt 0 ]; then
    x1="$(cpu_ticks "${pids[@]}")"
    XCPU[$name]="$(( (x1 - x0) * 1000 / CLK_TCK / ok ))"
  fi

  TUNKIB[$name]=""
  if [ "${KIND[$name]}" != "direct" ] && [ "$TUNNELS" -gt 0 ]; then
    log "$name: holding $TUNNELS idle tunnels"
    local m0 m1 held hp
    local jvm=0 h0=() h1=() p
    [ "$name" = "${name#IPLoop}" ] || jvm=1
    if [ $jvm -eq 1 ]; then for p in "${pids[@]}"; do h0+=("$(heap_used_kib "$p")"); done; fi
    m0="$(pss_kib "${pids[@]}")"
    python3 "$here/scripts/hold_tunnels.py" --type "${KIND[$name]}" --proxy "${PROXY[$name]}" \
      --target "127.0.0.1:$ORIGIN_HTTPS" --count "$TUNNELS" --auth "${AUTH[$name]}" --hold 60 >"$TMP/tunnels-$name.txt" 2>&1 &
    hp=$!; STARTED+=($hp)
    for _ in $(seq 1 600); do grep -q '^HELD' "$TMP/tunnels-$name.txt" 2>/dev/null && break; kill -0 $hp 2>/dev/null || break; sleep 0.1; done
    sleep 1
    # JVMs: full GC before both snapshots, so the delta is what the tunnels keep, not young garbage.
    if [ $jvm -eq 1 ]; then for p in "${pids[@]}"; do h1+=("$(heap_used_kib "$p")"); done; fi
    m1="$(pss_kib "${pids[@]}")"
    held="$(sed -n 's/^HELD ok=\([0-9]*\).*/\1/p' "$TMP/tunnels-$name.txt")"
    stop_tree $hp
    if [ -n "$held" ] && [ "$held" -gt 0 ]; then
      TUNKIB[$name]="$(awk -v d=$((m1 - m0)) -v n="$held" 'BEGIN {printf "%.1f", d / n}')"
      if [ $jvm -eq 1 ] && [ -n "${h0[0]:-}" ] && [ -n "${h1[0]:-}" ]; then
        NOTES[$name]+="Java heap retained per idle tunnel after a full GC: gateway $(awk -v d=$((h1[0] - h0[0])) -v n="$held" 'BEGIN {printf "%.1f", d / n}') KiB, agent $(awk -v d=$((${h1[1]:-0} - ${h0[1]:-0})) -v n="$held" 'BEGIN {printf "%.1f", d / n}') KiB. "
      fi
      [ "$held" -lt "$TUNNELS" ] && NOTES[$name]+="only $held of $TUNNELS tunnels opened ($(sed -n 's/.*error=//p' "$TMP/tunnels-$name.txt")). "
    else
      NOTES[$name]+="idle tunnels failed: $(head -c 200 "$TMP/tunnels-$name.txt"). "
    fi
    sleep 1
  fi
  log "$name: ${REQS[$name]} req/s, p50 ${P50[$name]} µs, p99 ${P99[$name]} µs, ${MBS[$name]} MB/s, c1 p50 ${C1P50[$name]} µs, CPU ${CPU[$name]:-?} µs/req, tunnel ${TUNKIB[$name]:-?} KiB"
}

# ---------------------------------------------------------------------------------------------
# Direct baseline
# ---------------------------------------------------------------------------------------------
KIND[direct]=direct; PROXY[direct]=""; AUTH[direct]=""
measure direct

# ---------------------------------------------------------------------------------------------
# Squid
# ---------------------------------------------------------------------------------------------
if want squid; then
start_squid $SQUID_PORT $ORIGIN_HTTP $ORIGIN_HTTPS
if wait_port $SQUID_PORT 20 $SQUID_PID; then
  KIND[Squid]=http; PROXY[Squid]="127.0.0.1:$SQUID_PORT"; AUTH[Squid]=""
  measure Squid $SQUID_PID
else
  log "Squid did not start: $(tail -5 "$TMP/squid.out" "$TMP/squid-cache.log" 2>/dev/null)"
fi
stop_tree $SQUID_PID
fi

# ---------------------------------------------------------------------------------------------
# tinyproxy
# ---------------------------------------------------------------------------------------------
if want tinyproxy; then
touch "$TMP/tinyproxy.log"; chown nobody "$TMP/tinyproxy.log" 2>/dev/null || chmod 666 "$TMP/tinyproxy.log"
cat > "$TMP/tinyproxy.conf" <<EOF
User nobody
Group nogroup
Port $TINYPROXY_PORT
Listen 127.0.0.1
Timeout 600
LogFile "$TMP/tinyproxy.log"
LogLevel Critical
MaxClients $((TUNNELS + 200))
Allow 127.0.0.1
ConnectPort $ORIGIN_HTTPS
DisableViaHeader Yes
EOF
tinyproxy -d -c "$TMP/tinyproxy.conf" >"$TMP/tinyproxy.out" 2>&1 &
TINY_PID=$!; STARTED+=($TINY_PID)
if wait_port $TINYPROXY_PORT 10 $TINY_PID; then
  KIND[tinyproxy]=http; PROXY[tinyproxy]="127.0.0.1:$TINYPROXY_PORT"; AUTH[tinyproxy]=""
  measure tinyproxy $TINY_PID
else
  log "tinyproxy did not start: $(tail -5 "$TMP/tinyproxy.out")"
fi
stop_tree $TINY_PID
fi

# ---------------------------------------------------------------------------------------------
# Dante (SOCKS5; wrk reaches it through proxychains4, which does the SOCKS5 handshake in connect())
# ---------------------------------------------------------------------------------------------
write_proxychains() {  # name type host port [user pass]
  cat > "$TMP/proxychains-$1.conf" <<EOF
strict_chain
quiet_mode
tcp_read_time_out 15000
tcp_connect_time_out 8000
[ProxyList]
$2 $3 $4 ${5:-} ${6:-}
EOF
}
if want dante; then
start_dante $DANTE_PORT
if wait_port $DANTE_PORT 10 $DANTE_PID; then
  KIND[Dante]=socks5; PROXY[Dante]="127.0.0.1:$DANTE_PORT"; AUTH[Dante]=""
  write_proxychains Dante socks5 127.0.0.1 $DANTE_PORT
  measure Dante $DANTE_PID
else
  log "Dante did not start: $(tail -5 "$TMP/danted.out" "$TMP/danted.log" 2>/dev/null)"
fi
stop_tree $DANTE_PID
fi

# ---------------------------------------------------------------------------------------------
# IPLoop: gateway and node agent as two JVMs (DataPlaneHarness)
# ---------------------------------------------------------------------------------------------
start_iploop() {
  local jdk cp
  jdk="$("$root/iploop" java-home 2>/dev/null)" || jdk=/usr/lib/jvm/temurin-25-jdk-amd64
  [ -x "$jdk/bin/java" ] || { IPLOOP_SKIP="no JDK 25 found"; return 1; }
  [ -z "$IPLOOP_SKIP" ] || return 1
  [ -d "$here/target/classes" ] && [ -d "$here/target/lib" ] || { IPLOOP_SKIP="harness not built (run without --skip-build)"; return 1; }
  cp="$here/target/classes:$here/target/lib/*"
  for p in $IPLOOP_HTTP $IPLOOP_SOCKS $IPLOOP_HUB; do port_free "$p" || { IPLOOP_SKIP="port $p in use"; return 1; }; done
  # shellcheck disable=SC2086
  "$jdk/bin/java" --enable-native-access=ALL-UNNAMED $JVM_OPTS -cp "$cp" io.iploop.bench.DataPlaneHarness gateway \
    --http-port=$IPLOOP_HTTP --socks-port=$IPLOOP_SOCKS --hub-port=$IPLOOP_HUB --node-wait-seconds=60 \
    >"$TMP/gateway.out" 2>"$TMP/gateway.err" &
  GW_PID=$!; STARTED+=($GW_PID)
  local i
  for ((i = 0; i < 300; i++)); do
    grep -q '^LISTENING' "$TMP/gateway.out" 2>/dev/null && break
    kill -0 $GW_PID 2>/dev/null || break
    sleep 0.1
  done
  grep -q '^LISTENING' "$TMP/gateway.out" 2>/dev/null || {
    IPLOOP_SKIP="gateway did not start: $(grep -m1 -E 'Exception|Error' "$TMP/gateway.err" | cut -c1-200)"; return 1; }
  # shellcheck disable=SC2086
  "$jdk/bin/java" --enable-native-access=ALL-UNNAMED $JVM_OPTS -cp "$cp" io.iploop.bench.DataPlaneHarness agent \
    --hub-port=$IPLOOP_HUB >"$TMP/agent.out" 2>"$TMP/agent.err" &
  AGENT_PID=$!; STARTED+=($AGENT_PID)
  for ((i = 0; i < 600; i++)); do
    grep -q '^READY' "$TMP/gateway.out" 2>/dev/null && break
    kill -0 $GW_PID 2>/dev/null && kill -0 $AGENT_PID 2>/dev/null || break
    sleep 0.1
  done
  grep -q '^READY' "$TMP/gateway.out" 2>/dev/null || {
    IPLOOP_SKIP="node agent did not connect: $(grep -m1 -h -E 'Exception|Error' "$TMP/agent.err" "$TMP/gateway.err" | cut -c1-200)"; return 1; }
  IPLOOP_USER="$(sed -n 's/^READY.* user=\([^ ]*\).*/\1/p' "$TMP/gateway.out")"
  IPLOOP_PASS="$(sed -n 's/^READY.* pass=\([^ ]*\).*/\1/p' "$TMP/gateway.out")"
  JDK_USED="$jdk"
  return 0
}

if [ $RUN_IPLOOP -eq 1 ]; then
  # Fresh JVMs per row, so each row's memory and JIT state does not depend on the other's.
  for row in IPLoop "IPLoop SOCKS5"; do
    if ! start_iploop; then log "IPLoop SKIPPED: $IPLOOP_SKIP"; break; fi
    log "$row: gateway pid $GW_PID, agent pid $AGENT_PID"
    AUTH[$row]="$IPLOOP_USER:$IPLOOP_PASS"
    if [ "$row" = IPLoop ]; then
      KIND[$row]=http; PROXY[$row]="127.0.0.1:$IPLOOP_HTTP"
    else
      KIND[$row]=socks5; PROXY[$row]="127.0.0.1:$IPLOOP_SOCKS"
      write_proxychains "$row" socks5 127.0.0.1 $IPLOOP_SOCKS "$IPLOOP_USER" "$IPLOOP_PASS"
    fi
    measure "$row" $GW_PID $AGENT_PID
    stop_tree $AGENT_PID; stop_tree $GW_PID
    u="$(grep -m1 '^usage:' "$TMP/gateway.err" || echo 'usage: n/a (gateway did not report on shutdown)')"
    IPLOOP_USAGE+="${IPLOOP_USAGE:+; }$row: ${u#usage: }"
    log "$row gateway $u"
  done
else
  IPLOOP_SKIP="--no-iploop"
fi

# ---------------------------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------------------------
ratio() { awk -v a="${1:-}" -v b="${2:-}" 'BEGIN { if (a == "" || b == "" || b + 0 == 0 || a + 0 == 0) print "—"; else printf "%.2f×", a / b }'; }
ms() { awk -v u="${1:-}" 'BEGIN { if (u == "") print "—"; else printf "%.2f ms", u / 1000 }'; }
added() { awk -v a="${1:-}" -v d="${2:-}" 'BEGIN { if (a == "" || d == "") print "—"; else printf "%+d µs", a - d }'; }
orna() { [ -n "${1:-}" ] && echo "$1" || echo "—"; }

machine="$(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo), $(nproc) cores, $(uname -sr)"
{
  echo "# IPLoop data plane vs Squid, tinyproxy, Dante (loopback)"
  echo
  echo "$(date -u '+%Y-%m-%d %H:%M UTC') · $machine · $(squid -v | head -1 | sed 's/Squid Cache: Version/Squid/'), tinyproxy $(tinyproxy -v 2>&1 | awk '{print $2}'), Dante $(danted -v 2>&1 | awk '{print $2}' | tr -d v | sed 's/\.$//'), nginx $(nginx -v 2>&1 | sed 's/.*nginx\///'), $(wrk -v 2>&1 | head -1 | awk '{print $1, $2}')"
  echo
  echo "Load: wrk -c50 -t2 -d${DURATION}s of 1 KiB (keep-alive) · latency at wrk -c1 -t1 -d${C1_DURATION}s · curl of a 64 MiB HTTPS file through CONNECT/SOCKS5, best of 3 · $TUNNELS idle tunnels. MB = 10^6 bytes."
  echo
  echo "| peer | req/s 1 KiB c50 | ratio vs Squid | p50 | p99 | CONNECT MB/s | ratio | added p50 latency c1 | CPU µs/req | idle tunnel KiB |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
  for n in "${ORDER[@]}"; do
    if [ -z "${REQS[$n]:-}" ]; then echo "| $n | failed | | | | | | | | |"; continue; fi
    label="$n"
    [ "$n" = direct ] && label="direct (no proxy)"
    [ "$n" = Dante ] && label="Dante (SOCKS5)"
    [ "$n" = IPLoop ] && label="**IPLoop** (HTTP, gateway → node)"
    [ "$n" = "IPLoop SOCKS5" ] && label="**IPLoop** (SOCKS5, gateway → node)"
    printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$label" "${REQS[$n]}" \
      "$(ratio "${REQS[$n]}" "${REQS[Squid]:-}")" "$(ms "${P50[$n]}")" "$(ms "${P99[$n]}")" "${MBS[$n]}" \
      "$(ratio "${MBS[$n]}" "${MBS[Squid]:-}")" "$([ "$n" = direct ] && echo "$(ms "${C1P50[$n]}") (base)" || added "${C1P50[$n]}" "${C1P50[direct]:-}")" \
      "$(orna "${CPU[$n]:-}")" "$(orna "${TUNKIB[$n]:-}")"
  done
  echo
  echo "Proxy CPU per 64 MiB CONNECT download (mean of the 3): $(for n in "${ORDER[@]}"; do [ -n "${XCPU[$n]:-}" ] && printf '%s %s ms · ' "$n" "${XCPU[$n]}"; done | sed 's/ · $//')."
  echo
  echo "CPU outside wrk, nginx and the proxy during each c50 run (other sessions, steal, kernel threads; % of $(nproc) cores): $(for n in "${ORDER[@]}"; do printf '%s %s %% · ' "$n" "${BG[$n]:-?}"; done | sed 's/ · $//'). Load average before the run: $LOADAVG0."
  bgmax=0; for n in "${ORDER[@]}"; do [ "${BG[$n]:-0}" -gt "$bgmax" ] && bgmax="${BG[$n]}"; done
  [ "$bgmax" -gt 10 ] && echo "**Warning: the machine was busy with other work during some runs (up to $bgmax % of its CPU); rows are disturbed unequally — rerun on a quiet machine before comparing.**"
  echo
  echo "Ratios vs direct (req/s): $(for n in "${ORDER[@]}"; do [ "$n" = direct ] || printf '%s %s · ' "$n" "$(ratio "${REQS[$n]:-}" "${REQS[direct]:-}")"; done | sed 's/ · $//')"
  echo
  if [ -n "${REQS[IPLoop]:-}" ]; then
    echo "## IPLoop against each peer"
    echo
    echo "| IPLoop row | vs | req/s ratio | CONNECT MB/s ratio |"
    echo "|---|---|---:|---:|"
    for n in IPLoop "IPLoop SOCKS5"; do
      [ -n "${REQS[$n]:-}" ] || continue
      for p in Squid tinyproxy Dante direct; do
        printf '| %s | %s | %s | %s |\n' "$n" "$p" "$(ratio "${REQS[$n]}" "${REQS[$p]:-}")" "$(ratio "${MBS[$n]}" "${MBS[$p]:-}")"
      done
    done
    echo
    echo "## Targets"
    echo
    verdict() { awk -v v="$1" -v t="$2" -v op="$3" 'BEGIN { ok = (op == ">=") ? (v + 0 >= t + 0) : (v + 0 <= t + 0); print (ok ? "PASS" : "FAIL") }'; }
    rr="$(awk -v a="${REQS[IPLoop]}" -v b="${REQS[Squid]:-0}" 'BEGIN {print (b > 0 ? a / b : 0)}')"
    mr="$(awk -v a="${MBS[IPLoop]}" -v b="${MBS[Squid]:-0}" 'BEGIN {print (b > 0 ? a / b : 0)}')"
    ad="$(( ${C1P50[IPLoop]:-0} - ${C1P50[direct]:-0} ))"
    echo "- req/s, 1 KiB, c50 ≥ 0.7× Squid: $(printf '%.2f' "$rr")× — $(verdict "$rr" 0.7 '>=')"
    echo "- single-stream CONNECT MB/s (64 MiB) ≥ 0.5× Squid: $(printf '%.2f' "$mr")× — $(verdict "$mr" 0.5 '>=')"
    echo "- added p50 latency at one connection ≤ 1 ms: ${ad} µs — $(verdict "$ad" 1000 '<=')"
    if [ "${BG[Squid]:-0}" -gt 10 ] || [ "${BG[IPLoop]:-0}" -gt 10 ]; then
      echo "- *Caveat: other work used ${BG[Squid]:-?} % (Squid run) and ${BG[IPLoop]:-?} % (IPLoop run) of the CPU: a disturbed Squid row inflates these ratios, a disturbed IPLoop row deflates them. The CPU-per-request and CPU-per-64-MiB figures are not affected by that and compare fairly.*"
    fi
    echo "- CPU per request (gateway + agent JVMs): ${CPU[IPLoop]:-—} µs (Squid ${CPU[Squid]:-—} µs, Dante ${CPU[Dante]:-—} µs)"
    echo "- memory per idle customer tunnel (gateway + agent PSS delta / $TUNNELS): ${TUNKIB[IPLoop]:-—} KiB"
    echo
    echo "Metering, as the counting UsageSink saw it (per gateway process): $IPLOOP_USAGE."
    echo
  else
    echo "IPLoop: not measured (${IPLOOP_SKIP:-not run})."
    echo
  fi
  notes=""
  for n in "${ORDER[@]}"; do [ -n "${NOTES[$n]:-}" ] && notes+="- $n: ${NOTES[$n]}"$'\n'; done
  if [ -n "$notes" ]; then echo "Notes:"; echo; printf '%s\n' "$notes"; fi
  echo "Columns, configs and method: iploop-bench/README.md. tinyproxy closes the client connection after every response, so its c50 row includes a TCP connect per request. Dante and IPLoop SOCKS5 are loaded through proxychains4 (SOCKS5 handshake once per keep-alive connection)."
} > "$TMP/report.md"

mkdir -p "$root/bench-results"
cp "$TMP/report.md" "$root/bench-results/latest.md"
cat "$TMP/report.md"
log "written to $root/bench-results/latest.md"
