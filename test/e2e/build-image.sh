#!/usr/bin/env bash
# Builds (or reuses) the jdssc e2e test-VM image: a Debian bookworm kernel as an uncompressed
# vmlinux (booted through PVH, no decompressor under TCG) and an uncompressed initramfs holding
# a debootstrap minbase root with open-iscsi, multipath-tools, tgt, udev, perl, ...
#
#   test/e2e/build-image.sh            build if needed; prints the image directory on stdout
#   E2E_REBUILD=1 test/e2e/build-image.sh   rebuild even when the cache is valid
#
# Cache ($E2E_CACHE, default /var/cache/jdssc-e2e as root, else ~/.cache/jdssc-e2e):
#   debs/             .debs that debootstrap downloaded (shared by every build)
#   rootfs-<key>/     the debootstrap tree + the kernel package, keyed by the package list and
#                     the text of the rootfs recipe below (the network step)
#   image-<key>/      vmlinux, initramfs.cpio, KERNEL_VERSION, BUILD_INFO, keyed by this whole
#                     script + every file in image/ (so editing the init only repacks the cpio)
#   current           symlink to the newest image-<key>
# Older rootfs-*/image-* directories are removed after a successful build.
#
# Network: only Debian's archive ($E2E_MIRROR, default http://deb.debian.org/debian, and
# its -security sibling), through apt-get and debootstrap. Needs root.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
IMAGE_SRC=$HERE/image
SUITE=${E2E_SUITE:-bookworm}
MIRROR=${E2E_MIRROR:-http://deb.debian.org/debian}
SECURITY_MIRROR=${E2E_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
if [ "$(id -u)" = 0 ]; then DEFAULT_CACHE=/var/cache/jdssc-e2e; else DEFAULT_CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/jdssc-e2e; fi
CACHE=${E2E_CACHE:-$DEFAULT_CACHE}

# Kernel modules the guest needs (their dependencies are added automatically).
MODULES="virtio_pci 9pnet_virtio 9p crc32c_generic iscsi_tcp sd_mod sg dm_mod dm_multipath
 dm_round_robin dm_service_time dm_queue_length scsi_dh_alua loop target_core_mod
 target_core_file target_core_iblock iscsi_target_mod nfsd nfs nfsv3 nfsv4"

T0=$(date +%s.%N)
log() { printf '[build-image %s] %s\n' "$(date +%T)" "$*" >&2; }
die() { log "error: $*"; exit 1; }
elapsed() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}'; }

[ "$(id -u)" = 0 ] || die "must run as root (debootstrap, chroot)"

packages() { sed -e 's/#.*//' -e 's/[[:space:]]//g' "$IMAGE_SRC/packages" | grep -v '^$'; }

# ---------------------------------------------------------------------------------------------
# Host tools, installed only when missing.
host_packages() {
  local missing=() p
  for p in qemu-system-x86 debootstrap cpio kmod python3 xz-utils; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing host packages: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
}

# ---------------------------------------------------------------------------------------------
# Network step: debootstrap + package updates + kernel package. Its text is part of the
# rootfs key (declare -f), so editing it rebuilds the tree.
build_rootfs() {
  local dir=$1 root=$1/rootfs
  mkdir -p "$CACHE/debs"
  debootstrap --variant=minbase --cache-dir="$CACHE/debs" \
    --include="$(packages | paste -sd, -)" \
    "$SUITE" "$root" "$MIRROR" >"$dir/debootstrap.log" 2>&1 ||
    { tail -n 20 "$dir/debootstrap.log" >&2; die "debootstrap failed (log: $dir/debootstrap.log)"; }

  # Package parity with an up-to-date host: add -updates and -security, then upgrade. No
  # service may start in the chroot; /proc etc. are mounted in a private mount namespace so
  # nothing leaks onto the host even if this is interrupted.
  cat >"$root/etc/apt/sources.list" <<SRC
deb $MIRROR $SUITE main
deb $MIRROR $SUITE-updates main
deb $SECURITY_MIRROR $SUITE-security main
SRC
  cp -L /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
  printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
  chmod 755 "$root/usr/sbin/policy-rc.d"
  unshare --mount --propagation private sh -ec '
    root=$1
    mount -t proc proc "$root/proc"
    mount -t sysfs sysfs "$root/sys"
    mount --bind /dev "$root/dev"
    export DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8
    chroot "$root" apt-get update -qq
    chroot "$root" apt-get -y -qq -o Dpkg::Options::=--force-confold upgrade
    # The current kernel of the suite (linux-image-amd64 -> linux-image-<abi>-amd64).
    kpkg=$(chroot "$root" apt-cache depends linux-image-amd64 | awk "/Depends: linux-image-[0-9]/{print \$2; exit}")
    [ -n "$kpkg" ]
    mkdir -p "$root/var/tmp/kernel"
    chroot "$root" sh -c "cd /var/tmp/kernel && apt-get download -qq $kpkg"
    chroot "$root" apt-get clean
  ' sh "$root" >"$dir/apt.log" 2>&1 ||
    { tail -n 20 "$dir/apt.log" >&2; die "package update in the chroot failed (log: $dir/apt.log)"; }
  rm -f "$root/usr/sbin/policy-rc.d"
  mv "$root"/var/tmp/kernel/*.deb "$dir/"
  rmdir "$root/var/tmp/kernel"
  chroot "$root" dpkg-query -W -f='${Package} ${Version}\n' >"$dir/packages.txt"
}

rootfs_key() {
  { declare -f build_rootfs; packages; echo "$SUITE $MIRROR $SECURITY_MIRROR"; } | sha256sum | cut -c1-16
}

# ---------------------------------------------------------------------------------------------
# Offline step: kernel -> vmlinux, rootfs -> slim initramfs with modules, init and test config.
build_image() {
  local rdir=$1 out=$2 work=$2/work deb kv kd
  deb=$(ls "$rdir"/linux-image-*.deb)
  kv=$(dpkg-deb -f "$deb" Package); kv=${kv#linux-image-}
  kd=$work/kernel
  mkdir -p "$kd"
  dpkg-deb -x "$deb" "$kd"
  depmod -b "$kd" "$kv"
  # Debian's bzImage carries an XZ stream; unpack it once here (the decompressor costs ~4 s
  # under TCG) and boot the ELF through PVH.
  /usr/bin/python3 - "$kd/boot/vmlinuz-$kv" "$out/vmlinux" <<'PY'
import lzma, sys
data = open(sys.argv[1], 'rb').read()
start = data.find(b'\xfd7zXZ\x00')
if start < 0:
    sys.exit('no XZ stream in ' + sys.argv[1])
elf = lzma.LZMADecompressor().decompress(data[start:])
if elf[:4] != b'\x7fELF':
    sys.exit('unpacked kernel is not an ELF file')
open(sys.argv[2], 'wb').write(elf)
PY
  echo "$kv" >"$out/KERNEL_VERSION"

  local img=$work/img
  cp -a "$rdir/rootfs" "$img"
  # Slim down what the tests never read. Perl stays complete (the plugin runs inside).
  rm -rf "$img"/var/cache/apt/* "$img"/var/lib/apt/lists/* "$img"/var/cache/debconf/*-old \
    "$img"/usr/share/{doc,man,info,locale,lintian,bash-completion,zoneinfo,i18n}/* \
    "$img"/usr/lib/udev/hwdb.d "$img"/usr/lib/udev/hwdb.bin "$img"/etc/udev/hwdb.bin \
    "$img"/usr/lib/x86_64-linux-gnu/gconv
  # python3 comes with nfs-common for two report scripts (mountstats, nfsiostat) that no test
  # runs; the NFS daemons and mount.nfs are C. 33 MiB less to unpack at every boot.
  rm -rf "$img"/usr/lib/python3* "$img"/usr/bin/python3*
  # Kernel modules and their dependencies (/lib is /usr/lib in bookworm).
  local m ko rel
  for m in $MODULES; do modprobe -d "$kd" -S "$kv" --show-depends "$m"; done |
    awk '$1=="insmod"{print $2}' | sort -u >"$work/modules.list"
  while read -r ko; do
    rel=lib/modules/${ko#*/lib/modules/}
    mkdir -p "$img/$(dirname "$rel")"
    cp "$ko" "$img/$rel"
  done <"$work/modules.list"
  cp "$kd/lib/modules/$kv"/modules.{order,builtin,builtin.modinfo} "$img/lib/modules/$kv/"
  depmod -b "$img" "$kv"
  # Init, test configuration, and the test-only WWID rule.
  install -m 0755 "$IMAGE_SRC/init" "$img/init"
  install -m 0644 "$IMAGE_SRC/multipath.conf" "$img/etc/multipath.conf"
  install -m 0644 "$IMAGE_SRC/58-test-eui64-wwid.rules" "$img/etc/udev/rules.d/58-test-eui64-wwid.rules"
  mkdir -p "$img/etc/multipath/conf.d" "$img/mnt/host"
  : >"$img/etc/multipath/wwids"
  echo jdssc-e2e >"$img/etc/hostname"
  # Uncompressed: a compressed initramfs costs ~3 s more per boot under TCG.
  (cd "$img" && find . -print0 | LC_ALL=C sort -z | cpio --null -o -H newc --quiet) >"$out/initramfs.cpio"
  {
    echo "suite=$SUITE"
    echo "kernel=$kv"
    echo "modules=$(wc -l <"$work/modules.list")"
    echo "rootfs=$(basename "$rdir")"
    echo "built=$(date -u +%FT%TZ)"
  } >"$out/BUILD_INFO"
  rm -rf "$work"
}

