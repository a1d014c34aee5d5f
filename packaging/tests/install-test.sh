#!/usr/bin/env bash
# install-test.sh - install the two .debs with apt into a clean Debian root
# (Debian 12 for Proxmox VE 8, Debian 13 for Proxmox VE 9) and check what an
# admin relies on: commands, the Java runtime the launchers pick, snippet,
# silent no-policy hook, AppCDS archive made for and used by that runtime,
# upgrade keeping a modified conffile, remove keeping a snippet that a VM still
# uses, purge leaving nothing behind; plus lintian on the .debs.
#
#   packaging/tests/install-test.sh [--suite bookworm|trixie] \
#       time-shift-proxmox_<v>_all.deb time-shift-guest_<v>_all.deb
#
# --suite: bookworm (Debian 12, default; openjdk-17) or trixie (Debian 13;
# openjdk-21, which provides java17-runtime-headless). The same checks run in
# both; only the expected Java runtime differs.
#
# Builds nothing from source. The root comes from
# `debootstrap --variant=minbase <suite>` (the mirror this machine's apt uses,
# verified with its debian-archive-keyring, which must know the suite's keys:
# tools/install-prereqs sees to that); it is cached as a tarball under
# /var/cache/time-shift-ci/, together with the apt lists and the Java runtime's
# .debs, keyed by suite + variant + mirror + package set (never by date), so
# later runs need no network. The .debs are installed with apt, which resolves
# their Depends from that cache.
# Proxmox VE is faked only where it would be: /etc/pve (a plain directory with
# qemu-server/, bind-mounted on itself so that it is a mount point like pmxcfs)
# and stubs for qm, pvesm and pvesh.
#
# Output: one line per check, then "N passed, M failed". Exit 0 when all
# passed, 1 when a check failed, 77 when the test cannot run here (not root,
# no debootstrap/chroot): the Maven InstallTest skips on 77 unless CI=true.
#
# Environment:
#   TIME_SHIFT_CI_CACHE    cache directory (default /var/cache/time-shift-ci)
#   TIME_SHIFT_CI_REFRESH  =1: rebuild the cached root
#   TIME_SHIFT_CI_MIRROR   Debian mirror (default: from /etc/apt/sources.list*)
#   TIME_SHIFT_CI_KEEP     =1: keep the test root (path printed at the end)
#   UPGRADE_BUILD          maven (default): rebuild the upgrade .debs from this
#                          checkout with `mvn -o -pl packaging -am package
#                          -Ddeb.version=<v>+up1` into a temp dir (falls back to
#                          repack when that fails); repack: these .debs with the
#                          Version bumped by dpkg-deb (no Maven needed)
set -uo pipefail

SKIP=77
die_skip() { echo "install-test: cannot run: $*" >&2; exit $SKIP; }
die() { echo "install-test: $*" >&2; exit 1; }

suite=bookworm
if [ "${1-}" = --suite ] && [ $# -ge 2 ]; then
    suite=$2
    shift 2
fi
[ $# -eq 2 ] || die "usage: $0 [--suite bookworm|trixie] time-shift-proxmox_<v>_all.deb time-shift-guest_<v>_all.deb"
# per suite: what it is, the Java runtime package apt must choose for the Depends, and the Java
# home the launchers must then pick (below /usr/lib/jvm, <arch> filled in from dpkg)
case $suite in
    bookworm) release="Debian 12 (Proxmox VE 8)" jre=openjdk-17-jre-headless jvm=java-17-openjdk ;;
    trixie) release="Debian 13 (Proxmox VE 9)" jre=openjdk-21-jre-headless jvm=java-21-openjdk ;;
    *) die "unknown suite '$suite': bookworm (Debian 12) or trixie (Debian 13)" ;;
esac
host_deb=$(realpath -e "$1") || die "no such file: $1"
guest_deb=$(realpath -e "$2") || die "no such file: $2"
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)

