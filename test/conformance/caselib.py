# SPDX-License-Identifier: Apache-2.0
"""caselib — the vocabulary of the conformance cases (gen_cases.py).

A packet is a list of layers written the way os-ken's switch tester reads
them: each layer is an `Obj`, whose repr is the os-ken constructor call
(`ipv4(src='192.168.10.10', ...)`), and the last element may be raw
bytes. The tester evaluates these strings and serialises them, so lengths
and the IPv4/TCP/UDP/ICMP checksums are computed by os-ken; the SCTP CRC32c
is not (Debian's os-ken computes it wrongly, README.md "Conformance"), so
`finish()` writes a correct one explicitly.

The OpenFlow semantics live here, once: `get_field`/`set_field` read and
write every OXM field a packet carries, and `apply()` runs an action list
on a packet model as OpenFlow 1.3.5 defines each action (section 5.12 and
the push-tag table of section 5.12.1: fields of a new tag are copied from
the existing outer one where the table says so, else zero). Expected
packets are therefore derived from the ingress packet by the same code
for every case, never written by hand.
"""

import copy
import struct

ETH_IP, ETH_ARP, ETH_IPV6 = 0x0800, 0x0806, 0x86DD
ETH_VLAN, ETH_SVLAN, ETH_MPLS, ETH_MPLS_MC, ETH_PBB = 0x8100, 0x88A8, 0x8847, 0x8848, 0x88E7
OFPVID_PRESENT = 0x1000
PAYLOAD = bytes(range(1, 33))


class Obj:
    """One os-ken constructor call; keyword order is kept."""

    def __init__(self, cls, **kw):
        self.cls = cls
        self.kw = dict(kw)

    def __repr__(self):
        return '%s(%s)' % (self.cls, ', '.join('%s=%r' % kv for kv in self.kw.items()))

    def __getitem__(self, k):
        return self.kw[k]

    def __setitem__(self, k, v):
        self.kw[k] = v

    def get(self, k, default=None):
        return self.kw.get(k, default)


TAGS = ('vlan', 'svlan')


# ---- packet kinds --------------------------------------------------------------------------

def eth(ethertype, dst='22:22:22:22:22:22', src='12:11:11:11:11:11'):
    return Obj('ethernet', dst=dst, src=src, ethertype=ethertype)


def l3_stack(name):
    """(ethertype, layers) of an L3 packet: ipv4-tcp, ipv6-udp, arp, ..."""
    v4 = dict(tos=(8 << 2) | 1, identification=0x1234, ttl=64, src='192.168.10.10',
              dst='192.168.20.20')
    v6 = dict(traffic_class=(8 << 2) | 1, flow_label=100, hop_limit=64, src='10::10',
              dst='20::20')
    l4 = {
        'tcp': (6, [Obj('tcp', src_port=11111, dst_port=2222, seq=1, bits=0x18,
                        window_size=1024), PAYLOAD]),
        'udp': (17, [Obj('udp', src_port=11111, dst_port=2222), PAYLOAD]),
        'sctp': (132, [Obj('sctp', src_port=11111, dst_port=2222, vtag=1,
                           chunks=[Obj('chunk_data', payload_data=PAYLOAD)])]),
    }
    if name == 'arp':
        return ETH_ARP, [Obj('arp', opcode=1, src_mac='12:11:11:11:11:11', src_ip='192.168.10.10',
                             dst_mac='22:22:22:22:22:22', dst_ip='192.168.20.20'), bytes(18)]
    if name == 'ipv4-icmp':
        return ETH_IP, [Obj('ipv4', proto=1, **v4),
                        Obj('icmp', type_=8, code=0, data=Obj('echo', id_=1, seq=1, data=PAYLOAD))]
    if name == 'ipv6-icmpv6':
        return ETH_IPV6, [Obj('ipv6', nxt=58, **v6),
                          Obj('icmpv6', type_=128, code=0,
                              data=Obj('icmpv6echo', id_=1, seq=1, data=PAYLOAD))]
    if name in ('ipv6-nd_ns', 'ipv6-nd_na'):
        ns = name == 'ipv6-nd_ns'
        opt = Obj('nd_option_sla' if ns else 'nd_option_tla',
                  hw_src='12:11:11:11:11:11' if ns else '22:22:22:22:22:22')
        v6nd = dict(v6, hop_limit=255)
        return ETH_IPV6, [Obj('ipv6', nxt=58, **v6nd),
                          Obj('icmpv6', type_=135 if ns else 136, code=0,
                              data=Obj('nd_neighbor', res=0 if ns else 3, dst='20::20', option=opt))]
    if name.startswith('ipv6-ext_'):
        # ipv6-ext_hop, _dst, _rt, _frag, _auth, then TCP.
        ext = name[len('ipv6-ext_'):]
        hdr = {
            'hop': (0, Obj('hop_opts', nxt=6, data=[Obj('ipv6option', type_=1, len_=4, data=bytes(4))])),
            'dst': (60, Obj('dst_opts', nxt=6, data=[Obj('ipv6option', type_=1, len_=4, data=bytes(4))])),
            'rt': (43, Obj('routing_type3', nxt=6, size=2, type_=3, seg=1, cmpi=0, cmpe=0,
                           adrs=['30::30'])),
            'frag': (44, Obj('fragment', nxt=6, offset=0, more=0, id_=7)),
            'auth': (51, Obj('auth', nxt=6, size=4, spi=256, seq=1, data=bytes(12))),
        }[ext]
        return ETH_IPV6, [Obj('ipv6', nxt=hdr[0], ext_hdrs=[hdr[1]], **v6)] + copy.deepcopy(l4['tcp'][1])
    ip, l4name = name.split('-')
    proto, rest = l4[l4name]
    if ip == 'ipv4':
        return ETH_IP, [Obj('ipv4', proto=proto, **v4)] + copy.deepcopy(rest)
    return ETH_IPV6, [Obj('ipv6', nxt=proto, **v6)] + copy.deepcopy(rest)


