#!/usr/bin/env bash
# status --all benchmark (must reach: <= 1 s over a 500-VM cluster answer, after the JVM is up).
# Runs hookscript's StatusAllBench (test sources): WireMock in the same JVM plays the cluster over
# HTTPS on localhost (nothing external is started); `time-shift status --all --json` runs in-process
# with the api-setup token through the real HTTPS transport. Prints the first (cold) call and the
# median of further calls.
# Usage: bench/status-all-bench.sh [vms=500] [runs=5]   (offline Maven; builds test classes if needed)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
t="$root/hookscript/target"
cp_file=$(mktemp)
log=$(mktemp)
trap 'rm -f "$cp_file" "$log"' EXIT
# hookscript and the modules it needs, compiled in one reactor run (nothing installed into ~/.m2); the
# class path file is written per module, hookscript (the last) wins
(cd "$root" && mvn -B -q -o -pl hookscript -am test-compile dependency:build-classpath -Dmdep.includeScope=test \
    -Dmdep.outputFile="$cp_file") >"$log" 2>&1 || { cat "$log" >&2; exit 3; }
java=${JAVA:-java}
# the JVM flags of bin/time-shift and /usr/bin/time-shift, so the cold first call is the one users get
"$java" -XX:TieredStopAtLevel=1 -XX:-UsePerfData -Xshare:auto \
    -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$t/test-classes:$t/classes:$(cat "$cp_file")" \
    io.timeshift.host.cluster.StatusAllBench "${1:-500}" "${2:-5}" 2>&1 | grep -v 'Acceptors should be'
exit "${PIPESTATUS[0]}"
