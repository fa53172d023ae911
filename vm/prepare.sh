#!/usr/bin/env bash
# Builds what vm/run.sh boots, in .vm/ (git-ignored): the stock Debian kernel unpacked (never
# installed), its uncompressed vmlinux, and a busybox initramfs holding the CAN, vcan and 9p
# modules. Idempotent: a second run with the same kernel package and init script does nothing.
# Needs: apt-get (lists updated), dpkg, kmod (depmod, modprobe), xz-utils, cpio, busybox-static.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cache="${ROADRIG_VM_CACHE:-$here/../.vm}"
mkdir -p "$cache"
cache="$(cd "$cache" && pwd)"

pkg="$(apt-cache depends linux-image-amd64 | awk '/Depends: linux-image-[0-9]/ { print $2; exit }')"
if [ -z "$pkg" ]; then
  echo "vm/prepare: cannot resolve linux-image-amd64 (run apt-get update first)" >&2
  exit 1
fi
stamp="$pkg $(cat "$here/init" "$here/prepare.sh" | sha256sum | cut -c1-16)"
if [ -f "$cache/stamp" ] && [ "$(cat "$cache/stamp")" = "$stamp" ] &&
  [ -f "$cache/vmlinux" ] && [ -f "$cache/initramfs.cpio" ]; then
  exit 0
fi

cd "$cache"
rm -rf kernel initramfs ./*.deb
apt-get download -o APT::Sandbox::User=root "$pkg" >/dev/null
dpkg -x ./"$pkg"_*.deb kernel
kver="$(ls kernel/lib/modules)"
# The package ships no modules.dep: without it modprobe cannot order the modules.
depmod -b kernel "$kver"

# The compressed vmlinuz would cost seconds of xz under emulation at every boot; the raw
# vmlinux boots directly through its PVH entry note.
vmlinuz="kernel/boot/vmlinuz-$kver"
offset="$(LC_ALL=C grep -obUaP '\xfd7zXZ\x00' "$vmlinuz" | head -n 1 | cut -d: -f1)"
tail -c +"$((offset + 1))" "$vmlinuz" | xz -dc >vmlinux 2>/dev/null || test -s vmlinux

mkdir -p initramfs/bin initramfs/lib/modules initramfs/proc initramfs/sys initramfs/dev \
  initramfs/newroot
cp /bin/busybox initramfs/bin/busybox
cp "$here/init" initramfs/init
chmod +x initramfs/init
: >initramfs/modules.order
for module in virtio_pci 9pnet_virtio 9p can_raw vcan sch_tbf; do
  modprobe -d kernel -S "$kver" --show-depends "$module" | awk '$1 == "insmod" { print $2 }' |
    while read -r ko; do
      name="$(basename "$ko")"
      name="${name%.xz}"
      if grep -qx "$name" initramfs/modules.order; then continue; fi
      # modprobe prints full paths; busybox insmod reads only plain modules.
      case "$ko" in
        *.xz) xz -dc "$ko" >"initramfs/lib/modules/$name" ;;
        *) cp "$ko" "initramfs/lib/modules/$name" ;;
      esac
      echo "$name" >>initramfs/modules.order
    done
done
(cd initramfs && find . | cpio -o -H newc --quiet) >initramfs.cpio
rm -f ./*.deb
echo "$stamp" >stamp
echo "vm/prepare: $pkg, initramfs $(du -k initramfs.cpio | cut -f1) KiB" >&2
