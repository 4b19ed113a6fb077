#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
#
# Make this machine able to build and test bcnic:
#  1. install the Debian packages the build and the tests need (root only;
#     otherwise print the exact command and fail);
#  2. provide the DPDK driver-SDK headers: the system's when DPDK was built
#     with enable_driver_sdk, else extracted from the Debian source package of
#     exactly the installed DPDK version into build-deps/ (ignored by git).
#
# Prints the SDK include directory (or "system") as its last line on stdout.
# Idempotent: a second run installs nothing and downloads nothing.

set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
deps="$top/build-deps"

say() { echo "setup: $*" >&2; }
die() { echo "setup: error: $*" >&2; exit 1; }

# Package -> what proves it is there. Keep in step with the README's quick start.
pkgs="dpdk dpdk-dev libdpdk-dev meson ninja-build pkg-config python3-pyelftools libnuma-dev gcc clang libclang-rt-dev make xz-utils gnuplot-nox doxygen pciutils"
# make deb and the deb suite: the Debian package build and its checker.
pkgs="$pkgs debhelper dpkg-dev fakeroot lintian"
# The vm suite (PCI transport in a QEMU guest): skipped where these cannot be installed.
vm_pkgs="qemu-system-x86 linux-image-amd64 busybox-static kmod cpio iproute2"
[ -n "${BCNIC_EXTRA_PKGS:-}" ] && pkgs="$pkgs $BCNIC_EXTRA_PKGS"

missing=""
if [ "$(id -u)" = 0 ] && [ -z "${BCNIC_NO_VM:-}" ]; then
	pkgs="$pkgs $vm_pkgs"	# as root: the guest pieces too
fi
for p in $pkgs; do
	st=$(dpkg-query -W -f '${db:Status-Abbrev}' "$p" 2>/dev/null || true)
	case "$st" in
	ii*) ;;
	*) missing="$missing $p" ;;
	esac
done

apt_updated=0
apt_update() {
	[ $apt_updated = 1 ] && return 0
	say "apt-get update"
	apt-get update -qq >&2 || die "apt-get update failed"
	apt_updated=1
}

if [ -n "$missing" ]; then
	if [ "$(id -u)" != 0 ]; then
		die "missing packages:$missing
run as root:  apt-get update && apt-get install -y --no-install-recommends$missing"
	fi
	apt_update
	say "installing:$missing"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >&2 ||
		die "apt-get install$missing failed"
fi

# --- driver-SDK headers -------------------------------------------------
sdk_headers="ethdev_driver.h ethdev_vdev.h ethdev_pci.h bus_vdev_driver.h bus_pci_driver.h bus_driver.h dev_driver.h"

dpdk_ver=$(pkg-config --modversion libdpdk) || die "pkg-config cannot find libdpdk"
sys_inc=$(pkg-config --variable=includedir libdpdk)
have_all=1
for h in $sdk_headers; do
	[ -f "$sys_inc/$h" ] || [ -f "$sys_inc/dpdk/$h" ] || have_all=0
done
if [ $have_all = 1 ]; then
	say "DPDK $dpdk_ver has the driver-SDK headers installed"
	echo system
	exit 0
fi

deb_ver=$(dpkg-query -W -f '${Version}' libdpdk-dev)
src_offered() { apt-cache showsrc dpdk 2>/dev/null | grep -qx "Version: $deb_ver"; }
sdk="$deps/dpdk-sdk-$deb_ver"
if [ -f "$sdk/.complete" ]; then
	say "driver-SDK headers of DPDK $deb_ver already in $sdk"
	echo "$sdk"
	exit 0
fi

[ "$(id -u)" = 0 ] || src_offered ||
	die "the DPDK driver-SDK headers are not installed and the source package of dpdk $deb_ver
is not available. Run this script once as root (it enables deb-src), or put the
headers ($sdk_headers) and buildtools/pmdinfogen.py of DPDK $dpdk_ver in $sdk/ and touch $sdk/.complete"

