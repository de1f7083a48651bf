#!/usr/bin/env bash
# Builds dist/jdssc_<version>_all.deb from `make install DESTDIR=<staging>`; files owned by root.
set -euo pipefail
version=$1
stage=$(mktemp -d /tmp/jdssc-deb.XXXXXX)
trap 'rm -rf "$stage"' EXIT

make --no-print-directory install DESTDIR="$stage" >/dev/null
install -d "$stage/DEBIAN"
size=$(du -sk --exclude=DEBIAN "$stage" | cut -f1)
# Open-E's package (open-e-joviandss-proxmox-plugin) registers the same storage types (joviandss,
# joviandss-nfs) from other files: with both installed Proxmox keeps the first plugin per type it
# loads and warns "Error loading storage plugin" about the other on every command. Conflicts +
# Replaces (Debian policy 7.6.2) make dpkg and apt remove it when this one is installed; no file
# of ours overwrites one of theirs. No Provides: its /usr/local/bin/jdssc (the Python CLI, other
# syntax) goes with it, so a script that needs that package is not served by us.
cat > "$stage/DEBIAN/control" <<CONTROL
Package: jdssc
Version: $version
Section: admin
Priority: optional
Architecture: all
Depends: nodejs (>= 18), open-iscsi, multipath-tools
Recommends: sg3-utils, nfs-common
Conflicts: open-e-joviandss-proxmox-plugin
Replaces: open-e-joviandss-proxmox-plugin
Installed-Size: $size
Maintainer: jdssc maintainers <maintainers@jdssc.invalid>
Description: Open-E JovianDSS storage for Proxmox VE
 Command-line tool (jdssc) and thin Proxmox VE storage plugins managing volumes,
 snapshots and iSCSI targets (type joviandss) and NFS-shared NAS volumes for
 ISO images, templates and backups (type joviandss-nfs) on Open-E JovianDSS over
 its REST API, and iSCSI sessions, multipath devices and NFS mounts on the host.
 Replaces open-e-joviandss-proxmox-plugin; its storage.cfg sections keep working.
CONTROL
echo /etc/multipath/conf.d/jdssc.conf > "$stage/DEBIAN/conffiles"
cat > "$stage/DEBIAN/postinst" <<'POSTINST'
#!/bin/sh
# storage.cfg's joviandss / joviandss-nfs sections (Open-E's ones too) read with the plugins just
# installed: one line per storage that loses something, naming what to do; a joviandss password
# file only at Open-E's place is copied to ours (/usr/lib/jdssc/storage-cfg-check). Also inside
# a dpkg --root (it reads $DPKG_ROOT/etc/pve).
# Proxmox loads storage plugins when its daemons start: restart them so the types appear.
# The HA services (pve-ha-lrm, pve-ha-crm) load the storage code too: restarted as well, on
# nodes that have them (try-restart leaves stopped units alone).
set -e
if [ "$1" = configure ] && [ -f "${DPKG_ROOT:-}/usr/lib/jdssc/storage-cfg-check" ]; then
  perl "${DPKG_ROOT:-}/usr/lib/jdssc/storage-cfg-check" || true
fi
if [ "$1" = configure ] && [ -z "${DPKG_ROOT:-}" ] && command -v systemctl >/dev/null 2>&1; then
  for unit in pvedaemon pveproxy pvestatd pvescheduler pve-ha-lrm pve-ha-crm; do
    [ -n "$(systemctl list-unit-files --no-legend "$unit.service" 2>/dev/null)" ] || continue
    systemctl try-restart "$unit.service" >/dev/null 2>&1 || true
  done
  udevadm control --reload >/dev/null 2>&1 || true
fi
exit 0
POSTINST
cat > "$stage/DEBIAN/postrm" <<'POSTRM'
#!/bin/sh
# The plugins are gone: restart the daemons that had them loaded (as postinst does).
set -e
if [ "$1" = remove ] && [ -z "${DPKG_ROOT:-}" ] && command -v systemctl >/dev/null 2>&1; then
  for unit in pvedaemon pveproxy pvestatd pvescheduler pve-ha-lrm pve-ha-crm; do
    [ -n "$(systemctl list-unit-files --no-legend "$unit.service" 2>/dev/null)" ] || continue
    systemctl try-restart "$unit.service" >/dev/null 2>&1 || true
  done
  udevadm control --reload >/dev/null 2>&1 || true
fi
exit 0
POSTRM
chmod 0755 "$stage/DEBIAN/postinst" "$stage/DEBIAN/postrm"
mkdir -p dist
dpkg-deb --root-owner-group -Zxz --build "$stage" "dist/jdssc_${version}_all.deb" >/dev/null
echo "dist/jdssc_${version}_all.deb"
