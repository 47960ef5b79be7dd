# SPDX-License-Identifier: Apache-2.0
"""cases — the conformance cases of the action and match categories, and
what every category shares: the Case record, test entries (egress,
PACKET_IN, table-miss), prerequisites (OpenFlow 1.3.5, table 12).
gen_cases.py writes them; cases_more.py has group, meter and pipeline.
"""

import copy
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import caselib as C  # noqa: E402
from caselib import kind, apply  # noqa: E402

CONTROLLER, ALL, FLOOD = 0xFFFFFFFD, 0xFFFFFFFC, 0xFFFFFFFB
NO_BUFFER = 0xFFFF

CASES = []


class Case:
    def __init__(self, cid, summary, prereq, tests, quick=False):
        self.id, self.summary, self.prereq, self.tests, self.quick = cid, summary, prereq, tests, quick

    def category(self):
        return self.id.split('/')[0]

    def file_key(self):
        return '/'.join(self.id.split('/')[:2])

    def json(self):
        return {'description': '%s: %s' % (self.id, self.summary), 'prerequisite': self.prereq,
                'tests': self.tests}


def add(cid, summary, prereq, tests, quick=False):
    assert all(c.id != cid for c in CASES), cid
    CASES.append(Case(cid, summary, prereq, tests, quick))


# ---- test entries ----------------------------------------------------------------------------

def t_egress(pkt, out):
    return {'ingress': C.finish(copy.deepcopy(pkt)), 'egress': C.finish(copy.deepcopy(out))}


def t_packet_in(pkt, out):
    return {'ingress': C.finish(copy.deepcopy(pkt)), 'PACKET_IN': C.finish(copy.deepcopy(out))}


def t_miss(pkt, tables=(0,)):
    return {'ingress': C.finish(copy.deepcopy(pkt)), 'table-miss': list(tables)}


def expect_port2(pkt, actions):
    outs = [p for port, p in apply(copy.deepcopy(pkt), actions) if port in (2, ALL, FLOOD)]
    assert len(outs) == 1, actions
    return outs[0]


# ---- prerequisites (OpenFlow 1.3.5, table 12) ----------------------------------------------

def prereqs(pkt, field):
    et = C.eth_type(pkt)
    l4 = {'tcp': 6, 'udp': 17, 'sctp': 132, 'icmpv4': 1, 'icmpv6': 58}
    if field == 'vlan_pcp':
        return [('vlan_vid', C.OFPVID_PRESENT, C.OFPVID_PRESENT)]
    if field in ('ip_dscp', 'ip_ecn', 'ip_proto'):
        return [('eth_type', et)]
    if field.startswith('ipv4_'):
        return [('eth_type', C.ETH_IP)]
    if field.startswith('arp_'):
        return [('eth_type', C.ETH_ARP)]
    if field in ('ipv6_src', 'ipv6_dst', 'ipv6_flabel', 'ipv6_exthdr'):
        return [('eth_type', C.ETH_IPV6)]
    proto = field.split('_')[0]
    if proto in l4:
        return [('eth_type', et), ('ip_proto', l4[proto])]
    if field == 'ipv6_nd_target':
        return prereqs(pkt, 'icmpv6_type') + [('icmpv6_type', C.get_field(pkt, 'icmpv6_type'))]
    if field == 'ipv6_nd_sll':
        return prereqs(pkt, 'icmpv6_type') + [('icmpv6_type', 135)]
    if field == 'ipv6_nd_tll':
        return prereqs(pkt, 'icmpv6_type') + [('icmpv6_type', 136)]
    if field.startswith('mpls_'):
        return [('eth_type', et)]
    if field == 'pbb_isid':
        return [('eth_type', C.ETH_PBB)]
    if field == 'in_phy_port':
        return [('in_port', 1)]
    return []


def action_prereqs(pkt, actions):
    """The match fields that make every action consistent with the match."""
    out = []
    for a in actions:
        if a[0] == 'set_field' and C.FIELDS.get(a[1]) and C.get_field(pkt, a[1]) is not None:
            out += prereqs(pkt, a[1])
        elif a[0] == 'pop_vlan':
            out += [('vlan_vid', C.OFPVID_PRESENT, C.OFPVID_PRESENT)]
        elif a[0] in ('pop_mpls', 'set_mpls_ttl', 'dec_mpls_ttl', 'copy_ttl_out', 'copy_ttl_in',
                      'set_nw_ttl', 'dec_nw_ttl', 'pop_pbb'):
            out += [('eth_type', C.eth_type(pkt))]
        if a[0] in ('push_vlan', 'push_mpls', 'push_pbb', 'pop_mpls', 'pop_pbb', 'pop_vlan'):
            break  # Later actions see the new header; the match cannot speak of it.
    return dedup(out)