[ "$(id -u)" = 0 ] || die_skip "needs root (debootstrap, chroot, mount)"
for t in debootstrap chroot mount umount dpkg-deb tar sha256sum; do
    command -v "$t" >/dev/null 2>&1 || PATH=$PATH:/usr/sbin:/sbin command -v "$t" >/dev/null 2>&1 ||
        die_skip "$t not found (apt-get install debootstrap)"
done
export PATH=$PATH:/usr/sbin:/sbin
java_home=/usr/lib/jvm/$jvm-$(dpkg --print-architecture)

t_start=$(date +%s)
passed=0
failed=0
failures=()
check() { # check NAME COMMAND...: run COMMAND, print one line
    local name=$1
    shift
    if "$@" >>"$log" 2>&1; then
        passed=$((passed + 1))
        printf 'PASS  %s\n' "$name"
    else
        failed=$((failed + 1))
        failures+=("$name")
        printf 'FAIL  %s\n' "$name"
    fi
}
note() { printf '      %s\n' "$*"; }
elapsed() { echo $(($(date +%s) - $1)); }

work=$(mktemp -d /var/tmp/time-shift-install.XXXXXX) || die "mktemp failed"
root=$work/root
log=$work/install-test.log
: >"$log"
mkdir -p "$root"

cleanup() {
    local m
    # unmount everything below the root, deepest first, before deleting anything
    for m in $(awk -v r="$root" '$2 == r || index($2, r "/") == 1 { print $2 }' /proc/mounts | sort -r); do
        umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null
    done
    if awk -v r="$root" '$2 == r || index($2, r "/") == 1 { found = 1 } END { exit !found }' /proc/mounts; then
        echo "install-test: $root still has mounts; not deleting $work" >&2
    elif [ "${TIME_SHIFT_CI_KEEP:-}" = 1 ]; then
        echo "install-test: kept $work"
    else
        rm -rf "$work"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

in_root() { chroot "$root" /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    LC_ALL=C DEBIAN_FRONTEND=noninteractive HOME=/root "$@"; }
apt_in_root() { in_root apt-get -y -q -o Dpkg::Use-Pty=0 -o APT::Sandbox::User=root "$@"; }

# ---------------------------------------------------------------- mirror
mirror=${TIME_SHIFT_CI_MIRROR:-}
if [ -z "$mirror" ]; then
    # the Debian mirror apt uses here, for the suite under test or else for this host's own suite
    # (a Debian 12 host has no trixie sources; the same mirror carries both):
    # deb822 .sources: a stanza whose Suites has it; one-line .list: "deb URI <suite> ..."
    host_suite=$(. /etc/os-release 2>/dev/null && echo "${VERSION_CODENAME-}")
    for s in "$suite" ${host_suite:+"$host_suite"}; do
        mirror=$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null | awk -v want="$s" '
            /^[ \t]*$/ { if (u != "" && s) { print u; exit } u = ""; s = 0; next }
            /^URIs:/ { u = $2 }
            /^Suites:/ { for (i = 2; i <= NF; i++) if ($i == want) s = 1 }
            END { if (u != "" && s) print u }' | head -n 1)
        [ -n "$mirror" ] || mirror=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
            awk -v want="$s" '$1 == "deb" { for (i = 2; i < NF; i++) if ($i !~ /^\[/ && $(i + 1) == want) { print $i; exit } }' |
            head -n 1)
        [ -z "$mirror" ] || break
    done
