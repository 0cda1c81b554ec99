#!/usr/bin/env bash
# Node selection at scale (docs/exit-quality.md#selection): times the gateway's NodeSelector over
# 100 000 simulated nodes for a mix of targetings and prints p50/p90/p99 in Markdown. Target:
# p99 <= 50 µs. One thread, no network, no database.
#
#   iploop-bench/selection-bench.sh [--skip-build] [--nodes=100000] [--selections=1000000] [--seed=1]
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
build=1
args=()
for a in "$@"; do
  case "$a" in
    --skip-build) build=0 ;;
    *) args+=("$a") ;;
  esac
done

if [[ $build == 1 ]]; then
  echo "building iploop-bench and its upstream modules (./mvnw -pl iploop-bench -am package)" >&2
  (cd "$root" && ./mvnw -q -B -ntp -pl iploop-bench -am -DskipTests package) >&2
fi
jdk="$("$root/iploop" java-home 2>/dev/null)" || jdk=/usr/lib/jvm/temurin-25-jdk-amd64
exec "$jdk/bin/java" -Xmx2g -cp "$here/target/classes:$here/target/lib/*" \
  io.iploop.gateway.node.SelectionBench "${args[@]}"