def dedup(fields):
    seen, out = set(), []
    for f in fields:
        if f[0] not in seen:
            seen.add(f[0])
            out.append(f)
    return out


def kstr(kname):
    return kname.replace('-', '/').replace('plain/', 'ethernet/')


def astr(actions):
    def one(a):
        if a[0] == 'set_field':
            return 'set_field:%s->%s' % (a[2] if not isinstance(a[2], int) else hex(a[2]), a[1])
        if len(a) > 1:
            return '%s:%s' % (a[0], hex(a[1]) if isinstance(a[1], int) and a[1] > 9 else a[1])
        return a[0]
    return ','.join(one(a) for a in actions)


# ---- action ------------------------------------------------------------------------------------

L3 = ['ipv4-tcp', 'ipv4-udp', 'ipv4-sctp', 'ipv4-icmp', 'ipv6-tcp', 'ipv6-udp', 'ipv6-sctp',
      'ipv6-icmpv6', 'arp']
KINDS = (['plain-' + k for k in L3] +
         ['plain-ipv6-nd_ns', 'plain-ipv6-nd_na',
          'vlan-ipv4-tcp', 'vlan-ipv6-udp', 'vlan-arp', 'svlan-ipv4-udp',
          'qinq-ipv4-tcp', 'qinq-ipv6-tcp', 'qinq-arp',
          'mpls-ipv4-tcp', 'mpls-ipv6-udp', 'mpls-arp', 'mpls2-ipv4-tcp',
          'pbb-ipv4-tcp', 'pbb-arp', 'spbb-ipv4-tcp'])


def action_case(group, kname, actions, quick=False, extra_match=(), name=None):
    pkt = kind(kname)
    fields = dedup(list(extra_match) + action_prereqs(pkt, actions))
    out = expect_port2(pkt, actions)
    cid = 'action/%s/%s' % (group, name or kname)
    add(cid, "%s --> '%s'" % (kstr(kname), astr(actions)),
        [C.flow(fields, [C.apply_actions(actions)])], [t_egress(pkt, out)], quick)


SET_VALUES = {
    'eth_dst': '22:22:22:aa:aa:aa', 'eth_src': 'aa:aa:aa:11:11:11', 'vlan_vid': C.OFPVID_PRESENT | 200,
    'vlan_pcp': 6, 'ip_dscp': 20, 'ip_ecn': 2, 'ipv4_src': '10.10.10.10',
    'ipv4_dst': '10.20.20.20', 'tcp_src': 33333, 'tcp_dst': 4444, 'udp_src': 33333, 'udp_dst': 4444,
    'sctp_src': 33333, 'sctp_dst': 4444, 'icmpv4_type': 0, 'icmpv4_code': 1, 'arp_op': 2,
    'arp_spa': '10.10.10.10', 'arp_tpa': '10.20.20.20', 'arp_sha': 'aa:aa:aa:11:11:11',
    'arp_tha': 'bb:bb:bb:22:22:22', 'ipv6_src': '30::30', 'ipv6_dst': '40::40',
    'ipv6_flabel': 0xABCDE, 'icmpv6_type': 129, 'icmpv6_code': 1, 'ipv6_nd_target': '30::30',
    'ipv6_nd_sll': 'aa:aa:aa:11:11:11', 'ipv6_nd_tll': 'bb:bb:bb:22:22:22', 'mpls_label': 300,
    'mpls_tc': 6, 'pbb_isid': 200,
}