fi
mirror=${mirror:-http://deb.debian.org/debian}

# ---------------------------------------------------------------- root
cache_dir=${TIME_SHIFT_CI_CACHE:-/var/cache/time-shift-ci}
prefetch=$jre
key=$(printf 'v1 %s minbase %s %s\n' "$suite" "$mirror" "$prefetch" | sha256sum | cut -c1-16)
tarball=$cache_dir/$suite-minbase-$key.tar
note "suite: $suite, $release; Java runtime expected: $jre in $java_home"

t0=$(date +%s)
if [ -s "$tarball" ] && [ "${TIME_SHIFT_CI_REFRESH:-}" != 1 ]; then
    tar -C "$root" -xpf "$tarball" || die "cannot unpack $tarball"
    note "root: unpacked cached $tarball in $(elapsed "$t0") s"
else
    note "root: debootstrap --variant=minbase $suite from $mirror (no cache yet: $tarball)"
    debootstrap --variant=minbase "$suite" "$root" "$mirror" >>"$log" 2>&1 ||
        { tail -n 20 "$log" >&2; die "debootstrap failed (log: $log)"; }
    cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null
    mount -t proc proc "$root/proc" || die "cannot mount proc"
    # apt lists and the runtime's .debs go into the cache; the install below
    # still resolves and installs them through the packages' Depends
    apt_in_root update >>"$log" 2>&1 &&
        apt_in_root install --download-only "$prefetch" >>"$log" 2>&1 ||
        { tail -n 20 "$log" >&2; die "apt in the new root failed (log: $log)"; }
    umount "$root/proc"
    mkdir -p "$cache_dir"
    tar -C "$root" -cpf "$tarball.tmp.$$" . && mv -f "$tarball.tmp.$$" "$tarball" ||
        { rm -f "$tarball.tmp.$$"; note "root: could not write the cache $tarball"; }
    note "root: made and cached in $(elapsed "$t0") s"
fi
mount -t proc proc "$root/proc" || die "cannot mount proc"

# ---------------------------------------------------------------- fake Proxmox VE
mkdir -p "$root/etc/pve/qemu-server"
mount --bind "$root/etc/pve" "$root/etc/pve" || die "cannot bind-mount the fake /etc/pve"
stub() { # stub PATH BODY
    printf '#!/bin/sh\n# stub: Proxmox VE is not installed in this test root\necho "$(basename "$0") $*" >> /var/log/pve-stubs.log\n%s\n' "$2" >"$root$1"
    chmod 755 "$root$1"
}
stub /usr/sbin/qm 'exit 0'
stub /usr/bin/pvesh 'echo "{}"; exit 0'
stub /usr/sbin/pvesm 'case "$1 $2" in "path local:snippets/"*) echo "/var/lib/vz/snippets/${2#local:snippets/}"; exit 0;; esac; exit 0'

mkdir -p "$root/tmp/debs"
cp "$host_deb" "$guest_deb" "$root/tmp/debs/"
hd=./$(basename "$host_deb")
gd=./$(basename "$guest_deb")
host_version=$(dpkg-deb -f "$host_deb" Version)

# ---------------------------------------------------------------- install
out=$work/out
installed() { [ "$(in_root dpkg-query -W -f='${Status} ${Version}' "$1" 2>/dev/null)" = "install ok installed $2" ]; }
installed_any() { [ "$(in_root dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" = "install ok installed" ]; }
both_at() { installed time-shift-proxmox "$1" && installed time-shift-guest "$1"; }
apt_install_debs() { in_root sh -c "cd /tmp/debs && apt-get -y -q -o Dpkg::Use-Pty=0 install $*"; }
prints_something() { in_root "$@" >"$out" 2>&1 && grep -q . "$out" || { cat "$out"; return 1; }; }
# the environment Proxmox gives a hook: the daemons' PATH, LC_ALL=C, PVE_MIGRATED_FROM empty
hook_silent() { # hook_silent COMMAND...: exit 0 and no output at all
    in_root env PVE_MIGRATED_FROM= "$@" >"$out" 2>&1
    local rc=$?
    [ $rc -eq 0 ] && [ ! -s "$out" ] || { echo "exit $rc, output:"; cat "$out"; return 1; }
}

t0=$(date +%s)
check "apt-get install ./$(basename "$host_deb") ./$(basename "$guest_deb")" apt_install_debs "$hd" "$gd"
note "install took $(elapsed "$t0") s (includes the Java runtime)"
check "both packages installed at $host_version" both_at "$host_version"
check "time-shift --version" prints_something time-shift --version
note "$(head -n 1 "$out" 2>/dev/null)"
check "apt chose $jre for the Java dependency" installed_any "$jre"
runs_on() { # runs_on COMMAND...: the JVM the launcher started has java.home $java_home
    in_root env TIME_SHIFT_JAVA_OPTS=-XshowSettings:properties "$@" >"$out" 2>&1
    grep -E "^ *java\.home = " "$out" | head -n 1 | grep -qxE " *java\.home = $java_home" ||
        { grep -E "java\.(home|version) = " "$out"; return 1; }
}
check "time-shift runs on $java_home" runs_on time-shift --version
note "$(grep -E '^ *java\.(runtime\.)?version = ' "$out" 2>/dev/null | tr -s ' ' | tr '\n' ' ')"
snippet_ok() {
    local s=$root/var/lib/vz/snippets/time-shift-hook
    [ -f "$s" ] && [ -x "$s" ] && cmp "$s" "$root/usr/share/time-shift/time-shift-hook"
}
check "snippet /var/lib/vz/snippets/time-shift-hook exists, is executable, is the packaged copy" snippet_ok
check "time-shift hook 999 pre-start: exit 0, no output (no policy)" hook_silent time-shift hook 999 pre-start
check "the snippet as Proxmox runs it (999 pre-start): exit 0, no output" \
    hook_silent /var/lib/vz/snippets/time-shift-hook 999 pre-start
check "time-shift-guest --help" prints_something time-shift-guest --help
check "time-shift-guest --version" prints_something time-shift-guest --version
check "time-shift-guest runs on $java_home" runs_on time-shift-guest --version
leftover_loses() { # a Java 17 runtime kept from Debian 12 after an upgrade to 13 (or a second one on 12)
    local fake=/usr/lib/jvm/java-17-openjdk-leftover id rc=0
    mkdir -p "$root$fake/bin" && ln -sf "$java_home/bin/java" "$root$fake/bin/java" &&
        printf 'JAVA_VERSION="17.0.2"\n' >"$root$fake/release" || return 1
    id=$(in_root env TIME_SHIFT_CDS=id time-shift) && [ "${id%%|*}" = "$java_home/bin/java" ] ||
        { echo "launcher picked: ${id%%|*}"; rc=1; }
    rm -rf "${root:?}$fake"
    return $rc
}
check "$java_home is picked over another Java 17 runtime in /usr/lib/jvm (left from Debian 12)" leftover_loses
dirs_ok() {
    [ "$(stat -c %a "$root/var/lib/time-shift")" = 750 ] && [ "$(stat -c %a "$root/var/log/time-shift")" = 750 ] &&
        [ -d "$root/var/cache/time-shift" ] && [ -d "$root/var/lib/time-shift-guest" ]
}
check "state and log dirs 0750, cache and guest dirs exist" dirs_ok
check "/etc/pve/time-shift/ created (pmxcfs mounted)" test -d "$root/etc/pve/time-shift"
unit_enabled() { # the unit's WantedBy= target has our symlink
    local target
    target=$(sed -n 's/^WantedBy= *\([^ ]*\).*/\1/p' "$root/usr/lib/systemd/system/time-shift-guest-hold.service" | head -n 1)
    [ -n "$target" ] && [ -L "$root/etc/systemd/system/$target.wants/time-shift-guest-hold.service" ]
}
check "time-shift-guest-hold.service enabled" unit_enabled
no_aliased_paths() { # Debian 13 forbids files in /bin, /sbin, /lib* (symlinks into /usr since Debian 12)
    local d
    for d in "$host_deb" "$guest_deb"; do
        dpkg-deb -c "$d" | awk '{ print $NF }' | grep -E '^\./(bin|sbin|lib[^/]*)/' && return 1
    done
    return 0
}
check "neither .deb ships files through /bin, /sbin or /lib (merged-/usr aliases)" no_aliased_paths

# ---------------------------------------------------------------- a VM with a policy (no QEMU here)
printf '{"version":1,"vmid":997,"mode":"fixed","date":"2021-03-01T12:00:00Z","offset":null}\n' \
    >"$root/etc/pve/time-shift/997.json"
printf 'name: jump\nagent: 1\nhookscript: local:snippets/time-shift-hook\n' >"$root/etc/pve/qemu-server/997.conf"
hook_policy() { # hook_policy PHASE: exit 0, one line on stdout, nothing on stderr (no JVM or CDS noise)
    in_root env PVE_MIGRATED_FROM= /var/lib/vz/snippets/time-shift-hook 997 "$1" >"$out" 2>"$out.err"
    local rc=$?
    [ $rc -eq 0 ] && [ ! -s "$out.err" ] && [ "$(wc -l <"$out")" -le 1 ] ||
        { echo "exit $rc, stdout:"; cat "$out"; echo "stderr:"; cat "$out.err"; return 1; }
}
check "policy VM 997 pre-start through the snippet: exit 0, one line" hook_policy pre-start
note "$(cat "$out")"
worker_ran() { # post-start returned at once; the detached worker then ran and recorded why it failed
    local i
    for i in $(seq 1 100); do
        grep -q '"result" : "failed"' "$root/var/lib/time-shift/997.json" 2>/dev/null && break
        sleep 0.2
    done
    grep -q "not running" "$root/var/lib/time-shift/997.json" && [ -s "$root/var/log/time-shift/worker-997.log" ] ||
        { cat "$root/var/lib/time-shift/997.json" "$root/var/log/time-shift/worker-997.log" 2>&1; return 1; }
}
t0=$(date +%s%N)
check "policy VM 997 post-start: exit 0 at once (worker detached by the launcher)" hook_policy post-start
note "post-start returned after $(( ($(date +%s%N) - t0) / 1000000 )) ms"
check "the detached apply worker ran and recorded 'VM not running' (no QEMU here)" worker_ran
docs_ok() {
    local f
    for f in man/man1/time-shift.1.gz man/man5/time-shift.json.5.gz man/man1/time-shift-guest.1.gz \
        bash-completion/completions/time-shift bash-completion/completions/time-shift-guest; do
        [ -s "$root/usr/share/$f" ] || { echo "missing /usr/share/$f"; return 1; }
    done
}
check "man pages and bash completion installed" docs_ok

# ---------------------------------------------------------------- AppCDS
jsa=/var/cache/time-shift/time-shift.jsa
cds_for_jre() { # archive present, stamped for the runtime the launcher picks now, and that is $java_home
    local id
    id=$(in_root env TIME_SHIFT_CDS=id time-shift) && [ -s "$root$jsa" ] && [ -s "$root$jsa.id" ] &&
        [ "$(head -n 1 "$root$jsa.id")" = "$id" ] && [ "${id%%|*}" = "$java_home/bin/java" ] ||
        { echo "launcher id: ${id:-none}"; echo "archive stamp: $(head -n 1 "$root$jsa.id" 2>&1)"; return 1; }
}
check "AppCDS archive generated for $java_home" cds_for_jre
note "$(head -n 1 "$root$jsa.id" 2>/dev/null | cut -d'|' -f1): $(stat -c %s "$root$jsa" 2>/dev/null) bytes"
cds_used() { # -Xshare:on fails when the archive cannot be mapped; Main must come from it
    # the archive is made for the hook's class path: check it on the hook; "x1" is not a VMID, so the
    # launcher's no-policy fast path does not answer and the JVM starts (and exits 2)
    in_root env TIME_SHIFT_JAVA_OPTS='-Xshare:on -Xlog:class+load=info' time-shift hook x1 pre-start >"$out" 2>&1
    grep -E 'io\.timeshift\.host\.Main source: shared objects file' "$out"
}
check "the launcher uses the archive (-Xshare:on, Main loaded from it)" cds_used
printf 'not an archive' >"$root$jsa"
check "corrupt archive: policy hook still exit 0, no stderr" hook_policy pre-start
printf 'x' >>"$root$jsa.id"
check "archive stamped for another JVM: policy hook still exit 0, no stderr" hook_policy pre-start
rm -f "$root$jsa" "$root$jsa.id"
check "no archive: policy hook still exit 0, no stderr" hook_policy pre-start
trigger_regenerates() {
    in_root dpkg-trigger --no-await /usr/lib/jvm && in_root dpkg --triggers-only --pending &&
        [ -s "$root$jsa" ] && [ -s "$root$jsa.id" ]
}
check "dpkg trigger on /usr/lib/jvm regenerates the archive" trigger_regenerates
check "the regenerated archive is for $java_home" cds_for_jre
check "the regenerated archive is used" cds_used

# ---------------------------------------------------------------- lintian
if command -v lintian >/dev/null 2>&1; then
    lint=$work/lintian.txt
    lintian --tag-display-limit 0 "$host_deb" "$guest_deb" >"$lint" 2>&1
    check "lintian: no errors" sh -c "! grep -E '^E: ' '$lint'"
    while IFS= read -r l; do note "lintian $l"; done < <(grep -E '^[EW]: ' "$lint")
elif [ "${CI:-}" = true ]; then
    check "lintian installed (CI=true)" false
else
    note "lintian not installed: skipped (apt-get install --no-install-recommends lintian)"
fi

# ---------------------------------------------------------------- upgrade
conf=/etc/time-shift/time-shift.json
sed -i 's/"applyHold": "PT60S"/"applyHold": "PT90S"/' "$root$conf"
conf_sum=$(sha256sum <"$root$conf")
up_version=$host_version+up1
# the upgrade .debs are kept next to the .debs under test (target/ in a Maven run) and reused by the
# next suite while both are newer than those: one Maven rebuild per build, not one per suite
updir=$(dirname "$host_deb")/install-test-upgrade
mkdir -p "$updir" 2>/dev/null && [ -w "$updir" ] || updir=$work/upgrade
mkdir -p "$updir"
t0=$(date +%s)
how=${UPGRADE_BUILD:-maven}
up_fresh() { # up_fresh: both upgrade .debs exist and were built after the .debs under test
    local u
    for u in "$updir/time-shift-proxmox_${up_version}_all.deb" "$updir/time-shift-guest_${up_version}_all.deb"; do
        [ -s "$u" ] && [ "$u" -nt "$host_deb" ] && [ "$u" -nt "$guest_deb" ] || return 1
    done
}
if up_fresh; then
    how="$how, reused"
elif [ "$how" = maven ]; then
    rm -f "$updir"/*.deb
    if [ -f "$repo/pom.xml" ] && command -v mvn >/dev/null 2>&1 &&
        (cd "$repo" && mvn -B -q -o -pl packaging -am package -DskipTests -DskipInstallTest \
            -Ddeb.version="$up_version" -Ddeb.outputDirectory="$updir") >>"$log" 2>&1 &&
        [ -s "$updir/time-shift-proxmox_${up_version}_all.deb" ] && [ -s "$updir/time-shift-guest_${up_version}_all.deb" ]; then
        :
    else
        note "maven rebuild with -Ddeb.version=$up_version failed (offline repository?): repacking instead"
        how=repack
    fi
fi
if [ "$how" = repack ]; then
    rm -f "$updir"/*.deb
    for d in "$host_deb" "$guest_deb"; do
        rm -rf "$work/repack"
        dpkg-deb -R "$d" "$work/repack" &&
            sed -i "s/^Version: .*/Version: $up_version/" "$work/repack/DEBIAN/control" &&
            dpkg-deb --root-owner-group -Zgzip -b "$work/repack" \
                "$updir/$(dpkg-deb -f "$d" Package)_${up_version}_all.deb" >>"$log" 2>&1
    done
fi
note "upgrade .debs ($up_version, $how) built in $(elapsed "$t0") s"
cp "$updir/time-shift-proxmox_${up_version}_all.deb" "$updir/time-shift-guest_${up_version}_all.deb" "$root/tmp/debs/" 2>/dev/null
check "apt-get install the upgrade to $up_version" \
    apt_install_debs "./time-shift-proxmox_${up_version}_all.deb" "./time-shift-guest_${up_version}_all.deb"
check "both packages now at $up_version" both_at "$up_version"
conf_kept() { [ "$(sha256sum <"$root$conf")" = "$conf_sum" ] && [ ! -e "$root$conf.dpkg-new" ]; }
check "upgrade kept the modified conffile $conf" conf_kept
check "snippet still in place after the upgrade" snippet_ok
check "hook 999 pre-start after the upgrade: exit 0, no output" hook_silent time-shift hook 999 pre-start
check "AppCDS archive regenerated for the new jars and used" cds_used
check "time-shift-guest runs on $java_home after the upgrade" runs_on time-shift-guest --version

rm -f "$root/etc/pve/time-shift/997.json" "$root/etc/pve/time-shift/997.clock.json" "$root/etc/pve/qemu-server/997.conf"

# ---------------------------------------------------------------- remove, purge
printf 'agent: 1\nhookscript: local:snippets/time-shift-hook\n' >"$root/etc/pve/qemu-server/100.conf"
# dpkg warns, among others, when a package ships files through a merged-/usr alias (/lib -> usr/lib
# on Debian 13) and then cannot remove that "directory" on remove or purge
apt_no_warning() { apt_in_root "$@" >"$out" 2>&1 && ! grep -E '^dpkg: warning' "$out" || { cat "$out"; return 1; }; }
remove_host() { apt_no_warning remove time-shift-proxmox; }
check "apt-get remove time-shift-proxmox while VM 100 uses the snippet" remove_host
kept_named() {
    cat "$out"
    [ -x "$root/var/lib/vz/snippets/time-shift-hook" ] && grep -q 'VMs 100 still use it' "$out"
}
check "remove kept the snippet and named VM 100" kept_named
kept_snippet_runs() {
    in_root /var/lib/vz/snippets/time-shift-hook 100 pre-start >"$out" 2>&1 && cat "$out" && [ "$(wc -l <"$out")" = 1 ]
}
check "kept snippet without the package: VM 100 still starts (exit 0, one line)" kept_snippet_runs
rm -f "$root/etc/pve/qemu-server/100.conf"
check "apt-get purge time-shift-proxmox time-shift-guest: no dpkg warning" apt_no_warning purge time-shift-proxmox time-shift-guest
rm -f "$root/usr/sbin/qm" "$root/usr/bin/pvesh" "$root/usr/sbin/pvesm" "$root/var/log/pve-stubs.log"
left=$work/left
(cd "$root" && find . -xdev \( -path ./proc -o -path ./tmp/debs \) -prune -o -name '*time-shift*' -print) >"$left"
for p in /var/lib/vz /etc/pve/time-shift /etc/time-shift /var/cache/time-shift /var/log/time-shift \
    /var/lib/time-shift /usr/share/time-shift /usr/libexec/time-shift; do
    [ ! -e "$root$p" ] || echo ".$p" >>"$left"
done
check "purge left nothing of ours behind" sh -c "! grep -q . '$left'"
while IFS= read -r l; do note "left behind: $l"; done < <(sort -u "$left")
gone() { ! in_root dpkg-query -W -f='${Status}\n' time-shift-proxmox time-shift-guest 2>/dev/null | grep -q installed; }
check "dpkg lists neither package as installed" gone

# ---------------------------------------------------------------- summary
if [ "$failed" -gt 0 ]; then
    echo "---- last 40 lines of $log"
    tail -n 40 "$log"
fi
echo "$suite: $passed passed, $failed failed ($(elapsed "$t_start") s)"
[ "$failed" -eq 0 ]
