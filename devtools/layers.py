#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Check that calls between the driver's and the library's files point down.

Reads the object files of a build (nm: what each defines, what it uses from
elsewhere), maps every use to the file that defines it, and fails when a
file uses one in a higher layer, or when files of one layer use each other
in a cycle. The layers are declared below, top first (the picture is in
drivers/net/bcnic/bcnic_pf.h and doc/guide.md, "Layers"). Calls through
function pointers (the store's change notifier, the shm assist hook, ethdev
ops) are the designed way up and do not show here.

Usage: layers.py <build dir> [-v]   (-v: list every cross-file use)
"""
import fnmatch
import glob
import os
import subprocess
import sys

# Top first. A file matches one layer's patterns; a new file needs a line here.
LAYERS = [
    ("registration", ["bcnic_register.c"]),
    ("PF private API, telemetry", ["bcnic_pf_api.c", "bcnic_pf_telemetry.c"]),
    ("VF private API", ["bcnic_vf_api.c"]),
    ("PF ethdev glue", ["bcnic_pf.c"]),
    ("PF xstats", ["bcnic_pf_obs.c"]),
    ("VF PCI driver", ["bcnic_pci.c"]),
    ("VF setup and ethdev ops", ["bcnic_vf.c"]),
    ("VF session: requests, events, reconnection", ["bcnic_vf_session.c"]),
    ("VF data path", ["bcnic_vf_rxtx.c"]),
    ("PF poller runtime", ["bcnic_pf_poller.c"]),
    ("PF mailbox handlers", ["bcnic_pf_mbox.c"]),
    ("PF persistence", ["bcnic_pf_persist.c"]),
    ("PF switch", ["bcnic_pf_switch.c"]),
    ("PF block store", ["bcnic_pf_store.c"]),
    ("shm transport", ["bcnic_shm.c"]),
    ("helpers both ports share", ["bcnic_ethdev.c"]),
    ("mailbox library", ["bcmbox_*.c"]),
]

OBJ_DIRS = ["drivers/net/bcnic/librte_net_bcnic.a.p", "lib/bcmbox/libbcmbox.a.p"]


def layer_of(src):
    for rank, (_, pats) in enumerate(LAYERS):
        if any(fnmatch.fnmatch(src, p) for p in pats):
            return rank
    return None


def symbols(obj):
    out = subprocess.run(["nm", obj], check=True, capture_output=True, text=True).stdout
    defined, used = set(), set()
    for line in out.splitlines():
        f = line.split()
        if len(f) == 2 and f[0] == "U":
            used.add(f[1])
        elif len(f) == 3 and f[1] in "TDRBVWG" and f[1].isupper():
            defined.add(f[2])
    return defined, used


def find_cycle(edges):
    """A cycle in {a: {b, ...}} as a list of nodes, or None."""
    state = {}

    def visit(n, path):
        state[n] = 1
        for m in sorted(edges.get(n, ())):
            if state.get(m) == 1:
                return path[path.index(m):] + [m]
            if m not in state:
                c = visit(m, path + [m])
                if c:
                    return c
        state[n] = 2
        return None

    for n in sorted(edges):
        if n not in state:
            c = visit(n, [n])
            if c:
                return c
    return None


def main():
    if len(sys.argv) < 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    build, verbose = sys.argv[1], "-v" in sys.argv[2:]
    objs = {}
    for d in OBJ_DIRS:
        for o in sorted(glob.glob(os.path.join(build, d, "*.c.o"))):
            src = os.path.basename(o)[:-2]
            objs[src] = symbols(o)
    if not objs:
        print(f"layers: no object files under {build}", file=sys.stderr)
        return 2
    owner = {s: src for src, (defs, _) in objs.items() for s in defs}
    errors = []
    edges = {}
    for src in sorted(objs):
        if layer_of(src) is None:
            errors.append(f"{src}: in no layer: declare it in devtools/layers.py")
    for src, (_, used) in sorted(objs.items()):
        for sym in sorted(used):
            dst = owner.get(sym)
            if dst is None or dst == src:
                continue
            edges.setdefault(src, set()).add(dst)
            a, b = layer_of(src), layer_of(dst)
            if verbose:
                print(f"{src} -> {dst}: {sym}")
            if a is not None and b is not None and b < a:
                errors.append(f"{src} ({LAYERS[a][0]}) uses {sym} of {dst} "
                              f"({LAYERS[b][0]}): an upward call")
    cycle = find_cycle(edges)
    if cycle:
        errors.append("a cycle: " + " -> ".join(cycle))
    for e in errors:
        print("layers: " + e, file=sys.stderr)
    if errors:
        return 1
    print(f"layers: {len(objs)} files, {sum(len(v) for v in edges.values())} cross-file "
          f"dependencies, all downward, no cycle")
    return 0


if __name__ == "__main__":
    sys.exit(main())