def kind(name):
    """A fresh packet of kind ENCAP-L3, e.g. 'plain-ipv4-tcp', 'qinq-arp',
    'mpls2-ipv6-udp', 'pbb-ipv4-tcp', 'spbb-ipv4-tcp' (PBB behind an S-VLAN)."""
    encap, l3 = name.split('-', 1)
    et, layers = l3_stack(l3)
    if encap == 'plain':
        head = [eth(et)]
    elif encap == 'vlan':
        head = [eth(ETH_VLAN), Obj('vlan', pcp=3, cfi=0, vid=100, ethertype=et)]
    elif encap == 'svlan':
        head = [eth(ETH_SVLAN), Obj('svlan', pcp=5, cfi=0, vid=200, ethertype=et)]
    elif encap == 'qinq':
        head = [eth(ETH_SVLAN), Obj('svlan', pcp=5, cfi=0, vid=200, ethertype=ETH_VLAN),
                Obj('vlan', pcp=3, cfi=0, vid=100, ethertype=et)]
    elif encap == 'mpls':
        head = [eth(ETH_MPLS), Obj('mpls', label=100, exp=3, bsb=1, ttl=32)]
    elif encap == 'mpls2':
        head = [eth(ETH_MPLS), Obj('mpls', label=200, exp=5, bsb=0, ttl=48),
                Obj('mpls', label=100, exp=3, bsb=1, ttl=32)]
    elif encap == 'pbb':
        head = [eth(ETH_PBB, dst='bb:bb:bb:bb:bb:bb', src='aa:aa:aa:aa:aa:aa'),
                Obj('itag', pcp=0, dei=0, uca=0, sid=100), eth(et)]
    elif encap == 'spbb':
        head = [eth(ETH_SVLAN, dst='bb:bb:bb:bb:bb:bb', src='aa:aa:aa:aa:aa:aa'),
                Obj('svlan', pcp=5, cfi=0, vid=300, ethertype=ETH_PBB),
                Obj('itag', pcp=0, dei=0, uca=0, sid=100), eth(et)]
    else:
        raise ValueError(name)
    return head + layers


# ---- reading and writing fields ----------------------------------------------------------

def find(pkt, cls, start=0):
    for i in range(start, len(pkt)):
        if isinstance(pkt[i], Obj) and pkt[i].cls == cls:
            return i
    return None


def tags_end(pkt):
    """Index of the first layer after the outer Ethernet header and its tags."""
    i = 1
    while i < len(pkt) and isinstance(pkt[i], Obj) and pkt[i].cls in TAGS:
        i += 1
    return i


