#!/bin/bash
# Two disks of one VM share its target (LUN 0 and LUN 1), a second VM has its own target.
# Deactivating one disk removes only its devices and map: the other disk of the same target
# keeps its map, paths and both sessions; the other VM is untouched.
set -u -o pipefail
. "$E2E_LIB/e2e.sh"
. "$E2E_LIB/jdssc.sh"
e2e_begin jdssc-shared-target
T=$E2E_TMP

A=vm-102-disk-0
B=vm-102-disk-1
C=vm-103-disk-0
TA=$(jd_target 102)
TC=$(jd_target 103)

require "array and host are up" jd_setup
for v in $A $B $C; do require "volume create $v" jd_volume "$v" 48M "$T/$v.json"; done
WA=$(jq_of "$T/$A.json" .wwid)
WB=$(jq_of "$T/$B.json" .wwid)
WC=$(jq_of "$T/$C.json" .wwid)

# Activate in order: $B joins a target that already has sessions (its LUN must be scanned in).
require "login activate $A" jd_json "$T/act-A.json" login activate $A
require "login activate $B (same target, sessions already up)" jd_json "$T/act-B.json" login activate $B
require "login activate $C (another VM)" jd_json "$T/act-C.json" login activate $C
check_eq "$A and $B share target $TA at LUN 0 and 1" "$TA 0 $TA 1" "$(jq_of "$T/act-A.json" '"\(.target) \(.lun)"') $(jq_of "$T/act-B.json" '"\(.target) \(.lun)"')"
check_eq "$C is on $TC at LUN 0" "$TC 0" "$(jq_of "$T/act-C.json" '"\(.target) \(.lun)"')"
check_eq "LIO: $TA exports LUN 0 and 1" "0 1" "$(lio_luns_of "$TA")"
check_eq "none of the three activations is degraded" "false false false" "$(for x in A B C; do jq_of "$T/act-$x.json" .degraded; done | tr '\n' ' ' | sed 's/ $//')"
check_eq "two sessions to $TA (one per portal)" "$JD_P1 $JD_P2" "$(session_portal_list "$TA")"
check_eq "two sessions to $TC" "$JD_P1 $JD_P2" "$(session_portal_list "$TC")"
check_eq "four sessions in all" 4 "$(session_count)"
check_eq "three maps" "$(printf '%s\n' "$WA" "$WB" "$WC" | sort | tr '\n' ' ')" "$(mp_maps | sort | tr '\n' ' ')"
for w in "$WA" "$WB" "$WC"; do check_wait "map $w: two active paths" 20 wait_paths "$w" 2; done
check_eq "six SCSI disks" 6 "$(sd_devices | wc -l)"
check_eq "three LUN records" 3 "$(jd_record_count)"
DB=$(lun_disks "$TA" 1)
check_eq "the map of $B sits on its LUN 1 disks" "$DB" "$(map_slaves "$WB")"

write_pattern "$T/pa" 2
write_pattern "$T/pb" 2
write_pattern "$T/pc" 2
check "write distinct patterns through the three maps" sh -c "
  dd if=$T/pa of=/dev/mapper/$WA bs=1M oflag=direct status=none && dd if=$T/pb of=/dev/mapper/$WB bs=1M oflag=direct status=none &&
  dd if=$T/pc of=/dev/mapper/$WC bs=1M oflag=direct status=none"
check "$B reads its own pattern (not $A's)" dev_has_pattern "/dev/mapper/$WB" "$T/pb"

