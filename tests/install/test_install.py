#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""meson install of the build into a temporary DESTDIR, used the way an
installed system would: an application built outside the source tree from the
installed header and pkg-config file only, run against a PF and a VF; stock
dpdk-testpmd finding the plugin with no -d; the installed programs; then
uninstall, leaving nothing behind.

EAL looks for plugins in the one folder compiled into it (RTE_EAL_PMD_PATH),
so "installed" is simulated without touching the machine: each step runs in a
private mount namespace (unshare) where an overlay puts the DESTDIR's /usr
over the real /usr and ldconfig's cache is rebuilt, as `make install` and the
package leave the system. Other processes never see it.
Usage: test_install.py <build folder> <app.c> <source root>"""
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from bcnic_testlib import EAL_COMMON, Proc, remove_shm, run_cases, shm_objects, unique_dev  # noqa: E402

BUILD = os.path.abspath(sys.argv[1])
APP_SRC = os.path.abspath(sys.argv[2])
SRC_ROOT = os.path.realpath(sys.argv[3])
DEV = unique_dev("inst")
LOG = os.path.join(BUILD, "meson-logs", "install-log.txt")
TESTPMD = shutil.which("dpdk-testpmd") or "/usr/bin/dpdk-testpmd"
UNUSED = "stays unused"  # the driver's warning when a second copy is loaded

# Where the staged files go and where the application is built: outside the
# source tree; the stage must not sit below a world-writable folder (EAL
# refuses plugins there when given one with -d).
STAGE = tempfile.mkdtemp(prefix=f"install-test-{os.getpid()}-", dir=BUILD)
WORK = tempfile.mkdtemp(prefix=f"bcnic-install-app-{os.getpid()}-")
SAVED_LOG = open(LOG).read() if os.path.exists(LOG) else None  # a real install's log survives


# What an installed system has: no library path into the build tree (meson
# test sets one for the build's shared library) and no pkg-config overrides.
ENV = {k: v for k, v in os.environ.items()
       if k not in ("LD_LIBRARY_PATH", "LD_PRELOAD") and not k.startswith("PKG_CONFIG")}


def run(argv, timeout=120, **kw):
    p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                       timeout=timeout, env=ENV, **kw)
    return p.returncode, p.stdout, p.stderr


def eal_pmd_path():
    """RTE_EAL_PMD_PATH of the installed DPDK, read from its header like a user would."""
    cflags = run(["pkg-config", "--cflags", "libdpdk"])[1].split()
    rc, out, err = run(["cc", "-E", "-P", *cflags, "-"],
                       input='#include <rte_build_config.h>\nRTE_EAL_PMD_PATH\n')
    assert rc == 0, err
    return out.strip().splitlines()[-1].strip('"')


PMD_DIR = eal_pmd_path()
ABI = os.path.basename(PMD_DIR)[len("pmds-"):]
SONAME = f"librte_net_bcnic.so.{ABI.split('.')[0]}"
PLUGIN = f"{PMD_DIR}/librte_net_bcnic.so.{ABI}"

# The installed view: overlay every top-level folder of the stage onto the
# real one, rebuild ld.so.cache for it, then run the command.
VIEW = r'''set -e
stage=$1; cache=$2; shift 2
for top in "$stage"/*; do
    t=/${top##*/}
    mount -t overlay bcnic-install-test -o "lowerdir=$top:$t" "$t"
done
ldconfig -X -C "$cache"
mount --bind "$cache" /etc/ld.so.cache
exec "$@"
'''
UNSHARE = ["unshare", "--mount", "--propagation", "private"]
if os.getuid() != 0:
    UNSHARE.append("--map-root-user")  # an unprivileged user namespace, where the kernel allows it


def view(argv):
    return [*UNSHARE, "sh", "-c", VIEW, "view", STAGE, os.path.join(WORK, "ld.so.cache"), *argv]


def view_reason():
    """None if the installed view works here, else why not."""
    if shutil.which("unshare") is None:
        return "no unshare(1)"
    rc, out, err = run(view(["test", "-f", PLUGIN]))
    return None if rc == 0 else f"cannot mount the installed view ({' '.join(UNSHARE)}): {err.strip()}"


def stage_files():
    """Every file and symlink under the stage, as absolute paths of the installed system."""
    found = []
    for d, dirs, files in os.walk(STAGE):
        for n in files + [x for x in dirs if os.path.islink(os.path.join(d, x))]:
            found.append(os.path.join(d, n)[len(STAGE):])
    return sorted(found)


def staged(path):
    return STAGE + path


def one(paths, suffix):
    hits = [p for p in paths if p.endswith(suffix)]
    assert len(hits) == 1, f"expected one installed file ending {suffix}, got {hits}"
    return hits[0]


def test_install_layout():
    rc, out, err = run(["meson", "install", "-C", BUILD, "--no-rebuild", "--destdir", STAGE])
    assert rc == 0, f"meson install failed:\n{out}\n{err}"
    files = stage_files()
    print("installed:\n  " + "\n  ".join(files))
    # The plugin: a real file in EAL's PMD directory, named so EAL's scan takes it.
    assert os.path.isfile(staged(PLUGIN)) and not os.path.islink(staged(PLUGIN)), \
        f"{PLUGIN} not installed as a file; got {files}"
    rc, out, _ = run(["readelf", "-d", staged(PLUGIN)])
    assert f"Library soname: [{SONAME}]" in out, out
    # The library for -l and the dynamic linker: symlinks to that very file.
    for name in (SONAME, "librte_net_bcnic.so"):
        links = [p for p in files if p.endswith("/" + name) and not p.startswith(PMD_DIR + "/")]
        assert len(links) == 1, f"one {name} in a library folder expected, got {links}"
        assert os.path.islink(staged(links[0])), f"{links[0]} is not a symlink"
        assert os.path.realpath(staged(links[0])) == staged(PLUGIN), \
            f"{links[0]} resolves to {os.path.realpath(staged(links[0]))}, not the plugin"
    hdr = one(files, "/include/dpdk/rte_pmd_bcnic.h")
    assert "rte_pmd_bcnic_vf_block_read" in open(staged(hdr)).read()
    pc = open(staged(one(files, "/pkgconfig/libdpdk-bcnic.pc"))).read()
    assert "Requires: libdpdk" in pc and "-lrte_net_bcnic" in pc and "/dpdk" in pc, pc
    # The programs link the shared library, with no path into the build tree.
    for prog in ("/bin/dpdk-test-bc", "/bin/bcnic-pf-agent", "/bin/bcnic-vf-config"):
        p = staged(one(files, prog))
        assert os.access(os.path.realpath(p), os.X_OK), f"{prog} is not an executable"
        rc, out, _ = run(["readelf", "-d", os.path.realpath(p)])
        assert f"Shared library: [{SONAME}]" in out, f"{prog} does not link {SONAME}:\n{out}"
        assert "RPATH" not in out and "RUNPATH" not in out, f"{prog} keeps a run path:\n{out}"
    for doc in ("/doc/bcnic/README.md", "/doc/bcnic/doc/mailbox.md", "/doc/bcnic/doc/guide.md",
                "/doc/bcnic/examples/blocks.conf", "/doc/bcnic/examples/vf_config.c"):
        one(files, doc)
    # Nothing the project does not mean to ship (tests, static archives, bcmbox).
    for f in files:
        assert "test_" not in f and not f.endswith(".a") and "bcmbox" not in f, f"unexpected {f}"


def test_app_from_installed_files():
    reason = view_reason()
    if reason:
        print(f"SKIP test_app_from_installed_files: {reason}")
        return
    assert not os.path.realpath(WORK).startswith(SRC_ROOT + "/")
    shutil.copy(APP_SRC, os.path.join(WORK, "app.c"))
    build = ('cd "$1" && cc -Wall -Wextra -Werror -o app app.c '
             '$(pkg-config --cflags --libs libdpdk libdpdk-bcnic)')
    rc, out, err = run(view(["sh", "-c", build, "build", WORK]))
    assert rc == 0, f"the application does not build from the installed files:\n{out}\n{err}"
    app = os.path.join(WORK, "app")
    rc, out, err = run(view([app, "-l", "0", *EAL_COMMON,
                             "--vdev", f"net_bcnic_pf0,dev={DEV},vfs=1",
                             "--vdev", f"net_bcnic_vf0,dev={DEV},vf=0"]), timeout=60)
    print(out)
    assert rc == 0 and "app: ok" in out, f"app exit {rc}\n{out}\n{err}"
    assert f"app: driver mapped from {PLUGIN}\n" in out, out  # the one copy: the installed plugin
    assert 'VF read "from-the-pf"' in out and 'VF wrote "from-the-vf"' in out, out
    assert UNUSED not in out + err, err
    assert shm_objects(DEV) == [], f"left {shm_objects(DEV)}"
    # Outside the view the program cannot even start: nothing leaked onto the machine.
    if not os.path.exists(PLUGIN):
        rc, out, err = run([app, "-l", "0", *EAL_COMMON], timeout=60)
        assert rc != 0 and SONAME in err, f"app ran without the installed view: {rc}\n{err}"


def testpmd(extra, commands):
    argv = [TESTPMD, "-l", "0-1", *EAL_COMMON, *extra,
            "--vdev", f"net_bcnic_pf0,dev={DEV},vfs=2", "--vdev", f"net_bcnic_vf0,dev={DEV},vf=1",
            "--", "-i", "--total-num-mbufs=2048"]
    rc, out, err = run(view(argv), timeout=90, input="\n".join(commands + ["quit"]) + "\n")
    assert rc == 0, f"testpmd exit {rc}\n{out}\n{err}"
    return out, err


def test_testpmd_finds_plugin_without_d():
    reason = view_reason()
    if reason:
        print(f"SKIP test_testpmd_finds_plugin_without_d: {reason}")
        return
    out, err = testpmd([], ["show port info all"])
    assert "Driver name: net_bcnic_pf" in out and "Driver name: net_bcnic_vf" in out, out + err
    assert "Device name: net_bcnic_vf0" in out and "MAC address: 02:" in out, out
    assert UNUSED not in out + err, err
    assert shm_objects(DEV) == []
    # The same command without the installed view finds no bcnic driver.
    if not os.path.exists(PLUGIN):
        rc, out, err = run([TESTPMD, "-l", "0-1", *EAL_COMMON,
                            "--vdev", f"net_bcnic_pf0,dev={DEV},vfs=2", "--", "-i"],
                           timeout=60, input="quit\n")
        assert "Driver name: net_bcnic_pf" not in out, out
        assert "net_bcnic_pf0" in out + err, "testpmd did not complain about the unknown vdev"


def test_second_copy_stays_unused():
    """A build-tree plugin given with -d beside the installed one: one copy serves."""
    reason = view_reason()
    if reason:
        print(f"SKIP test_second_copy_stays_unused: {reason}")
        return
    tree = os.path.join(BUILD, "drivers", "net", "bcnic", "librte_net_bcnic.so")
    out, err = testpmd(["-d", tree], ["show port info 1"])
    want = (f"driver already loaded from {os.path.realpath(tree)}; "
            f"this second copy ({PLUGIN}) {UNUSED}")
    assert (out + err).count(want) == 1, f"expected once: {want!r}\n{out}\n{err}"
    assert "Driver name: net_bcnic_vf" in out, out


def test_installed_programs():
    reason = view_reason()
    if reason:
        print(f"SKIP test_installed_programs: {reason}")
        return
    files = stage_files()
    bindir = os.path.dirname(one(files, "/bin/bcnic-pf-agent"))
    conf = one(files, "/doc/bcnic/examples/blocks.conf")
    eal = ["-l", "0", *EAL_COMMON]
    agent = Proc(view([f"{bindir}/bcnic-pf-agent", *eal, "--", "--dev", DEV, "--vfs", "4",
                       "--config", conf]), env=ENV)
    agent.wait_line("up:")
    rc, out, err = run(view([f"{bindir}/bcnic-vf-config", *eal, "--", "--dev", DEV, "--vf", "1",
                             "read", "0x1000", "0", "16"]), timeout=60)
    assert rc == 0 and "|vport-config-v1.|" in out, f"vf-config exit {rc}\n{out}\n{err}"
    assert UNUSED not in err, err
    agent.p.send_signal(signal.SIGINT)
    rc, out, err = agent.finish(30)
    assert rc == 0 and UNUSED not in err, f"agent exit {rc}\n{err}"
    rc, out, err = run(view([f"{bindir}/dpdk-test-bc", "-l", "0", *EAL_COMMON, "--", "--help"]),
                       timeout=60)
    assert rc == 0 and "--baselines" in out + err, f"dpdk-test-bc --help exit {rc}\n{out}\n{err}"
    assert shm_objects(DEV) == []


def test_uninstall_leaves_nothing():
    rc, out, err = run(["ninja", "-C", BUILD, "uninstall"])
    assert rc == 0, f"ninja uninstall failed:\n{out}\n{err}"
    left = [os.path.join(d, n)[len(STAGE):] for d, ds, fs in os.walk(STAGE) for n in ds + fs]
    assert left == [], f"left behind after uninstall: {left}"


def cleanup():
    remove_shm(DEV)
    shutil.rmtree(STAGE, ignore_errors=True)
    shutil.rmtree(WORK, ignore_errors=True)
    if SAVED_LOG is not None:
        with open(LOG, "w") as f:
            f.write(SAVED_LOG)
    elif os.path.exists(LOG):
        os.unlink(LOG)


if __name__ == "__main__":
    sys.exit(run_cases([test_install_layout, test_app_from_installed_files,
                        test_testpmd_finds_plugin_without_d, test_second_copy_stays_unused,
                        test_installed_programs, test_uninstall_leaves_nothing], cleanup))
