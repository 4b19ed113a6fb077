#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Build step: run DPDK's pmdinfogen.py over the objects of a static
library and write the C file that embeds the PMD info (driver names,
devargs) into the plugin, so dpdk-pmdinfo.py can list them.
Usage: gen-pmdinfo.py <pmdinfogen.py> <ar> <lib.a> <out.c>"""
import os
import subprocess
import sys
import tempfile

pmdinfogen, ar, archive, output = sys.argv[1:5]
with tempfile.TemporaryDirectory() as tmp:
    names = subprocess.run([ar, "t", archive], check=True, stdout=subprocess.PIPE,
                           text=True).stdout.split()
    objs = []
    for i, name in enumerate(names):
        # A thin archive (meson's default) only names its objects.
        if os.path.exists(name):
            objs.append(name)
            continue
        # Members may share a base name: extract one at a time into its own folder.
        d = os.path.join(tmp, str(i))
        os.mkdir(d)
        subprocess.run([ar, "xN", str(names[:i].count(name) + 1), os.path.abspath(archive), name],
                       check=True, cwd=d)
        objs.append(os.path.join(d, name))
    subprocess.run([sys.executable, pmdinfogen, "elf"] + objs + [output], check=True)
