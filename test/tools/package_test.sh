#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# package_test.sh CASE SOURCE_ROOT BUILD_ROOT: what an install and the
# Debian package hold.
#
#   install  (quick) `meson install --destdir` from this build: exactly the
#            binaries, the unit (ExecStart rewritten to this prefix), the
#            example configuration and the manual pages; the pages format
#            without a groff warning and name every option each binary's
#            --help lists, every ofswitch-ctl command and every
#            configuration key; debian/ is consistent (changelog parses,
#            rules executable, the build dependencies are installed)
#   deb      (long) dpkg-buildpackage -b -us -uc on a copy of the tree, in
#            a temporary directory; `dpkg -c` lists the binaries, the unit
#            and the manual pages, the unit runs
#            /usr/sbin/ofswitch --config /etc/ofswitch/ofswitch.conf, the
#            package neither enables nor starts it, and it depends on the
#            mempool driver DPDK loads as a plugin
#
# Exit 77 (skipped) only when debhelper is missing and cannot be installed.
set -euo pipefail
case_=${1:?usage: package_test.sh install|deb SOURCE_ROOT BUILD_ROOT}
src=$(realpath "${2:?}")
build=$(realpath "${3:?}")
tmp=$(mktemp -d /tmp/ofs-package-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fail=0
die() {
    echo "FAIL: $*"
    exit 1
}
bad() {
    echo "FAIL: $*"
    fail=1
}
ok() { echo "ok: $*"; }

# need CMD PACKAGE: install PACKAGE if CMD is missing (as tools/deps does);
# skip the test if that cannot be done.
need() {
    command -v "$1" >/dev/null && return 0
    if [ "$(id -u)" -eq 0 ]; then
        DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=900 install -y \
            --no-install-recommends "$2" >"$tmp/apt.log" 2>&1 || true
    fi
    command -v "$1" >/dev/null && return 0
    echo "SKIP: $1 ($2) is missing and cannot be installed"
    exit 77
}

man_pages=(man8/ofswitch.8 man5/ofswitch.conf.5 man8/ofswitch-ctl.8 man1/ofs-pktgen.1)

case "$case_" in
install)
    need groff groff-base
    dest=$tmp/dest
    meson install -C "$build" --no-rebuild --quiet --destdir "$dest" >"$tmp/install.log" 2>&1 ||
        die "meson install: $(cat "$tmp/install.log")"
    meson introspect "$build" --buildoptions >"$tmp/options.json"
    opt() { # the absolute directory of a meson option
        python3 -c 'import json, os, sys
o = {o["name"]: o["value"] for o in json.load(open(sys.argv[1]))}
print(os.path.join(o["prefix"], o[sys.argv[2]]))' "$tmp/options.json" "$1"
    }
    prefix=$(opt prefix)
    sbindir=$(opt sbindir)
    bindir=$(opt bindir)
    mandir=$(opt mandir)
    datadir=$(opt datadir)
    sysconfdir=$(opt sysconfdir)
    unit=$(cd "$dest" && find . -name ofswitch.service | sed 's|^\.||')
    [ -n "$unit" ] || die "no ofswitch.service installed"
    want=("$sbindir/ofswitch" "$bindir/ofswitch-ctl" "$bindir/ofs-pktgen" "$unit"
        "$datadir/ofswitch/ofswitch.conf")
    for m in "${man_pages[@]}"; do want+=("$mandir/$m"); done
    diff <(printf '%s\n' "${want[@]}" | sort) <(cd "$dest" && find . -type f | sed 's|^\.||' | sort) \
        >"$tmp/diff" || die "installed files differ from the list (< expected, > installed): $(cat "$tmp/diff")"
    ok "meson install (prefix $prefix): ${#want[@]} files, the unit in $(dirname "$unit")"
    exec_start=$(sed -n 's/^ExecStart=//p' "$dest$unit")
    [ "$exec_start" = "$sbindir/ofswitch --config $sysconfdir/ofswitch/ofswitch.conf" ] ||
        bad "installed unit: ExecStart=$exec_start"
    ok "installed unit: ExecStart=$exec_start"
    for f in "$sbindir/ofswitch" "$bindir/ofswitch-ctl" "$bindir/ofs-pktgen"; do
        [ -x "$dest$f" ] || bad "$f is not executable"
    done

    for m in "${man_pages[@]}"; do
        page=$dest$mandir/$m
        groff -man -Tutf8 -ww -z -rLL=80n "$page" >"$tmp/groff" 2>&1 || true
        [ ! -s "$tmp/groff" ] || bad "$m: groff says: $(cat "$tmp/groff")"
        grep -q '^\.TH ' "$page" && grep -q '^\.SH NAME' "$page" && grep -q '^\.SH SYNOPSIS' "$page" ||
            bad "$m: no .TH, NAME or SYNOPSIS"
    done
    ok "manual pages format without warnings"

    # Every long option a binary's --help lists is in its page ("\-\-opt").
    in_page() { # PAGE WORD: the roff spelling of WORD (a "-" is "\-") is in PAGE
        local roff=${2//-/\\-}
        grep -qF -- "$roff" "$1"
    }
    help_options() { grep -oE -- '--[a-z][a-z-]*' | sort -u; }
    check_options() { # PAGE NAME HELP-TEXT
        local o n=0
        while read -r o; do
            n=$((n + 1))
            in_page "$1" "$o" || bad "$2: $o is in --help, not in $(basename "$1")"
        done < <(help_options <<<"$3")
        ok "$(basename "$1"): the $n long options of $2 --help"
    }
    check_options "$dest$mandir/man8/ofswitch.8" ofswitch "$("$dest$sbindir/ofswitch" --help)"
    check_options "$dest$mandir/man1/ofs-pktgen.1" ofs-pktgen "$("$dest$bindir/ofs-pktgen" --help)"
    check_options "$dest$mandir/man8/ofswitch-ctl.8" ofswitch-ctl \
        "$("$dest$bindir/ofswitch-ctl" --help 2>&1 || true) --target"
    # Every command of the control socket (ofa_ctl_cmds.c's table).
    n=0
    while read -r c; do
        n=$((n + 1))
        grep -qE "^\.(B|BI|BR) \"?${c//-/\\\\-}( |\"|$)" "$dest$mandir/man8/ofswitch-ctl.8" ||
            bad "ofswitch-ctl command $c is not a heading in ofswitch-ctl.8"
    done < <(sed -n 's/^ *{"\([a-z-]*\)", [a-z_]*, ".*/\1/p' "$src/ofagent/ctl/ofa_ctl_cmds.c")
    [ $n -gt 10 ] || bad "found only $n commands in ofa_ctl_cmds.c"
    ok "ofswitch-ctl.8: the $n commands of ofa_ctl_cmds.c"
    # Every configuration key: ofswitch's options but --config and --help,
    # plus eal and port.
    n=0
    for k in $("$dest$sbindir/ofswitch" --help | help_options | sed 's/^--//' | grep -vx 'config\|help') eal port; do
        n=$((n + 1))
        grep -qE "^\.(BI|BR) \"${k//-/\\\\-} " "$dest$mandir/man5/ofswitch.conf.5" ||
            bad "key $k is not in ofswitch.conf.5"
    done
    ok "ofswitch.conf.5: the $n keys"

    # debian/: parses, and what it needs to build is here.
    need dpkg-checkbuilddeps dpkg-dev
    (cd "$src" && dpkg-parsechangelog -S Version >/dev/null) || bad "debian/changelog does not parse"
    [ -x "$src/debian/rules" ] || bad "debian/rules is not executable"
    (cd "$src" && dpkg-checkbuilddeps) >"$tmp/deps" 2>&1 || bad "build dependencies: $(cat "$tmp/deps")"
    ok "debian/: changelog $(cd "$src" && dpkg-parsechangelog -S Version), rules executable, Build-Depends installed"
    ;;
deb)
    need dh debhelper
    need dpkg-buildpackage dpkg-dev
    need fakeroot fakeroot
    # A copy of the tree as git knows it (tracked and new files, not the
    # build trees), so nothing is written into the source tree.
    mkdir "$tmp/src"
    (cd "$src" && git ls-files -co --exclude-standard -z | grep -zv '^build' |
        xargs -0 cp --parents -t "$tmp/src")
    version=$(cd "$tmp/src" && dpkg-parsechangelog -S Version)
    arch=$(dpkg-architecture -qDEB_HOST_ARCH)
    start=$(date +%s)
    (cd "$tmp/src" && DEB_BUILD_OPTIONS="nocheck parallel=$(nproc)" \
        dpkg-buildpackage -b -us -uc) >"$tmp/build.log" 2>&1 || {
        tail -n 60 "$tmp/build.log"
        die "dpkg-buildpackage failed"
    }
    deb=$tmp/ofswitch_${version}_$arch.deb
    [ -f "$deb" ] || die "no $deb: $(ls "$tmp")"
    ok "dpkg-buildpackage -b -us -uc: $(basename "$deb") in $(($(date +%s) - start)) s"
    dpkg -c "$deb" >"$tmp/contents"
    for f in ./usr/sbin/ofswitch ./usr/bin/ofswitch-ctl ./usr/bin/ofs-pktgen \
        ./lib/systemd/system/ofswitch.service ./usr/share/ofswitch/ofswitch.conf \
        ./usr/share/man/man8/ofswitch.8.gz ./usr/share/man/man5/ofswitch.conf.5.gz \
        ./usr/share/man/man8/ofswitch-ctl.8.gz ./usr/share/man/man1/ofs-pktgen.1.gz; do
        grep -qE " $f$" "$tmp/contents" || bad "dpkg -c: no $f"
    done
    grep -E '^-.* \./usr/s?bin/[^/]+$' "$tmp/contents" | grep -v -- '^-rwxr-xr-x root/root ' &&
        bad "binaries not -rwxr-xr-x root/root (above)"
    grep -qE ' \./etc/' "$tmp/contents" && bad "the package ships files in /etc (ofswitch rewrites its configuration)"
    ok "dpkg -c: binaries, unit, example configuration, four manual pages; nothing in /etc"
    mkdir "$tmp/x"
    dpkg-deb -x "$deb" "$tmp/x"
    dpkg-deb -e "$deb" "$tmp/x/DEBIAN"
    exec_start=$(sed -n 's/^ExecStart=//p' "$tmp/x/lib/systemd/system/ofswitch.service")
    [ "$exec_start" = "/usr/sbin/ofswitch --config /etc/ofswitch/ofswitch.conf" ] ||
        bad "packaged unit: ExecStart=$exec_start"
    grep -q 'cp /usr/share/ofswitch/ofswitch.conf /etc/ofswitch/ofswitch.conf' "$tmp/x/DEBIAN/postinst" ||
        bad "postinst does not install the example configuration"
    grep -qE 'deb-systemd-invoke (start|restart)|systemctl.*(enable|start)' "$tmp/x/DEBIAN/postinst" &&
        bad "postinst starts or enables the service"
    "$tmp/x/usr/sbin/ofswitch" --help | grep -q '^usage: ofswitch \[--config FILE\]' ||
        bad "the packaged ofswitch does not run"
    depends=$(dpkg-deb -f "$deb" Depends)
    [[ $depends == *librte-mempool-ring23* && $depends == *librte-eal23* ]] ||
        bad "Depends: $depends"
    ok "unit ExecStart=$exec_start, postinst copies the example and starts nothing, the binary runs, Depends has librte-eal23 and librte-mempool-ring23"
    ;;
*)
    echo "unknown case $case_" >&2
    exit 2
    ;;
esac
exit $fail
