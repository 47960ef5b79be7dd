#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# fresh_state.sh CMD [ARGS...]: runs CMD as on a machine where nothing ran
# before — in a private mount namespace whose /run (= /var/run) and
# /dev/hugepages are empty tmpfs mounts. A test that depends on a runtime
# directory an earlier install or run left behind (/var/run/openvswitch,
# /var/run/dpdk, a hugetlbfs mount) fails here instead of on a user's
# machine. Every test that starts a process or a peer runs through it
# (test/meson.build).
#
# Without root or unshare(1) it runs CMD as it is (such tests skip anyway).
set -euo pipefail
[ $# -ge 1 ] || {
    echo "usage: fresh_state.sh CMD [ARGS...]" >&2
    exit 2
}
if [ "${OFS_FRESH_STATE:-}" = 1 ] || [ "$(id -u)" -ne 0 ] || ! command -v unshare >/dev/null; then
    exec "$@"
fi
export OFS_FRESH_STATE=1
# shellcheck disable=SC2016 # $@ expands in the inner shell.
exec unshare --mount --propagation private bash -c '
    set -e
    mount -t tmpfs -o mode=755 ofs-fresh-run /run
    [ -d /dev/hugepages ] && mount -t tmpfs -o mode=755 ofs-fresh-huge /dev/hugepages
    exec "$@"' fresh_state "$@"