def gen_action():
    for i, k in enumerate(KINDS):
        action_case('output', k, [('output', 2)], quick=i in (0, 10, 13, 20, 24))
    for ml in (0, 128, NO_BUFFER):
        action_case('output', 'plain-ipv4-tcp', [('output', 2, ml)], name='max_len_%#x' % ml,
                    quick=ml == 0)
    action_case('output', 'plain-ipv4-udp', [('output', ALL)], name='all')
    action_case('output', 'plain-ipv4-udp', [('output', FLOOD)], name='flood')
    action_case('output', 'plain-ipv4-tcp', [('output', 3), ('output', 2)], name='two_ports')

    for field, value in SET_VALUES.items():
        first = True
        for k in KINDS:
            if C.get_field(kind(k), field) in (None, 0 if field == 'vlan_vid' else None):
                continue
            action_case('set_field/' + field, k, [('set_field', field, value), ('output', 2)],
                        quick=first)
            first = False
    # Fields whose new value depends on the packet.
    for k, v in (('mpls-ipv4-tcp', C.ETH_MPLS_MC), ('mpls2-ipv4-tcp', C.ETH_MPLS_MC),
                 ('plain-ipv4-tcp', 0x88B5), ('vlan-arp', 0x88B5)):
        action_case('set_field/eth_type', k, [('set_field', 'eth_type', v), ('output', 2)],
                    quick=k == 'mpls-ipv4-tcp')
    for k, v in (('plain-ipv4-tcp', 17), ('plain-ipv4-udp', 6), ('plain-ipv6-tcp', 17),
                 ('plain-ipv6-udp', 6), ('vlan-ipv4-tcp', 17)):
        action_case('set_field/ip_proto', k, [('set_field', 'ip_proto', v), ('output', 2)],
                    quick=k == 'plain-ipv4-tcp')
    for k, v in (('mpls-ipv4-tcp', 0), ('mpls2-ipv4-tcp', 1)):
        action_case('set_field/mpls_bos', k, [('set_field', 'mpls_bos', v), ('output', 2)],
                    quick=k == 'mpls-ipv4-tcp')
    action_case('set_field/tunnel_id', 'plain-ipv4-tcp',
                [('set_field', 'tunnel_id', 0x1234), ('output', 2)], quick=True)
    action_case('set_field/multiple', 'plain-ipv4-tcp',
                [('set_field', 'eth_src', 'aa:aa:aa:11:11:11'), ('set_field', 'ipv4_dst', '10.20.20.20'),
                 ('set_field', 'tcp_dst', 8080), ('set_field', 'ip_dscp', 46), ('output', 2)])
    action_case('set_field/multiple', 'plain-ipv6-udp',
                [('set_field', 'ipv6_src', '30::30'), ('set_field', 'udp_src', 53),
                 ('set_field', 'ipv6_flabel', 1), ('output', 2)])

    push_kinds = ['plain-ipv4-tcp', 'plain-ipv6-udp', 'plain-arp', 'vlan-ipv4-tcp',
                  'qinq-ipv4-tcp', 'mpls-ipv4-tcp', 'pbb-ipv4-tcp']
    for tpid in (C.ETH_VLAN, C.ETH_SVLAN):
        g = 'push_vlan/%#x' % tpid
        for k in push_kinds:
            action_case(g, k, [('push_vlan', tpid), ('output', 2)],
                        quick=k in ('plain-ipv4-tcp', 'vlan-ipv4-tcp'))
        for k in ('plain-ipv4-tcp', 'vlan-arp'):
            action_case(g, k, [('push_vlan', tpid), ('set_field', 'vlan_vid', C.OFPVID_PRESENT | 300),
                               ('set_field', 'vlan_pcp', 4), ('output', 2)], name=k + '-set_vid_pcp')
    for k in ('vlan-ipv4-tcp', 'vlan-ipv6-udp', 'vlan-arp', 'svlan-ipv4-udp', 'qinq-ipv4-tcp',
              'qinq-arp'):
        action_case('pop_vlan', k, [('pop_vlan',), ('output', 2)], quick=k == 'vlan-ipv4-tcp')
    action_case('pop_vlan', 'qinq-ipv4-tcp', [('pop_vlan',), ('pop_vlan',), ('output', 2)],
                name='qinq-ipv4-tcp-twice')

    for et in (C.ETH_MPLS, C.ETH_MPLS_MC):
        g = 'push_mpls/%#x' % et
        for k in ('plain-ipv4-tcp', 'plain-ipv6-tcp', 'plain-arp', 'vlan-ipv4-tcp', 'qinq-arp',
                  'mpls-ipv4-tcp', 'mpls2-ipv4-tcp'):
            action_case(g, k, [('push_mpls', et), ('output', 2)],
                        quick=k in ('plain-ipv4-tcp', 'plain-arp', 'mpls-ipv4-tcp'))
        action_case(g, 'plain-ipv4-udp', [('push_mpls', et), ('set_field', 'mpls_label', 1000),
                                          ('set_field', 'mpls_tc', 2), ('output', 2)],
                    name='plain-ipv4-udp-set_label_tc')
    for k, et in (('mpls-ipv4-tcp', C.ETH_IP), ('mpls-ipv6-udp', C.ETH_IPV6), ('mpls-arp', C.ETH_ARP),
                  ('mpls2-ipv4-tcp', C.ETH_MPLS)):
        action_case('pop_mpls', k, [('pop_mpls', et), ('output', 2)], quick=k == 'mpls-ipv4-tcp')

    for k in ('plain-ipv4-tcp', 'plain-arp', 'vlan-ipv4-tcp', 'qinq-ipv6-tcp', 'mpls-ipv4-tcp',
              'pbb-ipv4-tcp'):
        action_case('push_pbb', k, [('push_pbb', C.ETH_PBB), ('output', 2)],
                    quick=k == 'plain-ipv4-tcp')
    action_case('push_pbb', 'plain-ipv4-tcp', [('push_pbb', C.ETH_PBB), ('set_field', 'pbb_isid', 77),
                                               ('output', 2)], name='plain-ipv4-tcp-set_isid')
    for k in ('pbb-ipv4-tcp', 'pbb-arp', 'spbb-ipv4-tcp'):
        action_case('pop_pbb', k, [('pop_pbb',), ('output', 2)], quick=k == 'pbb-ipv4-tcp')

    mpls_kinds = ['mpls-ipv4-tcp', 'mpls-ipv6-udp', 'mpls-arp', 'mpls2-ipv4-tcp']
    for k in mpls_kinds:
        action_case('set_mpls_ttl', k, [('set_mpls_ttl', 10), ('output', 2)], quick=k == mpls_kinds[0])
        action_case('dec_mpls_ttl', k, [('dec_mpls_ttl',), ('output', 2)], quick=k == mpls_kinds[0])
    for k in ('mpls-ipv4-tcp', 'mpls-ipv6-udp', 'mpls2-ipv4-tcp'):
        action_case('copy_ttl_out', k, [('copy_ttl_out',), ('output', 2)], quick=k == mpls_kinds[0])
        action_case('copy_ttl_in', k, [('copy_ttl_in',), ('output', 2)], quick=k == mpls_kinds[0])
    for k in ('plain-ipv4-tcp', 'plain-ipv4-udp', 'plain-ipv4-icmp', 'plain-ipv6-tcp',
              'plain-ipv6-icmpv6', 'vlan-ipv4-tcp', 'qinq-ipv6-tcp'):
        action_case('set_nw_ttl', k, [('set_nw_ttl', 10), ('output', 2)], quick=k == 'plain-ipv4-tcp')
        action_case('dec_nw_ttl', k, [('dec_nw_ttl',), ('output', 2)], quick=k == 'plain-ipv6-tcp')
    for k in ('plain-ipv4-tcp', 'vlan-arp'):
        action_case('set_queue', k, [('set_queue', 0), ('output', 2)], quick=k == 'plain-ipv4-tcp')

    # Several headers in one list: each action sees what the previous made.
    action_case('combined', 'plain-ipv4-tcp',
                [('push_vlan', C.ETH_VLAN), ('set_field', 'vlan_vid', C.OFPVID_PRESENT | 5),
                 ('push_mpls', C.ETH_MPLS), ('set_field', 'mpls_label', 99), ('output', 2)],
                name='push_vlan-push_mpls')
    action_case('combined', 'vlan-ipv4-tcp',
                [('pop_vlan',), ('set_field', 'ipv4_src', '10.0.0.1'), ('dec_nw_ttl',), ('output', 2)],
                name='pop_vlan-set_ipv4-dec_ttl', extra_match=[('eth_type', C.ETH_IP)])
    action_case('combined', 'mpls-ipv4-tcp',
                [('copy_ttl_in',), ('pop_mpls', C.ETH_IP), ('output', 2)], name='copy_ttl_in-pop_mpls')
    action_case('combined', 'plain-ipv4-tcp',
                [('push_mpls', C.ETH_MPLS), ('copy_ttl_out',), ('dec_mpls_ttl',), ('output', 2)],
                name='push_mpls-copy_ttl_out-dec')
    action_case('combined', 'plain-ipv6-udp',
                [('push_pbb', C.ETH_PBB), ('push_vlan', C.ETH_SVLAN), ('output', 2)],
                name='push_pbb-push_vlan')

    # Set-field after a pop, in a later table: needs the headers the pop
    # exposed (issue 13, class 2: re-parse after pop_mpls/pop_pbb).
    for enc, pop in (('mpls', ('pop_mpls', C.ETH_IP)), ('pbb', ('pop_pbb',))):
        for field, v in (('ipv4_src', '10.10.10.10'), ('ip_dscp', 20), ('tcp_dst', 4444),
                         ('eth_dst', '22:22:22:aa:aa:aa')):
            if enc == 'mpls' and field == 'eth_dst':
                continue
            pkt = kind(enc + '-ipv4-tcp')
            inner = copy.deepcopy(pkt)
            apply(inner, [pop])
            acts = [('set_field', field, v), ('output', 2)]
            out = expect_port2(inner, acts)
            t0 = C.flow([('eth_type', C.eth_type(pkt))], [C.apply_actions([pop]), C.goto(1)])
            t1 = C.flow(dedup(prereqs(inner, field)), [C.apply_actions(acts)], table=1)
            add('action/after_pop/%s-%s' % (enc, field),
                "%s --> '%s,goto_table:1', 'table=1,%s'" % (kstr(enc + '-ipv4-tcp'), astr([pop]),
                                                             astr(acts)),
                [t0, t1], [t_egress(pkt, out)])

    # Output to the controller: the PACKET_IN carries the packet as it is then.
    for k in ('plain-ipv4-tcp', 'plain-ipv6-udp', 'plain-arp', 'vlan-ipv4-tcp', 'mpls-ipv4-tcp',
              'pbb-ipv4-tcp'):
        for ml in (NO_BUFFER, 0xFFE5):
            pkt = kind(k)
            add('action/controller/%s-max_len_%#x' % (k, ml), "%s --> 'output:controller'" % kstr(k),
                [C.flow([], [C.apply_actions([('output', CONTROLLER, ml)])])],
                [t_packet_in(pkt, pkt)], quick=k == 'plain-ipv4-tcp' and ml == NO_BUFFER)
    pkt = kind('plain-ipv4-tcp')
    acts = [('set_field', 'ipv4_dst', '10.20.20.20'), ('output', CONTROLLER, NO_BUFFER)]
    out = copy.deepcopy(pkt)
    apply(out, acts[:1])
    add('action/controller/set_field-then-controller', "ethernet/ipv4/tcp --> '%s'" % astr(acts),
        [C.flow([('eth_type', C.ETH_IP)], [C.apply_actions(acts)])], [t_packet_in(pkt, out)])


