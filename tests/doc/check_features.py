#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""The feature matrix (doc/features/bcnic_{pf,vf}.ini, in the shape of DPDK's
doc/guides/nics/features/*.ini) against the driver's source: a feature tied to
an ethdev op is claimed exactly when the port's `struct eth_dev_ops`
initializer sets that op (so the table can neither claim an op the driver
lacks nor miss one it has); a feature tied to something else is checked by
the token that implements it; any other feature may not be claimed. The
table in doc/guide.md must say what the .ini files say.
Usage: check_features.py <source root>"""
import os
import re
import sys

ROOT = os.path.abspath(sys.argv[1])
DRV = os.path.join(ROOT, "drivers", "net", "bcnic")

# DPDK 22.11 doc/guides/nics/features/default.ini: the valid keys, in their order.
DEFAULT_KEYS = """Speed capabilities|Link speed configuration|Link status|Link status event|
Removal event|Queue status event|Rx interrupt|Lock-free Tx queue|Fast mbuf free|
Free Tx mbuf on demand|Queue start/stop|Runtime Rx queue setup|Runtime Tx queue setup|
Shared Rx queue|Burst mode info|Power mgmt address monitor|MTU update|Buffer split on Rx|
Scattered Rx|LRO|TSO|Promiscuous mode|Allmulticast mode|Unicast MAC filter|
Multicast MAC filter|RSS hash|RSS key update|RSS reta update|Inner RSS|VMDq|SR-IOV|DCB|
VLAN filter|Flow control|Rate limitation|Congestion management|Traffic manager|Inline crypto|
Inline protocol|CRC offload|VLAN offload|QinQ offload|FEC|IP reassembly|L3 checksum offload|
L4 checksum offload|Timestamp offload|MACsec offload|Inner L3 checksum|Inner L4 checksum|
Packet type parsing|Timesync|Rx descriptor status|Tx descriptor status|Basic stats|
Extended stats|Stats per queue|FW version|EEPROM dump|Module EEPROM dump|Registers dump|LED|
Multiprocess aware|FreeBSD|Linux|Windows|ARMv7|ARMv8|LoongArch64|Power8|rv64|x86-32|x86-64|
Usage doc|Design doc|Perf doc"""
DEFAULT_KEYS = [k.strip() for k in DEFAULT_KEYS.replace("\n", "").split("|")]

# Feature -> the eth_dev_ops member that provides it (both directions checked).
OPS = {
    "Link status": "link_update",
    "Removal event": None,
    "Rx interrupt": "rx_queue_intr_enable",
    "Free Tx mbuf on demand": "tx_done_cleanup",
    "Queue start/stop": "rx_queue_start",
    "Burst mode info": "rx_burst_mode_get",
    "Power mgmt address monitor": "get_monitor_addr",
    "MTU update": "mtu_set",
    "Promiscuous mode": "promiscuous_enable",
    "Allmulticast mode": "allmulticast_enable",
    "Unicast MAC filter": "mac_addr_add",
    "Multicast MAC filter": "set_mc_addr_list",
    "RSS key update": "rss_hash_update",
    "RSS reta update": "reta_update",
    "VLAN filter": "vlan_filter_set",
    "Flow control": "flow_ctrl_set",
    "Rate limitation": "set_queue_rate_limit",
    "Traffic manager": "tm_ops_get",
    "FEC": "fec_set",
    "Packet type parsing": "dev_supported_ptypes_get",
    "Timesync": "timesync_enable",
    "Basic stats": "stats_get",
    "Extended stats": "xstats_get",
    "FW version": "fw_version_get",
    "EEPROM dump": "get_eeprom",
    "Module EEPROM dump": "get_module_eeprom",
    "Registers dump": "get_reg",
    "LED": "dev_led_on",
}
OPS = {k: v for k, v in OPS.items() if v}
# Feature -> a regex over the port's source files (fast-path functions, flags, capabilities).
TOKENS = {
    "Link status event": r"RTE_ETH_DEV_INTR_LSC",
    "Removal event": r"RTE_ETH_DEV_INTR_RMV",
    "Scattered Rx": r"RTE_ETH_RX_OFFLOAD_SCATTER",
    "Rx descriptor status": r"\brx_descriptor_status\s*=",
    "Tx descriptor status": r"\btx_descriptor_status\s*=",
}
PLATFORM = {"Linux", "x86-64"}      # what the project builds and tests on: claimed
DOCS = {"Usage doc", "Design doc", "Perf doc"}      # may be claimed, need not be

# Each port: its ops table, and the files whose source is its own (bcnic_ethdev.c: both).
PORTS = {
    "pf": ("bcnic_pf_ops", r"bcnic_pf.*\.c|bcnic_ethdev\.c"),
    "vf": ("bcnic_vf_ops", r"bcnic_vf.*\.c|bcnic_pci\.c|bcnic_ethdev\.c"),
}

errors = []


def sources(pattern):
    names = sorted(n for n in os.listdir(DRV) if re.fullmatch(pattern, n))
    return {n: open(os.path.join(DRV, n)).read() for n in names}


def strip_comments(text):
    return re.sub(r"/\*.*?\*/|//[^\n]*", "", text, flags=re.S)