def eth_type(pkt):
    """ETH_TYPE as OpenFlow sees it: after the VLAN tags."""
    return pkt[tags_end(pkt) - 1]['ethertype']


def visible(pkt, cls):
    """The layer `cls` if OpenFlow's parser reaches it (no MPLS/PBB above)."""
    et = eth_type(pkt)
    i = tags_end(pkt)
    if cls in ('mpls',) and et in (ETH_MPLS, ETH_MPLS_MC):
        return pkt[i]
    if cls == 'itag' and et == ETH_PBB:
        return pkt[i]
    if et in (ETH_MPLS, ETH_MPLS_MC, ETH_PBB):
        return None
    j = find(pkt, cls, i)
    return pkt[j] if j is not None else None


def _l4(pkt):
    ip = visible(pkt, 'ipv4') or visible(pkt, 'ipv6')
    if ip is None:
        return None
    j = pkt.index(ip) + 1
    return pkt[j] if j < len(pkt) and isinstance(pkt[j], Obj) else None


def _nd(pkt):
    icmp6 = visible(pkt, 'icmpv6')
    return icmp6['data'] if icmp6 is not None and icmp6['type_'] in (135, 136) else None


# field -> (getter, setter) on the packet model; a getter returns None when
# the packet does not carry the field.
def _ip(pkt):
    return visible(pkt, 'ipv4') or visible(pkt, 'ipv6')


def _tos_key(ip):
    return 'tos' if ip.cls == 'ipv4' else 'traffic_class'


def _outer_tag(pkt):
    return pkt[1] if len(pkt) > 1 and isinstance(pkt[1], Obj) and pkt[1].cls in TAGS else None


def _l4_of(proto_cls):
    def get(pkt):
        l4 = _l4(pkt)
        return l4 if l4 is not None and l4.cls == proto_cls else None
    return get


def _attr(locate, key, conv=lambda v: v, unconv=lambda v: v):
    def get(pkt):
        layer = locate(pkt)
        return None if layer is None else conv(layer[key])

    def put(pkt, v):
        locate(pkt)[key] = unconv(v)
    return get, put


def _vid_get(pkt):
    t = _outer_tag(pkt)
    return OFPVID_PRESENT | t['vid'] if t is not None else 0


def _vid_put(pkt, v):
    _outer_tag(pkt)['vid'] = v & 0xFFF


def _dscp(pkt):
    ip = _ip(pkt)
    return None if ip is None else ip[_tos_key(ip)] >> 2


def _dscp_put(pkt, v):
    ip = _ip(pkt)
    ip[_tos_key(ip)] = (v << 2) | (ip[_tos_key(ip)] & 3)


def _ecn(pkt):
    ip = _ip(pkt)
    return None if ip is None else ip[_tos_key(ip)] & 3


def _ecn_put(pkt, v):
    ip = _ip(pkt)
    ip[_tos_key(ip)] = (ip[_tos_key(ip)] & ~3) | v


def _proto(pkt):
    ip = _ip(pkt)
    if ip is None:
        return None
    if ip.cls == 'ipv4':
        return ip['proto']
    return ip['ext_hdrs'][-1]['nxt'] if ip.get('ext_hdrs') else ip['nxt']


def _proto_put(pkt, v):
    ip = _ip(pkt)
    ip['proto' if ip.cls == 'ipv4' else 'nxt'] = v


def _ethtype_put(pkt, v):
    pkt[tags_end(pkt) - 1]['ethertype'] = v


def _exthdr(pkt):
    ip = visible(pkt, 'ipv6')
    if ip is None:
        return None
    bits = {'hop_opts': 64, 'dst_opts': 8, 'routing_type3': 32, 'fragment': 16, 'auth': 4}
    v = 0
    for h in ip.get('ext_hdrs') or []:
        v |= bits[h.cls]
    return v


