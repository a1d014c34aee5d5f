#!/usr/bin/env bash
# Hook start-up benchmark: wall time of `time-shift hook` (a fresh JVM per VM phase, as Proxmox runs it)
# against `java -Xshare:auto -version` on the same JVM in the same run, with and without an AppCDS
# archive. Interleaves the cases round by round so machine noise spreads evenly; prints medians.
# Usage: bench/hook-bench.sh [rounds]   (after: mvn -B -q package -DskipTests)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
rounds=${1:-21}
t="$root/hookscript/target"
[ -d "$t/lib" ] || { echo "build first: mvn -B -q package -DskipTests" >&2; exit 3; }
java=${JAVA:-java}
# the class path of the installed launcher's hook path: hook.jar alone (CDS needs jars, not dirs)
cp="$(ls "$t"/hookscript-*-hook.jar | head -1)"
flags=(-XX:TieredStopAtLevel=1 -XX:-UsePerfData -Xshare:auto)
work=$(mktemp -d)
trap 'pkill -f "TIME_SHIFT_BENCH_MARK" 2>/dev/null || true; rm -rf "$work"' EXIT

# a PVE-shaped tree: VM 101 without policy, VM 105 with a fixed-date policy and an agent-enabled conf
export TIME_SHIFT_PVE_DIR="$work/pve" TIME_SHIFT_RUN_DIR="$work/run" TIME_SHIFT_STATE_DIR="$work/state" \
       TIME_SHIFT_LOG_DIR="$work/log" TIME_SHIFT_CONFIG="$work/time-shift.json" PVE_MIGRATED_FROM= \
       TIME_SHIFT_LAUNCHER="$root/bin/time-shift"
mkdir -p "$work/pve/qemu-server" "$work/pve/time-shift" "$work/run"
printf 'agent: 1\nname: web01\nmemory: 2048\n' > "$work/pve/qemu-server/105.conf"
printf 'name: other\n' > "$work/pve/qemu-server/101.conf"
cat > "$work/pve/time-shift/105.json" <<'J'
{"version":1,"vmid":105,"mode":"fixed","date":"2021-03-01T12:00:00Z","offset":null,"tolerance":"PT2S",
 "timeSync":"disable","onError":"warn","targets":[],"original":{"startdate":null,"hookscript":null,"agent":"1"}}
J
# post-start's detached worker must not wait 5 minutes for an agent that is not there
echo '{"agentWait":"PT0S","applyHold":"PT0S"}' > "$work/time-shift.json"

jsa="$work/time-shift.jsa"
# trained as packaging's cds-generate does: all four phases in one JVM, workers replaced by /bin/true
TIME_SHIFT_LAUNCHER=/bin/true "$java" "${flags[@]}" -XX:ArchiveClassesAtExit="$jsa" -Xlog:cds=off -Xlog:cds+dynamic=off \
    -cp "$cp" io.timeshift.host.Main hook-train 105 >/dev/null 2>&1 || true
"$java" "${flags[@]}" -XX:SharedArchiveFile="$jsa" -Xshare:on -cp "$cp" io.timeshift.host.Main hook 101 pre-start \
    >/dev/null 2>&1 || { echo "warning: CDS archive not usable; 'cds' rows equal the plain ones" >&2; }
echo "hook class path: $cp; CDS archive: $(stat -c %s "$jsa" 2>/dev/null || echo none) bytes"
cds=(-XX:SharedArchiveFile="$jsa" -Xlog:cds=off -Xlog:cds+dynamic=off)

names=("java -version" "no-policy" "no-policy+cds" "pre-start" "pre-start+cds" "post-start" "post-start+cds" "no-policy launcher")
run_case() {
  case $1 in
    0) "$java" -Xshare:auto -version ;;
    1) "$java" "${flags[@]}" -cp "$cp" io.timeshift.host.Main hook 101 pre-start ;;
    2) "$java" "${flags[@]}" "${cds[@]}" -cp "$cp" io.timeshift.host.Main hook 101 pre-start ;;
    3) "$java" "${flags[@]}" -cp "$cp" io.timeshift.host.Main hook 105 pre-start ;;
    4) "$java" "${flags[@]}" "${cds[@]}" -cp "$cp" io.timeshift.host.Main hook 105 pre-start ;;
    # as the launchers run it: the JVM exits 75 and the shell starts the worker (the JVM's part is timed)
    5) TIME_SHIFT_DETACH=launcher "$java" "${flags[@]}" -cp "$cp" io.timeshift.host.Main hook 105 post-start ;;
    6) TIME_SHIFT_DETACH=launcher "$java" "${flags[@]}" "${cds[@]}" -cp "$cp" io.timeshift.host.Main hook 105 post-start ;;
    # what Proxmox really runs for a VM without a policy: the launcher answers without a JVM
    7) "$root/bin/time-shift" hook 101 pre-start ;;
  esac >/dev/null 2>&1
}
for ((i = 0; i < ${#names[@]}; i++)); do : > "$work/t$i"; run_case $i || true; done   # warm the page cache
for ((r = 0; r < rounds; r++)); do
  for i in $(shuf -i 0-$((${#names[@]} - 1))); do
    s=$(date +%s%N); run_case "$i" || true; e=$(date +%s%N)
    echo $(( (e - s) / 1000000 )) >> "$work/t$i"
  done
done
median() { sort -n "$1" | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : int((a[NR/2]+a[NR/2+1])/2)}'; }
base=$(median "$work/t0")
printf '%-16s %8s %8s\n' case "ms" "x java"
for ((i = 0; i < ${#names[@]}; i++)); do
  m=$(median "$work/t$i")
  printf '%-16s %8d %8.2f\n' "${names[$i]}" "$m" "$(echo "$m $base" | awk '{printf "%.2f", $1/$2}')"
done
echo "($rounds rounds, $(nproc) cores, $("$java" -version 2>&1 | head -1))"
