#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Set the machine up (devtools/setup.sh), configure a build folder once and
# build it incrementally.   Usage: devtools/build.sh <folder> [gcc|sanitize|tsan]
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
dir=${1:-build}
kind=${2:-gcc}

sdk=$(sh "$top/devtools/setup.sh")
[ "$sdk" = system ] && sdk=""
cflags=""
case "$kind" in
gcc) cc=gcc; opts="" ;;
sanitize) cc=clang; opts="-Db_sanitize=address,undefined -Db_lundef=false -Dfuzz=enabled" ;;
tsan)
	# DPDK's x86 spinlocks are inline asm and its rings order with fences:
	# both invisible to TSan. Their C11-atomics variants are what it can see.
	cc=clang; opts="-Db_sanitize=thread -Db_lundef=false -Dfuzz=disabled"
	cflags="-DRTE_FORCE_INTRINSICS -DRTE_USE_C11_MEM_MODEL" ;;
*) echo "build.sh: unknown build kind $kind" >&2; exit 2 ;;
esac
if [ ! -f "$top/$dir/build.ninja" ]; then
	# shellcheck disable=SC2086
	CC=$cc CFLAGS="$cflags" meson setup "$top/$dir" "$top" -Dwerror=true -Ddpdk_sdk="$sdk" \
		-Dfuzz_seconds="${BCNIC_FUZZ_SECONDS:-30}" $opts >&2
fi
ninja -C "$top/$dir" >&2