# Deactivate one disk of the shared target ----------------------------------------------------
DA=$(lun_disks "$TA" 0)
require "login deactivate $A" jd_json "$T/deact-A.json" login deactivate $A
note "deactivate $A: $(cat "$T/deact-A.json")"
check_eq "deactivate keeps both sessions of $TA (LUN 1 uses them)" "kept kept" "$(jq_of "$T/deact-A.json" '[.results[0].portals[].action] | join(" ")')"
check_eq "deactivate removed $A's disks ($DA)" "$DA" "$(jq_of "$T/deact-A.json" '.results[0].devicesDeleted | join(" ")')"
udevadm settle -t 10
check "$A's disks are gone from the kernel" sh -c "for d in $DA; do [ ! -e /sys/block/\$d ] || exit 1; done"
check "$A's map is gone" sh -c "! dmsetup info $WA >/dev/null 2>&1"
check "$A's by-path links are gone" sh -c "[ ! -e '$(by_path "$JD_P1" "$TA" 0)' ] && [ ! -e '$(by_path "$JD_P2" "$TA" 0)' ]"
check_eq "both sessions to $TA are intact" "$JD_P1 $JD_P2" "$(session_portal_list "$TA")"
check_eq "both node records of $TA are intact" "$JD_P1 $JD_P2" "$(node_record_portals "$TA")"
check_eq "$B's disks are unchanged" "$DB" "$(lun_disks "$TA" 1)"
check_eq "$B's map still has two active paths" 2 "$(mp_active "$WB")"
check "$B still reads its pattern through its map" dev_has_pattern "/dev/mapper/$WB" "$T/pb"
check "$B is writable through its map" dd if="$T/pb" of="/dev/mapper/$WB" bs=1M seek=8 oflag=direct status=none
check_eq "$C's map still has two active paths" 2 "$(mp_active "$WC")"
check "$C reads its pattern" dev_has_pattern "/dev/mapper/$WC" "$T/pc"
check_eq "records: $A's is gone, $B's and $C's stay" "no yes yes" \
  "$(for x in "$TA 0" "$TA 1" "$TC 0"; do [ -f "$(jd_record $x)" ] && echo yes || echo no; done | tr '\n' ' ' | sed 's/ $//')"
check_eq "$A stays published (LIO LUN 0 and 1 on $TA)" "0 1" "$(lio_luns_of "$TA")"
check_eq "$A's WWID left /etc/multipath/wwids, the others stay" "$(printf '%s\n' "$WB" "$WC" | sort | tr '\n' ' ')" "$(sed -n 's#^/\(.*\)/$#\1#p' /etc/multipath/wwids | sort | tr '\n' ' ')"

# Re-activate $A: joins the existing sessions again ----------------------------------------------
check "login activate $A again" jd_json "$T/act-A2.json" login activate $A
check_wait "$A's map is back with two active paths" 20 wait_paths "$WA" 2
check "$A's data survived (read through its new map)" dev_has_pattern "/dev/mapper/$WA" "$T/pa"
check_eq "still two sessions to $TA" "$JD_P1 $JD_P2" "$(session_portal_list "$TA")"

# The last disk of a target takes the sessions with it -------------------------------------------
check "login deactivate $A and $B" sh -c "jdssc -c $JD_CONF login deactivate $A && jdssc -c $JD_CONF --json login deactivate $B >$T/deact-B.json"
check_eq "the last LUN of $TA logs out of both portals" "logged-out logged-out" "$(jq_of "$T/deact-B.json" '[.results[0].portals[].action] | join(" ")')"
check_eq "no session and no node record to $TA" "|" "$(session_portal_list "$TA")|$(node_record_portals "$TA")"
check_eq "$TC's sessions are intact" "$JD_P1 $JD_P2" "$(session_portal_list "$TC")"
check_eq "$C's map still has two active paths" 2 "$(mp_active "$WC")"
check_eq "only $C's map remains" "$WC" "$(mp_maps | tr '\n' ' ' | sed 's/ $//')"
check "login deactivate $C" jd_json "$T/deact-C.json" login deactivate $C

udevadm settle -t 10
check_eq "no sessions, records, maps, disks, LUN records left" "0 0 0 0 0" \
  "$(session_count) $(node_record_count) $(mp_maps | wc -l) $(sd_devices | wc -l) $(jd_record_count)"
check "the simulator stops and takes its LIO targets along" jd_teardown
check_eq "no LIO target left" 0 "$(lio_target_count)"
check_eq "the VM is clean" "" "$(e2e_state)"
e2e_finish