FIELDS = {
    'eth_dst': _attr(lambda p: p[0], 'dst'),
    'eth_src': _attr(lambda p: p[0], 'src'),
    'eth_type': (eth_type, _ethtype_put),
    'vlan_vid': (_vid_get, _vid_put),
    'vlan_pcp': _attr(_outer_tag, 'pcp'),
    'ip_dscp': (_dscp, _dscp_put),
    'ip_ecn': (_ecn, _ecn_put),
    'ip_proto': (_proto, _proto_put),
    'ipv4_src': _attr(lambda p: visible(p, 'ipv4'), 'src'),
    'ipv4_dst': _attr(lambda p: visible(p, 'ipv4'), 'dst'),
    'tcp_src': _attr(_l4_of('tcp'), 'src_port'),
    'tcp_dst': _attr(_l4_of('tcp'), 'dst_port'),
    'udp_src': _attr(_l4_of('udp'), 'src_port'),
    'udp_dst': _attr(_l4_of('udp'), 'dst_port'),
    'sctp_src': _attr(_l4_of('sctp'), 'src_port'),
    'sctp_dst': _attr(_l4_of('sctp'), 'dst_port'),
    'icmpv4_type': _attr(_l4_of('icmp'), 'type_'),
    'icmpv4_code': _attr(_l4_of('icmp'), 'code'),
    'arp_op': _attr(lambda p: visible(p, 'arp'), 'opcode'),
    'arp_spa': _attr(lambda p: visible(p, 'arp'), 'src_ip'),
    'arp_tpa': _attr(lambda p: visible(p, 'arp'), 'dst_ip'),
    'arp_sha': _attr(lambda p: visible(p, 'arp'), 'src_mac'),
    'arp_tha': _attr(lambda p: visible(p, 'arp'), 'dst_mac'),
    'ipv6_src': _attr(lambda p: visible(p, 'ipv6'), 'src'),
    'ipv6_dst': _attr(lambda p: visible(p, 'ipv6'), 'dst'),
    'ipv6_flabel': _attr(lambda p: visible(p, 'ipv6'), 'flow_label'),
    'icmpv6_type': _attr(lambda p: visible(p, 'icmpv6'), 'type_'),
    'icmpv6_code': _attr(lambda p: visible(p, 'icmpv6'), 'code'),
    'ipv6_nd_target': _attr(_nd, 'dst'),
    'ipv6_nd_sll': _attr(lambda p: _nd(p)['option'] if _nd(p) is not None and
                         _nd(p)['option'].cls == 'nd_option_sla' else None, 'hw_src'),
    'ipv6_nd_tll': _attr(lambda p: _nd(p)['option'] if _nd(p) is not None and
                         _nd(p)['option'].cls == 'nd_option_tla' else None, 'hw_src'),
    'mpls_label': _attr(lambda p: visible(p, 'mpls'), 'label'),
    'mpls_tc': _attr(lambda p: visible(p, 'mpls'), 'exp'),
    'mpls_bos': _attr(lambda p: visible(p, 'mpls'), 'bsb'),
    'pbb_isid': _attr(lambda p: visible(p, 'itag'), 'sid'),
    'ipv6_exthdr': (_exthdr, None),
}


def get_field(pkt, field):
    return FIELDS[field][0](pkt)


def set_field(pkt, field, value):
    if field == 'tunnel_id':  # Metadata of the packet, not a header.
        return
    FIELDS[field][1](pkt, value)


# ---- actions on the model (OpenFlow 1.3.5, 5.12) --------------------------------------------

def _push_vlan(pkt, tpid):
    old = _outer_tag(pkt)
    # Table "push tag": VID and PCP copied from the existing outer tag, else 0.
    new = Obj('vlan' if tpid == ETH_VLAN else 'svlan',
              pcp=old['pcp'] if old else 0, cfi=old['cfi'] if old else 0,
              vid=old['vid'] if old else 0, ethertype=pkt[0]['ethertype'])
    pkt[0]['ethertype'] = tpid
    pkt.insert(1, new)


def _pop_vlan(pkt):
    tag = pkt.pop(1)
    pkt[0]['ethertype'] = tag['ethertype']


def _push_mpls(pkt, ethertype):
    i = tags_end(pkt)
    top = pkt[i]
    if eth_type(pkt) in (ETH_MPLS, ETH_MPLS_MC):
        new = Obj('mpls', label=top['label'], exp=top['exp'], bsb=0, ttl=top['ttl'])
    else:
        # Label and TC: no existing field, so 0; TTL from IP_TTL, else 0.
        ttl = top['ttl'] if top.cls == 'ipv4' else top['hop_limit'] if top.cls == 'ipv6' else 0
        new = Obj('mpls', label=0, exp=0, bsb=1, ttl=ttl)
    _ethtype_put(pkt, ethertype)
    pkt.insert(i, new)


