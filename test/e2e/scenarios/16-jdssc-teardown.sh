#!/bin/bash
# Full teardown: two VMs, three disks and a snapshot device active at once; deactivating them
# (a volume takes its active snapshot along) leaves a host with no session, node record,
# discovery record, map, SCSI disk, udev link, allowed WWID or LUN record. Unpublishing and
# deleting everything leaves LIO without targets or backstores; the simulator and daemons stop.
set -u -o pipefail
. "$E2E_LIB/e2e.sh"
. "$E2E_LIB/jdssc.sh"
e2e_begin jdssc-teardown
T=$E2E_TMP

VOLS="vm-120-disk-0 vm-120-disk-1 vm-121-disk-0"
SNAPVOL=vm-121-disk-0
SNAP=s1

require "array and host are up" jd_setup
for v in $VOLS; do require "volume create $v" jd_volume "$v" 32M "$T/$v.json"; done
require "snapshot create $SNAPVOL $SNAP" jd snapshot create "$SNAPVOL" "$SNAP"
for v in $VOLS; do require "login activate $v" jd_json "$T/act-$v.json" login activate "$v"; done
require "login activate $SNAPVOL --snapshot $SNAP" jd_json "$T/act-snap.json" login activate "$SNAPVOL" --snapshot "$SNAP"
check_eq "four maps" 4 "$(mp_maps | wc -l)"
check_eq "eight SCSI disks (4 LUNs x 2 portals)" 8 "$(sd_devices | wc -l)"
check_eq "four sessions (2 targets x 2 portals)" 4 "$(session_count)"
check_eq "four node records" 4 "$(node_record_count)"
check_eq "four LUN records" 4 "$(jd_record_count)"
check_eq "four WWIDs allowed" 4 "$(grep -c '^/' /etc/multipath/wwids)"
check_eq "login list shows the four" 4 "$(jd login list --json 2>/dev/null | jq '.records | length')"
for w in $(mp_maps); do check_wait "map $w: two active paths" 20 wait_paths "$w" 2; done

# Deactivate: the volume with an active snapshot takes the snapshot along ---------------------------
require "login deactivate $SNAPVOL (its snapshot goes too)" jd_json "$T/deact-snapvol.json" login deactivate "$SNAPVOL"
check_eq "two LUNs torn down (snapshot, volume), records removed" "true true" "$(jq_of "$T/deact-snapvol.json" '[.results[].recordRemoved] | join(" ")')"
check_eq "the snapshot's export is unpublished on the array" false "$(jd target get "$SNAPVOL" --snapshot "$SNAP" --json 2>/dev/null | jq -r .published)"
check_eq "two LUN records left (VM 120)" 2 "$(jd_record_count)"
for v in vm-120-disk-0 vm-120-disk-1; do check "login deactivate $v" jd login deactivate "$v"; done
udevadm settle -t 10

check_eq "login list is empty" 0 "$(jd login list --json 2>/dev/null | jq '.records | length')"
check_rc "no iSCSI session (iscsiadm exit 21)" 21 iscsiadm -m session
check_rc "no node record (iscsiadm exit 21)" 21 iscsiadm -m node
check_eq "no discovery record" "" "$(ls /etc/iscsi/send_targets 2>/dev/null)"
check_eq "no multipath map (dmsetup)" "" "$(mp_maps)"
check_eq "multipath -ll shows nothing" "" "$(multipath -ll 2>/dev/null)"
check_eq "no SCSI disk" "" "$(sd_devices)"
check_eq "no iSCSI by-path link" "" "$(ls /dev/disk/by-path 2>/dev/null | grep iscsi)"
check_eq "no scsi-2… by-id link" "" "$(ls /dev/disk/by-id 2>/dev/null | grep '^scsi-2')"
check_eq "no /dev/mapper entry but control" control "$(ls /dev/mapper | tr '\n' ' ' | sed 's/ $//')"
check_eq "no allowed WWID left in /etc/multipath/wwids" 0 "$(grep -c '^/' /etc/multipath/wwids)"
check_eq "no LUN record" 0 "$(jd_record_count)"
check_eq "no iSCSI host left in the kernel" "" "$(ls /sys/class/iscsi_host 2>/dev/null)"
# multipathd learns of removed maps and disks from uevents, which it may handle a little later.
# With nothing to list it answers "ok".
mpd_empty() {
  multipathd show maps raw format '%n %w' 2>/dev/null | grep -v '^ok$' | grep . && return 1
  multipathd show paths raw format '%d %w %t' 2>/dev/null | grep -v '^ok$' | grep . && return 1
  return 0
}
check_wait "multipathd has no map and no path" 20 mpd_empty

# The array side ------------------------------------------------------------------------------
for v in $VOLS; do check "unpublish and delete $v" sh -c "jdssc -c $JD_CONF target unpublish $v && jdssc -c $JD_CONF volume delete $v --cascade"; done
check_eq "LIO: no target, no backstore" "0 0" "$(lio_target_count) $(lio_hba_objects)"
check_eq "the array has no volume" 0 "$(jd volume list --json 2>/dev/null | jq '.volumes | length')"
check "the simulator and daemons stop" jd_teardown
check_eq "the simulator removed its HBA" no "$([ -d "$JD_HBA" ] && echo yes || echo no)"
check_eq "the VM is clean" "" "$(e2e_state)"
e2e_finish