image_key() {
  { cat "${BASH_SOURCE[0]}"; for f in "$IMAGE_SRC"/*; do echo "== ${f##*/}"; cat "$f"; done; } |
    sha256sum | cut -c1-16
}

# ---------------------------------------------------------------------------------------------
mkdir -p "$CACHE"
exec 9>"$CACHE/.lock"
flock 9   # one build at a time per cache

RKEY=$(rootfs_key)
IKEY=$(image_key)
RDIR=$CACHE/rootfs-$RKEY
IDIR=$CACHE/image-$IKEY
if [ -n "${E2E_REBUILD:-}" ]; then rm -rf "$RDIR" "$IDIR"; fi

if [ -f "$IDIR/.complete" ]; then
  log "cached image $IDIR ($(cat "$IDIR/KERNEL_VERSION"))"
else
  host_packages
  if [ -f "$RDIR/.complete" ]; then
    log "cached debootstrap tree $RDIR"
  else
    log "debootstrap $SUITE minbase + $(packages | wc -l) packages from $MIRROR"
    t=$(date +%s.%N)
    # Two attempts: a flaky mirror connection should not fail a CI run.
    for attempt in 1 2; do
      rm -rf "$RDIR" && mkdir -p "$RDIR"
      (build_rootfs "$RDIR") && break
      [ "$attempt" = 2 ] && die "could not build the debootstrap tree"
      log "retrying the debootstrap tree"
    done
    touch "$RDIR/.complete"
    log "debootstrap tree done in $(elapsed "$t") s ($(du -sh "$RDIR/rootfs" | cut -f1))"
  fi
  log "assembling kernel + initramfs"
  t=$(date +%s.%N)
  rm -rf "$IDIR" && mkdir -p "$IDIR"
  build_image "$RDIR" "$IDIR"
  touch "$IDIR/.complete"
  log "image done in $(elapsed "$t") s"
  # Keep only what the current keys use.
  for d in "$CACHE"/rootfs-* "$CACHE"/image-*; do
    [ "$d" = "$RDIR" ] || [ "$d" = "$IDIR" ] || { log "removing stale $d"; rm -rf "$d"; }
  done
fi
ln -sfn "image-$IKEY" "$CACHE/current"

size() { du -m "$1" | cut -f1; }
log "image: $IDIR"
log "kernel $(cat "$IDIR/KERNEL_VERSION"); vmlinux $(size "$IDIR/vmlinux") MiB, initramfs.cpio $(size "$IDIR/initramfs.cpio") MiB; build-image took $(elapsed "$T0") s"
echo "$IDIR"
