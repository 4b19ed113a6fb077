#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""meson install of the build into a temporary DESTDIR, used the way an
installed system would: an application built outside the source tree from the
installed header and pkg-config file only, run against a PF and a VF; stock
dpdk-testpmd finding the plugin with no -d; the installed programs; then
uninstall, leaving nothing behind.

"Installed" is simulated without touching the machine (tests/install/installed.py):
each step runs in a private mount namespace where an overlay puts the DESTDIR
over the real folders (where none can be made: the DESTDIR's files named by
path, EAL given -d <staged PMD folder>, and the output says so).
Usage: test_install.py <build folder> <app.c> <source root>"""
import os
import shutil
import signal
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bcnic_testlib import EAL_COMMON, Proc, remove_shm, run_cases, shm_objects, unique_dev  # noqa: E402
from installed import (PLUGIN, PMD_DIR, SONAME, UNUSED, View, build_and_run_app,  # noqa: E402
                       run, testpmd, testpmd_finds_plugin)

BUILD = os.path.abspath(sys.argv[1])
APP_SRC = os.path.abspath(sys.argv[2])
SRC_ROOT = os.path.realpath(sys.argv[3])
DEV = unique_dev("inst")
LOG = os.path.join(BUILD, "meson-logs", "install-log.txt")

# The stage (DESTDIR) in the build folder; the application is built outside
# the source tree. Both are removed at the end.
STAGE = tempfile.mkdtemp(prefix=f"install-test-{os.getpid()}-", dir=BUILD)
WORK = tempfile.mkdtemp(prefix=f"bcnic-install-app-{os.getpid()}-")
SAVED_LOG = open(LOG).read() if os.path.exists(LOG) else None  # a real install's log survives
VIEW = View(STAGE, WORK)


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
    for doc in ("/man/man1/dpdk-test-bc.1", "/man/man1/bcnic-pf-agent.1", "/doc/bcnic/README.md", "/doc/bcnic/doc/mailbox.md", "/doc/bcnic/doc/guide.md",
                "/doc/bcnic/examples/blocks.conf", "/doc/bcnic/examples/vf_config.c"):
        one(files, doc)
    # Nothing the project does not mean to ship (tests, static archives, bcmbox).
    for f in files:
        assert "test_" not in f and not f.endswith(".a") and "bcmbox" not in f, f"unexpected {f}"


def test_app_from_installed_files():
    build_and_run_app(VIEW, APP_SRC, DEV, SRC_ROOT)
    assert shm_objects(DEV) == [], f"left {shm_objects(DEV)}"


def test_testpmd_finds_plugin_without_d():
    testpmd_finds_plugin(VIEW, DEV)
    assert shm_objects(DEV) == []


def test_second_copy_stays_unused():
    """A build-tree plugin given with -d before the installed one: one copy serves."""
    tree = os.path.join(BUILD, "drivers", "net", "bcnic", "librte_net_bcnic.so")
    out, err = testpmd(VIEW, DEV, ["-d", tree], ["show port info 1"])
    want = (f"driver already loaded from {os.path.realpath(tree)}; "
            f"this second copy ({VIEW.plugin}) {UNUSED}")
    assert (out + err).count(want) == 1, f"expected once: {want!r}\n{out}\n{err}"
    assert "Driver name: net_bcnic_vf" in out, out


def test_installed_programs():
    files = stage_files()
    bindir = VIEW.path(os.path.dirname(one(files, "/bin/bcnic-pf-agent")))
    conf = VIEW.path(one(files, "/doc/bcnic/examples/blocks.conf"))
    eal = ["-l", "0", *EAL_COMMON, *VIEW.eal]
    agent = Proc(VIEW.cmd([f"{bindir}/bcnic-pf-agent", *eal, "--", "--dev", DEV, "--vfs", "4",
                           "--config", conf]), env=VIEW.env())
    agent.wait_line("up:")
    rc, out, err = VIEW.run([f"{bindir}/bcnic-vf-config", *eal, "--", "--dev", DEV, "--vf", "1",
                             "read", "0x1000", "0", "16"], timeout=60)
    assert rc == 0 and "|vport-config-v1.|" in out, f"vf-config exit {rc}\n{out}\n{err}"
    assert UNUSED not in err, err
    agent.p.send_signal(signal.SIGINT)
    rc, out, err = agent.finish(30)
    assert rc == 0 and UNUSED not in err, f"agent exit {rc}\n{err}"
    rc, out, err = VIEW.run([f"{bindir}/dpdk-test-bc", *eal, "--", "--help"], timeout=60)
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
