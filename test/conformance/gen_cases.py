#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""gen_cases.py — writes the conformance cases as os-ken switch tester files.

usage: gen_cases.py OUTDIR [--quick] [--category CAT ...] [--check] [--list]

Every case is derived from OpenFlow 1.3.5 by code (caselib.py holds the
packet model and the semantics of each action and field): an ingress
packet, the flows/groups/meters to install, and what must come out —
the packet at the tester's port (egress), a PACKET_IN, a table-miss
(the table's lookup count rises, its matched count does not), or a rate.

Categories: action, match, group, meter, pipeline. A case's id is
CATEGORY/GROUP/NAME; the tester prints it as the start of its
description ("ID: summary"). --quick keeps the representative cases the
CI runs; --check also loads every case the way the tester does and
verifies every SCTP checksum with scapy (independently of os-ken, whose
SCTP CRC is wrong in Debian; README.md, "Conformance").

Ports: the switch under test receives on 1 and the tester watches 2.
"""

import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import caselib as C  # noqa: E402
import cases  # noqa: E402
import cases_more  # noqa: E402

# ---- main ---------------------------------------------------------------------------------------

GENERATORS = {'action': cases.gen_action, 'match': cases.gen_match, 'group': cases_more.gen_group,
              'meter': cases_more.gen_meter, 'pipeline': cases_more.gen_pipeline}


def generate():
    if not cases.CASES:
        for g in GENERATORS.values():
            g()
    return cases.CASES


def select(categories=None, quick=False):
    return [c for c in generate() if (not categories or c.category() in categories) and
            (c.quick or not quick)]


def write(cases, outdir):
    files = {}
    for c in cases:
        files.setdefault(c.file_key(), []).append(c)
    for key, cs in files.items():
        path = os.path.join(outdir, key.replace('/', os.sep) + '.json')
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, 'w') as f:
            json.dump([key] + [c.json() for c in cs], f, indent=1)
    return files


def check(cases):
    """Load every case as the tester does; verify SCTP CRCs with scapy."""
    from os_ken.tests.switch import tester
    from scapy.layers.sctp import SCTP
    tester.OfTester.target_ver = tester.OfTester.tester_ver = 4
    bad, sctp_seen = 0, 0
    for c in cases:
        try:
            tester.Test(c.json())
        except Exception as e:  # noqa: BLE001 - report any loader error
            print('%s: the tester cannot load it: %s' % (c.id, e))
            bad += 1
            continue
        for t in c.tests:
            for key in ('ingress', 'egress', 'PACKET_IN'):
                strings = t.get(key)
                if not isinstance(strings, list) or not any(s.startswith('sctp(') for s in strings):
                    continue
                i = [j for j, s in enumerate(strings) if s.startswith('sctp(')][0]
                full, tail = C.serialize(strings), C.serialize(strings[i:])
                seg = full[len(full) - len(tail):]
                s = SCTP(seg)
                got = s.chksum
                s.chksum = None
                want = SCTP(bytes(s)).chksum
                sctp_seen += 1
                if got != want:
                    print('%s: %s SCTP checksum %#x, scapy says %#x' % (c.id, key, got, want))
                    bad += 1
    print('checked %d cases, %d SCTP checksums; %d problems' % (len(cases), sctp_seen, bad))
    return bad == 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[1])
    ap.add_argument('outdir', nargs='?')
    ap.add_argument('--quick', action='store_true')
    ap.add_argument('--category', action='append', choices=sorted(GENERATORS))
    ap.add_argument('--check', action='store_true')
    ap.add_argument('--list', action='store_true', help='print the case ids')
    args = ap.parse_args()
    cases = select(args.category, args.quick)
    if args.list:
        for c in cases:
            print(c.id)
    if args.outdir:
        files = write(cases, args.outdir)
        print('%d cases in %d files under %s' % (len(cases), len(files), args.outdir))
    if args.check and not check(cases):
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
