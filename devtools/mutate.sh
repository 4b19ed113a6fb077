#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# make mutate: put each small bug of devtools/mutations/*.patch into a copy
# of the tree, one at a time, build, run the tests its "Run:" line names, and
# report which mutations no test caught. The source tree is never touched:
# the work happens in a private copy (the tracked and untracked, not ignored,
# files as they are now, uncommitted changes included), removed on exit,
# interrupted or not.
#   Usage: devtools/mutate.sh [patch...]     (default: every patch)
# A patch file: a one-line description, "Run: <meson test arguments>", a
# blank line, then a unified diff against the tree (-p1).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/bcnic-mutate.XXXXXX")
cleanup() {
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

if [ $# -eq 0 ]; then
	set -- "$top"/devtools/mutations/*.patch
fi
src="$work/src"
echo "mutate: copying the tree to $src"
mkdir "$src"
(cd "$top" && git ls-files -co --exclude-standard -z | xargs -0 tar -cf - --) | tar -xf - -C "$src"
[ -d "$top/build-deps" ] && cp -a "$top/build-deps" "$src/"
b="$work/build"
sdk=$(sh "$src/devtools/setup.sh" 2>"$work/setup.log") || { cat "$work/setup.log"; exit 1; }
[ "$sdk" = system ] && sdk=""
CC=gcc meson setup "$b" "$src" -Dwerror=true -Ddpdk_sdk="$sdk" >"$work/setup.log" 2>&1 ||
	{ cat "$work/setup.log"; exit 1; }
ninja -C "$b" >"$work/build.log" 2>&1 || { tail -30 "$work/build.log"; exit 1; }

caught=0; survived=0; broken=0; survivors=""
for p in "$@"; do
	name=$(basename "$p" .patch)
	what=$(sed -n 1p "$p")
	run=$(sed -n 's/^Run: //p' "$p" | head -1)
	if ! patch -d "$src" -p1 -s --dry-run <"$p" >/dev/null 2>&1; then
		echo "STALE    $name: does not apply any more (update the patch)"
		broken=$((broken + 1))
		continue
	fi
	patch -d "$src" -p1 -s <"$p"
	if ! ninja -C "$b" >"$work/build.log" 2>&1; then
		echo "NOBUILD  $name: does not compile (a mutation must build to mean anything)"
		broken=$((broken + 1))
	else
		# shellcheck disable=SC2086
		if meson test -C "$b" --no-rebuild --num-processes 2 $run >"$work/test.log" 2>&1; then
			echo "SURVIVED $name: $what ($run)"
			survived=$((survived + 1))
			survivors="$survivors $name"
		else
			failed=$(sed -n 's/^ *[0-9]*\/[0-9]* [^ ]* *\/ *\([^ ]*\) *\(FAIL\|TIMEOUT\|ERROR\).*/\1/p' \
				"$work/test.log" | tr '\n' ' ')
			echo "caught   $name: by ${failed:-the tests ($run)}"
			caught=$((caught + 1))
		fi
	fi
	patch -d "$src" -p1 -s -R <"$p"
done
echo "mutate: $caught caught, $survived survived, $broken stale or not building${survivors:+; survivors:$survivors}"
[ "$survived" -eq 0 ] && [ "$broken" -eq 0 ]
