# SPDX-License-Identifier: Apache-2.0
"""os-ken application driving the end-to-end controller test.

OFA_TEST_MODE=roles: the switch (ofa_stub_switch) dials this controller
twice over TCP. Once both connections are up, the app runs its checks — handshake and features, async defaults, flows and
stats, roles with generation ids (MASTER/SLAVE/EQUAL, STALE, IS_SLAVE for
a slave's writes), packet-ins and flow-removed per role and async config,
port status, echo — and writes one JSON line per check to $OFA_TEST_REPORT,
then a final {"done": true}. The test driver (e2e_osken.sh) asserts on
that file; to make a port change it waits for $OFA_TEST_DIR/need-link.

OFA_TEST_MODE=tls: os-ken listens for TLS only (it serves TCP or TLS,
not both); the switch dials it once and the app checks the session
(verified certificates both ways), features, echo and a flow mod.
"""
import json
import os
import ssl
import time

from os_ken.base import app_manager
from os_ken.controller import ofp_event
from os_ken.controller.handler import CONFIG_DISPATCHER, MAIN_DISPATCHER, set_ev_cls
from os_ken.lib import hub
from os_ken.ofproto import ofproto_v1_3

DPID = int(os.environ.get("OFA_TEST_DPID", "0"), 0)
REPORT = os.environ["OFA_TEST_REPORT"]
TEST_DIR = os.environ["OFA_TEST_DIR"]
MODE = os.environ.get("OFA_TEST_MODE", "roles")
N_CONNS = 2 if MODE == "roles" else 1

# A 60-byte UDP frame 10.0.0.1 -> 10.1.1.1.
FRAME = bytes.fromhex(
    "0000000000020000000000010800"
    + "4500002e00000000401100000a0000010a010101"
    + "03e807d0001a0000" + "00" * 18
)

REPLIES = [
    ofp_event.EventOFPErrorMsg, ofp_event.EventOFPBarrierReply, ofp_event.EventOFPRoleReply,
    ofp_event.EventOFPFlowStatsReply, ofp_event.EventOFPAggregateStatsReply,
    ofp_event.EventOFPDescStatsReply, ofp_event.EventOFPGetAsyncReply,
    ofp_event.EventOFPPacketIn, ofp_event.EventOFPFlowRemoved, ofp_event.EventOFPPortStatus,
    ofp_event.EventOFPEchoReply, ofp_event.EventOFPTableStatsReply,
]


