#!/bin/bash
# LIO: the in-kernel target behaves like the array where tgt cannot — a disk at LUN 0, every
# portal of the group in one sendtargets answer, ACL by initiator IQN, ALUA — and a LUN backed
# by a loop device grows in place (no LU re-creation). Proves lib/lio.sh for later scenarios.
set -u -o pipefail
. "$E2E_LIB/e2e.sh"
e2e_begin lio

IQN=iqn.2025-04.proxmox.joviandss.iscsi:vm-101-0
P1=127.0.0.4:3260
P2=127.0.0.5:3260
SCSI_ID=lio0vol1abcdef12
WWID=$(wwid_of "$SCSI_ID")
INIT=$(initiator_iqn)
FILE=$E2E_TMP/vol1.img
SIZE1=$((512 * 1024 * 1024))
SIZE2=$((768 * 1024 * 1024))

# Array side -----------------------------------------------------------------------------------
require "LIO modules and configfs" lio_load
truncate -s "$SIZE1" "$FILE"
LOOP=$(losetup -f --show "$FILE")
require "loop device for the volume" test -b "$LOOP"
configure_target() {
  lio_iblock vol1 "$LOOP" "$WWID" && lio_target "$IQN" && lio_lun "$IQN" 0 iblock_0/vol1 &&
    lio_portal "$IQN" "$P1" && lio_portal "$IQN" "$P2" &&
    lio_acl "$IQN" "$INIT" 0 && lio_chap "$IQN" "$INIT" liouser liosecret12345 && lio_enable "$IQN"
}
require "target with LUN 0, portals $P1 $P2, ACL for this initiator, CHAP" configure_target
check_eq "one LIO target configured" 1 "$(lio_target_count)"

# Host side ------------------------------------------------------------------------------------
require "iscsid starts" iscsid_start
require "multipathd starts" multipathd_start
DISC=$(iscsiadm -m discovery -t sendtargets -p "$P1" 2>&1)
check_match "one discovery through $P1 lists $P1" "^$P1,1 $IQN\$" "$DISC"
check_match "the same discovery lists $P2 too" "^$P2,1 $IQN\$" "$DISC"
check_eq "two node records from one discovery" 2 "$(node_record_count)"
for p in "$P1" "$P2"; do
  check "node record $p: manual startup, CHAP" sh -c "
    iscsiadm -m node -T $IQN -p $p -o update -n node.startup -v manual &&
    iscsiadm -m node -T $IQN -p $p -o update -n node.session.auth.authmethod -v CHAP &&
    iscsiadm -m node -T $IQN -p $p -o update -n node.session.auth.username -v liouser &&
    iscsiadm -m node -T $IQN -p $p -o update -n node.session.auth.password -v liosecret12345"
done
require "login through both portals" iscsiadm -m node -T "$IQN" --login
require_wait "LUN 0 by-path link for $P1" 20 test -b "$(by_path "$P1" "$IQN" 0)"
require_wait "LUN 0 by-path link for $P2" 20 test -b "$(by_path "$P2" "$IQN" 0)"
SD1=$(sd_of "$(by_path "$P1" "$IQN" 0)")
SD2=$(sd_of "$(by_path "$P2" "$IQN" 0)")
udevadm settle -t 20
check_eq "ID_SERIAL of $SD1 is the JovianDSS-style WWID" "$WWID" "$(udevadm info -q property -n "$SD1" | sed -n 's/^ID_SERIAL=//p')"
check "multipath -a + multipathd add map" sh -c "multipath -a $WWID && multipathd add map $WWID | grep -q ok"
check_wait "the map has two active, ready paths" 30 wait_paths "$WWID" 2
check_match "the map uses the ALUA handler" "hwhandler='1 alua'" "$(multipath -ll "$WWID" 2>/dev/null)"

# I/O and an in-place grow ---------------------------------------------------------------------
head -c $((1024 * 1024)) /dev/urandom >"$E2E_TMP/pattern"
check "write through the map, read back through $SD2" sh -c "
  dd if=$E2E_TMP/pattern of=/dev/mapper/$WWID bs=1M oflag=direct status=none &&
  dd if=/dev/$SD2 bs=1M count=1 iflag=direct status=none | cmp -s - $E2E_TMP/pattern"
check "grow the volume (file + losetup -c)" sh -c "truncate -s $SIZE2 $FILE && losetup -c $LOOP"
check "rescan $SD1" sd_rescan "$SD1"
check "rescan $SD2" sd_rescan "$SD2"
check_wait "both paths show the new size" 20 sh -c "[ \$(blockdev --getsize64 /dev/$SD1) = $SIZE2 ] && [ \$(blockdev --getsize64 /dev/$SD2) = $SIZE2 ]"
check "multipathd resize map" sh -c "multipathd resize map $WWID | grep -q ok"
check_wait "the map shows the new size" 20 sh -c "[ \$(blockdev --getsize64 /dev/mapper/$WWID) = $SIZE2 ]"

# Teardown -------------------------------------------------------------------------------------
# Right after a resize, udev's probe of the map's change event can hold it open for a moment:
# "multipath -f" then says "map in use". Settle and retry, as the CLI must.
udevadm settle -t 20
check_wait "flush the map" 10 multipath -f "$WWID"
check "forget the WWID" multipath -w "$WWID"
check "log out and delete the records" sh -c "iscsiadm -m node -T $IQN --logout && iscsiadm -m node -T $IQN -o delete && iscsiadm -m discoverydb -t st -p $P1 -o delete"
check_wait "the SCSI disks are gone" 20 sh -c '! ls /sys/block | grep -q ^sd'
check "remove the LIO target and backstore" lio_clear
check_eq "no LIO target left" 0 "$(lio_target_count)"
check "detach the loop device" losetup -d "$LOOP"
check "stop multipathd" multipathd_stop
check "stop iscsid" iscsid_stop
check_eq "the VM is clean" "" "$(e2e_state)"
e2e_finish
