#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Fails when a public function of rte_pmd_bcnic.h lacks its documentation:
a Doxygen comment right before it, with @return and a @param for every
parameter, __rte_experimental, and a version.map entry. With doxygen
installed it also builds the reference and fails on any doxygen warning.
Usage: check_api_doc.py <rte_pmd_bcnic.h> <version.map> [<Doxyfile>]"""
import fnmatch
import os
import re
import subprocess
import sys

header, vmap = sys.argv[1], sys.argv[2]
text = open(header).read()
exported = re.findall(r"^\s*(rte_pmd_bcnic_\w+\*?);", open(vmap).read(), re.M)
errors = []
funcs = list(re.finditer(r"(/\*\*(?:(?!\*/).)*\*/)?\s*(__rte_experimental\s+)?"
                         r"\n?(?:int|void|[a-z_ ]+\*?)\s+(rte_pmd_bcnic_\w+)\(([^)]*)\);",
                         text, re.S))
for m in funcs:
    doc, exp, name, params = m.group(1), m.group(2), m.group(3), m.group(4)
    if not doc:
        errors.append(f"{name}: no Doxygen comment")
        continue
    if "@return" not in doc:
        errors.append(f"{name}: no @return")
    for p in params.split(","):
        pname = re.findall(r"\w+", p.replace("const", ""))[-1] if p.strip() else None
        if pname and pname != "void" and f"@param {pname}" not in doc and f"@p {pname}" not in doc:
            errors.append(f"{name}: parameter {pname} not documented")
    if not exp:
        errors.append(f"{name}: not __rte_experimental")
    if not any(fnmatch.fnmatch(name, e) for e in exported):
        errors.append(f"{name}: not in version.map")
if len(funcs) < 15:
    errors.append(f"only {len(funcs)} functions found: the checker no longer parses the header")

if len(sys.argv) > 3 and os.path.exists(sys.argv[3]):
    out = subprocess.run(["doxygen", sys.argv[3]], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         text=True)
    outdir = re.search(r"^OUTPUT_DIRECTORY\s*=\s*(\S+)", open(sys.argv[3]).read(), re.M).group(1)
    log = os.path.join(outdir, "warnings.log")
    warnings = open(log).read().strip() if os.path.exists(log) else ""
    if out.returncode != 0 or warnings:
        errors.append(f"doxygen: {out.stdout.strip()} {warnings}")
    elif not os.path.exists(os.path.join(outdir, "html", "index.html")):
        errors.append("doxygen wrote no HTML")

for e in errors:
    print(e)
print(f"{len(funcs)} public functions checked, {len(errors)} problems")
sys.exit(1 if errors else 0)