# ---- match -------------------------------------------------------------------------------------

# field -> (value of a miss inside the mask, mask, value differing only outside the mask)
MASKED = {
    'eth_dst': ('23:22:22:22:22:22', 'ff:ff:ff:00:00:00', '22:22:22:33:33:33'),
    'eth_src': ('12:11:10:11:11:11', 'ff:ff:ff:00:00:00', '12:11:11:99:99:99'),
    'ipv4_src': ('192.168.11.10', '255.255.255.0', '192.168.10.99'),
    'ipv4_dst': ('192.168.21.20', '255.255.255.0', '192.168.20.99'),
    'arp_spa': ('192.168.11.10', '255.255.255.0', '192.168.10.99'),
    'arp_tpa': ('192.168.21.20', '255.255.255.0', '192.168.20.99'),
    'arp_sha': ('12:11:10:11:11:11', 'ff:ff:ff:00:00:00', '12:11:11:99:99:99'),
    'arp_tha': ('23:22:22:22:22:22', 'ff:ff:ff:00:00:00', '22:22:22:33:33:33'),
    'ipv6_src': ('11::10', 'ffff:ffff:ffff:ffff::', '10::99'),
    'ipv6_dst': ('21::20', 'ffff:ffff:ffff:ffff::', '20::99'),
    # Integers: the miss flips the lowest bit inside the mask, the second
    # hit the lowest bit outside it (masked_ints()).
    'ipv6_flabel': (None, 0xFFFF0, None),
    'pbb_isid': (None, 0xFFFF00, None),
    'vlan_vid': (None, 0x1FF0, None),
}