def ops_of(table):
    """Members the initializer of `struct eth_dev_ops <table>` sets to something."""
    found = None
    for name, text in sources(r".*\.c").items():
        m = re.search(r"struct\s+eth_dev_ops\s+" + table + r"\s*=\s*\{(.*?)\};",
                      strip_comments(text), re.S)
        if m:
            if found is not None:
                errors.append(f"{table} initialized twice")
            found = {k for k, v in re.findall(r"\.(\w+)\s*=\s*([^,]+)", m.group(1))
                     if v.strip() != "NULL"}
    if found is None:
        errors.append(f"no initializer of struct eth_dev_ops {table} in {DRV}")
        return set()
    return found


def read_ini(path):
    feats, section = {}, None
    for n, line in enumerate(open(path), 1):
        line = line.strip()
        if not line or line.startswith(";"):
            continue
        if line.startswith("["):
            section = line
            continue
        if section != "[Features]" or "=" not in line:
            errors.append(f"{path}:{n}: not a [Features] entry: {line}")
            continue
        k, v = (x.strip() for x in line.split("=", 1))
        if k not in DEFAULT_KEYS:
            errors.append(f"{path}:{n}: {k!r} is not a key of DPDK's default.ini")
        elif v not in ("Y", "P", ""):
            errors.append(f"{path}:{n}: {k} = {v!r}: expected Y, P or nothing")
        if k in feats:
            errors.append(f"{path}:{n}: {k} twice")
        feats[k] = v
    order = [k for k in DEFAULT_KEYS if k in feats]
    if [k for k in feats if k in DEFAULT_KEYS] != order:
        errors.append(f"{path}: keys not in default.ini's order")
    return {k: v for k, v in feats.items() if v}


def check_port(port):
    table, files = PORTS[port]
    path = os.path.join(ROOT, "doc", "features", f"bcnic_{port}.ini")
    claimed = read_ini(path)
    ops = ops_of(table)
    src = "\n".join(strip_comments(t) for t in sources(files).values())
    for feat in DEFAULT_KEYS:
        if feat in OPS:
            has = OPS[feat] in ops
            why = f"op {OPS[feat]} {'set' if has else 'not set'} in {table}"
        elif feat in TOKENS:
            has = re.search(TOKENS[feat], src) is not None
            why = f"{TOKENS[feat]!r} {'found' if has else 'not found'} in the {port}'s source"
        elif feat in PLATFORM:
            has, why = True, "a platform the project builds on"
        elif feat in DOCS:
            continue
        else:
            has, why = False, "nothing in the driver to check it by"
        if feat in claimed and not has:
            errors.append(f"{path}: claims {feat!r}, but {why}")
        if has and feat not in claimed:
            errors.append(f"{path}: misses {feat!r}: {why}")
    return claimed


def check_guide(matrix):
    """doc/guide.md's features table: | feature | PF | VF |, the rows of either port."""
    guide = open(os.path.join(ROOT, "doc", "guide.md")).read()
    m = re.search(r"\| feature \| PF \| VF \|\n\| --- \| --- \| --- \|\n((?:\|.*\|\n)+)", guide)
    if not m:
        errors.append("doc/guide.md: no '| feature | PF | VF |' table")
        return
    rows = [[c.strip() for c in r.strip().strip("|").split("|")] for r in m.group(1).splitlines()]
    want = [[k, matrix["pf"].get(k, ""), matrix["vf"].get(k, "")] for k in DEFAULT_KEYS
            if k in matrix["pf"] or k in matrix["vf"]]
    if rows != want:
        errors.append("doc/guide.md: the features table differs from doc/features/*.ini; want:\n" +
                      "\n".join(f"| {a} | {b} | {c} |" for a, b, c in want))


matrix = {port: check_port(port) for port in PORTS}
check_guide(matrix)
for e in errors:
    print(e)
print(f"features: PF {len(matrix['pf'])}, VF {len(matrix['vf'])} claimed; {len(errors)} error(s)")
sys.exit(1 if errors else 0)