def _pop_mpls(pkt, ethertype):
    i = tags_end(pkt)
    pkt.pop(i)
    _ethtype_put(pkt, ethertype)


def _push_pbb(pkt, ethertype):
    # B-DA/B-SA copied from ETH_DST/ETH_SRC, I-SID from an existing I-TAG;
    # the whole customer frame (from its C-DA on) follows the I-TAG.
    itag = visible(pkt, 'itag')
    sid = itag['sid'] if itag is not None else 0
    pkt[:0] = [eth(ethertype, dst=pkt[0]['dst'], src=pkt[0]['src']),
               Obj('itag', pcp=0, dei=0, uca=0, sid=sid)]


def _pop_pbb(pkt):
    i = find(pkt, 'itag')
    del pkt[:i + 1]


def _ttl_layers(pkt):
    """The layers with a TTL from the outermost in: MPLS labels, then IP."""
    out = []
    for layer in pkt[tags_end(pkt):]:
        if not isinstance(layer, Obj):
            break
        if layer.cls == 'mpls':
            out.append((layer, 'ttl'))
        elif layer.cls == 'ipv4':
            out.append((layer, 'ttl'))
            break
        elif layer.cls == 'ipv6':
            out.append((layer, 'hop_limit'))
            break
        else:
            break
    return out


def _nw(pkt):
    ip = _ip(pkt)
    return ip, ('ttl' if ip.cls == 'ipv4' else 'hop_limit')


def apply(pkt, actions):
    """Run an apply-actions list on pkt; returns [(port, packet), ...] for
    every output (groups are expanded by the caller)."""
    outs = []
    for a in actions:
        op = a[0]
        if op == 'output':
            outs.append((a[1], copy.deepcopy(pkt)))
        elif op == 'set_field':
            set_field(pkt, a[1], a[2])
        elif op == 'push_vlan':
            _push_vlan(pkt, a[1])
        elif op == 'pop_vlan':
            _pop_vlan(pkt)
        elif op == 'push_mpls':
            _push_mpls(pkt, a[1])
        elif op == 'pop_mpls':
            _pop_mpls(pkt, a[1])
        elif op == 'push_pbb':
            _push_pbb(pkt, a[1])
        elif op == 'pop_pbb':
            _pop_pbb(pkt)
        elif op == 'set_mpls_ttl':
            visible(pkt, 'mpls')['ttl'] = a[1]
        elif op == 'dec_mpls_ttl':
            visible(pkt, 'mpls')['ttl'] -= 1
        elif op == 'set_nw_ttl':
            ip, k = _nw(pkt)
            ip[k] = a[1]
        elif op == 'dec_nw_ttl':
            ip, k = _nw(pkt)
            ip[k] -= 1
        elif op == 'copy_ttl_out':
            t = _ttl_layers(pkt)
            t[0][0][t[0][1]] = t[1][0][t[1][1]]
        elif op == 'copy_ttl_in':
            t = _ttl_layers(pkt)
            t[1][0][t[1][1]] = t[0][0][t[0][1]]
        elif op in ('set_queue', 'group'):
            pass
        else:
            raise ValueError(op)
    return outs


# ---- OpenFlow messages as the tester's JSON ------------------------------------------------

def oxm(field, value, mask=None):
    d = {'field': field, 'value': value}
    if mask is not None:
        d['mask'] = mask
    return {'OXMTlv': d}


def match(fields):
    return {'OFPMatch': {'oxm_fields': [oxm(*f) for f in fields]}}