class OfaTest(app_manager.OSKenApp):
    OFP_VERSIONS = [ofproto_v1_3.OFP_VERSION]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.dps = []
        self.features = {}
        self.msgs = []
        self.started = False
        self.out = open(REPORT, "w")

    # ---- plumbing -----------------------------------------------------------------

    @set_ev_cls(ofp_event.EventOFPSwitchFeatures, CONFIG_DISPATCHER)
    def _features(self, ev):
        self.features[id(ev.msg.datapath)] = ev.msg

    @set_ev_cls(ofp_event.EventOFPStateChange, MAIN_DISPATCHER)
    def _state(self, ev):
        self.dps.append(ev.datapath)
        if len(self.dps) == N_CONNS and not self.started:
            self.started = True
            hub.spawn(self.run)

    @set_ev_cls(REPLIES, MAIN_DISPATCHER)
    def _reply(self, ev):
        self.msgs.append(ev.msg)

    def check(self, name, ok, detail=""):
        self.out.write(json.dumps({"name": name, "ok": bool(ok), "detail": str(detail)}) + "\n")
        self.out.flush()

    def wait(self, dp, pred, timeout=3.0):
        """The first message from dp satisfying pred (removed), or None."""
        end = time.time() + timeout
        while time.time() < end:
            for m in self.msgs:
                if m.datapath is dp and pred(m):
                    self.msgs.remove(m)
                    return m
            hub.sleep(0.01)
        return None

    def none_within(self, dp, pred, seconds=0.5):
        return self.wait(dp, pred, seconds) is None

    def send(self, dp, msg):
        dp.send_msg(msg)
        return msg.xid

    def reply(self, dp, msg, timeout=3.0):
        xid = self.send(dp, msg)
        return self.wait(dp, lambda m: m.xid == xid, timeout)

    def barrier(self, dp):
        p = dp.ofproto_parser
        r = self.reply(dp, p.OFPBarrierRequest(dp))
        return r is not None and isinstance(r, p.OFPBarrierReply)

    def is_error(self, m, type_, code):
        return m is not None and isinstance(m, m.datapath.ofproto_parser.OFPErrorMsg) \
            and m.type == type_ and m.code == code

    def role(self, dp, role, gen):
        p = dp.ofproto_parser
        return self.reply(dp, p.OFPRoleRequest(dp, role, gen))

    def flow(self, dp, cmd, match, actions=None, **kw):
        ofp, p = dp.ofproto, dp.ofproto_parser
        inst = [p.OFPInstructionActions(ofp.OFPIT_APPLY_ACTIONS, actions)] if actions else []
        kw.setdefault("table_id", ofp.OFPTT_ALL if cmd >= ofp.OFPFC_DELETE else 0)
        kw.setdefault("out_port", ofp.OFPP_ANY)
        kw.setdefault("out_group", ofp.OFPG_ANY)
        return p.OFPFlowMod(dp, command=cmd, match=match, instructions=inst, **kw)

    def flow_stats(self, dp, table_id=0):
        p = dp.ofproto_parser
        xid = self.send(dp, p.OFPFlowStatsRequest(dp, table_id=table_id))
        body = []
        while True:
            m = self.wait(dp, lambda m: m.xid == xid)
            if m is None or isinstance(m, p.OFPErrorMsg):
                return None
            body += m.body
            if not m.flags & dp.ofproto.OFPMPF_REPLY_MORE:
                return body

    # ---- the checks -------------------------------------------------------------------

    def run(self):
        try:
            self.checks() if MODE == "roles" else self.tls_checks()
        except Exception as e:  # report, never hang the driver
            self.check("exception", False, repr(e))
        self.out.write(json.dumps({"done": True}) + "\n")
        self.out.close()

    def features_ok(self, name, d):
        f = self.features.get(id(d))
        self.check("features on %s: datapath id, n_buffers=0, n_tables=255" % name,
                   f is not None and f.datapath_id == DPID and f.n_buffers == 0
                   and f.n_tables == 255, f)

    def tls_checks(self):
        c = self.dps[0]
        ofp, p = c.ofproto, c.ofproto_parser
        self.check("the connection is TLS", isinstance(c.socket, ssl.SSLSocket),
                   type(c.socket).__name__)
        cert = c.socket.getpeercert() if isinstance(c.socket, ssl.SSLSocket) else None
        self.check("TLS: the switch presented a certificate the CA verifies",
                   cert and ((("commonName", "switch"),),) == tuple(cert.get("subject", ())),
                   cert)
        self.features_ok("the TLS connection", c)
        r = self.reply(c, p.OFPEchoRequest(c, data=b"tls-echo"))
        self.check("TLS: echo", r is not None and r.data == b"tls-echo", r)
        # Table 1: the other app counts the flows of table 0.
        self.send(c, self.flow(c, ofp.OFPFC_ADD, p.OFPMatch(in_port=4), [p.OFPActionOutput(1)],
                               priority=3, cookie=0x715, table_id=1))
        self.check("TLS: barrier after a flow mod", self.barrier(c))
        body = self.flow_stats(c, 1)
        self.check("TLS: flow stats show the flow",
                   body is not None and any(s.cookie == 0x715 for s in body), body)

    def checks(self):
        c1, c2 = self.dps[0], self.dps[1]
        ofp, p = c1.ofproto, c1.ofproto_parser
        self.features_ok("c1", c1)
        self.features_ok("c2", c2)

        r = self.reply(c1, p.OFPDescStatsRequest(c1, 0))
        self.check("desc stats", r is not None and r.body.mfr_desc == b"ofswitch project"
                   if r is not None and hasattr(r.body, "mfr_desc") else False, r)

        data = b"ofa-echo-payload"
        r = self.reply(c1, p.OFPEchoRequest(c1, data=data))
        self.check("echo request answered with the same data",
                   r is not None and r.data == data, r)

        r = self.reply(c1, p.OFPGetAsyncRequest(c1))
        self.check("async defaults (spec): packet-in master NO_MATCH|ACTION, slave none; "
                   "port-status all; flow-removed master all, slave none",
                   r is not None and r.packet_in_mask == [3, 0] and r.port_status_mask == [7, 7]
                   and r.flow_removed_mask == [15, 0], r)

        # Flows from an EQUAL controller.
        miss = self.flow(c1, ofp.OFPFC_ADD, p.OFPMatch(),
                         [p.OFPActionOutput(ofp.OFPP_CONTROLLER, ofp.OFPCML_NO_BUFFER)],
                         priority=0, cookie=0x77)
        self.send(c1, miss)
        self.send(c1, self.flow(c1, ofp.OFPFC_ADD,
                                p.OFPMatch(in_port=1, eth_type=0x800, ipv4_dst="10.9.9.9"),
                                [p.OFPActionOutput(2)], priority=10, cookie=0x42,
                                flags=ofp.OFPFF_SEND_FLOW_REM))
        self.check("barrier after flow mods", self.barrier(c1))
        body = self.flow_stats(c1)
        self.check("flow stats list both flows",
                   body is not None and sorted(s.cookie for s in body) == [0x42, 0x77], body)
        r = self.reply(c1, p.OFPAggregateStatsRequest(c1, 0, 0, ofp.OFPP_ANY,
                                                      ofp.OFPG_ANY, 0, 0, p.OFPMatch()))
        self.check("aggregate stats count 2 flows",
                   r is not None and r.body.flow_count == 2, r)

        # 300 flow mods then a barrier: all applied and visible.
        for i in range(300):
            self.send(c1, self.flow(c1, ofp.OFPFC_ADD,
                                    p.OFPMatch(eth_type=0x800, ipv4_src="10.2.%d.%d" % (i // 256, i % 256)),
                                    [p.OFPActionOutput(3)], priority=50, cookie=0x300))
        self.check("barrier after 300 flow mods", self.barrier(c1))
        body = self.flow_stats(c1)
        self.check("flow stats after the barrier show all 302",
                   body is not None and len(body) == 302, len(body or []))

        # Roles.
        r = self.role(c1, ofp.OFPCR_ROLE_MASTER, 1)
        self.check("c1 becomes MASTER (generation 1)",
                   r is not None and getattr(r, "role", None) == ofp.OFPCR_ROLE_MASTER
                   and r.generation_id == 1, r)
        r = self.role(c2, ofp.OFPCR_ROLE_SLAVE, 1)
        self.check("c2 becomes SLAVE (generation 1)",
                   r is not None and getattr(r, "role", None) == ofp.OFPCR_ROLE_SLAVE, r)
        r = self.reply(c2, self.flow(c2, ofp.OFPFC_ADD, p.OFPMatch(in_port=3),
                                     [p.OFPActionOutput(1)], priority=5))
        self.check("a slave's flow mod is refused with IS_SLAVE",
                   self.is_error(r, ofp.OFPET_BAD_REQUEST, ofp.OFPBRC_IS_SLAVE), r)
        r = self.reply(c2, p.OFPPacketOut(c2, ofp.OFP_NO_BUFFER, ofp.OFPP_CONTROLLER,
                                          [p.OFPActionOutput(1)], FRAME))
        self.check("a slave's packet-out is refused with IS_SLAVE",
                   self.is_error(r, ofp.OFPET_BAD_REQUEST, ofp.OFPBRC_IS_SLAVE), r)
        body = self.flow_stats(c2)
        self.check("a slave may read flow stats", body is not None and len(body) == 302,
                   len(body or []))
        r = self.role(c2, ofp.OFPCR_ROLE_MASTER, 0)
        self.check("MASTER with an older generation id is STALE",
                   self.is_error(r, ofp.OFPET_ROLE_REQUEST_FAILED, ofp.OFPRRFC_STALE), r)
        r = self.role(c2, ofp.OFPCR_ROLE_MASTER, 2)
        self.check("c2 becomes MASTER (generation 2)",
                   r is not None and getattr(r, "role", None) == ofp.OFPCR_ROLE_MASTER, r)
        r = self.role(c1, ofp.OFPCR_ROLE_NOCHANGE, 0)
        self.check("the old master c1 is now SLAVE",
                   r is not None and getattr(r, "role", None) == ofp.OFPCR_ROLE_SLAVE
                   and r.generation_id == 2, r)
        r = self.reply(c1, self.flow(c1, ofp.OFPFC_ADD, p.OFPMatch(in_port=4),
                                     [p.OFPActionOutput(1)], priority=5))
        self.check("the demoted c1's flow mod is refused with IS_SLAVE",
                   self.is_error(r, ofp.OFPET_BAD_REQUEST, ofp.OFPBRC_IS_SLAVE), r)

        # Packet-in: packet-out through the table hits the table-miss flow.
        self.send(c2, p.OFPPacketOut(c2, ofp.OFP_NO_BUFFER, ofp.OFPP_CONTROLLER,
                                     [p.OFPActionOutput(ofp.OFPP_TABLE)], FRAME))
        pi = self.wait(c2, lambda m: isinstance(m, p.OFPPacketIn))
        self.check("the master gets the packet-in (NO_MATCH, table 0, cookie, in_port, data)",
                   pi is not None and pi.reason == ofp.OFPR_NO_MATCH and pi.table_id == 0
                   and pi.cookie == 0x77 and pi.match["in_port"] == ofp.OFPP_CONTROLLER
                   and pi.data == FRAME and pi.buffer_id == ofp.OFP_NO_BUFFER
                   and pi.total_len == len(FRAME), pi)
        self.check("the slave gets no packet-in",
                   self.none_within(c1, lambda m: isinstance(m, p.OFPPacketIn)))

        # Flow removed: master yes, slave no.
        self.send(c2, self.flow(c2, ofp.OFPFC_DELETE, p.OFPMatch(), cookie=0x42,
                                cookie_mask=0xffffffffffffffff))
        self.check("barrier after delete", self.barrier(c2))
        fr = self.wait(c2, lambda m: isinstance(m, p.OFPFlowRemoved))
        self.check("the master gets FLOW_REMOVED (DELETE, cookie 0x42, priority 10)",
                   fr is not None and fr.reason == ofp.OFPRR_DELETE and fr.cookie == 0x42
                   and fr.priority == 10, fr)
        self.check("the slave gets no FLOW_REMOVED",
                   self.none_within(c1, lambda m: isinstance(m, p.OFPFlowRemoved)))
        # SET_ASYNC: the slave asks for flow-removed too.
        self.send(c1, p.OFPSetAsync(c1, [3, 0], [7, 7], [15, 15]))
        r = self.reply(c1, p.OFPGetAsyncRequest(c1))
        self.check("GET_ASYNC returns what SET_ASYNC set",
                   r is not None and r.flow_removed_mask == [15, 15], r)
        self.send(c2, self.flow(c2, ofp.OFPFC_ADD, p.OFPMatch(in_port=2), [p.OFPActionOutput(1)],
                                priority=9, cookie=0x99, flags=ofp.OFPFF_SEND_FLOW_REM))
        self.send(c2, self.flow(c2, ofp.OFPFC_DELETE_STRICT, p.OFPMatch(in_port=2), priority=9,
                                table_id=0))
        self.check("barrier after add+delete_strict", self.barrier(c2))
        fr = self.wait(c1, lambda m: isinstance(m, p.OFPFlowRemoved))
        self.check("with SET_ASYNC the slave gets FLOW_REMOVED",
                   fr is not None and fr.cookie == 0x99, fr)

        # EQUAL again: no generation check; writes allowed.
        r = self.role(c1, ofp.OFPCR_ROLE_EQUAL, 0)
        self.check("c1 becomes EQUAL", r is not None and
                   getattr(r, "role", None) == ofp.OFPCR_ROLE_EQUAL, r)
        r = self.reply(c1, self.flow(c1, ofp.OFPFC_ADD, p.OFPMatch(in_port=4),
                                     [p.OFPActionOutput(1)], priority=5), timeout=0.5)
        self.check("an EQUAL controller may write", r is None, r)

        # Port status, to every role.
        open(os.path.join(TEST_DIR, "need-link"), "w").close()
        for name, d in (("c1 (equal)", c1), ("c2 (master)", c2)):
            ps = self.wait(d, lambda m: isinstance(m, p.OFPPortStatus), timeout=5)
            self.check("PORT_STATUS MODIFY link down on %s" % name,
                       ps is not None and ps.reason == ofp.OFPPR_MODIFY and ps.desc.port_no == 3
                       and ps.desc.state & ofp.OFPPS_LINK_DOWN, ps)
