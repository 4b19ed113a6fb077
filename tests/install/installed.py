# SPDX-License-Identifier: BSD-3-Clause
"""Using bcnic as an installed system would, without installing it on the
machine: a stage folder (a meson DESTDIR, or Debian packages unpacked with
dpkg -x) is laid over the real folders by an overlay mount in a private mount
namespace (unshare), where ldconfig's cache is rebuilt as `make install` and
the package's trigger do. EAL looks for plugins in the one folder compiled
into it (RTE_EAL_PMD_PATH), so this is how stock dpdk-testpmd is shown to
find the plugin with no -d. Other processes never see the overlay.
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
    """Commands run as if the stage were installed on this machine."""

    def __init__(self, stage, work):
        self.stage, self.work = stage, work
        self.unshare = ["unshare", "--mount", "--propagation", "private"]
        if os.getuid() != 0:
            self.unshare.append("--map-root-user")  # a user namespace, where the kernel allows it
        self._reason = False

    def cmd(self, argv):
        return [*self.unshare, "sh", "-c", VIEW, "view", self.stage,
                os.path.join(self.work, "ld.so.cache"), *argv]

    def reason(self):
        """None if the view works here, else why not (checked once)."""
        if self._reason is False:
            if shutil.which("unshare") is None:
                self._reason = "no unshare(1)"
            else:
                rc, out, err = run(self.cmd(["true"]))
                self._reason = None if rc == 0 else (
                    f"cannot show the stage as installed ({' '.join(self.unshare)}, overlay "
                    f"mount): {err.strip()}")
        return self._reason


def build_and_run_app(view, app_src, dev, src_root):
    """Build app.c outside the source tree from the installed header and .pc only,
    run it against a PF and a VF made by EAL from --vdev (no -d); check its output."""
    assert not os.path.realpath(view.work).startswith(src_root + "/"), view.work
    shutil.copy(app_src, os.path.join(view.work, "app.c"))
    build = ('cd "$1" && cc -Wall -Wextra -Werror -o app app.c '
             '$(pkg-config --cflags --libs libdpdk libdpdk-bcnic)')
    rc, out, err = run(view.cmd(["sh", "-c", build, "build", view.work]))
    assert rc == 0, f"the application does not build from the installed files:\n{out}\n{err}"
    app = os.path.join(view.work, "app")
    rc, out, err = run(view.cmd([app, "-l", "0", *EAL_COMMON,
                                 "--vdev", f"net_bcnic_pf0,dev={dev},vfs=1",
                                 "--vdev", f"net_bcnic_vf0,dev={dev},vf=0"]), timeout=60)
    print(out)
    assert rc == 0 and "app: ok" in out, f"app exit {rc}\n{out}\n{err}"
    assert f"app: driver mapped from {PLUGIN}\n" in out, out  # the one copy: the installed plugin
    assert 'VF read "from-the-pf"' in out and 'VF wrote "from-the-vf"' in out, out
    assert UNUSED not in out + err, err
    # Outside the view the program cannot even start: nothing leaked onto the machine.
    if not os.path.exists(PLUGIN):
        rc, out, err = run([app, "-l", "0", *EAL_COMMON], timeout=60)
        assert rc != 0 and SONAME in err, f"app ran without the installed view: {rc}\n{err}"


def testpmd(view, dev, extra, commands):
    """dpdk-testpmd with a PF and its VF 1, interactive commands; (stdout, stderr)."""
    argv = [TESTPMD, "-l", "0-1", *EAL_COMMON, *extra,
            "--vdev", f"net_bcnic_pf0,dev={dev},vfs=2", "--vdev", f"net_bcnic_vf0,dev={dev},vf=1",
            "--", "-i", "--total-num-mbufs=2048"]
    rc, out, err = run(view.cmd(argv), timeout=90, input="\n".join(commands + ["quit"]) + "\n")
    assert rc == 0, f"testpmd exit {rc}\n{out}\n{err}"
    return out, err


def testpmd_finds_plugin(view, dev):
    """Stock testpmd, no -d: both bcnic ports come up from the installed plugin."""
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