def action_json(a):
    op = a[0]
    simple = {
        'pop_vlan': 'OFPActionPopVlan', 'dec_mpls_ttl': 'OFPActionDecMplsTtl',
        'dec_nw_ttl': 'OFPActionDecNwTtl', 'copy_ttl_out': 'OFPActionCopyTtlOut',
        'copy_ttl_in': 'OFPActionCopyTtlIn', 'pop_pbb': 'OFPActionPopPbb',
    }
    if op in simple:
        return {simple[op]: {}}
    if op == 'output':
        body = {'port': a[1]}
        if len(a) > 2:
            body['max_len'] = a[2]
        return {'OFPActionOutput': body}
    if op == 'set_field':
        return {'OFPActionSetField': {'field': oxm(a[1], a[2])}}
    one = {
        'push_vlan': ('OFPActionPushVlan', 'ethertype'),
        'push_mpls': ('OFPActionPushMpls', 'ethertype'),
        'pop_mpls': ('OFPActionPopMpls', 'ethertype'),
        'push_pbb': ('OFPActionPushPbb', 'ethertype'),
        'set_mpls_ttl': ('OFPActionSetMplsTtl', 'mpls_ttl'),
        'set_nw_ttl': ('OFPActionSetNwTtl', 'nw_ttl'),
        'set_queue': ('OFPActionSetQueue', 'queue_id'),
        'group': ('OFPActionGroup', 'group_id'),
    }[op]
    return {one[0]: {one[1]: a[1]}}


def apply_actions(actions):
    return {'OFPInstructionActions': {'type': 4, 'actions': [action_json(a) for a in actions]}}


def write_actions(actions):
    return {'OFPInstructionActions': {'type': 3, 'actions': [action_json(a) for a in actions]}}


def clear_actions():
    return {'OFPInstructionActions': {'type': 5, 'actions': []}}


def goto(table):
    return {'OFPInstructionGotoTable': {'table_id': table}}


def write_metadata(value, mask):
    return {'OFPInstructionWriteMetadata': {'metadata': value, 'metadata_mask': mask}}


def meter_inst(meter_id):
    return {'OFPInstructionMeter': {'meter_id': meter_id}}


def flow(fields=(), instructions=(), table=0, priority=None, cookie=None):
    body = {'table_id': table, 'match': match(fields), 'instructions': list(instructions)}
    if priority is not None:
        body['priority'] = priority
    if cookie is not None:
        body['cookie'] = cookie
    return {'OFPFlowMod': body}


def bucket(actions, weight=0, watch_port=0xFFFFFFFF, watch_group=0xFFFFFFFF):
    return {'OFPBucket': {'weight': weight, 'watch_port': watch_port,
                          'watch_group': watch_group,
                          'actions': [action_json(a) for a in actions]}}


GROUP_TYPES = {'all': 0, 'select': 1, 'indirect': 2, 'ff': 3}


def group(group_id, gtype, buckets):
    return {'OFPGroupMod': {'command': 0, 'type': GROUP_TYPES[gtype], 'group_id': group_id,
                            'buckets': buckets}}


def meter(meter_id, flags, bands):
    return {'OFPMeterMod': {'command': 0, 'flags': flags, 'meter_id': meter_id, 'bands': bands}}


# ---- serialisation and the SCTP checksum ----------------------------------------------------

_CRC32C = []
for _n in range(256):
    _c = _n
    for _ in range(8):
        _c = (_c >> 1) ^ 0x82F63B78 if _c & 1 else _c >> 1
    _CRC32C.append(_c)


def crc32c(data):
    crc = 0xFFFFFFFF
    for b in data:
        crc = _CRC32C[(crc ^ b) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


_NS = None


def namespace():
    """The names the tester evaluates packets with (its module globals)."""
    global _NS
    if _NS is None:
        from os_ken.tests.switch import tester
        _NS = vars(tester)
    return _NS


def render(pkt):
    return [repr(x) for x in pkt]


def serialize(strings):
    p = eval('/'.join(strings), namespace())  # noqa: S307 - our own strings, as the tester does
    if len(strings) == 1:  # One layer is no Packet yet.
        q = namespace()['packet'].Packet()
        q.add_protocol(p)
        p = q
    p.serialize()
    return bytes(p.data)


def finish(pkt):
    """Write the correct SCTP CRC32c into pkt (RFC 4960 appendix B) and
    return its strings."""
    i = find(pkt, 'sctp')
    if i is not None:
        pkt[i]['csum'] = 0
        full = serialize(render(pkt))
        tail = serialize(render(pkt[i:]))
        off = len(full) - len(tail)
        seg = bytearray(full[off:])
        seg[8:12] = bytes(4)
        # The CRC goes on the wire little-endian; os-ken packs csum as '!I'.
        pkt[i]['csum'] = struct.unpack('>I', struct.pack('<I', crc32c(seg)))[0]
    return render(pkt)
