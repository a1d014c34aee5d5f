#!/usr/bin/env bash
# JSON in a fresh JVM: what parsing + writing one policy-sized file costs with LightJson (common) and with
# jackson-databind, against the same JVM doing no JSON at all. The figures behind the JSON decision in
# common/README.md. Interleaved rounds, medians in ms. Usage: bench/json-bench.sh [rounds]
# (after: mvn -B -q package -DskipTests)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
rounds=${1:-21}
lib="$root/hookscript/target/lib"
[ -d "$lib" ] || { echo "build first: mvn -B -q package -DskipTests" >&2; exit 3; }
java=${JAVA:-java}
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
cp="$root/common/target/classes:$(ls "$lib"/jackson-databind-*.jar "$lib"/jackson-core-*.jar "$lib"/jackson-annotations-*.jar | tr '\n' ':')"
javac -d "$work" -cp "$cp" "$root/bench/json/JsonCold.java"
cat > "$work/policy.json" <<'J'
{"version":1,"vmid":105,"mode":"fixed","date":"2021-03-01T12:00:00Z","offset":null,"tolerance":"PT2S",
 "timeSync":"disable","onError":"warn","targets":["10.0.0.5:443","ilo.example:443"],
 "original":{"startdate":null,"hookscript":null,"agent":"1"},"guestZone":null}
J
flags=(-XX:TieredStopAtLevel=1 -XX:-UsePerfData -Xshare:auto)
declare -A t
for ((r = 0; r < rounds; r++)); do
    for c in none light jackson; do
        s=$(date +%s%N); "$java" "${flags[@]}" -cp "$work:$cp" JsonCold "$c" "$work/policy.json"; e=$(date +%s%N)
        t[$c]+="$(( (e - s) / 1000 )) "
    done
done
med() { tr ' ' '\n' | grep . | sort -n | awk '{a[NR]=$1} END {printf "%.1f", a[int((NR+1)/2)]/1000}'; }
n=$(echo "${t[none]}" | med); l=$(echo "${t[light]}" | med); j=$(echo "${t[jackson]}" | med)
echo "rounds=$rounds  java -version: $("$java" -version 2>&1 | head -1)"
echo "no JSON: ${n} ms   LightJson: ${l} ms   jackson-databind: ${j} ms   (medians, whole JVM)"
awk -v n="$n" -v l="$l" -v j="$j" 'BEGIN {printf "JSON cost over the empty JVM: LightJson +%.1f ms, jackson-databind +%.1f ms\n", l-n, j-n}'
