#!/usr/bin/env bash
# vm/run.sh CMD [ARG...]: boots the test VM (qemu, software emulation, no network), brings up
# vcan0 (MTU 72, CAN FD) and vcan1, runs CMD in the project folder inside a chroot of this
# machine's root (read-only; the project read-write at the same path) and exits with CMD's
# exit code. CMD's output comes on stdout. Variables named in ROADRIG_VM_PASS (space-separated)
# are passed in; CI and ROADRIG_* are always passed.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
project="$(cd "$here/.." && pwd)"
cache="${ROADRIG_VM_CACHE:-$project/.vm}"
if [ "$#" -eq 0 ]; then
  echo "usage: vm/run.sh CMD [ARG...]" >&2
  exit 2
fi
"$here/prepare.sh"
cache="$(cd "$cache" && pwd)"
case "$cache/" in
  "$project"/*) ;;
  *) echo "vm/run: the cache must sit inside the project (the VM sees only that)" >&2; exit 2 ;;
esac

mkdir -p "$cache/jobs"
job="$(mktemp -d "$cache/jobs/XXXXXX")"
trap 'rm -rf "$job"' EXIT
{
  for name in $(compgen -e); do
    case "$name" in
      CI | ROADRIG_*) printf 'export %s=%q\n' "$name" "${!name}" ;;
    esac
  done
  for name in ${ROADRIG_VM_PASS:-}; do
    if [ -n "${!name+x}" ]; then printf 'export %s=%q\n' "$name" "${!name}"; fi
  done
  printf 'export ROADRIG_VM=1\n'
  printf '%q ' "$@"
  printf '\n'
} >"$job/cmd.sh"

# qemu's exit status says nothing about the command (0 even after a kernel panic): the
# command's own code comes back through $job/rc.
timeout "${ROADRIG_VM_TIMEOUT:-900}" qemu-system-x86_64 \
  -accel tcg -cpu max -smp 2 -m 2048 \
  -bios /usr/share/qemu/qboot.rom \
  -display none -serial stdio -monitor none -no-reboot -nic none \
  -kernel "$cache/vmlinux" -initrd "$cache/initramfs.cpio" \
  -append "console=ttyS0 quiet loglevel=0 panic=-1 rr_project=$project rr_job=$job" \
  -virtfs "local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap" \
  -virtfs "local,path=$project,mount_tag=project,security_model=none" \
  </dev/null | sed -u 's/\r$//' || true

if [ ! -f "$job/rc" ]; then
  echo "vm/run: the VM stopped before the command finished (no exit code came back)" >&2
  exit 125
fi
exit "$(cat "$job/rc")"
