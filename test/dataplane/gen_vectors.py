#!/usr/bin/python3
# Generates hdrops_vectors.h: input frames, one op each (in the text form
# test/flowtable/ft_test_util.h parses) and the frame scapy builds for the
# expected result, checksums computed from scratch. The executors update
# checksums incrementally, so equal bytes check both.
#
#   /usr/bin/python3 test/dataplane/gen_vectors.py > test/dataplane/hdrops_vectors.h
#
# The generated header is committed: the tests do not need scapy.
import struct
import sys

from scapy.all import (ARP, ICMP, IP, SCTP, TCP, UDP, Dot1AD, Dot1Q, Ether,
                       ICMPv6EchoRequest, ICMPv6ND_NA, ICMPv6ND_NS,
                       ICMPv6NDOptDstLLAddr, ICMPv6NDOptSrcLLAddr, IPv6, Raw,
                       SCTPChunkData)
from scapy.contrib.mpls import MPLS

C_DA = "02:00:00:00:00:01"
C_SA = "02:00:00:00:00:02"
PAY = Raw(b"payload-bytes-0123456789")


def eth(t=None):
    return Ether(dst=C_DA, src=C_SA) if t is None else Ether(dst=C_DA, src=C_SA, type=t)


def ip4(**kw):
    kw.setdefault("src", "10.0.0.1")
    kw.setdefault("dst", "10.0.0.2")
    kw.setdefault("ttl", 17)
    return IP(**kw)


def ip6(**kw):
    kw.setdefault("src", "2001:db8::1")
    kw.setdefault("dst", "2001:db8::2")
    kw.setdefault("hlim", 33)
    return IPv6(**kw)


def tcp(**kw):
    kw.setdefault("sport", 1234)
    kw.setdefault("dport", 80)
    return TCP(**kw)


def udp(**kw):
    kw.setdefault("sport", 5000)
    kw.setdefault("dport", 53)
    return UDP(**kw)


def sctp(**kw):
    kw.setdefault("sport", 3868)
    kw.setdefault("dport", 3869)
    return SCTP(**kw) / SCTPChunkData(data=b"sctp-data")


def pbb(inner, isid=0, pcp=0):
    itag = struct.pack(">I", (pcp << 29) | isid)
    return bytes(Ether(dst=C_DA, src=C_SA, type=0x88E7)) + itag + bytes(inner)


CASES = []


