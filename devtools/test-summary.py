#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Print 'N passed, N failed' from meson test logs (testlog.json of each
build folder given) and exit 1 if any test failed or none ran."""
import json
import sys

passed = failed = 0
for path in sys.argv[1:]:
    try:
        with open(path) as f:
            lines = [json.loads(l) for l in f if l.strip()]
    except FileNotFoundError:
        print(f"{path}: missing (that test run did not happen)")
        failed += 1
        continue
    for t in lines:
        if t.get("result") in ("OK", "EXPECTEDFAIL"):
            passed += 1
        elif t.get("result") == "SKIP":
            continue
        else:
            failed += 1
            print(f"FAILED: {t.get('name')} ({t.get('result')})")
print(f"{passed} passed, {failed} failed")
sys.exit(0 if failed == 0 and passed > 0 else 1)
