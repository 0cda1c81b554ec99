#!/usr/bin/env bash
# Node simulator (docs/scale.md#measuring): many node agent sessions from one JVM (NodeSim: real
# WebSocket + tunnel HELLO/WELCOME over loopback, source addresses 127.10.x.y) against a gateway,
# printing registration rate, HELLO-to-WELCOME latency and memory in Markdown.
#
# Without --hub it starts the data-plane harness gateway (DataPlaneHarness hub: no database, every
# node admitted) in a second JVM and also reports that gateway's heap per connected node (heap
# after a full GC with N nodes minus with none). With --hub=ws://host:port/ws --key=ipn_... it
# runs only the simulator against that gateway (a real platform: use a node key of an operator).
#
#   iploop-bench/node-sim.sh [--skip-build] [--nodes=10000] [--rate=500] [--hold-seconds=20]
#                            [--threads=2] [--max-node-sessions=N] [--hub=URL --key=KEY]
#
# Each session is one descriptor in each process: the script raises the soft RLIMIT_NOFILE to
# the hard limit; more nodes than that limit (less a reserve) are refused with close code 4503.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
build=1
hub=""
max_sessions=0
sim_args=()
for a in "$@"; do
  case "$a" in
    --skip-build) build=0 ;;
    --hub=*) hub="${a#--hub=}"; sim_args+=("$a") ;;
    --max-node-sessions=*) max_sessions="${a#--max-node-sessions=}" ;;
    *) sim_args+=("$a") ;;
  esac
done

if [[ $build == 1 ]]; then
  echo "building iploop-bench and its upstream modules (./mvnw -pl iploop-bench -am package)" >&2
  (cd "$root" && ./mvnw -q -B -ntp -pl iploop-bench -am -DskipTests package) >&2
fi
jdk="$("$root/iploop" java-home 2>/dev/null)" || jdk=/usr/lib/jvm/temurin-25-jdk-amd64
cp="$here/target/classes:$here/target/lib/*"
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
echo "RLIMIT_NOFILE (soft) for both JVMs: $(ulimit -n)" >&2

gw_pid=""
cleanup() { [[ -n "$gw_pid" ]] && kill "$gw_pid" 2>/dev/null || true; }
trap cleanup EXIT

if [[ -z "$hub" ]]; then
  port=18101
  log="$(mktemp -t node-sim-gateway.XXXXXX)"
  "$jdk/bin/java" -Xmx1g -XX:+UseG1GC --enable-native-access=ALL-UNNAMED -cp "$cp" io.iploop.bench.DataPlaneHarness hub \
    --http-port=0 --socks-port=0 --hub-port="$port" --max-node-sessions="$max_sessions" >"$log" 2>"$log.err" &
  gw_pid=$!
  for _ in $(seq 1 100); do grep -q '^HEAP' "$log" && break; sleep 0.2; done
  grep -q '^HEAP' "$log" || { echo "gateway did not start:" >&2; cat "$log" "$log.err" >&2; exit 1; }
  base="$(grep '^HEAP' "$log" | tail -1 | sed 's/.*used=\([0-9]*\).*/\1/')"
  sim_args+=("--hub=ws://127.0.0.1:$port/ws")
fi

"$jdk/bin/java" -Xmx2g -XX:+UseG1GC --enable-native-access=ALL-UNNAMED -cp "$cp" io.iploop.bench.NodeSim "${sim_args[@]}"

if [[ -n "$gw_pid" ]]; then
  # The reading with the most nodes (taken during the hold; later ones see the simulator leave).
  line="$(grep '^HEAP' "$log" | sed 's/^HEAP nodes=\([0-9]*\)/\1 &/' | sort -n -k1,1 | tail -1)"
  nodes="$(sed 's/.*nodes=\([0-9]*\).*/\1/' <<<"$line")"
  used="$(sed 's/.*used=\([0-9]*\).*/\1/' <<<"$line")"
  echo
  echo "| gateway (harness, separate JVM) | value |"
  echo "|---|---:|"
  echo "| nodes connected at the heap reading | $nodes |"
  if [[ "$nodes" -gt 0 ]]; then
    awk -v u="$used" -v b="$base" -v n="$nodes" 'BEGIN { printf "| gateway heap per connected node (after GC) | %.1f KiB |\n", (u - b) / 1024 / n }'
  fi
fi
