# SPDX-License-Identifier: Apache-2.0
"""The scenarios of the benchmark: the rules each loads (written as
ovs-ofctl add-flows files, the same text for ofswitch and Open vSwitch)
and the traffic the generator sends (ofs-pktgen arguments).

Addresses, shared by the routing scenarios:
  host routes  10.0.0.0 + 2i (even addresses), /32, priority 32
  prefixes     10.0.0.0/24 + i, /24, priority 24 (so odd addresses in
               10.0.0.0/16 take a prefix, even ones a host route)
  traffic      destinations 10.0.0.0-10.0.3.231 (1,000: half host routes,
               half prefixes), sources from 198.18.0.0 up: 10 of them for
               10k flows, 1,000 for 1M."""

ROUTER_MAC = "02:00:00:00:00:02"  # the generator's default destination MAC
SET_L2 = "set_field:02:aa:00:00:00:01->eth_src,set_field:02:bb:00:00:00:02->eth_dst"


def ip(n):
    return "%d.%d.%d.%d" % (n >> 24, (n >> 16) & 255, (n >> 8) & 255, n & 255)


def mac(n):
    return "02:00:00:%02x:%02x:%02x" % ((n >> 16) & 255, (n >> 8) & 255, n & 255)


TEN = 0x0A000000


def routes(hosts, prefixes, actions, table=0):
    """HOSTS /32 routes and PREFIXES /24 routes, as flow lines."""
    for i in range(hosts):
        yield "table=%d,priority=32,ip,nw_dst=%s,actions=%s" % (table, ip(TEN + 2 * i), actions)
    for i in range(prefixes):
        yield "table=%d,priority=24,ip,nw_dst=%s/24,actions=%s" % (table, ip(TEN + (i << 8)),
                                                                   actions)


