#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""make deb, checked: devtools/deb.sh builds the Debian packages with
dpkg-buildpackage and runs lintian (no error or warning); each package holds
what it should and nothing twice; then the packages' files, unpacked with
dpkg -x and shown as installed in a private mount namespace
(tests/install/installed.py; or named by path where none can be made), let stock dpdk-testpmd find the plugin with no
-d and an application build from the -dev package and run.
Usage: test_deb.py <source root> <build folder> <app.c>"""
import glob
import os
import shutil
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
sys.path.insert(0, os.path.join(HERE, "..", "install"))
from bcnic_testlib import remove_shm, run_cases, shm_objects, unique_dev  # noqa: E402
from installed import (PMD_DIR, SONAME, View, build_and_run_app, run,  # noqa: E402
                       testpmd_finds_plugin)

SRC_ROOT = os.path.realpath(sys.argv[1])
BUILD = os.path.abspath(sys.argv[2])
APP_SRC = os.path.abspath(sys.argv[3])
DEV = unique_dev("deb")
OUT = os.path.join(BUILD, f"deb-test-{os.getpid()}")
STAGE = tempfile.mkdtemp(prefix=f"deb-stage-{os.getpid()}-", dir=BUILD)
WORK = tempfile.mkdtemp(prefix=f"bcnic-deb-app-{os.getpid()}-")
VIEW = View(STAGE, WORK)
ABI = os.path.basename(PMD_DIR)[len("pmds-"):]
LIB = f"librte-net-bcnic{ABI.split('.')[0]}"

# Package -> paths it must hold (as dpkg-deb -c shows them, without "./").
EXPECT = {
    LIB: [f"{PMD_DIR}/librte_net_bcnic.so.{ABI}", f"{PMD_DIR}/{SONAME}",
          f"/usr/lib/x86_64-linux-gnu/{SONAME}", f"/usr/share/doc/{LIB}/copyright"],
    "librte-net-bcnic-dev": ["/usr/include/dpdk/rte_pmd_bcnic.h",
                             "/usr/lib/x86_64-linux-gnu/pkgconfig/libdpdk-bcnic.pc",
                             "/usr/lib/x86_64-linux-gnu/librte_net_bcnic.so",
                             f"{PMD_DIR}/librte_net_bcnic.so",
                             "/usr/share/doc/librte-net-bcnic-dev/examples/blocks.conf"],
    "bcnic-tools": ["/usr/bin/dpdk-test-bc", "/usr/bin/bcnic-pf-agent", "/usr/bin/bcnic-vf-config",
                    "/usr/libexec/bcnic/pf_agent", "/usr/libexec/bcnic/vf_config",
                    "/usr/share/man/man1/dpdk-test-bc.1.gz"],
}
DEBS = {}  # package -> .deb path


def contents(deb):
    rc, out, err = run(["dpkg-deb", "-c", deb])
    assert rc == 0, err
    paths = []
    for line in out.splitlines():
        name = line.split(None, 5)[5].split(" -> ")[0]
        if not name.endswith("/"):
            paths.append(name[1:])  # "./usr/..." -> "/usr/..."
    return paths


def test_make_deb():
    rc, out, err = run([os.path.join(SRC_ROOT, "devtools", "deb.sh"), OUT], timeout=900)
    print(out)
    assert rc == 0, f"devtools/deb.sh exit {rc}\n{out}\n{err}"
    tags = [l for l in out.splitlines() if l.startswith(("lintian: E:", "lintian: W:"))]
    assert tags == [], tags
    for deb in glob.glob(os.path.join(OUT, "*.deb")):
        pkg = run(["dpkg-deb", "-f", deb, "Package"])[1].strip()
        DEBS[pkg] = deb
    assert set(EXPECT) <= set(DEBS), f"packages {sorted(DEBS)}, expected {sorted(EXPECT)}"
    owner = {}
    for pkg, deb in DEBS.items():
        for path in contents(deb):
            assert path not in owner, f"{path} in both {owner[path]} and {pkg}"
            owner[path] = pkg
    for pkg, paths in EXPECT.items():
        for path in paths:
            assert owner.get(path) == pkg, f"{path} should be in {pkg}, is in {owner.get(path)}"
    extra = set(DEBS) - set(EXPECT) - {p + "-dbgsym" for p in EXPECT}
    assert not extra, f"unexpected packages {extra}"
    deps = {p: run(["dpkg-deb", "-f", DEBS[p], "Depends"])[1] for p in EXPECT}
    assert "librte-ethdev23" in deps[LIB] and "librte-bus-vdev23" in deps[LIB], deps[LIB]
    assert f"{LIB} (= " in deps["librte-net-bcnic-dev"] and "libdpdk-dev" in deps["librte-net-bcnic-dev"]
    assert f"{LIB} (= " in deps["bcnic-tools"], deps["bcnic-tools"]


def unpack():
    """The packages' files in STAGE, once."""
    assert DEBS, "no packages (test_make_deb failed)"
    if not os.listdir(STAGE):
        for pkg in EXPECT:
            rc, out, err = run(["dpkg", "-x", DEBS[pkg], STAGE])
            assert rc == 0, err


def test_package_testpmd_without_d():
    unpack()
    testpmd_finds_plugin(VIEW, DEV)
    assert shm_objects(DEV) == []


def test_package_app_builds_and_runs():
    unpack()
    build_and_run_app(VIEW, APP_SRC, DEV, SRC_ROOT)
    assert shm_objects(DEV) == []


def cleanup():
    remove_shm(DEV)
    for d in (OUT, STAGE, WORK):
        shutil.rmtree(d, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(run_cases([test_make_deb, test_package_testpmd_without_d,
                        test_package_app_builds_and_runs], cleanup))
