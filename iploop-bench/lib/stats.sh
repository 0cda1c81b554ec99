# Shared by server-bench.sh and pool-bench.sh (sourced, not run): medians and verdicts for the
# interleaved rounds (one value per round and peer, the ratio of two peers taken per round).

# median: numbers on stdin, separated by spaces or newlines -> their median ("" when there are none)
median() { tr ' ' '\n' | { grep -v '^$' || true; } | sort -g | awk '{a[NR] = $1} END {if (NR == 0) print ""; else if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }

# fmt_ratio "<r1 r2 ...>": per-round ratios -> "0.93× (r1/r2/...)", their median first; "—" when there are none
fmt_ratio() { local m; m="$(median <<<"$1")"; [ -n "$m" ] && printf '%.2f× (%s)' "$m" "$(echo $1 | tr ' ' '/')" || echo "—"; }

# verdict <value> <target> <'>=' or '<='> -> PASS, FAIL, or n/a when the value is empty
verdict() { awk -v v="$1" -v t="$2" -v op="$3" 'BEGIN { if (v == "") {print "n/a"; exit} ok = (op == ">=") ? (v + 0 >= t + 0) : (v + 0 <= t + 0); print (ok ? "PASS" : "FAIL") }'; }
