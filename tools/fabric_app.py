# SPDX-License-Identifier: Apache-2.0
"""A topology-aware OpenFlow 1.3 application for osken-manager: one
controller for a fabric of switches (the controller of `tools/demo
--fabric`).

- Discovery: every second, and at once when a switch connects or a port
  comes up, it sends an LLDP frame out of every live port of every switch
  (PACKET_OUT; chassis "dpid:<16 hex digits>", port id the port number).
  A rule on each switch sends LLDP back to it (PACKET_IN), and the frame
  that arrives at switch B port q, sent from switch A port p, is the link
  A:p -> B:q. A link goes at once when either end reports its port down
  (PORT_STATUS: LINK_DOWN, or config PORT_DOWN, or the port deleted) or
  when its switch disconnects, and after LINK_TIMEOUT seconds without LLDP.
- Hosts are learned from PACKET_INs that arrive on ports that are not
  links (their source MAC; their IPv4 address from ARP and IPv4 packets).
- Forwarding, in two tables. Table 0 passes a frame on to table 1 when it
  comes from a known host on its port (in_port, eth_src) or from another
  switch (in_port a link); anything else comes to the controller, which
  learns the host. Table 1 forwards by destination: for each host, a
  shortest-path tree towards it over the live links (breadth-first, ties
  to the lower dpid and port), one rule per switch, eth_dst=HOST ->
  output:port towards it; a miss comes to the controller. Every change of
  the topology or of a host recomputes the trees, and only the rules that
  change are sent (ADD replaces, DELETE_STRICT removes), so traffic moves
  to another path when a link goes down, and back when it returns.
- ARP: a request for an address the controller knows is answered by it
  (proxy ARP); others, and broadcasts or unknown destinations, are sent
  out of every live port that is not a link, on every switch (the
  controller is the root of the flood, so no loop can form). A port that
  came up (or a switch that connected) less than EDGE_HOLD seconds ago is
  left out of floods until LLDP had a few chances to show it is a link; a
  host learned on a port that then turns out to be a link goes back to
  where it was before.

When the environment has OFS_FABRIC_STATE=PATH, the application writes its
view there as JSON after every change (written to PATH.tmp, then renamed):
switches with their ports, links, hosts, and the path between every pair of
hosts. Run:

    OFS_FABRIC_STATE=/tmp/fabric.json osken-manager tools/fabric_app.py
"""

import json
import os
import struct
import time
from collections import deque

from os_ken.base import app_manager
from os_ken.controller import ofp_event
from os_ken.controller.handler import (CONFIG_DISPATCHER, DEAD_DISPATCHER, MAIN_DISPATCHER,
                                       set_ev_cls)
from os_ken.lib import hub
from os_ken.lib.packet import arp, ethernet, ether_types, ipv4, packet
from os_ken.ofproto import ofproto_v1_3

LLDP_INTERVAL = 1.0  # seconds between discovery rounds
LINK_TIMEOUT = 10.0  # a link not heard of for this long is gone
LLDP_DST = b"\x01\x80\xc2\x00\x00\x0e"  # nearest bridge
CHASSIS_PREFIX = b"dpid:"
COOKIE = 0xFAB0000000000000  # the rules this application installs
PRIO_MISS, PRIO_HOST, PRIO_LLDP = 0, 10, 100
FLOOD_DEDUP = 0.2  # seconds: a frame flooded again this soon is a loop; dropped
EDGE_HOLD = 2.5  # seconds a port is live without LLDP before floods go out of it


def lldp_frame(dpid, port_no, src_mac):
    """An LLDP frame: chassis ID (locally assigned) "dpid:%016x", port ID
    (locally assigned) the port number as 4 bytes, TTL, end."""

    def tlv(t, value):
        return struct.pack("!H", t << 9 | len(value)) + value

    chassis = tlv(1, b"\x07" + CHASSIS_PREFIX + b"%016x" % dpid)
    port = tlv(2, b"\x07" + struct.pack("!I", port_no))
    ttl = tlv(3, struct.pack("!H", 120))
    return LLDP_DST + src_mac + b"\x88\xcc" + chassis + port + ttl + tlv(0, b"")