def csum16(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def retype(pkt, proto):
    """pkt with IP protocol `proto`: the IPv4 header checksum and the old
    L4 header's checksum recomputed, the latter over a pseudo-header that
    names the new protocol (what a switch's incremental update gives)."""
    p = Ether(bytes(pkt))
    ip = p[IP] if IP in p else p[IPv6]
    old = ip.proto if IP in p else ip.nh
    raw = bytearray(bytes(p))
    l3 = len(p) - len(ip)
    if IP in p:
        raw[l3 + 9] = proto
        raw[l3 + 10:l3 + 12] = b"\0\0"
        raw[l3 + 10:l3 + 12] = struct.pack("!H", csum16(bytes(raw[l3:l3 + 20])))
        l4, plen = l3 + 20, ip.len - 20
        pseudo = bytes(raw[l3 + 12:l3 + 20]) + struct.pack("!BBH", 0, proto, plen)
    else:
        raw[l3 + 6] = proto
        l4, plen = l3 + 40, ip.plen
        pseudo = bytes(raw[l3 + 8:l3 + 40]) + struct.pack("!IxxxB", plen, proto)
    ofs = {6: 16, 17: 6}[old]
    if old == 17 and IP in p and raw[l4 + 6:l4 + 8] == b"\0\0":
        return bytes(raw)  # IPv4 UDP without a checksum keeps none.
    raw[l4 + ofs:l4 + ofs + 2] = b"\0\0"
    c = csum16(pseudo + bytes(raw[l4:l4 + plen]))
    raw[l4 + ofs:l4 + ofs + 2] = struct.pack("!H", c or (0xFFFF if old == 17 else 0))
    return bytes(raw)


def case(name, op, pin, pout=None, expect="ok"):
    bin_ = bytes(pin)
    bout = bin_ if pout is None else bytes(pout)
    CASES.append((name, op, bin_, bout, expect))


T4 = eth() / ip4() / tcp() / PAY
U4 = eth() / ip4() / udp() / PAY
I4 = eth() / ip4() / ICMP(type=8, code=0, id=7, seq=1) / PAY
T6 = eth() / ip6() / tcp() / PAY
U6 = eth() / ip6() / udp() / PAY
E6 = eth() / ip6() / ICMPv6EchoRequest(id=3, seq=4) / PAY
ARPP = eth() / ARP(op=1, hwsrc=C_SA, psrc="10.0.0.1", hwdst="00:00:00:00:00:00", pdst="10.0.0.2")
NS = eth() / ip6(dst="ff02::1:ff00:2") / ICMPv6ND_NS(tgt="2001:db8::2") / ICMPv6NDOptSrcLLAddr(lladdr=C_SA)
NA = eth() / ip6() / ICMPv6ND_NA(tgt="2001:db8::2", R=0, S=1, O=1) / ICMPv6NDOptDstLLAddr(lladdr=C_SA)
V10 = eth() / Dot1Q(vlan=10, prio=3) / ip4() / udp() / PAY
M1 = eth(0x8847) / MPLS(label=100, cos=5, s=1, ttl=9) / ip4(ttl=44) / udp() / PAY
M2 = eth(0x8847) / MPLS(label=100, cos=5, s=0, ttl=5) / MPLS(label=200, cos=1, s=1, ttl=9) / ip4(ttl=44) / udp() / PAY

# ---- VLAN
case("push_vlan_untagged", "push_vlan:0x8100", T4, eth() / Dot1Q(vlan=0, prio=0) / ip4() / tcp() / PAY)
case("push_vlan_copies_outer", "push_vlan:0x88a8", V10,
     eth() / Dot1AD(vlan=10, prio=3) / Dot1Q(vlan=10, prio=3) / ip4() / udp() / PAY)
case("pop_vlan", "pop_vlan", V10, eth() / ip4() / udp() / PAY)
case("pop_vlan_outer_of_two", "pop_vlan",
     eth() / Dot1AD(vlan=20, prio=1) / Dot1Q(vlan=10, prio=3) / ip4() / udp() / PAY, V10)
case("pop_vlan_untagged", "pop_vlan", T4, None, "noent")

# ---- MPLS
case("push_mpls_ipv4_ttl", "push_mpls:0x8847", U4,
     eth(0x8847) / MPLS(label=0, cos=0, s=1, ttl=17) / ip4() / udp() / PAY)
case("push_mpls_ipv6_hlim", "push_mpls:0x8848", U6,
     eth(0x8848) / MPLS(label=0, cos=0, s=1, ttl=33) / ip6() / udp() / PAY)
# OpenFlow 1.3.5, push-tag table: MPLS_TTL copies an MPLS or IP TTL; a
# packet with neither (ARP) gets 0.
case("push_mpls_arp_ttl0", "push_mpls:0x8847", ARPP,
     eth(0x8847) / MPLS(label=0, cos=0, s=1, ttl=0) / ARPP[ARP])
case("push_mpls_on_mpls", "push_mpls:0x8847", M1,
     eth(0x8847) / MPLS(label=100, cos=5, s=0, ttl=9) / MPLS(label=100, cos=5, s=1, ttl=9) / ip4(ttl=44) / udp() / PAY)
case("push_mpls_after_vlan", "push_mpls:0x8847", V10,
     eth() / Dot1Q(vlan=10, prio=3, type=0x8847) / MPLS(label=0, cos=0, s=1, ttl=17) / ip4() / udp() / PAY)
case("pop_mpls_bos", "pop_mpls:0x0800", M1, eth() / ip4(ttl=44) / udp() / PAY)
case("pop_mpls_not_bos", "pop_mpls:0x8847", M2,
     eth(0x8847) / MPLS(label=200, cos=1, s=1, ttl=9) / ip4(ttl=44) / udp() / PAY)
case("pop_mpls_not_mpls", "pop_mpls:0x0800", U4, None, "noent")

# ---- PBB
case("push_pbb", "push_pbb:0x88e7", U4, pbb(U4))
case("push_pbb_tagged", "push_pbb:0x88e7", V10, pbb(V10))
# PBB_ISID copies the existing I-SID (the push-tag table); PCP/DEI/UCA 0.
case("push_pbb_on_pbb", "push_pbb:0x88e7", pbb(U4, isid=0x123456, pcp=2),
     pbb(pbb(U4, isid=0x123456, pcp=2), isid=0x123456))
case("pop_pbb", "pop_pbb", pbb(V10, isid=0x123456, pcp=2), V10)
case("pop_pbb_not_pbb", "pop_pbb", U4, None, "noent")

# ---- TTL
case("set_nw_ttl_ipv4", "set_nw_ttl:5", T4, eth() / ip4(ttl=5) / tcp() / PAY)
case("set_nw_ttl_ipv6", "set_nw_ttl:5", T6, eth() / ip6(hlim=5) / tcp() / PAY)
case("dec_ttl_ipv4", "dec_ttl", T4, eth() / ip4(ttl=16) / tcp() / PAY)
case("dec_ttl_ipv6", "dec_ttl", T6, eth() / ip6(hlim=32) / tcp() / PAY)
case("dec_ttl_one_expires", "dec_ttl", eth() / ip4(ttl=1) / tcp() / PAY, None, "expired")
case("dec_ttl_zero_expires", "dec_ttl", eth() / ip6(hlim=0) / tcp() / PAY, None, "expired")
case("dec_ttl_arp", "dec_ttl", ARPP, None, "noent")
case("set_mpls_ttl", "set_mpls_ttl:7", M1,
     eth(0x8847) / MPLS(label=100, cos=5, s=1, ttl=7) / ip4(ttl=44) / udp() / PAY)
case("dec_mpls_ttl", "dec_mpls_ttl", M1,
     eth(0x8847) / MPLS(label=100, cos=5, s=1, ttl=8) / ip4(ttl=44) / udp() / PAY)
case("dec_mpls_ttl_expires", "dec_mpls_ttl",
     eth(0x8847) / MPLS(label=100, cos=5, s=1, ttl=1) / ip4(ttl=44) / udp() / PAY, None, "expired")
case("dec_mpls_ttl_not_mpls", "dec_mpls_ttl", U4, None, "noent")
case("copy_ttl_out_ip", "copy_ttl_out", M1,
     eth(0x8847) / MPLS(label=100, cos=5, s=1, ttl=44) / ip4(ttl=44) / udp() / PAY)
case("copy_ttl_out_label", "copy_ttl_out", M2,
     eth(0x8847) / MPLS(label=100, cos=5, s=0, ttl=9) / MPLS(label=200, cos=1, s=1, ttl=9) / ip4(ttl=44) / udp() / PAY)
case("copy_ttl_in_ip", "copy_ttl_in", M1,
     eth(0x8847) / MPLS(label=100, cos=5, s=1, ttl=9) / ip4(ttl=9) / udp() / PAY)
case("copy_ttl_in_ipv6", "copy_ttl_in",
     eth(0x8847) / MPLS(label=1, cos=0, s=1, ttl=9) / ip6() / udp() / PAY,
     eth(0x8847) / MPLS(label=1, cos=0, s=1, ttl=9) / ip6(hlim=9) / udp() / PAY)
case("copy_ttl_in_label", "copy_ttl_in", M2,
     eth(0x8847) / MPLS(label=100, cos=5, s=0, ttl=5) / MPLS(label=200, cos=1, s=1, ttl=5) / ip4(ttl=44) / udp() / PAY)
case("copy_ttl_out_not_mpls", "copy_ttl_out", U4, None, "noent")

# ---- set-field: L2 and L2.5
case("sf_eth_dst", "set_field:0a:0b:0c:0d:0e:0f->eth_dst", T4,
     Ether(dst="0a:0b:0c:0d:0e:0f", src=C_SA) / ip4() / tcp() / PAY)
case("sf_eth_src", "set_field:0a:0b:0c:0d:0e:0f->eth_src", T4,
     Ether(dst=C_DA, src="0a:0b:0c:0d:0e:0f") / ip4() / tcp() / PAY)
case("sf_vlan_vid", "set_field:4101->vlan_vid", V10, eth() / Dot1Q(vlan=5, prio=3) / ip4() / udp() / PAY)
case("sf_vlan_pcp", "set_field:6->vlan_pcp", V10, eth() / Dot1Q(vlan=10, prio=6) / ip4() / udp() / PAY)
case("sf_vlan_vid_untagged", "set_field:4101->vlan_vid", T4, None, "noent")
case("sf_mpls_label", "set_field:0xabcde->mpls_label", M1,
     eth(0x8847) / MPLS(label=0xABCDE, cos=5, s=1, ttl=9) / ip4(ttl=44) / udp() / PAY)
case("sf_mpls_tc", "set_field:2->mpls_tc", M1,
     eth(0x8847) / MPLS(label=100, cos=2, s=1, ttl=9) / ip4(ttl=44) / udp() / PAY)
case("sf_mpls_label_not_mpls", "set_field:5->mpls_label", U4, None, "noent")
case("sf_pbb_isid", "set_field:0xabcdef->pbb_isid", pbb(U4, isid=5, pcp=3), pbb(U4, isid=0xABCDEF, pcp=3))

# ---- set-field: IPv4 and L4 over it
case("sf_ip_dscp_v4", "set_field:46->ip_dscp", T4, eth() / ip4(tos=46 << 2) / tcp() / PAY)
case("sf_ip_ecn_v4", "set_field:3->ip_ecn", eth() / ip4(tos=0x28) / tcp() / PAY, eth() / ip4(tos=0x2b) / tcp() / PAY)
case("sf_ipv4_src_tcp", "set_field:192.168.7.9->ipv4_src", T4, eth() / ip4(src="192.168.7.9") / tcp() / PAY)
case("sf_ipv4_dst_udp", "set_field:192.168.7.9->ipv4_dst", U4, eth() / ip4(dst="192.168.7.9") / udp() / PAY)
case("sf_ipv4_dst_udp_nocsum", "set_field:192.168.7.9->ipv4_dst", eth() / ip4() / udp(chksum=0) / PAY,
     eth() / ip4(dst="192.168.7.9") / udp(chksum=0) / PAY)
case("sf_ipv4_src_icmp", "set_field:192.168.7.9->ipv4_src", I4,
     eth() / ip4(src="192.168.7.9") / ICMP(type=8, code=0, id=7, seq=1) / PAY)
case("sf_ipv4_src_sctp", "set_field:192.168.7.9->ipv4_src", eth() / ip4() / sctp(),
     eth() / ip4(src="192.168.7.9") / sctp())
case("sf_ipv4_src_later_fragment", "set_field:192.168.7.9->ipv4_src",
     eth() / ip4(proto=6, frag=100) / PAY, eth() / ip4(src="192.168.7.9", proto=6, frag=100) / PAY)
case("sf_tcp_src", "set_field:4321->tcp_src", T4, eth() / ip4() / tcp(sport=4321) / PAY)
case("sf_tcp_dst", "set_field:8080->tcp_dst", T6, eth() / ip6() / tcp(dport=8080) / PAY)
case("sf_udp_src", "set_field:4321->udp_src", U4, eth() / ip4() / udp(sport=4321) / PAY)
case("sf_udp_dst", "set_field:8080->udp_dst", U6, eth() / ip6() / udp(dport=8080) / PAY)
case("sf_sctp_src", "set_field:4321->sctp_src", eth() / ip4() / sctp(), eth() / ip4() / sctp(sport=4321))
case("sf_sctp_dst", "set_field:8080->sctp_dst", eth() / ip6() / sctp(), eth() / ip6() / sctp(dport=8080))
case("sf_tcp_src_on_udp", "set_field:4321->tcp_src", U4, None, "noent")
case("sf_tcp_dst_truncated", "set_field:8080->tcp_dst", bytes(T4)[:14 + 20 + 10], None, "noent")
case("sf_icmpv4_type", "set_field:0->icmpv4_type", I4, eth() / ip4() / ICMP(type=0, code=0, id=7, seq=1) / PAY)
case("sf_icmpv4_code", "set_field:3->icmpv4_code", I4, eth() / ip4() / ICMP(type=8, code=3, id=7, seq=1) / PAY)

# ---- set-field: ARP
case("sf_arp_op", "set_field:2->arp_op", ARPP, eth() / ARP(op=2, hwsrc=C_SA, psrc="10.0.0.1", hwdst="00:00:00:00:00:00", pdst="10.0.0.2"))
case("sf_arp_spa", "set_field:10.9.9.9->arp_spa", ARPP, eth() / ARP(op=1, hwsrc=C_SA, psrc="10.9.9.9", hwdst="00:00:00:00:00:00", pdst="10.0.0.2"))
case("sf_arp_tpa", "set_field:10.9.9.9->arp_tpa", ARPP, eth() / ARP(op=1, hwsrc=C_SA, psrc="10.0.0.1", hwdst="00:00:00:00:00:00", pdst="10.9.9.9"))
case("sf_arp_sha", "set_field:0a:0b:0c:0d:0e:0f->arp_sha", ARPP, eth() / ARP(op=1, hwsrc="0a:0b:0c:0d:0e:0f", psrc="10.0.0.1", hwdst="00:00:00:00:00:00", pdst="10.0.0.2"))
case("sf_arp_tha", "set_field:0a:0b:0c:0d:0e:0f->arp_tha", ARPP, eth() / ARP(op=1, hwsrc=C_SA, psrc="10.0.0.1", hwdst="0a:0b:0c:0d:0e:0f", pdst="10.0.0.2"))

# ---- set-field: IPv6 and ICMPv6
case("sf_ip_dscp_v6", "set_field:10->ip_dscp", eth() / ip6(tc=0x03) / tcp() / PAY, eth() / ip6(tc=(10 << 2) | 3) / tcp() / PAY)
case("sf_ip_ecn_v6", "set_field:1->ip_ecn", eth() / ip6(tc=0xb8) / tcp() / PAY, eth() / ip6(tc=0xb9) / tcp() / PAY)
case("sf_ipv6_src_tcp", "set_field:2001:db8:1::99->ipv6_src", T6, eth() / ip6(src="2001:db8:1::99") / tcp() / PAY)
case("sf_ipv6_dst_udp", "set_field:2001:db8:1::99->ipv6_dst", U6, eth() / ip6(dst="2001:db8:1::99") / udp() / PAY)
case("sf_ipv6_src_icmpv6", "set_field:2001:db8:1::99->ipv6_src", E6, eth() / ip6(src="2001:db8:1::99") / ICMPv6EchoRequest(id=3, seq=4) / PAY)
case("sf_ipv6_flabel", "set_field:0x12345->ipv6_flabel", eth() / ip6(tc=0xb8, fl=7) / tcp() / PAY, eth() / ip6(tc=0xb8, fl=0x12345) / tcp() / PAY)
case("sf_icmpv6_type", "set_field:129->icmpv6_type", E6, bytes(eth() / ip6() / ICMPv6EchoRequest(id=3, seq=4) / PAY))
case("sf_icmpv6_code", "set_field:7->icmpv6_code", E6, eth() / ip6() / ICMPv6EchoRequest(code=7, id=3, seq=4) / PAY)
case("sf_nd_target", "set_field:2001:db8::77->nd_target", NS,
     eth() / ip6(dst="ff02::1:ff00:2") / ICMPv6ND_NS(tgt="2001:db8::77") / ICMPv6NDOptSrcLLAddr(lladdr=C_SA))
case("sf_nd_sll", "set_field:0a:0b:0c:0d:0e:0f->nd_sll", NS,
     eth() / ip6(dst="ff02::1:ff00:2") / ICMPv6ND_NS(tgt="2001:db8::2") / ICMPv6NDOptSrcLLAddr(lladdr="0a:0b:0c:0d:0e:0f"))
case("sf_nd_tll", "set_field:0a:0b:0c:0d:0e:0f->nd_tll", NA,
     eth() / ip6() / ICMPv6ND_NA(tgt="2001:db8::2", R=0, S=1, O=1) / ICMPv6NDOptDstLLAddr(lladdr="0a:0b:0c:0d:0e:0f"))
case("sf_nd_sll_on_na", "set_field:0a:0b:0c:0d:0e:0f->nd_sll", NA, None, "noent")
case("sf_nd_tll_no_option", "set_field:0a:0b:0c:0d:0e:0f->nd_tll",
     eth() / ip6() / ICMPv6ND_NA(tgt="2001:db8::2"), None, "noent")
# ETH_TYPE, IP_PROTO and MPLS_BOS are settable too (issue 13, class 3);
# IP_PROTO moves the L4 checksum with its pseudo-header.
case("sf_eth_type_mpls", "set_field:0x8848->eth_type", M1, bytes(eth(0x8848)) + bytes(M1)[14:])
case("sf_eth_type_vlan", "set_field:0x88b5->eth_type", V10,
     bytes(V10)[:16] + b"\x88\xb5" + bytes(V10)[18:])
case("sf_mpls_bos", "set_field:0->mpls_bos", M1,
     eth(0x8847) / MPLS(label=100, cos=5, s=0, ttl=9) / ip4(ttl=44) / udp() / PAY)
case("sf_ip_proto_v4_tcp", "set_field:17->ip_proto", T4, retype(T4, 17))
case("sf_ip_proto_v6_udp", "set_field:6->ip_proto", U6, retype(U6, 6))
case("sf_ip_proto_v4_nocsum", "set_field:6->ip_proto", eth() / ip4() / udp(chksum=0) / PAY,
     retype(eth() / ip4() / udp(chksum=0) / PAY, 6))
case("sf_ip_proto_arp", "set_field:6->ip_proto", ARPP, None, "noent")
case("sf_ipv6_src_on_ipv4", "set_field:2001:db8:1::99->ipv6_src", T4, None, "noent")

# Fix up the one expected frame scapy cannot express directly: echo
# request -> type 129 keeps the body, checksum recomputed.
for i, c in enumerate(CASES):
    if c[0] == "sf_icmpv6_type":
        p = Ether(c[2])
        p[IPv6].payload.type = 129
        del p[IPv6].payload.cksum
        CASES[i] = (c[0], c[1], c[2], bytes(Ether(bytes(p))), c[4])


def carray(b):
    return ", ".join("0x%02x" % x for x in b)


out = sys.stdout
out.write("/* SPDX-License-Identifier: Apache-2.0 */\n")
out.write("/* Generated by test/dataplane/gen_vectors.py (scapy); do not edit. */\n")
out.write("/* clang-format off */\n")
out.write("#ifndef HDROPS_VECTORS_H\n#define HDROPS_VECTORS_H\n\n#include <stdint.h>\n\n")
out.write("enum hv_expect { HV_OK, HV_NOENT, HV_EXPIRED };\n\n")
out.write("struct hv_case {\n    const char *name;\n    const char *op;\n"
          "    const uint8_t *in;\n    uint16_t in_len;\n    const uint8_t *out;\n"
          "    uint16_t out_len;\n    enum hv_expect expect;\n};\n\n")
for i, (name, op, bi, bo, ex) in enumerate(CASES):
    out.write("static const uint8_t hv_in_%d[] = {%s};\n" % (i, carray(bi)))
    out.write("static const uint8_t hv_out_%d[] = {%s};\n" % (i, carray(bo)))
out.write("\nstatic const struct hv_case hv_cases[] = {\n")
for i, (name, op, bi, bo, ex) in enumerate(CASES):
    out.write('    {"%s", "%s", hv_in_%d, %d, hv_out_%d, %d, HV_%s},\n'
              % (name, op, i, len(bi), i, len(bo), ex.upper()))
out.write("};\n\n#endif /* HDROPS_VECTORS_H */\n")