# deb-src entries are derived from the deb entries that serve this very
# version, so no mirror address is written into the project.
if ! src_offered; then
	srcfile=/etc/apt/sources.list.d/bcnic-deb-src.sources
	say "enabling deb-src for the archive that serves dpdk $deb_ver ($srcfile)"
	apt-cache madison dpdk | awk -F'|' -v v="$deb_ver" '
		{ gsub(/^ +| +$/, "", $2); gsub(/^ +| +$/, "", $3) }
		$2 == v && $3 ~ / Packages$/ {
			split($3, f, " "); uri = f[1]; n = split(f[2], sc, "/")
			suite = sc[1]; comp = sc[2]
			print uri, suite, comp
		}' | sort -u >"$deps.src.tmp" 2>/dev/null || true
	[ -s "$deps.src.tmp" ] || { rm -f "$deps.src.tmp"; die "no apt source offers dpdk $deb_ver"; }
	: >"$srcfile.tmp"
	while read -r uri suite comp; do
		# Reuse the Signed-By of the deb822 stanza that names this URI, if any.
		key=$(awk -v u="$uri" 'BEGIN{RS=""} index($0, u) { if (match($0, /Signed-By: [^\n]*/)) print substr($0, RSTART + 11, RLENGTH - 11); exit }' \
			/etc/apt/sources.list.d/*.sources 2>/dev/null || true)
		{
			echo "Types: deb-src"
			echo "URIs: $uri"
			echo "Suites: $suite"
			echo "Components: $comp"
			[ -n "$key" ] && echo "Signed-By: $key"
			echo
		} >>"$srcfile.tmp"
	done <"$deps.src.tmp"
	rm -f "$deps.src.tmp"
	mv "$srcfile.tmp" "$srcfile"
	apt_updated=0
	apt_update
	src_offered ||
		die "deb-src enabled but the source of dpdk $deb_ver is still not offered"
fi

mkdir -p "$deps"
dl=$(mktemp -d "$deps/download.XXXXXX")
trap 'rm -rf "$dl"' EXIT
chmod 755 "$dl"
chown _apt "$dl" 2>/dev/null || true
say "downloading the source of dpdk $deb_ver"
(cd "$dl" && apt-get source -qq --download-only "dpdk=$deb_ver" >&2) ||
	die "apt-get source --download-only dpdk=$deb_ver failed"
orig=$(ls "$dl"/dpdk_*.orig.tar.* 2>/dev/null | head -n 1)
[ -n "$orig" ] || die "no orig tarball in the dpdk source package"

rm -rf "$sdk.tmp"
mkdir -p "$sdk.tmp/include" "$sdk.tmp/buildtools"
tar -xf "$orig" -C "$dl" --wildcards '*/VERSION' '*/buildtools/pmdinfogen.py' '*/buildtools/coff.py' \
	'*/lib/ethdev/*.h' '*/lib/eal/include/*.h' '*/drivers/bus/vdev/*.h' '*/drivers/bus/pci/*.h'
src=$(ls -d "$dl"/dpdk*/ | head -n 1)
src_ver=$(cat "$src/VERSION")
if [ "$src_ver" != "$dpdk_ver" ]; then
	die "source package version $src_ver does not match the installed DPDK $dpdk_ver; refusing mismatched headers"
fi
for h in $sdk_headers; do
	f=$(find "$src/lib" "$src/drivers" -name "$h" | head -n 1)
	[ -n "$f" ] || die "$h not found in the dpdk $deb_ver source"
	cp "$f" "$sdk.tmp/include/"
done
cp "$src/buildtools/pmdinfogen.py" "$src/buildtools/coff.py" "$sdk.tmp/buildtools/"
echo "$src_ver" >"$sdk.tmp/VERSION"
touch "$sdk.tmp/.complete"
rm -rf "$sdk"
mv "$sdk.tmp" "$sdk"
say "driver-SDK headers of DPDK $src_ver extracted to $sdk"
echo "$sdk"
