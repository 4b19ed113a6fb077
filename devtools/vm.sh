#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
#
# Run a command in a throw-away QEMU guest that sees the host's root file
# system read-only and one or more VF windows as ivshmem-plain PCI devices
# (their BAR 2 is the very shared-memory object the host PF created).
#
#   devtools/vm.sh [--timeout SECONDS] [--ivshmem /dev/shm/OBJECT]... -- COMMAND [ARGS]
#
# The command runs in the current directory, as seen by the guest.
# Prints what the command printed and exits with its status (124: the
# guest did not finish in time; 125: the guest failed before the command).
# The guest pieces come from Debian's packages (linux-image-amd64,
# busybox-static, qemu-system-x86) and are built once into build-deps/vm/.
# Nothing is left running: QEMU runs under timeout and is reaped.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
vmdir="$top/build-deps/vm"
timeout=240
ivshmem=""
while [ $# -gt 0 ]; do
	case "$1" in
	--timeout) timeout=$2; shift 2 ;;
	--ivshmem) ivshmem="$ivshmem $2"; shift 2 ;;
	--) shift; break ;;
	*) echo "vm.sh: unknown option $1" >&2; exit 2 ;;
	esac
done
[ $# -gt 0 ] || { echo "usage: vm.sh [--timeout S] [--ivshmem OBJ]... -- COMMAND" >&2; exit 2; }

kver=$(ls /lib/modules | grep -- '-amd64$' | sort -V | tail -n 1)
kernel=/boot/vmlinuz-$kver
[ -n "$kver" ] && [ -f "$kernel" ] || { echo "vm.sh: no Debian kernel (apt-get install linux-image-amd64)" >&2; exit 125; }
command -v qemu-system-x86_64 >/dev/null || { echo "vm.sh: apt-get install qemu-system-x86" >&2; exit 125; }
[ -x /bin/busybox ] || { echo "vm.sh: apt-get install busybox-static" >&2; exit 125; }

# The initramfs: busybox, the modules for 9p and vfio, an init that mounts
# the host root and runs the command there.
initrd="$vmdir/initrd-$kver.cpio.gz"
if [ ! -f "$initrd" ] || [ "$0" -nt "$initrd" ]; then
	rm -rf "$vmdir/root"
	mkdir -p "$vmdir/root/bin" "$vmdir/root/mod" "$vmdir/root/host"
	cp /bin/busybox "$vmdir/root/bin/"
	for m in vfio-pci 9p 9pnet_virtio virtio_pci; do
		modprobe -S "$kver" --show-depends "$m" | awk '$1 == "insmod" { print $2 }'
	done | awk '!seen[$0]++' > "$vmdir/modules.list"
	: > "$vmdir/root/mod/order"
	while read -r ko; do
		cp "$ko" "$vmdir/root/mod/"
		basename "$ko" >> "$vmdir/root/mod/order"
	done < "$vmdir/modules.list"
	cat > "$vmdir/root/init" <<'EOF'
#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin
mkdir -p /proc /sys /dev
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
for m in $(cat /mod/order); do insmod /mod/$m 2>/dev/null; done
if ! mount -t 9p -o trans=virtio,version=9p2000.L,ro hostroot /host; then
	echo "BCNIC-VM-EXIT 125"; poweroff -f
fi
mkdir -p /dev/shm
for d in proc sys dev; do mount --bind /$d /host/$d; done
mount -t tmpfs tmpfs /host/tmp
mount -t tmpfs tmpfs /host/run
mount -t tmpfs tmpfs /host/dev/shm
mount -t tmpfs tmpfs /host/var/tmp 2>/dev/null
cmd=$(cat /proc/cmdline | sed -n 's/.*bcnic_cmd=\([^ ]*\).*/\1/p' | base64 -d)
chroot /host /bin/sh -c "cd /; $cmd"
echo "BCNIC-VM-EXIT $?"
poweroff -f
EOF
	chmod +x "$vmdir/root/init"
	(cd "$vmdir/root" && find . | cpio -o -H newc 2>/dev/null | gzip -1) > "$initrd.tmp"
	mv "$initrd.tmp" "$initrd"
fi

devs=""
i=0
for obj in $ivshmem; do
	size=$(stat -c %s "$obj")
	devs="$devs -object memory-backend-file,id=win$i,share=on,mem-path=$obj,size=$size -device ivshmem-plain,memdev=win$i"
	i=$((i + 1))
done
# The command runs in the guest in the host's current directory (it is there, read-only).
cmd=$( (printf "cd '%s' || exit 125; " "$PWD"; printf '%s ' "$@") | base64 -w0)
log=$(mktemp /tmp/bcnic-vm.XXXXXX)
# shellcheck disable=SC2086
timeout --kill-after=10 "$timeout" qemu-system-x86_64 -machine q35 -accel tcg -cpu max -m 1024 -smp 2 \
	-nographic -no-reboot -serial mon:stdio -display none -vga none -nic none \
	-device intel-iommu,intremap=on,snoop-control=on \
	-kernel "$kernel" -initrd "$initrd" \
	-append "console=ttyS0 intel_iommu=on quiet panic=-1 rdinit=/init bcnic_cmd=$cmd" \
	-fsdev local,id=root,path=/,security_model=none,readonly=on,multidevs=remap \
	-device virtio-9p-pci,fsdev=root,mount_tag=hostroot \
	$devs > "$log" 2>&1 < /dev/null || true
rc=$(sed -n 's/.*BCNIC-VM-EXIT \([0-9]*\).*/\1/p' "$log" | tail -n 1)
sed -e '/BCNIC-VM-EXIT/d' -e 's/\r$//' "$log"
rm -f "$log"
[ -n "$rc" ] || exit 124
exit "$rc"
