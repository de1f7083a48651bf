#!/usr/bin/env bash
# Boots the e2e test VM once and returns the guest's exit code (99 when the guest wrote none,
# e.g. it crashed or hit the time limit).
#
#   test/e2e/run-vm.sh SHARE_DIR
#
# The guest mounts SHARE_DIR at /mnt/host (9p), runs /mnt/host/run.sh as root, writes its
# output to SHARE_DIR/out/run.log and its exit code to SHARE_DIR/out/rc, and powers off. It has
# no network device: inside, only lo (127.0.0.0/8) exists.
#
# Environment:
#   E2E_IMAGE        image directory (default: $E2E_CACHE/current, see build-image.sh)
#   E2E_CACHE        cache directory (default /var/cache/jdssc-e2e as root, else ~/.cache/jdssc-e2e)
#   E2E_TIMEOUT      hard wall-clock limit in seconds (default 900)
#   E2E_MEM, E2E_SMP memory in MiB (default 1024) and vCPUs (default 2)
#   E2E_NICE         nice level for qemu (default 0; use 10 while developing on a shared machine)
#   E2E_CONSOLE_LOG  serial console log (default SHARE_DIR/out/console.log)
#   E2E_CONSOLE=stdio  attach the serial console to this terminal instead (debugging; with no
#                    run.sh in the share the guest starts a shell there)
#   E2E_ACCEL        force tcg or kvm (default: kvm only when kvm_intel/kvm_amd is loaded)
set -euo pipefail

[ $# -eq 1 ] && [ -d "$1" ] || { echo "usage: $0 SHARE_DIR" >&2; exit 2; }
SHARE=$(realpath "$1")
if [ "$(id -u)" = 0 ]; then DEFAULT_CACHE=/var/cache/jdssc-e2e; else DEFAULT_CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/jdssc-e2e; fi
IMG=${E2E_IMAGE:-${E2E_CACHE:-$DEFAULT_CACHE}/current}
for f in vmlinux initramfs.cpio; do
  [ -f "$IMG/$f" ] || { echo "run-vm: $IMG/$f missing; run test/e2e/build-image.sh first" >&2; exit 2; }
done
command -v qemu-system-x86_64 >/dev/null || { echo "run-vm: qemu-system-x86_64 missing (apt-get install qemu-system-x86)" >&2; exit 2; }

# /dev/kvm backed by kvm_intel/kvm_amd runs a stock kernel. A PVM-backed /dev/kvm (kvm_pvm, as on
# the project's machines) does not: stock kernels crawl or die there, so use TCG.
ACCEL=${E2E_ACCEL:-}
if [ -z "$ACCEL" ]; then
  ACCEL=tcg
  if [ -w /dev/kvm ] && { [ -d /sys/module/kvm_intel ] || [ -d /sys/module/kvm_amd ]; }; then ACCEL=kvm; fi
fi
if [ "$ACCEL" = kvm ]; then CPU=host; else CPU=max; fi

rm -rf "$SHARE/out"
mkdir -p "$SHARE/out"
APPEND="console=ttyS0 rdinit=/init panic=-1 quiet"
if [ "${E2E_CONSOLE:-}" = stdio ]; then
  SERIAL=(-serial mon:stdio)
  APPEND="$APPEND e2e.shell=1"
else
  CONSOLE_LOG=${E2E_CONSOLE_LOG:-$SHARE/out/console.log}
  SERIAL=(-serial "file:$CONSOLE_LOG")
fi
LIMIT=${E2E_TIMEOUT:-900}

# -M pc + PVH vmlinux + uncompressed initramfs: 5-7 s to a running init under TCG. (-M microvm
# hangs in TSC calibration about half the time under TCG.)
QEMU=(qemu-system-x86_64 -M pc -accel "$ACCEL" -cpu "$CPU" -smp "${E2E_SMP:-2}" -m "${E2E_MEM:-1024}"
  -nodefaults -no-user-config -display none -vga none -nic none -no-reboot
  "${SERIAL[@]}"
  -kernel "$IMG/vmlinux" -initrd "$IMG/initramfs.cpio"
  -append "$APPEND"
  -fsdev "local,id=fs0,path=$SHARE,security_model=none"
  -device "virtio-9p-pci,fsdev=fs0,mount_tag=host")

T0=$(date +%s.%N)
# qemu runs as a child we can always stop: on INT/TERM the trap kills it (by PID), and the
# hard timeout kills it when the guest never powers off.
if [ "${E2E_CONSOLE:-}" = stdio ]; then
  # Keep this terminal as qemu's stdin (a background job would get /dev/null) and let it read
  # from the terminal (--foreground).
  exec 3<&0
  nice -n "${E2E_NICE:-0}" timeout --foreground -k 10 "$LIMIT" "${QEMU[@]}" <&3 &
else
  nice -n "${E2E_NICE:-0}" timeout -k 10 "$LIMIT" "${QEMU[@]}" </dev/null &
fi
QPID=$!
trap 'kill -TERM "$QPID" 2>/dev/null; wait "$QPID" 2>/dev/null; exit 130' INT TERM
set +e
wait "$QPID"
QRC=$?
set -e
trap - INT TERM
WALL=$(awk -v a="$T0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}')
echo "$WALL" >"$SHARE/out/vm-seconds"

if [ "$QRC" = 124 ] || [ "$QRC" = 137 ]; then
  echo "run-vm: the VM hit the ${LIMIT} s limit and was stopped" >&2
elif [ "$QRC" != 0 ]; then
  echo "run-vm: qemu exited with $QRC" >&2
fi
RC=$(cat "$SHARE/out/rc" 2>/dev/null || true)
case "$RC" in '' | *[!0-9]*) RC=99 ;; esac
echo "run-vm: accel=$ACCEL vm=${WALL}s guest rc=$RC" >&2
exit "$RC"
