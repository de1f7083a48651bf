#!/bin/bash
# Smoke: proves the VM can carry the jdssc scenarios. A tgt "array" on two portals with a
# JovianDSS-style WWID, CHAP, iscsid + multipathd, manual-startup node records, login per
# portal, udev links, the strict-multipath flow the CLI uses (multipath -a + multipathd add map),
# I/O through map and paths, a LUN grow, a path loss, and a full teardown to a clean VM.
set -u -o pipefail
. "$E2E_LIB/e2e.sh"
e2e_begin smoke

IQN=iqn.2025-01.test.jdssc.e2e:smoke
P1=127.0.0.2:3260
P2=127.0.0.3:3260
SCSI_ID=e2e5m0k3a1b2c3d4
WWID=$(wwid_of "$SCSI_ID")
LU=$E2E_TMP/lun1.img
LU_PARAMS="scsi_sn=$WWID,vendor_id=JDSSCE2E,product_id=SMOKE"
CHAP_USER=smokeuser
CHAP_SECRET=smokesecret1234
SIZE1=$((1024 * 1024 * 1024))
SIZE2=$((1536 * 1024 * 1024))

# The VM itself ----------------------------------------------------------------------------------
check_eq "the VM has no network device besides lo" "lo" "$(ls /sys/class/net | tr '\n' ' ' | sed 's/ $//')"
check_eq "wwid_of maps the scsi_id to 2 + 16 hex digits" "2653265356d306b33" "$WWID"
check_match "host node binary runs from the share" '^v[0-9]+\.' "$(/mnt/host/bin/node -e 'console.log(process.version)' 2>&1)"
check_eq "node in the VM is the host's version" "${E2E_HOST_NODE_VERSION:-unknown}" "$(node -e 'console.log(process.version)' 2>&1)"
check_eq "jdssc launcher runs in the VM" "$(jq -r .version "$E2E_REPO/package.json")" "$(jdssc --version 2>&1)"
check "perl with JSON::PP runs in the VM" perl -MJSON::PP -e 'JSON::PP->new->decode(q({"a":1}))->{a} == 1 or die'
check "kernel modules iscsi_tcp and dm_multipath are loaded" sh -c 'grep -q "^iscsi_tcp " /proc/modules && grep -q "^dm_multipath " /proc/modules'

# Array side: tgt on two portals -----------------------------------------------------------------
truncate -s "$SIZE1" "$LU"
require "tgtd starts on $P1 and $P2" tgt_start smoke "$P1" "$P2"
check "tgtd listens on $P1" tgt_listening "$P1"
check "tgtd listens on $P2" tgt_listening "$P2"
check "tgtd does not listen on the wildcard address" sh -c '! ss -Hltn | grep -qE "(0\.0\.0\.0|\*|\[::\]):3260"'
configure_target() {
  tgt_target_new smoke 1 "$IQN" && tgt_lun_new smoke 1 1 "$LU" "$LU_PARAMS" &&
    tgt_chap smoke 1 "$CHAP_USER" "$CHAP_SECRET" && tgt_allow smoke 1 ALL
}
require "target, LUN 1 with serial $WWID, CHAP and ACL configured" configure_target

# Host side: daemons, discovery, records -----------------------------------------------------------
require "iscsid starts and listens" iscsid_start
require "multipathd starts and is idle" multipathd_start
check_eq "no node records yet" 0 "$(node_record_count)"
require "sendtargets discovery through $P1" sh -c "iscsiadm -m discovery -t sendtargets -p $P1 | grep -qF '$P1,1 $IQN'"
require "sendtargets discovery through $P2" sh -c "iscsiadm -m discovery -t sendtargets -p $P2 | grep -qF '$P2,1 $IQN'"
check_eq "two node records (one per portal)" 2 "$(node_record_count)"
for p in "$P1" "$P2"; do
  check "node record $p: node.startup manual" node_set "$IQN" "$p" node.startup manual
  check "node record $p: CHAP credentials" node_chap "$IQN" "$p" "$CHAP_USER" "$CHAP_SECRET"
  check_eq "node record $p reads back node.startup = manual" manual "$(node_get "$IQN" "$p" node.startup)"
done

# Login per portal, udev links -----------------------------------------------------------------------
check_rc "login with a wrong CHAP secret fails with exit 24" 24 sh -c "
  iscsiadm -m node -T $IQN -p $P1 -o update -n node.session.auth.password -v wrongsecret123 &&
  iscsiadm -m node -T $IQN -p $P1 --login"
node_set "$IQN" "$P1" node.session.auth.password "$CHAP_SECRET"
require "login through $P1 (CHAP)" iscsiadm -m node -T "$IQN" -p "$P1" --login
require "login through $P2 (CHAP)" iscsiadm -m node -T "$IQN" -p "$P2" --login
check_eq "two sessions, one per portal" "$P1 $P2" "$(session_portal_list "$IQN")"
L1=$(by_path "$P1" "$IQN" 1)
L2=$(by_path "$P2" "$IQN" 1)
require_wait "by-path link for $P1 appears" 20 test -b "$L1"
require_wait "by-path link for $P2 appears" 20 test -b "$L2"
SD1=$(sd_of "$L1")
SD2=$(sd_of "$L2")
check "the two paths are distinct SCSI disks ($SD1, $SD2)" test "$SD1" != "$SD2"
udevadm settle -t 20
check_eq "udev ID_SERIAL of $SD1 is the JovianDSS-style WWID" "$WWID" "$(udevadm info -q property -n "$SD1" | sed -n 's/^ID_SERIAL=//p')"
check_eq "udev ID_SERIAL of $SD2 is the JovianDSS-style WWID" "$WWID" "$(udevadm info -q property -n "$SD2" | sed -n 's/^ID_SERIAL=//p')"
check "/dev/disk/by-id/scsi-$WWID exists" test -b "/dev/disk/by-id/scsi-$WWID"
check_eq "path size is the LUN size" "$SIZE1" "$(dev_size "/dev/$SD1")"