def masked_ints(v, m):
    inside = m & -m
    outside = ~m & -~m
    return v ^ inside, v ^ outside
MISS = dict(SET_VALUES, ip_proto=17, eth_type=0x88B5, mpls_bos=0, vlan_vid=C.OFPVID_PRESENT | 101,
            arp_op=2, icmpv6_type=129, icmpv4_type=0, ip_dscp=9, ip_ecn=0, mpls_label=101,
            mpls_tc=4, vlan_pcp=2)
MATCH_KINDS = [k for k in KINDS if not k.startswith(('mpls', 'pbb', 'spbb'))] + [
    'mpls-ipv4-tcp', 'mpls2-ipv4-tcp', 'pbb-ipv4-tcp', 'spbb-ipv4-tcp', 'plain-ipv6-ext_hop']


def mask_value(v, m):
    if isinstance(v, int):
        return v & m
    if '.' in v:
        return '.'.join(str(int(a) & int(b)) for a, b in zip(v.split('.'), m.split('.')))
    if ':' in v and len(v) == 17 and v.count(':') == 5:
        return ':'.join('%02x' % (int(a, 16) & int(b, 16)) for a, b in zip(v.split(':'), m.split(':')))
    import ipaddress
    a, b = int(ipaddress.IPv6Address(v)), int(ipaddress.IPv6Address(m))
    return str(ipaddress.IPv6Address(a & b))