def lldp_parse(data):
    """(dpid, port) an LLDP frame of ours names, or None."""
    if len(data) < 14 or data[12:14] != b"\x88\xcc":
        return None
    off, dpid, port = 14, None, None
    while off + 2 <= len(data):
        (h,) = struct.unpack_from("!H", data, off)
        t, n = h >> 9, h & 0x1FF
        value = data[off + 2:off + 2 + n]
        off += 2 + n
        if t == 0:
            break
        if t == 1 and value[:1] == b"\x07" and value[1:6] == CHASSIS_PREFIX:
            try:
                dpid = int(value[6:], 16)
            except ValueError:
                return None
        elif t == 2 and value[:1] == b"\x07" and len(value) == 5:
            (port,) = struct.unpack("!I", value[1:])
    return (dpid, port) if dpid is not None and port is not None else None


def mac_bytes(mac):
    return bytes(int(x, 16) for x in mac.split(":"))


class Switch:
    def __init__(self, dp):
        self.dp = dp
        self.ports = {}  # port_no -> {"name", "hw_addr", "live", "since"}
        self.installed = {}  # rule key -> rule (FabricApp.desired)

    def live_ports(self):
        return sorted(p for p, d in self.ports.items() if d["live"])

    def held(self, port_no, now):
        """A port live for less than EDGE_HOLD: maybe a link not discovered yet."""
        return now - self.ports[port_no]["since"] < EDGE_HOLD


