#!/bin/sh
# bench/probe-bench.sh - how fast is `time-shift-guest probe`, alone and with 32 targets, and how
# does it compare with sslscan on the same server? Builds nothing: run the README's build first
# (mvn -B -q package -DskipTests). Needs openssl and sslscan (Debian packages of the same names).
#
# Figures printed:
#   1. one target per call, for each of 32 loopback openssl servers -> the slowest single probe
#   2. all 32 targets in one call (median of 3)     -> must be <= 1.5 x the slowest single
#   3. sslscan vs one full probe of the same server (median of 3), accepted protocols side by side
#
# Usage: bench/probe-bench.sh [servers (default 32)]
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
tsg=$root/bin/time-shift-guest
n=${1:-32}
for tool in openssl sslscan; do
    command -v "$tool" >/dev/null 2>&1 || { echo "probe-bench: $tool not found (apt-get install $tool)" >&2; exit 3; }
done
"$tsg" --version >/dev/null || exit 3

work=$(mktemp -d)
pids=
cleanup() {
    for p in $pids; do kill "$p" 2>/dev/null || :; done
    exec 9>&- 2>/dev/null || :
    rm -rf "$work"
}
trap cleanup EXIT INT TERM

now_ms() { date +%s%3N; }
median3() { printf '%s\n' "$@" | sort -n | sed -n 2p; }

# certificates: a modern one, and an old-BMC one (1024-bit RSA, SHA-1, expired)
openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 365 -subj /CN=bench-modern \
    -keyout "$work/modern.key" -out "$work/modern.pem" 2>/dev/null
openssl req -x509 -newkey rsa:1024 -nodes -sha1 -days 1 -subj /CN=bench-old-bmc \
    -keyout "$work/old.key" -out "$work/old.pem" 2>/dev/null

# s_server stops at EOF on stdin: give every server a FIFO that this shell keeps open
mkfifo "$work/stdin"
exec 9<>"$work/stdin"

# start_server NAME ARGS...: starts openssl s_server on a free port, sets $port
# (not called as $(...): the subshell would lose the pid that cleanup must kill)
# (sh has no local variables: everything here is prefixed ss_ so the caller's loop counter survives)
start_server() {
    ss_name=$1; shift
    openssl s_server -accept 0 -naccept 100000 "$@" <"$work/stdin" >"$work/$ss_name.log" 2>&1 &
    pids="$pids $!"
    ss_wait=0
    while ! grep -q '^ACCEPT' "$work/$ss_name.log" 2>/dev/null; do
        ss_wait=$((ss_wait + 1))
        if [ $ss_wait -ge 200 ]; then
            echo "probe-bench: s_server $ss_name did not start" >&2; cat "$work/$ss_name.log" >&2; exit 3
        fi
        sleep 0.05
    done
    port=$(sed -n 's/^ACCEPT .*:\([0-9]*\)$/\1/p' "$work/$ss_name.log")
}

# 32 servers in four BMC-like profiles
targets=
k=0
while [ $k -lt "$n" ]; do
    case $((k % 4)) in
        0) start_server s$k -cert "$work/modern.pem" -key "$work/modern.key" ;;
        1) start_server s$k -cert "$work/old.pem" -key "$work/old.key" -tls1 -cipher 'ALL:@SECLEVEL=0' ;;
        2) start_server s$k -cert "$work/old.pem" -key "$work/old.key" -cipher 'ALL:@SECLEVEL=0' -no_tls1_3 ;;
        3) start_server s$k -cert "$work/modern.pem" -key "$work/modern.key" -tls1_2 -Verify 1 ;;
    esac
    targets="$targets 127.0.0.1:$port"
    k=$((k + 1))
done

echo "time-shift-guest probe benchmark: $n loopback openssl s_server targets, $(nproc) CPUs, $("$tsg" --version)"
"$tsg" probe --json $(echo "$targets" | cut -d' ' -f2) >/dev/null 2>&1 || :   # warm the page cache

slowest=0
slowest_target=
total=0
for t in $targets; do
    s=$(now_ms); "$tsg" probe --json "$t" >/dev/null || :; e=$(now_ms)
    d=$((e - s)); total=$((total + d))
    if [ $d -gt $slowest ]; then slowest=$d; slowest_target=$t; fi
done
echo "1. one target per call: slowest ${slowest} ms ($slowest_target), mean $((total / n)) ms"

runs=
for r in 1 2 3; do
    s=$(now_ms); "$tsg" probe --json $targets >"$work/all.json" || :; e=$(now_ms)
    runs="$runs $((e - s))"
done
all=$(median3 $runs)
verdicts=$(grep -o '"verdict" : "[a-z-]*"' "$work/all.json" | sed 's/.*: "//; s/"//' | sort | uniq -c | tr -s ' ' | tr '\n' ',' | sed 's/,$//')
ratio=$(awk -v a="$all" -v s="$slowest" 'BEGIN { printf "%.2f", a / s }')
verdict=$(awk -v r="$ratio" 'BEGIN { print (r <= 1.5 ? "PASS" : "FAIL") }')
echo "2. all $n targets in one call: median ${all} ms of [${runs# }] = ${ratio} x the slowest single (limit 1.5: $verdict); verdicts:$verdicts"

# 3. sslscan vs probe on one old-BMC-like server (TLS 1.0-1.2, legacy suites)
t=$(echo "$targets" | cut -d' ' -f4)
scan_runs=
probe_runs=
for r in 1 2 3; do
    s=$(now_ms); sslscan --no-colour "$t" >"$work/sslscan.txt" 2>&1 || :; e=$(now_ms)
    scan_runs="$scan_runs $((e - s))"
    s=$(now_ms); "$tsg" probe --json "$t" >"$work/probe.json" || :; e=$(now_ms)
    probe_runs="$probe_runs $((e - s))"
done
scan=$(median3 $scan_runs)
probe=$(median3 $probe_runs)
echo "3. one full report of $t: sslscan ${scan} ms [${scan_runs# }], time-shift-guest probe ${probe} ms [${probe_runs# }]" \
    "($(awk -v p="$probe" -v s="$scan" 'BEGIN { print (p <= s ? "PASS: not slower" : "FAIL: slower") }'))"
printf '   %-9s %-9s %s\n' protocol sslscan probe
for v in SSLv3 TLSv1.0 TLSv1.1 TLSv1.2 TLSv1.3; do
    a=$(sed -n "s/^$v *\(enabled\|disabled\).*/\1/p" "$work/sslscan.txt" | head -n1)
    j=$v; [ "$v" = TLSv1.0 ] && j=TLSv1
    b=$(tr -d ' \n' <"$work/probe.json" | grep -o "\"$j\":[a-z]*" | head -n1 | cut -d: -f2)
    case $b in true) b=enabled ;; false) b=disabled ;; esac
    mark=; [ "$a" = "$b" ] || mark="  <- differs"
    printf '   %-9s %-9s %s%s\n' "$v" "${a:-?}" "${b:-?}" "$mark"
done