# Multipath the CLI's way (find_multipaths strict) -------------------------------------------------
check "find_multipaths is strict (Debian default kept)" sh -c "multipath -t 2>/dev/null | grep -qE '^[[:space:]]*find_multipaths \"?strict\"?'"
check "strict: no map before the WWID is known" sh -c "! dmsetup info $WWID >/dev/null 2>&1"
require "multipath -a $WWID" multipath -a "$WWID"
check "WWID is listed in /etc/multipath/wwids" grep -qx "/$WWID/" /etc/multipath/wwids
require "multipathd add map $WWID" sh -c "multipathd add map $WWID | grep -q ok"
require_wait "/dev/mapper/$WWID appears" 20 test -b "/dev/mapper/$WWID"
check_wait "the map has two active, ready paths" 30 wait_paths "$WWID" 2
check_eq "the map's paths are $SD1 and $SD2" "$(printf '%s\n' "$SD1" "$SD2" | sort | tr '\n' ' ')" "$(mp_paths "$WWID" | awk '{print $1}' | sort | tr '\n' ' ')"
check_wait "by-id link now points to the map" 20 sh -c "case \$(readlink -f /dev/disk/by-id/scsi-$WWID) in /dev/dm-*) true;; *) false;; esac"
check_eq "node sees the map in multipathd's JSON" "$WWID paths=2" "$(multipathd show maps json | node -e '
  let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => {
    const m = JSON.parse(s).maps.find((x) => x.name === process.argv[1]);
    console.log(m ? `${m.name} paths=${m.paths}` : "none");
  });' "$WWID" 2>&1)"

# I/O: write through the map, read back through each path -----------------------------------------
head -c $((4 * 1024 * 1024)) /dev/urandom >"$E2E_TMP/pattern"
check "write 4 MiB through the map (direct I/O)" dd if="$E2E_TMP/pattern" of="/dev/mapper/$WWID" bs=1M oflag=direct conv=fsync status=none
check "read back through $SD1 matches" sh -c "dd if=/dev/$SD1 bs=1M count=4 iflag=direct status=none | cmp -s - $E2E_TMP/pattern"
check "read back through $SD2 matches" sh -c "dd if=/dev/$SD2 bs=1M count=4 iflag=direct status=none | cmp -s - $E2E_TMP/pattern"

# Grow the LUN: tgt re-creates the LU with the bigger file; rescan each path; resize the map --------
require "grow the LUN on the target to $SIZE2 bytes" tgt_lun_grow smoke 1 1 "$LU" "$SIZE2" "$LU_PARAMS"
check "rescan $SD1" sd_rescan "$SD1"
check "rescan $SD2" sd_rescan "$SD2"
check_wait "$SD1 shows the new size" 20 sh -c "[ \$(blockdev --getsize64 /dev/$SD1) = $SIZE2 ]"
check_wait "$SD2 shows the new size" 20 sh -c "[ \$(blockdev --getsize64 /dev/$SD2) = $SIZE2 ]"
check "multipathd resize map $WWID" sh -c "multipathd resize map $WWID | grep -q ok"
check_wait "the map shows the new size" 20 sh -c "[ \$(blockdev --getsize64 /dev/mapper/$WWID) = $SIZE2 ]"
check "data survives the grow" sh -c "dd if=/dev/mapper/$WWID bs=1M count=4 iflag=direct status=none | cmp -s - $E2E_TMP/pattern"

# Lose one path ----------------------------------------------------------------------------------
check "logout from $P2 only" iscsiadm -m node -T "$IQN" -p "$P2" --logout
check_eq "one session left, through $P1" "$P1" "$(session_portal_list "$IQN")"
check_wait "the map keeps one path ($SD1)" 20 sh -c "[ \"\$(multipathd show paths raw format '%w %d' | awk '\$1==\"$WWID\"{print \$2}')\" = $SD1 ]"
check "I/O through the map still works" sh -c "dd if=/dev/mapper/$WWID bs=1M count=4 iflag=direct status=none | cmp -s - $E2E_TMP/pattern"

# Teardown: flush the map, delete the SCSI disks, log out, delete records ---------------------------
udevadm settle -t 20
check_wait "multipath -f $WWID (retried while udev holds the map)" 10 multipath -f "$WWID"
check "multipath -w $WWID (forget the WWID)" multipath -w "$WWID"
for sd in $(sd_devices); do check "delete SCSI disk $sd" sd_delete "$sd"; done
check "logout of the remaining session" iscsiadm -m node -T "$IQN" -p "$P1" --logout
check "delete the node records" iscsiadm -m node -T "$IQN" -o delete
for p in "$P1" "$P2"; do check "delete discovery record $p" iscsiadm -m discoverydb -t sendtargets -p "$p" -o delete; done
udevadm settle -t 20
check_rc "no iSCSI sessions remain" 21 iscsiadm -m session
check_eq "no multipath maps remain" "" "$(mp_maps)"
check_eq "no SCSI disks remain" "" "$(sd_devices)"
check_rc "no node records remain" 21 iscsiadm -m node
check "no by-path links remain" sh -c "! ls /dev/disk/by-path/ 2>/dev/null | grep -q iscsi"
check "tgtd stops cleanly" tgt_stop smoke
check "tgtd is gone" sh -c '! pidof tgtd'
check "multipathd stops" multipathd_stop
check "iscsid stops" iscsid_stop
check_eq "the VM is clean" "" "$(e2e_state)"
e2e_finish