def changed(pkt, field, value):
    p = copy.deepcopy(pkt)
    C.set_field(p, field, value)
    return p


def match_case(group, name, pkt, fields, hits, misses, quick=False, summary=None):
    tests = [t_egress(p, p) for p in hits] + [t_miss(p) for p in misses]
    add('match/%s/%s' % (group, name), summary or 'ethernet/... match %s --> output:2' % (
        ','.join('%s=%s' % (f[0], f[1]) + ('/%s' % f[2] if len(f) > 2 else '') for f in fields)),
        [C.flow(fields, [C.apply_actions([('output', 2)])])], tests, quick)


def gen_match():
    fields = [f for f in C.FIELDS if f != 'ipv6_exthdr']
    for field in fields:
        first = True
        for k in MATCH_KINDS:
            pkt = kind(k)
            v = C.get_field(pkt, field)
            if v is None or (field == 'vlan_vid' and v == 0):
                continue
            pre = prereqs(pkt, field)
            mv = MISS[field] if MISS[field] != v else v ^ 1
            miss = changed(pkt, field, mv) if C.FIELDS[field][1] else None
            match_case(field, k, pkt, dedup(pre + [(field, v)]), [pkt], [miss] if miss else [],
                       quick=first)
            if field in MASKED and (first or field == 'vlan_vid'):
                mv, m, hv = MASKED[field]
                if mv is None:
                    mv, hv = masked_ints(v, m)
                match_case(field, k + '-masked', pkt, dedup(pre + [(field, mask_value(v, m), m)]),
                           [pkt, changed(pkt, field, hv)], [changed(pkt, field, mv)], quick=first)
            first = False
    # VLAN_VID forms (OpenFlow 1.3.5, 7.2.3.8): none, present, and a mask
    # without OFPVID_PRESENT (issue 13, class 5).
    tagged, untagged = kind('vlan-ipv4-tcp'), kind('plain-ipv4-tcp')
    match_case('vlan_vid', 'none', untagged, [('vlan_vid', 0)], [untagged], [tagged], quick=True)
    match_case('vlan_vid', 'present', tagged, [('vlan_vid', 0x1000, 0x1000)], [tagged, kind('qinq-arp')],
               [untagged], quick=True)
    match_case('vlan_vid', 'vid_bits_no_present', tagged, [('vlan_vid', 0x060, 0x0F0)],
               [tagged, changed(tagged, 'vlan_vid', 0x1000 | 0x6A)],
               [changed(tagged, 'vlan_vid', 0x1000 | 0x74), untagged], quick=True)
    # Ports.
    pkt = kind('plain-ipv4-tcp')
    match_case('in_port', 'hit', pkt, [('in_port', 1)], [pkt], [], quick=True)
    match_case('in_port', 'other_port', pkt, [('in_port', 3)], [], [pkt], quick=True)
    match_case('in_phy_port', 'hit', pkt, [('in_port', 1), ('in_phy_port', 1)], [pkt], [])
    # Metadata and tunnel_id: written in table 0, matched in table 1.
    # (field, value, mask, a value that must miss)
    for field, v, m, miss in (('metadata', 0x1234567890ABCDEF, None, 0x1234567890ABCDEE),
                              ('metadata', 0x1234567890AB0000, 0xFFFFFFFFFFFF0000, 0x1234557890AB0000),
                              ('tunnel_id', 0x55AA, None, 0x55AB),
                              ('tunnel_id', 0x5500, 0xFF00, 0x5400)):
        t0 = (C.write_metadata(0x1234567890ABCDEF, 0xFFFFFFFFFFFFFFFF) if field == 'metadata' else
              C.apply_actions([('set_field', 'tunnel_id', 0x55AA)]))
        for hit in (True, False):
            want = v if hit else miss
            f1 = [(field, want, m)] if m else [(field, want)]
            add('match/%s/%s%s' % (field, 'masked' if m else 'exact', '' if hit else '-miss'),
                "table 0 writes %s, table 1 matches %s=%#x%s" % (field, field, want,
                                                                   '/%#x' % m if m else ''),
                [C.flow([], [t0, C.goto(1)]), C.flow(f1, [C.apply_actions([('output', 2)])], table=1)],
                [t_egress(pkt, pkt) if hit else t_miss(pkt, [1])], quick=not m)
    match_case('tunnel_id', 'zero_from_port', pkt, [('tunnel_id', 0)], [pkt], [])
    # IPV6_EXTHDR: which extension headers a packet carries (7.2.3.10).
    bits = {'hop': 64, 'dst': 8, 'rt': 32, 'frag': 16, 'auth': 4}
    plain6 = kind('plain-ipv6-tcp')
    for ext, bit in bits.items():
        p = kind('plain-ipv6-ext_' + ext)
        match_case('ipv6_exthdr', ext, p, [('eth_type', C.ETH_IPV6), ('ipv6_exthdr', bit)], [p], [plain6],
                   quick=ext == 'hop')
        match_case('ipv6_exthdr', ext + '-masked', p,
                   [('eth_type', C.ETH_IPV6), ('ipv6_exthdr', bit, bit)], [p], [plain6])
    match_case('ipv6_exthdr', 'none', plain6, [('eth_type', C.ETH_IPV6), ('ipv6_exthdr', 0)], [plain6],
               [kind('plain-ipv6-ext_hop')])

    # Matches in a later table after a pop: the exposed headers (class 2
    # for MPLS/PBB; the inner VLAN tag is modelled without re-parsing).
    for enc, pop, layers in (('mpls', ('pop_mpls', C.ETH_IP), 'ipv4-tcp'),
                             ('mpls', ('pop_mpls', C.ETH_IPV6), 'ipv6-udp'),
                             ('pbb', ('pop_pbb',), 'ipv4-tcp'), ('pbb', ('pop_pbb',), 'arp'),
                             ('qinq', ('pop_vlan',), 'ipv4-tcp')):
        pkt = kind('%s-%s' % (enc, layers))
        inner = copy.deepcopy(pkt)
        apply(inner, [pop])
        for field in ('ip_dscp', 'ip_proto', 'ipv4_src', 'tcp_dst', 'ipv6_dst', 'udp_src', 'arp_tpa',
                      'eth_dst', 'vlan_vid'):
            v = C.get_field(inner, field)
            if v is None or (field == 'vlan_vid' and v == 0):
                continue
            if field == 'eth_dst' and enc != 'pbb':
                continue
            t0 = C.flow(action_prereqs(pkt, [pop]), [C.apply_actions([pop]), C.goto(1)])
            t1 = C.flow(dedup(prereqs(inner, field) + [(field, v)]),
                        [C.apply_actions([('output', 2)])], table=1)
            tests = [t_egress(pkt, inner)]
            add('match/after_pop/%s-%s-%s' % (enc, layers, field),
                "%s --> '%s,goto_table:1', 'table=1,%s=%s,output:2'" % (
                    kstr('%s-%s' % (enc, layers)), astr([pop]), field, v),
                [t0, t1], tests, quick=enc == 'qinq' and field == 'vlan_vid')
