# SPDX-License-Identifier: BSD-3-Clause
"""Using bcnic as an installed system would, without installing it on the
machine: a stage folder (a meson DESTDIR, or Debian packages unpacked with
dpkg -x) is laid over the real folders by an overlay mount in a private mount
namespace (unshare), where ldconfig's cache is rebuilt as `make install` and
the package's trigger do. EAL looks for plugins in the one folder compiled
into it (RTE_EAL_PMD_PATH), so this is how stock dpdk-testpmd is shown to
find the plugin with no -d. Other processes never see the overlay. Where no
mount namespace can be made, View falls back to naming the staged files by
path (EAL's -d <folder>, LD_LIBRARY_PATH, the .pc's prefix) and says so.
Shared by tests/install/test_install.py and tests/deb/test_deb.py."""
import os
import shutil
import subprocess

from bcnic_testlib import EAL_COMMON

TESTPMD = shutil.which("dpdk-testpmd") or "/usr/bin/dpdk-testpmd"
UNUSED = "stays unused"  # the driver's warning when a second copy is loaded

# What an installed system has: no library path into the build tree (meson
# test sets one for the build's shared library) and no pkg-config overrides.
ENV = {k: v for k, v in os.environ.items()
       if k not in ("LD_LIBRARY_PATH", "LD_PRELOAD") and not k.startswith("PKG_CONFIG")}


def run(argv, timeout=120, **kw):
    p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                       timeout=timeout, env=ENV, **kw)
    return p.returncode, p.stdout, p.stderr


def eal_pmd_path():
    """RTE_EAL_PMD_PATH of the installed DPDK, read from its header as a user would."""
    cflags = run(["pkg-config", "--cflags", "libdpdk"])[1].split()
    rc, out, err = run(["cc", "-E", "-P", *cflags, "-"],
                       input='#include <rte_build_config.h>\nRTE_EAL_PMD_PATH\n')
    assert rc == 0, err
    return out.strip().splitlines()[-1].strip('"')


PMD_DIR = eal_pmd_path()
ABI = os.path.basename(PMD_DIR)[len("pmds-"):]
SONAME = f"librte_net_bcnic.so.{ABI.split('.')[0]}"
PLUGIN = f"{PMD_DIR}/librte_net_bcnic.so.{ABI}"

VIEW = r'''set -e
stage=$1; cache=$2; shift 2
for top in "$stage"/*; do
    [ -d "$top" ] || continue
    t=/${top##*/}
    mount -t overlay bcnic-installed-view -o "lowerdir=$top:$t" "$t"
done
ldconfig -X -C "$cache"
mount --bind "$cache" /etc/ld.so.cache
exec "$@"
'''


class View:
    """Commands run as if the stage were installed on this machine.

    Mode "overlay": in a private mount namespace the stage covers the real
    folders (root, or a user namespace where the kernel allows one). Mode
    "paths", where no namespace can be made (an unprivileged container): the
    documented equivalent, the stage's files named by path instead: EAL gets
    -d <staged PMD folder> (a folder: EAL loads every plugin in it, as it does
    its own), the dynamic linker LD_LIBRARY_PATH, pkg-config the staged prefix.
    """

    def __init__(self, stage, work):
        self.stage, self.work = stage, work
        self.unshare = ["unshare", "--mount", "--propagation", "private"]
        if os.getuid() != 0:
            self.unshare.append("--map-root-user")  # a user namespace, where the kernel allows it
        self.mode = None

    def probe(self):
        """Choose the mode (once the stage is filled); say which and why."""
        if self.mode is None:
            why = "no unshare(1)"
            if os.environ.get("BCNIC_TEST_NO_NAMESPACE"):
                why = "BCNIC_TEST_NO_NAMESPACE is set"
            elif shutil.which("unshare"):
                rc, out, err = run([*self.unshare, "sh", "-c", VIEW, "view", self.stage,
                                    os.path.join(self.work, "ld.so.cache"), "true"])
                why = None if rc == 0 else err.strip()
            self.mode = "overlay" if why is None else "paths"
            if why:
                print(f"NOTE: no private mount namespace here ({' '.join(self.unshare)}: {why}); "
                      f"the stage is named by path and EAL given -d {self.stage + PMD_DIR}")
        return self.mode

    def path(self, installed):
        """Where a process sees an installed file."""
        return installed if self.probe() == "overlay" else self.stage + installed

    @property
    def plugin(self):
        return self.path(PLUGIN)

    @property
    def eal(self):
        """EAL arguments that find the installed plugin: none when it is installed."""
        return [] if self.probe() == "overlay" else ["-d", self.stage + PMD_DIR]

    def _pc(self):
        """The staged libdpdk-bcnic.pc: (its folder, the prefix it names)."""
        for d, _, files in os.walk(self.stage):
            if "libdpdk-bcnic.pc" in files:
                prefix = [l.split("=", 1)[1].strip() for l in open(os.path.join(d, "libdpdk-bcnic.pc"))
                          if l.startswith("prefix=")][0]
                return d, prefix
        raise AssertionError(f"no libdpdk-bcnic.pc under {self.stage}")

    def env(self):
        if self.probe() == "overlay":
            return ENV
        pcdir, _ = self._pc()
        return {**ENV, "LD_LIBRARY_PATH": os.path.dirname(pcdir), "PKG_CONFIG_PATH": pcdir}

    def pkg_config(self):
        """The pkg-config part of the application's build command."""
        if self.probe() == "overlay":
            return "$(pkg-config --cflags --libs libdpdk libdpdk-bcnic)"
        _, prefix = self._pc()
        return ("$(pkg-config --cflags --libs libdpdk) $(pkg-config --define-variable="
                f"prefix={self.stage}{prefix} --cflags --libs libdpdk-bcnic)")

    def cmd(self, argv):
        if self.probe() == "paths":
            return list(argv)
        return [*self.unshare, "sh", "-c", VIEW, "view", self.stage,
                os.path.join(self.work, "ld.so.cache"), *argv]

    def run(self, argv, **kw):
        p = subprocess.run(self.cmd(argv), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True, env=self.env(), **kw)
        return p.returncode, p.stdout, p.stderr


