#!/usr/bin/env bash
# Builds dist/jdssc_<version>_all.deb from `make install DESTDIR=<staging>`; files owned by root.
set -euo pipefail
version=$1
stage=$(mktemp -d /tmp/jdssc-deb.XXXXXX)
trap 'rm -rf "$stage"' EXIT

make --no-print-directory install DESTDIR="$stage" >/dev/null
install -d "$stage/DEBIAN"
size=$(du -sk --exclude=DEBIAN "$stage" | cut -f1)
cat > "$stage/DEBIAN/control" <<CONTROL
Package: jdssc
Version: $version
Section: admin
Priority: optional
Architecture: all
Depends: nodejs (>= 18), open-iscsi, multipath-tools
Recommends: sg3-utils
Conflicts: open-e-joviandss-proxmox-plugin
Installed-Size: $size
Maintainer: jdssc maintainers <maintainers@jdssc.invalid>
Description: Open-E JovianDSS storage for Proxmox VE
 Command-line tool (jdssc) and a thin Proxmox VE storage plugin (type joviandss)
 managing volumes, snapshots and iSCSI targets on Open-E JovianDSS over its REST
 API, and iSCSI sessions and multipath devices on the host.
CONTROL
echo /etc/multipath/conf.d/jdssc.conf > "$stage/DEBIAN/conffiles"
cat > "$stage/DEBIAN/postinst" <<'POSTINST'
#!/bin/sh
# Proxmox loads storage plugins when its daemons start: restart them so `joviandss` appears.
# The HA services (pve-ha-lrm, pve-ha-crm) load the storage code too: restarted as well, on
# nodes that have them (try-restart leaves stopped units alone).
set -e
if [ "$1" = configure ] && [ -z "${DPKG_ROOT:-}" ] && command -v systemctl >/dev/null 2>&1; then
  for unit in pvedaemon pveproxy pvestatd pvescheduler pve-ha-lrm pve-ha-crm; do
    [ -n "$(systemctl list-unit-files --no-legend "$unit.service" 2>/dev/null)" ] || continue
    systemctl try-restart "$unit.service" >/dev/null 2>&1 || true
  done
  udevadm control --reload >/dev/null 2>&1 || true
fi
exit 0
POSTINST
cp "$stage/DEBIAN/postinst" "$stage/DEBIAN/postrm"
sed -i 's/"\$1" = configure/"$1" = remove/' "$stage/DEBIAN/postrm"
chmod 0755 "$stage/DEBIAN/postinst" "$stage/DEBIAN/postrm"
mkdir -p dist
dpkg-deb --root-owner-group -Zxz --build "$stage" "dist/jdssc_${version}_all.deb" >/dev/null
echo "dist/jdssc_${version}_all.deb"