def l3_traffic(flows):
    """FLOWS flows over the 1,000 destinations (sources vary fastest)."""
    n_src = max(1, flows // 1000)
    return ["--src-ip", "198.18.0.0-%s" % ip(0xC6120000 + n_src - 1),
            "--dst-ip", "10.0.0.0-10.0.3.231", "--flows", str(n_src * 1000)]


# Scenarios whose own work (cycles above testpmd's floor) is compared.
OWN_WORK_KEYS = ("1", "2", "3a", "3b", "4")


class Scenario:
    """KEY: short name; TITLE: what the table shows; KIND: traffic, churn or
    flowmod; rules(): flow lines; traffic: ofs-pktgen arguments;
    warmup: seconds of traffic before measuring (time for a cache to fill)."""

    def __init__(self, key, title, kind, rules=None, traffic=(), warmup=1.0, **extra):
        self.key, self.title, self.kind = key, title, kind
        self.rules = rules or (lambda: iter(()))
        self.traffic = list(traffic)
        self.warmup = warmup
        self.extra = extra


def port_to_port():
    yield "table=0,priority=100,in_port=1,actions=output:2"


def l2(n_macs):
    # The generator's destination MACs start at 02:00:00:00:00:00.
    for i in range(n_macs):
        yield "table=0,priority=100,dl_dst=%s,actions=output:2" % mac(i)


def pipeline(acl, l2_rules, host_routes, prefixes):
    """ACL -> L2 -> L3 -> egress VLAN push, in tables 0-3."""
    for i in range(acl):  # wildcard rules on sources the traffic never uses
        yield ("table=0,priority=200,udp,nw_src=%s/%d,tp_dst=%d,actions=drop"
               % (ip(0xAC100000 + (i << 8)), 16 + i % 9, 2000 + i))
    yield "table=0,priority=0,actions=goto_table:1"
    yield "table=1,priority=100,dl_dst=%s,actions=goto_table:2" % ROUTER_MAC
    for i in range(l2_rules - 1):
        yield "table=1,priority=100,dl_dst=%s,actions=goto_table:2" % mac(0x100000 + i)
    yield from routes(host_routes, prefixes, SET_L2 + ",dec_ttl,goto_table:3", table=2)
    yield "table=3,priority=100,actions=push_vlan:0x8100,set_field:4196->vlan_vid,output:2"


def flowmod_rules(n):
    """Scenario 7: N routes, the same ones ofconn.pipelined_install sends."""
    for i in range(n):
        yield "table=0,priority=100,ip,nw_dst=%s,actions=output:2" % ip(TEN + i)


def masks(a, b):
    """Two tables whose stop points multiply: A x B cache masks. Rule i of
    table 0 matches UDP source port i and the source address to i+1 bits;
    rule j of table 1 destination port j and the destination to j+1 bits."""
    for i in range(a):
        yield ("table=0,priority=%d,udp,nw_src=198.18.0.1/%d,tp_src=%d,actions=goto_table:1"
               % (1000 - i, i + 1, i))
    for j in range(b):
        yield ("table=1,priority=%d,udp,nw_dst=198.19.0.1/%d,tp_dst=%d,actions=output:2"
               % (1000 - j, j + 1, j))


def cross_product(n_ports, n_dsts):
    """Table 0 classifies N_PORTS UDP source ports (goto 1); table 1 routes
    N_DSTS destinations (10.0.0.0 up, /32): every flow is one combination."""
    for i in range(n_ports):
        yield "table=0,priority=100,udp,tp_src=%d,actions=goto_table:1" % (1000 + i)
    for j in range(n_dsts):
        yield "table=1,priority=32,ip,nw_dst=%s,actions=output:2" % ip(TEN + j)


def wide_l3(n):
    """N /32 routes 10.0.0.0 up, every one a destination of the traffic."""
    for i in range(n):
        yield "table=0,priority=32,ip,nw_dst=%s,actions=%s" % (ip(TEN + i),
                                                              SET_L2 + ",dec_ttl,output:2")


def all_scenarios(quick=False):
    """The scenarios in order; QUICK shrinks rule and flow counts (a smoke
    run of the harness, not a measurement)."""
    k = 10 if quick else 1
    big = 100000 if quick else 1000000
    cp = 100 if quick else 1000  # cross product: CP x CP flows
    wide = 10000 if quick else 100000
    return [
        Scenario("1", "port to port (in_port -> output), 1 flow", "traffic", port_to_port,
                 ["--flows", "1"]),
        Scenario("2", "L2: %dk MAC rules, %dk flows" % (100 // k, 10 // k), "traffic",
                 lambda: l2(100000 // k),
                 ["--dst-mac", "02:00:00:00:00:00-%s" % mac(10000 // k - 1), "--flows",
                  str(10000 // k)]),
        Scenario("3a", "L3: %dk /32 + %d /24 routes, 10k flows" % (20 // k, 1000 // k),
                 "traffic", lambda: routes(20000 // k, 1000 // k, SET_L2 + ",dec_ttl,output:2"),
                 l3_traffic(10000)),
        Scenario("3b", "L3: the same routes, %s flows" % ("100k" if quick else "1M"), "traffic",
                 lambda: routes(20000 // k, 1000 // k, SET_L2 + ",dec_ttl,output:2"),
                 l3_traffic(big), warmup=2.0),
        Scenario("4", "4 tables: ACL %d -> L2 -> L3 -> VLAN push, %dk rules, %s flows"
                 % (1000 // k, 100 // k, "100k" if quick else "1M"), "traffic",
                 lambda: pipeline(1000 // k, 49000 // k, 49000 // k, 1000 // k),
                 l3_traffic(big), warmup=2.0),
        Scenario("5", "mask explosion: 32 x 32 = 1,024 masks, 102k flows", "traffic",
                 lambda: masks(32, 32),
                 ["--src-ip", "198.18.0.1", "--dst-ip", "198.19.0.1",
                  "--src-port", "0-31", "--dst-port", "0-31",
                  "--src-mac", "02:00:00:00:00:00-02:00:00:00:00:63", "--flows", "102400"],
                 warmup=2.0),
        Scenario("6", "churn: 10k flow-mods/s on %dk routes, 10k flows" % (20 // k), "churn",
                 lambda: routes(20000 // k, 1000 // k, "output:2"), l3_traffic(10000),
                 churn_rate=10000),
        Scenario("7", "flow-mod rate: ovs-ofctl add-flows and pipelined, barrier at the end",
                 "flowmod", lambda: flowmod_rules(10000 if quick else 1000000),
                 sizes=[10000] if quick else [100000, 1000000]),
        Scenario("8", "cross product: %d UDP source ports (table 0) x %d /32 routes (table 1), "
                 "%s flows" % (cp, cp, "{:,}".format(cp * cp)), "traffic",
                 lambda: cross_product(cp, cp),
                 ["--src-port", "1000-%d" % (1000 + cp - 1),
                  "--dst-ip", "10.0.0.0-%s" % ip(TEN + cp - 1), "--flows", str(cp * cp)],
                 warmup=2.0),
        Scenario("9", "wide L3: %s /32 routes, as many destinations" % "{:,}".format(wide),
                 "traffic", lambda: wide_l3(wide),
                 ["--dst-ip", "10.0.0.0-%s" % ip(TEN + wide - 1), "--flows", str(wide)],
                 warmup=2.0),
    ]


def count_rules(path):
    with open(path) as f:
        return sum(1 for _ in f)