def build_and_run_app(view, app_src, dev, src_root):
    """Build app.c outside the source tree from the installed header and .pc only,
    run it against a PF and a VF made by EAL from --vdev; check its output."""
    assert not os.path.realpath(view.work).startswith(src_root + "/"), view.work
    shutil.copy(app_src, os.path.join(view.work, "app.c"))
    build = f'cd "$1" && cc -Wall -Wextra -Werror -o app app.c {view.pkg_config()}'
    rc, out, err = view.run(["sh", "-c", build, "build", view.work])
    assert rc == 0, f"the application does not build from the installed files:\n{out}\n{err}"
    app = os.path.join(view.work, "app")
    rc, out, err = view.run([app, "-l", "0", *EAL_COMMON, *view.eal,
                             "--vdev", f"net_bcnic_pf0,dev={dev},vfs=1",
                             "--vdev", f"net_bcnic_vf0,dev={dev},vf=0"], timeout=60)
    print(out)
    assert rc == 0 and "app: ok" in out, f"app exit {rc}\n{out}\n{err}"
    # The one copy: the installed plugin.
    assert f"app: driver mapped from {view.plugin}\n" in out, out
    assert 'VF read "from-the-pf"' in out and 'VF wrote "from-the-vf"' in out, out
    assert UNUSED not in out + err, err
    # Without the view the program cannot even start: nothing leaked onto the machine.
    if not os.path.exists(PLUGIN):
        rc, out, err = run([app, "-l", "0", *EAL_COMMON], timeout=60)
        assert rc != 0 and SONAME in err, f"app ran without the installed view: {rc}\n{err}"


def testpmd(view, dev, extra, commands):
    """dpdk-testpmd with a PF and its VF 1, interactive commands; (stdout, stderr)."""
    argv = [TESTPMD, "-l", "0-1", *EAL_COMMON, *extra, *view.eal,
            "--vdev", f"net_bcnic_pf0,dev={dev},vfs=2", "--vdev", f"net_bcnic_vf0,dev={dev},vf=1",
            "--", "-i", "--total-num-mbufs=2048"]
    rc, out, err = view.run(argv, timeout=90, input="\n".join(commands + ["quit"]) + "\n")
    assert rc == 0, f"testpmd exit {rc}\n{out}\n{err}"
    return out, err


def testpmd_finds_plugin(view, dev):
    """Stock testpmd, no -d (in "paths" mode: -d the staged PMD folder): both
    bcnic ports come up from the installed plugin."""
    out, err = testpmd(view, dev, [], ["show port info all"])
    assert "Driver name: net_bcnic_pf" in out and "Driver name: net_bcnic_vf" in out, out + err
    assert "Device name: net_bcnic_vf0" in out and "MAC address: 02:" in out, out
    assert UNUSED not in out + err, err
    # The same command without the view finds no bcnic driver.
    if not os.path.exists(PLUGIN):
        rc, out, err = run([TESTPMD, "-l", "0-1", *EAL_COMMON,
                            "--vdev", f"net_bcnic_pf0,dev={dev},vfs=2", "--", "-i"],
                           timeout=60, input="quit\n")
        assert "Driver name: net_bcnic_pf" not in out, out
        assert "net_bcnic_pf0" in out + err, "testpmd did not complain about the unknown vdev"
