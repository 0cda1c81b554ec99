#!/usr/bin/env bash
# Usage analytics at 10 million rows: creates a fresh database on a local PostgreSQL, applies the
# server's Flyway migrations, bulk-loads synthetic usage_records for ~1000 users and times every
# analytics query of the server's UsageRepository with EXPLAIN (ANALYZE, BUFFERS). Prints Markdown.
#
#   iploop-bench/usage-analytics-bench.sh [--skip-build] [--url=jdbc:postgresql://127.0.0.1:5432/]
#       [--user=postgres] [--db=iploop_usage_bench] [--rows=10000000] [--users=1000] [--runs=5] [--skip-load]
#
# Needs a PostgreSQL that lets --user connect without a password (trust auth) and create databases.
# The database --db is dropped and recreated unless --skip-load (then the loaded data is re-measured).
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
exec "$jdk/bin/java" -Xmx1g -cp "$here/target/classes:$here/target/lib/*" \
  io.iploop.bench.UsageAnalyticsBench "${args[@]}"
