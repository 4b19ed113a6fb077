#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""The PCI transport: a PF on the host (examples/pf_agent), VFs in QEMU guests
bound to vfio-pci, their windows carried by ivshmem-plain (devtools/vm.sh).
Usage: test_vm.py <top of the source tree> <build folder>"""
import os
import re
import shutil
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from bcnic_testlib import EAL_COMMON, Proc, remove_shm, run_cases, shm_name, shm_objects, unique_dev  # noqa: E402

TOP, BUILD = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
VM = os.path.join(TOP, "devtools", "vm.sh")
AGENT = os.path.join(BUILD, "examples", "pf_agent")
VFC = os.path.join(BUILD, "examples", "vf_config")
PLUGIN = os.path.join(BUILD, "drivers", "net", "bcnic", "librte_net_bcnic.so")
CONF = os.path.join(TOP, "examples", "pf_agent", "blocks.conf")
DEV = unique_dev("vm")
PLAIN = f"/dev/shm/bcnic-test-plain-{os.getpid()}"
GEAL = "-l 0 --no-huge -m 256 --no-shconf --no-telemetry"

if not (shutil.which("qemu-system-x86_64") and os.path.isdir("/lib/modules")
        and any(f.startswith("vmlinuz-") for f in os.listdir("/boot"))):
    print("no QEMU or Debian kernel here: apt-get install qemu-system-x86 linux-image-amd64 busybox-static")
    sys.exit(77)  # meson: skipped


def agent():
    a = Proc([AGENT, "-l", "0", *EAL_COMMON, "--", "--dev", DEV, "--vfs", "4", "--config", CONF])
    a.wait_line("up:")
    return a


def agent_cmd(a, c):
    a.p.stdin.write((c + "\n").encode())
    a.p.stdin.flush()


def guest(script, windows, timeout=420, while_running=None):
    """Run script (sh) in a guest with these windows as ivshmem devices.

    A bounded wait, not a speed check: a TCG guest that boots in seconds on
    a quiet host took over 240 s on a 2-CPU host at load 15 (meson allows
    the suite 900 s for its two guests)."""
    argv = [VM, "--timeout", str(timeout)]
    for w in windows:
        argv += ["--ivshmem", w]
    p = subprocess.Popen(argv + ["--", script], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         text=True)
    try:
        while p.poll() is None:
            if while_running:
                while_running()
            time.sleep(2)
        out = p.stdout.read()
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
    return p.returncode, out


def marked(out, tag):
    """The text the guest printed between '== tag' and the next '=='."""
    m = re.search(rf"== {tag}\n(.*?)(?:\n==|\Z)", out, re.S)
    assert m, f"no section {tag} in:\n{out}"
    return m.group(1)


def test_vf_in_guest():
    a = agent()
    bdf_of = "lspci -D -d 1af4:1110 -n | cut -d' ' -f1"
    script = f"""
for b in $({bdf_of}); do dpdk-devbind.py -b vfio-pci $b; done
set -- $({bdf_of}); VF=$1; PLAIN=$2
V="{VFC} {GEAL} -a $VF -- --pci $VF"
echo "== list"; $V list; echo "rc=$?"
echo "== read"; $V read 0x1000 0 16; echo "rc=$?"
echo "== write"; $V write 0x1000 text:from-the-guest 16; echo "rc=$?"
echo "== mac"; $V write 0xffff0002 hex:dc050000; echo "rc=$?"; $V write 0x1001 hex:00; echo "rc=$?"
echo "== testpmd"; printf 'show port info 0\\nquit\\n' | dpdk-testpmd {GEAL.replace("-l 0 ", "-l 0-1 ")} -d {PLUGIN} -a $VF -- -i --total-num-mbufs=2048 2>&1 | grep -E 'MAC address|Driver name'
echo "== plain"; {VFC} {GEAL} -a $PLAIN --log-level=pmd.net.bcnic*:info -- --pci $PLAIN list 2>&1 | grep -E 'declined|not a bcnic'; echo "rc=$?"
echo "== watch"; $V watch 1 120; echo "rc=$?"
echo "=="
"""
    with open(PLAIN, "wb") as f:
        f.truncate(2 << 20)  # zeros: an ivshmem device that is no bcnic VF
    rc, out = guest(script, ["/dev/shm/" + shm_name(DEV, 1), PLAIN],
                    while_running=lambda: agent_cmd(a, "set 0x1001 all 0 hex:cafe"))
    assert rc == 0, out
    lst = marked(out, "list")
    assert "0x00001000      256 rw      per_vf" in lst and "rc=0" in lst, lst
    assert "|vport-config-v1.|" in marked(out, "read"), out
    assert "wrote 14 bytes" in marked(out, "write"), out
    # PF-side refusal seen in the guest: MTU is writable, the shared block is not (-EACCES: 3).
    assert re.search(r"rc=0\s.*rc=3", marked(out, "mac"), re.S), marked(out, "mac")
    # The data the guest wrote is what the host PF holds.
    agent_cmd(a, "show 0x1000 1 31")
    line = a.wait_line("block 0x00001000 vf 1")
    assert "66 72 6f 6d 2d 74 68 65 2d 67 75 65 73 74" in line, line  # "from-the-guest"
    # testpmd in the guest shows the MAC the host assigned to VF 1.
    agent_cmd(a, "show 0xffff0001 1 6")
    mac = a.wait_line("block 0xffff0001 vf 1").split(":", 1)[1].split()
    tp = marked(out, "testpmd")
    assert "Driver name: net_bcnic_vf_pci" in tp, tp
    assert f"MAC address: {':'.join(mac).upper()}" in tp, (tp, mac)
    # A non-bcnic ivshmem device is declined.
    assert "no bcnic magic: not a bcnic VF, declined" in marked(out, "plain"), out
    # An invalidation raised on the host reached the guest.
    w = marked(out, "watch")
    assert "block 0x00001001 changed" in w and "rc=0" in w, w
    a.p.send_signal(signal.SIGTERM)
    assert a.finish(30)[0] == 0


def test_two_guests_isolated():
    a = agent()
    bdf = "$(lspci -D -d 1af4:1110 -n | cut -d' ' -f1)"
    one = (f"B={bdf}; dpdk-devbind.py -b vfio-pci $B; echo \"== n\"; lspci -d 1af4:1110 | wc -l; "
           f"echo \"== w\"; {VFC} {GEAL} -a $B -- --pci $B write 0x1000 text:secret-of-vf1; "
           f"echo \"==\"")
    rc, out = guest(one, ["/dev/shm/" + shm_name(DEV, 1)])
    assert rc == 0 and "wrote 13 bytes" in out and marked(out, "n").strip() == "1", out
    two = (f"B={bdf}; dpdk-devbind.py -b vfio-pci $B; echo \"== r\"; "
           f"{VFC} {GEAL} -a $B -- --pci $B read 0x1000 0 32; echo \"==\"")
    rc, out = guest(two, ["/dev/shm/" + shm_name(DEV, 2)])
    r = marked(out, "r")
    assert rc == 0 and "block 0x00001000" in r and "secret" not in r, out
    a.p.send_signal(signal.SIGTERM)
    assert a.finish(30)[0] == 0


def cleanup():
    remove_shm(DEV)
    try:
        os.unlink(PLAIN)
    except FileNotFoundError:
        pass


sys.exit(run_cases([test_vf_in_guest, test_two_guests_isolated], cleanup))