class FabricApp(app_manager.OSKenApp):
    OFP_VERSIONS = [ofproto_v1_3.OFP_VERSION]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.switches = {}  # dpid -> Switch (connected, ports known)
        self.links = {}  # (src dpid, src port) -> (dst dpid, dst port, last seen)
        self.hosts = {}  # MAC -> {"dpid", "port", "ip", "prev": where it was before}
        self.arp_table = {}  # IPv4 address -> MAC
        self.flooded = {}  # frame -> time it was flooded
        self.lock = hub.Semaphore()
        self.state_path = os.environ.get("OFS_FABRIC_STATE")
        self.version = 0
        self.history = deque(maxlen=50)
        self.write_state()
        hub.spawn(self.discovery_loop)

    # ---- switches and ports ------------------------------------------------------

    @set_ev_cls(ofp_event.EventOFPSwitchFeatures, CONFIG_DISPATCHER)
    def on_features(self, ev):
        dp = ev.msg.datapath
        ofp, parser = dp.ofproto, dp.ofproto_parser
        # A clean slate: our own rules from an earlier connection go.
        dp.send_msg(parser.OFPFlowMod(datapath=dp, cookie=COOKIE, cookie_mask=0xFFFFFFFFFFFFFFFF,
                                      table_id=ofp.OFPTT_ALL, command=ofp.OFPFC_DELETE,
                                      out_port=ofp.OFPP_ANY, out_group=ofp.OFPG_ANY))
        # Table 0 passes frames from known hosts and from other switches
        # on to table 1, which forwards by destination; the rest, and
        # LLDP, come to us.
        to_controller = [parser.OFPActionOutput(ofp.OFPP_CONTROLLER, ofp.OFPCML_NO_BUFFER)]
        self.add_flow(dp, 0, PRIO_MISS, parser.OFPMatch(), to_controller)
        self.add_flow(dp, 1, PRIO_MISS, parser.OFPMatch(), to_controller)
        self.add_flow(dp, 0, PRIO_LLDP, parser.OFPMatch(eth_type=ether_types.ETH_TYPE_LLDP),
                      to_controller)

    @set_ev_cls(ofp_event.EventOFPStateChange, [MAIN_DISPATCHER, DEAD_DISPATCHER])
    def on_state(self, ev):
        dp = ev.datapath
        if dp.id is None:
            return
        with self.lock:
            if ev.state == MAIN_DISPATCHER:
                # osken's own handler has read the port descriptions by now.
                sw = Switch(dp)
                for p in dp.ports.values():
                    if p.port_no <= dp.ofproto.OFPP_MAX:
                        sw.ports[p.port_no] = self.port_info(dp, p, time.monotonic())
                self.switches[dp.id] = sw
                self.note("switch %d connected, ports %s" % (
                    dp.id, ",".join(str(p) for p in sorted(sw.ports))))
                for port_no in sw.live_ports():
                    self.send_lldp(sw, port_no)
            elif self.switches.get(dp.id) and self.switches[dp.id].dp is dp:
                del self.switches[dp.id]
                for k in [k for k, v in self.links.items() if dp.id in (k[0], v[0])]:
                    del self.links[k]
                for mac in [m for m, h in self.hosts.items() if h["dpid"] == dp.id]:
                    del self.hosts[mac]
                self.note("switch %d disconnected" % dp.id)
            self.recompute()

    @staticmethod
    def port_info(dp, p, since):
        ofp = dp.ofproto
        live = not (p.state & ofp.OFPPS_LINK_DOWN) and not (p.config & ofp.OFPPC_PORT_DOWN)
        return {"name": p.name.decode(errors="replace") if isinstance(p.name, bytes) else p.name,
                "hw_addr": p.hw_addr, "live": live, "since": since}

    @set_ev_cls(ofp_event.EventOFPPortStatus, MAIN_DISPATCHER)
    def on_port_status(self, ev):
        msg, dp = ev.msg, ev.msg.datapath
        ofp = dp.ofproto
        port_no = msg.desc.port_no
        with self.lock:
            sw = self.switches.get(dp.id)
            if sw is None or port_no > ofp.OFPP_MAX:
                return
            old = sw.ports.get(port_no, {"live": False})
            was = old["live"]
            if msg.reason == ofp.OFPPR_DELETE:
                sw.ports.pop(port_no, None)
                live = False
            else:
                info = self.port_info(dp, msg.desc, time.monotonic())
                if was and info["live"]:
                    info["since"] = old["since"]
                sw.ports[port_no] = info
                live = info["live"]
            if was == live:
                return
            self.note("port %d:%d %s" % (dp.id, port_no, "up" if live else "down"))
            if live:
                self.send_lldp(sw, port_no)  # Its link is back as soon as LLDP crosses it.
            else:
                self.drop_links_at(dp.id, port_no)
                for mac in [m for m, h in self.hosts.items()
                            if (h["dpid"], h["port"]) == (dp.id, port_no)]:
                    del self.hosts[mac]
                    self.note("host %s gone (port %d:%d down)" % (mac, dp.id, port_no))
            self.recompute()

    # ---- discovery ---------------------------------------------------------------

    def discovery_loop(self):
        edges = set()
        while True:
            hub.sleep(LLDP_INTERVAL)
            with self.lock:
                for sw in list(self.switches.values()):
                    for port_no in sw.live_ports():
                        self.send_lldp(sw, port_no)
                now = time.monotonic()
                if self.edge_ports(now) != edges:  # Ports out of their hold.
                    edges = self.edge_ports(now)
                    self.write_state()
                old = [k for k, v in self.links.items() if now - v[2] > LINK_TIMEOUT]
                for k in old:
                    dst = self.links.pop(k)
                    self.note("link %d:%d -> %d:%d timed out" % (k + dst[:2]))
                if old:
                    self.recompute()

    def send_lldp(self, sw, port_no):
        dp = sw.dp
        hw = sw.ports[port_no]["hw_addr"]
        data = lldp_frame(dp.id, port_no, mac_bytes(hw) if hw else b"\x02\0\0\0\0\x01")
        self.packet_out(dp, port_no, data)

    def on_lldp(self, dp, in_port, data):
        src = lldp_parse(data)
        if src is None or src[0] not in self.switches:
            return
        key, known = src, self.links.get(src)
        self.links[key] = (dp.id, in_port, time.monotonic())
        if known is None or known[:2] != (dp.id, in_port):
            self.note("link up %d:%d -> %d:%d" % (src[0], src[1], dp.id, in_port))
            # A port that is a link has no hosts (a flood that reached it
            # before discovery may have made it look like it had): back to
            # where they were before, or forgotten.
            for mac in [m for m, h in self.hosts.items()
                        if (h["dpid"], h["port"]) in ((dp.id, in_port), src)]:
                h = self.hosts[mac]
                prev = h.pop("prev", None)
                if prev and self.is_edge(prev, time.monotonic()):
                    h["dpid"], h["port"] = prev
                    self.note("host %s back at %d:%d" % (mac, prev[0], prev[1]))
                else:
                    del self.hosts[mac]
                    self.note("host %s forgotten (%d:%d is a link)" % (mac, h["dpid"], h["port"]))
            self.recompute()

    def drop_links_at(self, dpid, port_no):
        for k, v in list(self.links.items()):
            if k == (dpid, port_no) or v[:2] == (dpid, port_no):
                del self.links[k]
                self.note("link down %d:%d -> %d:%d" % (k + v[:2]))

    def live_links(self):
        """(src dpid, src port, dst dpid, dst port) with both ends live."""
        out = []
        for (a, p), (b, q, _) in self.links.items():
            sa, sb = self.switches.get(a), self.switches.get(b)
            if (sa and sb and sa.ports.get(p, {}).get("live")
                    and sb.ports.get(q, {}).get("live")):
                out.append((a, p, b, q))
        return sorted(out)

    def link_ports(self):
        """Every (dpid, port) at either end of a known link, live or not."""
        return set(self.links) | {v[:2] for v in self.links.values()}

    def is_edge(self, where, now, links=None):
        """(dpid, port) is live, no link, and out of its hold: hosts live there."""
        sw = self.switches.get(where[0])
        links = self.link_ports() if links is None else links
        return bool(sw and sw.ports.get(where[1], {}).get("live")
                    and where not in links and not sw.held(where[1], now))

    def edge_ports(self, now):
        links = self.link_ports()
        return {(d, p) for d, sw in self.switches.items() for p in sw.live_ports()
                if self.is_edge((d, p), now, links)}

    # ---- hosts and forwarding ----------------------------------------------------

    @set_ev_cls(ofp_event.EventOFPPacketIn, MAIN_DISPATCHER)
    def on_packet_in(self, ev):
        msg = ev.msg
        dp, data = msg.datapath, msg.data
        in_port = msg.match["in_port"]
        with self.lock:
            if dp.id not in self.switches:
                return
            if data[12:14] == b"\x88\xcc":
                self.on_lldp(dp, in_port, data)
                return
            pkt = packet.Packet(data)
            eth = pkt.get_protocol(ethernet.ethernet)
            if eth is None:
                return
            if (dp.id, in_port) in self.link_ports():
                # In transit between switches before its rule was there.
                self.forward(dp.id, eth.dst, data, (dp.id, in_port))
                return
            self.learn(eth.src, dp.id, in_port)
            a = pkt.get_protocol(arp.arp)
            if a is not None:
                self.learn_ip(a.src_ip, eth.src)
                if a.opcode == arp.ARP_REQUEST and a.dst_ip in self.arp_table:
                    self.proxy_arp(dp, in_port, a)
                    return
            ip = pkt.get_protocol(ipv4.ipv4)
            if ip is not None:
                self.learn_ip(ip.src, eth.src)
            self.forward(dp.id, eth.dst, data, (dp.id, in_port))

    def learn(self, mac, dpid, port_no):
        if int(mac.split(":")[0], 16) & 1:
            return  # A multicast source is no host.
        h = self.hosts.get(mac)
        if h and (h["dpid"], h["port"]) == (dpid, port_no):
            return
        self.hosts[mac] = {"dpid": dpid, "port": port_no, "ip": h["ip"] if h else None}
        if h:  # Moved, or seen through a link not discovered yet (on_lldp undoes it).
            self.hosts[mac]["prev"] = (h["dpid"], h["port"])
        self.note("host %s at %d:%d" % (mac, dpid, port_no))
        self.recompute()

    def learn_ip(self, ip, mac):
        if ip and ip != "0.0.0.0" and mac in self.hosts and self.hosts[mac]["ip"] != ip:
            self.hosts[mac]["ip"] = ip
            self.arp_table[ip] = mac
            self.write_state()

    def proxy_arp(self, dp, in_port, req):
        mac = self.arp_table[req.dst_ip]
        reply = packet.Packet()
        reply.add_protocol(ethernet.ethernet(dst=req.src_mac, src=mac,
                                             ethertype=ether_types.ETH_TYPE_ARP))
        reply.add_protocol(arp.arp(opcode=arp.ARP_REPLY, src_mac=mac, src_ip=req.dst_ip,
                                   dst_mac=req.src_mac, dst_ip=req.src_ip))
        reply.serialize()
        self.packet_out(dp, in_port, bytes(reply.data))

    def forward(self, dpid, dst, data, came_from):
        """Out of the port towards DST from switch DPID, or flooded."""
        if dst in self.hosts:
            out = self.out_port(dpid, dst)
            if out is not None:
                self.packet_out(self.switches[dpid].dp, out, data)
            return
        now = time.monotonic()
        self.flooded = {k: t for k, t in self.flooded.items() if now - t < FLOOD_DEDUP}
        if data in self.flooded:
            return
        self.flooded[data] = now
        edges = self.edge_ports(now)
        for d, sw in self.switches.items():
            ports = [p for p in sw.live_ports() if (d, p) in edges and (d, p) != came_from]
            if ports:
                self.packet_out(sw.dp, ports, data)

    def trees(self):
        """host MAC -> {dpid: out port towards it}: breadth-first from the
        host's switch over the live links, taken backwards."""
        into = {}  # dpid -> [(neighbour dpid, its port towards dpid)]
        for a, p, b, _ in self.live_links():
            into.setdefault(b, []).append((a, p))
        out = {}
        for mac, h in self.hosts.items():
            if h["dpid"] not in self.switches:
                continue
            nh = {h["dpid"]: h["port"]}
            q = deque([h["dpid"]])
            while q:
                y = q.popleft()
                for x, p in sorted(into.get(y, [])):
                    if x not in nh:
                        nh[x] = p
                        q.append(x)
            out[mac] = nh
        return out

    def desired(self, dpid, trees, links):
        """The rules switch DPID should hold: key -> (table, priority,
        match fields, out port or None for goto table 1)."""
        rules = {}
        for mac, h in self.hosts.items():
            if h["dpid"] == dpid:  # A known source on its port: on to table 1.
                rules[("src", h["port"], mac)] = (0, PRIO_HOST, {"in_port": h["port"],
                                                                 "eth_src": mac}, None)
        for a, p in links:
            if a == dpid:  # Frames between switches: on to table 1.
                rules[("link", p)] = (0, PRIO_HOST, {"in_port": p}, None)
        for mac, nh in trees.items():
            if dpid in nh:
                rules[("dst", mac)] = (1, PRIO_HOST, {"eth_dst": mac}, nh[dpid])
        return rules

    def recompute(self):
        """Installs what the hosts and the trees towards them need,
        sending only the rules that change."""
        trees = self.trees()
        links = {(a, p) for a, p, _, _ in self.live_links()}
        for dpid, sw in self.switches.items():
            dp = sw.dp
            parser, ofp = dp.ofproto_parser, dp.ofproto
            want = self.desired(dpid, trees, links)
            for key, rule in sorted(want.items(), key=lambda kv: repr(kv[0])):
                if sw.installed.get(key) == rule:
                    continue
                table, prio, fields, out = rule
                if out is None:
                    inst = [parser.OFPInstructionGotoTable(1)]
                else:
                    inst = [parser.OFPInstructionActions(ofp.OFPIT_APPLY_ACTIONS,
                                                         [parser.OFPActionOutput(out)])]
                dp.send_msg(parser.OFPFlowMod(datapath=dp, cookie=COOKIE, table_id=table,
                                              priority=prio, match=parser.OFPMatch(**fields),
                                              instructions=inst))
                sw.installed[key] = rule
            for key in [k for k in sw.installed if k not in want]:
                table, prio, fields, _ = sw.installed.pop(key)
                dp.send_msg(parser.OFPFlowMod(
                    datapath=dp, cookie=COOKIE, cookie_mask=0xFFFFFFFFFFFFFFFF, table_id=table,
                    command=ofp.OFPFC_DELETE_STRICT, priority=prio, out_port=ofp.OFPP_ANY,
                    out_group=ofp.OFPG_ANY, match=parser.OFPMatch(**fields)))
        self.write_state()

    def out_port(self, dpid, mac):
        """The port switch DPID sends frames to host MAC out of, or None."""
        rule = self.switches[dpid].installed.get(("dst", mac))
        return rule[3] if rule else None

    def path(self, src, dst):
        """[(dpid, out port), ...] from host SRC's switch to host DST."""
        hops, dpid = [], self.hosts[src]["dpid"]
        peer = {(a, p): b for a, p, b, _ in self.live_links()}
        while dpid is not None and len(hops) <= len(self.switches):
            sw = self.switches.get(dpid)
            port_no = self.out_port(dpid, dst) if sw else None
            if port_no is None:
                return None
            hops.append((dpid, port_no))
            if (dpid, port_no) == (self.hosts[dst]["dpid"], self.hosts[dst]["port"]):
                return hops
            dpid = peer.get((dpid, port_no))
        return None

    # ---- OpenFlow helpers and state --------------------------------------------

    @staticmethod
    def add_flow(dp, table, priority, match, actions):
        parser, ofp = dp.ofproto_parser, dp.ofproto
        inst = [parser.OFPInstructionActions(ofp.OFPIT_APPLY_ACTIONS, actions)]
        dp.send_msg(parser.OFPFlowMod(datapath=dp, cookie=COOKIE, table_id=table,
                                      priority=priority, match=match, instructions=inst))

    @staticmethod
    def packet_out(dp, ports, data):
        parser, ofp = dp.ofproto_parser, dp.ofproto
        ports = ports if isinstance(ports, list) else [ports]
        dp.send_msg(parser.OFPPacketOut(datapath=dp, buffer_id=ofp.OFP_NO_BUFFER,
                                        in_port=ofp.OFPP_CONTROLLER,
                                        actions=[parser.OFPActionOutput(p) for p in ports],
                                        data=data))

    def note(self, what):
        self.logger.info("fabric: %s", what)
        self.history.append("%.3f %s" % (time.time(), what))

    def write_state(self):
        if not self.state_path:
            return
        self.version += 1
        paths = []
        for a in sorted(self.hosts):
            for b in sorted(self.hosts):
                if a != b:
                    p = self.path(a, b)
                    paths.append({"src": a, "dst": b, "hops": p})
        edges = self.edge_ports(time.monotonic())
        state = {
            "version": self.version,
            "switches": {str(d): {"ports": {
                str(p): {"name": v["name"], "hw_addr": v["hw_addr"], "live": v["live"],
                         "edge": (d, p) in edges} for p, v in sorted(sw.ports.items())}}
                for d, sw in sorted(self.switches.items())},
            "links": [{"src": a, "src_port": p, "dst": b, "dst_port": q}
                      for a, p, b, q in self.live_links()],
            "hosts": {m: h for m, h in sorted(self.hosts.items())},
            "paths": paths,
            "events": list(self.history),
        }
        tmp = self.state_path + ".tmp"
        with open(tmp, "w") as f:
            json.dump(state, f, indent=1, sort_keys=True)
        os.replace(tmp, self.state_path)
