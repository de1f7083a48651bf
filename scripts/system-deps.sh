#!/usr/bin/env bash
# The Debian packages the full test suite needs (`make test`): a real iSCSI target and initiator
# tools on the host (tgt, open-iscsi, libiscsi-bin), the test VM of the real-kernel tier (qemu,
# debootstrap, cpio, kmod, xz), the packaging tier (dpkg-dev, fakeroot) and the Perl plugin
# tests (perl). Installed when run as root and something is missing; otherwise one line naming
# the command to run. `make test-quick` needs none of them.
set -euo pipefail

PACKAGES=(tgt open-iscsi libiscsi-bin qemu-system-x86 debootstrap cpio kmod python3 xz-utils dpkg-dev fakeroot perl libanyevent-perl libclone-perl libtimedate-perl libdevel-cycle-perl libencode-locale-perl libfilesys-df-perl libhttp-message-perl libio-stringy-perl liblinux-inotify2-perl libnet-dbus-perl libnet-ip-perl libnet-ssleay-perl libnetaddr-ip-perl libxml-libxml-perl libfile-chdir-perl libwww-perl libposix-strptime-perl libstring-shellquote-perl libuuid-perl libcrypt-openssl-rsa-perl libjson-perl)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "error: the full suite needs Debian packages that are missing (${missing[*]}): run as root 'apt-get install --no-install-recommends ${missing[*]}', or run 'make test-quick', which needs none" >&2
  exit 2
fi

echo "== installing Debian packages: ${missing[*]}"
# Packages must not start daemons on this machine (tgtd, iscsid): invoke-rc.d asks policy-rc.d,
# and 101 means "not allowed". A policy already in place is left alone.
policy=/usr/sbin/policy-rc.d
ours=''
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' > "$policy" && chmod 0755 "$policy" && ours=1
fi
trap '[ -n "$ours" ] && rm -f "$policy"' EXIT
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
