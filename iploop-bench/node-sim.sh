#!/usr/bin/env bash
# Node simulator (docs/scale.md#measuring): many node agent sessions from one JVM (NodeSim: real
# WebSocket + tunnel HELLO/WELCOME over loopback, source addresses 127.10.x.y) against a gateway,
# printing in Markdown: registration rate, HELLO-to-WELCOME latency, the gateway's CPU over an
# idle hold (the heartbeat cost), its RSS and heap per node, and (--storm) a reconnect storm.
#
#   iploop-bench/node-sim.sh [--skip-build] [--nodes=10000] [--rate=500] [--hold-seconds=60]
#                            [--threads=2] [--in-flight=1000] [--waves=1] [--storm] [--server] [--gateway-heap=2g]
#                            [--profile=NAME]
#                            [--max-node-sessions=N] [--node-heartbeat-ms=60000]
#                            [--hub=URL --key=KEY [--gateway-pid=PID]]
#
# Registration: nodes connect at --rate/s with at most --in-flight handshakes unanswered at once.
# --waves=N registers N times: after each wave every session is closed from the node side at once
# and every node registers again the same way against the now warm gateway (JIT done), each wave
# reported with its rate, connect-to-WELCOME latency and the gateway's CPU per node. --storm then
# closes all at once and reconnects every node with the agent's own backoff (0-1 s, 4503: 5-10 s).
#
# --profile=NAME samples both JVMs' CPU with async-profiler 4.2 over each registration wave (fetched
# through ./mvnw into iploop-bench/target/async-profiler, or $ASPROF) and writes flame graphs
# iploop-bench/profiles/NAME-{gateway,sim}-waveN.html (+ .collapsed.gz). Harness or --hub only.
#
# Gateways:
#   (default)  the data-plane harness gateway (DataPlaneHarness hub: no database, every node
#              admitted) in a second JVM: the hub alone.
#   --server   the real platform, `./iploop server` built from this checkout with a throw-away
#              embedded PostgreSQL: every HELLO goes through the database-backed admission (node
#              key and owner lookups, device upsert, ban check) as shipped. The script logs in as
#              the demo customer and issues a node key for the simulated nodes.
#   --hub=URL --key=ipn_...  a gateway you run (add --gateway-pid=PID on this machine for CPU,
#              RSS and heap readings).
#
# Limits: each session is one descriptor in each process. As root the script raises the hard and
# soft RLIMIT_NOFILE to 1 048 576 for both JVMs (the gateway's node cap follows it: 786 432);
# otherwise to the hard limit, and more nodes than the cap are refused with close code 4503. No
# loopback aliases are needed: Linux answers all of 127/8 on lo, and each simulated address
# (16 nodes each by default) has its own 28 000 ephemeral ports.
#
# Everything started here is stopped on exit (Ctrl-C included); the throw-away data directory of
# --server is removed.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
build=1
hub=""
server=0
max_sessions=0
node_heartbeat=60000   # harness: the idle heartbeat its hub asks nodes for (10000: the hub before 2026-12-04)
gateway_heap=2g
profile=""
sim_args=()
for a in "$@"; do
  case "$a" in
    --skip-build) build=0 ;;
    --server) server=1 ;;
    --storm) sim_args+=("--storm=true") ;;
    --hub=*) hub="${a#--hub=}"; sim_args+=("$a") ;;
    --max-node-sessions=*) max_sessions="${a#--max-node-sessions=}" ;;
    --node-heartbeat-ms=*) node_heartbeat="${a#--node-heartbeat-ms=}" ;;
    --gateway-heap=*) gateway_heap="${a#--gateway-heap=}" ;;
    --profile=*) profile="${a#--profile=}" ;;
    -h|--help) sed -n '2,40p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    --*=*) sim_args+=("$a") ;;
    *) echo "node-sim.sh: unknown option '$a' (try --help)" >&2; exit 2 ;;
  esac
done
case " ${sim_args[*]} " in *" --hold-seconds="*) ;; *) sim_args+=("--hold-seconds=60") ;; esac

