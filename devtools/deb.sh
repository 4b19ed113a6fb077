#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# make deb: the Debian packages (debian/) built with dpkg-buildpackage from a
# copy of the working tree, checked with lintian, their files listed.
#   Usage: devtools/deb.sh [output folder, default build-deb]
# Output: <folder>/*.deb, *.changes, build.log, lintian.txt. Exit status 0 only
# if the packages built and lintian reports no error or warning (an override
# in debian/*.lintian-overrides says why for each tag it silences).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-build-deb}
case "$out" in /*) ;; *) out="$top/$out" ;; esac

sdk=$(BCNIC_NO_VM=1 sh "$top/devtools/setup.sh")	# packages (dpkg-dev, debhelper, lintian) and SDK headers
version=$(dpkg-parsechangelog -l "$top/debian/changelog" -S Version)
src="$out/src/bcnic-$version"
rm -rf "$out"
mkdir -p "$src"

# What git would commit (tracked and new files, as they are now), else the tree
# without build folders.
if git -C "$top" rev-parse --git-dir >/dev/null 2>&1; then
	(cd "$top" && git ls-files -z --cached --others --exclude-standard |
		xargs -0 sh -c 'for f; do [ -e "$f" ] && printf "%s\0" "$f"; done' sh |
		tar --null -T - -cf -) | tar -xf - -C "$src"
else
	(cd "$top" && tar --exclude='./build*' --exclude=./.git -cf - .) | tar -xf - -C "$src"
fi

echo "deb: dpkg-buildpackage in $src (log: $out/build.log)" >&2
if ! (cd "$src" && BCNIC_DPDK_SDK="$sdk" dpkg-buildpackage -b -us -uc -j"$(nproc)") \
	>"$out/build.log" 2>&1; then
	tail -n 30 "$out/build.log" >&2
	echo "deb: error: dpkg-buildpackage failed; the whole log is $out/build.log" >&2
	exit 1
fi
mv "$out"/src/*.deb "$out"/src/*.changes "$out"/src/*.buildinfo "$out"/ 2>/dev/null || true
for f in "$out"/src/*.ddeb; do [ -e "$f" ] && mv "$f" "$out"/; done
rm -rf "$out/src"

for d in "$out"/*.deb; do
	echo "== $(basename "$d")"
	dpkg-deb -f "$d" Package Version Depends | sed 's/^/   /'
	dpkg-deb -c "$d" | awk '{ $1 = $2 = $3 = $4 = $5 = ""; sub(/^ +/, ""); print "   " $0 }'
done

# Errors and warnings fail; info tags are shown. Each override is explained
# next to it in debian/*.lintian-overrides.
changes=$(ls "$out"/*.changes)
lintian --display-info --fail-on error,warning "$changes" >"$out/lintian.raw" 2>&1 && lrc=0 || lrc=$?
grep -v 'running with root privileges is not recommended' "$out/lintian.raw" >"$out/lintian.txt" || true
rm -f "$out/lintian.raw"
if [ -s "$out/lintian.txt" ]; then
	sed 's/^/lintian: /' "$out/lintian.txt"
else
	echo "lintian: no tags"
fi
if [ $lrc != 0 ]; then
	echo "deb: error: lintian reported errors or warnings (above)" >&2
	exit 1
fi
echo "deb: packages in $out"
