#!/usr/bin/env bash
# Apply benchmark on the real TCG test VM: runs `time-shift demo` N times (each a fresh VM, the hook
# phases as separate processes, the detached worker) and prints, per run and as medians:
#   agent wait (QEMU launch .. first agent answer), apply (first answer .. verified clock), error.
# Usage: bench/apply-bench.sh [runs]   (after: mvn -B -q package -DskipTests)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
runs=${1:-5}
out=$(mktemp)
trap 'rm -f "$out"' EXIT
for ((i = 1; i <= runs; i++)); do
  "$root/bin/time-shift" demo > "$out" 2>&1 || { cat "$out"; exit 1; }
  line=$(grep -m1 'agent answered after' "$out")
  wait=$(sed -E 's/.*after ([0-9.]+) ms;.*/\1/' <<<"$line")
  apply=$(sed -E 's/.*verified ([0-9.]+) ms after.*/\1/' <<<"$line")
  err=$(sed -E 's/.*; error (-?[0-9.]+) ms;.*/\1/' <<<"$line")
  printf 'run %d: agent wait %6s ms  apply %8s ms  error %7s ms\n' "$i" "$wait" "$apply" "$err"
  echo "$wait $apply $err" >> "$out.all"
done
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
printf 'median: agent wait %s ms, apply %s ms, |error| %s ms (%d runs, %s)\n' \
  "$(awk '{print $1}' "$out.all" | median)" "$(awk '{print $2}' "$out.all" | median)" \
  "$(awk '{print ($3<0)?-$3:$3}' "$out.all" | median)" "$runs" "$(qemu-system-x86_64 --version | head -1)"
rm -f "$out.all"