log() { printf '[node-sim %s] %s\n' "$(date +%T)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

if [[ $build == 1 ]]; then
  log "building iploop-bench and the modules it needs (./mvnw -pl iploop-bench -am package, tests not compiled)"
  (cd "$root" && ./mvnw -q -B -ntp -pl iploop-bench -am -Dmaven.test.skip=true package) >&2
fi
jdk="$("$root/iploop" java-home 2>/dev/null)" || jdk=/usr/lib/jvm/temurin-25-jdk-amd64
cp="$here/target/classes:$here/target/lib/*"
if [[ "$(id -u)" == 0 ]] && ulimit -Hn 1048576 2>/dev/null; then :; fi
ulimit -Sn "$(ulimit -Hn)" 2>/dev/null || true
log "RLIMIT_NOFILE for both JVMs: $(ulimit -n) (the gateway's node cap is 3/4 of it)"

TMP="$(mktemp -d /tmp/node-sim.XXXXXX)"
if [[ -n "$profile" ]]; then
  [[ $server == 0 ]] || die "--profile: harness or --hub only"
  asprof="${ASPROF:-$here/target/async-profiler}"
  if [[ ! -f "$asprof/async-profiler-4.2.jar" || ! -f "$asprof/jfr-converter-4.5.jar" ]]; then
    for a in tools.profiler:async-profiler:4.2 tools.profiler:jfr-converter:4.5; do
      (cd "$root" && ./mvnw -q -B -ntp dependency:copy -Dartifact=$a -DoutputDirectory="$asprof") >&2 || die "could not fetch $a"
    done
  fi
  [[ -n "$(find "$asprof/linux-x64" -name libasyncProfiler.so 2>/dev/null)" ]] \
    || (cd "$asprof" && unzip -q -o async-profiler-4.2.jar 'linux-x64/*') || die "no linux-x64 library in async-profiler-4.2.jar"
  sim_args+=("--profiler=$(find "$asprof/linux-x64" -name libasyncProfiler.so | head -n1)" "--profile-name=$TMP/$profile")
fi
gw_pid=""
cleanup() {
  local rc=$? i
  trap - EXIT INT TERM
  if [[ -n "$gw_pid" ]] && kill -0 "$gw_pid" 2>/dev/null; then
    # TERM lets the server stop its embedded PostgreSQL; KILL what is left after 30 s.
    kill -TERM "$gw_pid" 2>/dev/null || true
    for ((i = 0; i < 300; i++)); do kill -0 "$gw_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$gw_pid" 2>/dev/null || true
  fi
  if [[ $server == 1 && -d "$TMP/iploop-data" ]]; then
    # The embedded PostgreSQL runs detached from the JVM (pg_ctl); stop it if the server did not.
    local pg; pg="$(find "$TMP/iploop-data" -name postmaster.pid -print -quit 2>/dev/null || true)"
    if [[ -n "$pg" ]]; then kill -TERM "$(head -1 "$pg")" 2>/dev/null || true; sleep 2; fi
  fi
  rm -rf "$TMP"
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [[ $server == 1 ]]; then
  [[ -z "$hub" ]] || die "--server and --hub exclude each other"
  # Four free ports (another process may hold any fixed one): control API, hub, HTTP and SOCKS proxies.
  free_ports=()
  for p in $(seq 28380 28479); do
    ss -Hltn "sport = :$p" 2>/dev/null | grep -q . || free_ports+=("$p")
    [[ ${#free_ports[@]} -ge 4 ]] && break
  done
  [[ ${#free_ports[@]} -ge 4 ]] || die "no four free ports in 28380-28479"
  control=${free_ports[0]}; hub_port=${free_ports[1]}
  command -v curl >/dev/null || die "curl is needed for --server (apt-get install curl)"
  log "starting ./iploop server (embedded PostgreSQL in $TMP/iploop-data, heap $gateway_heap)"
  IPLOOP_DATA_DIR="$TMP/iploop-data" IPLOOP_HTTP_PORT=$control IPLOOP_PROXY_PORT=${free_ports[2]} IPLOOP_SOCKS_PORT=${free_ports[3]} \
  IPLOOP_NODE_HUB_PORT=$hub_port IPLOOP_BIND_ADDRESS=127.0.0.1 IPLOOP_MAX_NODE_SESSIONS="$max_sessions" \
  IPLOOP_JAVA_OPTS="-Xmx$gateway_heap ${IPLOOP_JAVA_OPTS:-}" \
    "$root/iploop" server >"$TMP/server.out" 2>&1 &
  gw_pid=$!   # ./iploop execs java
  for _ in $(seq 1 1800); do
    grep -q 'Demo API key' "$TMP/server.out" 2>/dev/null && break
    kill -0 "$gw_pid" 2>/dev/null || die "server exited: $(grep -m5 -E 'ERROR|Exception' "$TMP/server.out")"
    sleep 0.1
  done
  grep -q 'Demo API key' "$TMP/server.out" || die "the server did not start within 180 s: $(tail -5 "$TMP/server.out")"
  creds="$(sed -n 's/^ *Demo customer *: *\([^ ]*\) \/ \([^ ]*\).*/\1 \2/p' "$TMP/server.out")"
  email="${creds% *}"; password="${creds#* }"
  token="$(curl -sf -X POST -H 'Content-Type: application/json' \
    -d "{\"email\":\"$email\",\"password\":\"$password\"}" "http://127.0.0.1:$control/api/auth/login" \
    | sed -n 's/.*"token":"\([^"]*\)".*/\1/p')" || die "login as the demo customer failed"
  [[ -n "$token" ]] || die "no token from /api/auth/login"
  key="$(curl -sf -X POST -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
    -d '{"name":"node-sim"}' "http://127.0.0.1:$control/api/nodes/keys" | sed -n 's/.*"key":"\(ipn_[^"]*\)".*/\1/p')" \
    || die "issuing a node key failed"
  [[ -n "$key" ]] || die "no node key from /api/nodes/keys"
  log "server up (java pid $gw_pid), node key ${key:0:12}... issued to $email"
  sim_args+=("--hub=ws://127.0.0.1:$hub_port/ws" "--key=$key" "--gateway-pid=$gw_pid")
elif [[ -z "$hub" ]]; then
  port=18101
  # The launcher's collector and headers (./iploop server), so the heap per node is the shipped one,
  # and its Netty leak detector off (./iploop's NETTY_OPTS): it samples buffer allocations and took
  # 2-3 % of the registration burst's CPU in each JVM (iploop-bench/PROFILE.md#node-hub-at-scale).
  "$jdk/bin/java" -Xmx"$gateway_heap" -XX:+UseSerialGC -XX:+UseCompactObjectHeaders --enable-native-access=ALL-UNNAMED \
    -XX:+EnableDynamicAgentLoading -Dio.netty.leakDetection.level=disabled \
    -cp "$cp" io.iploop.bench.DataPlaneHarness hub \
    --http-port=0 --socks-port=0 --hub-port="$port" --max-node-sessions="$max_sessions" --node-heartbeat-ms="$node_heartbeat" >"$TMP/gateway.out" 2>"$TMP/gateway.err" &
  gw_pid=$!
  for _ in $(seq 1 300); do grep -q '^LISTENING' "$TMP/gateway.out" && break; sleep 0.2; done
  grep -q '^LISTENING' "$TMP/gateway.out" || die "gateway did not start: $(cat "$TMP/gateway.out" "$TMP/gateway.err")"
  log "harness gateway up (java pid $gw_pid, heap $gateway_heap)"
  sim_args+=("--hub=ws://127.0.0.1:$port/ws" "--gateway-pid=$gw_pid")
fi

"$jdk/bin/java" -Xmx3g -XX:+UseSerialGC -XX:+UseCompactObjectHeaders --enable-native-access=ALL-UNNAMED \
  -XX:+EnableDynamicAgentLoading -Dio.netty.leakDetection.level=disabled -cp "$cp" io.iploop.bench.NodeSim "${sim_args[@]}"
if [[ -n "$profile" ]]; then
  for f in "$TMP/$profile"-*.collapsed; do
    [[ -f "$f" ]] || continue
    b="$(basename "$f" .collapsed)"
    "$jdk/bin/java" -jar "$asprof/jfr-converter-4.5.jar" "$f" "$here/profiles/$b.html" >/dev/null 2>&1 || log "no flame graph for $b"
    gzip -c "$f" >"$here/profiles/$b.collapsed.gz"
    log "profile: iploop-bench/profiles/$b.html"
  done
fi
if [[ -n "$gw_pid" ]] && ! kill -0 "$gw_pid" 2>/dev/null; then
  log "the gateway exited during the run:"; tail -20 "$TMP"/*.out "$TMP"/*.err 2>/dev/null >&2 || true
fi
