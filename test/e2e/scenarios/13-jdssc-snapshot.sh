#!/bin/bash
# A snapshot as its own device: write A, snapshot, overwrite with B; login activate --snapshot
# exports the snapshot (an export clone on the VM's target, next LUN) and gives a second map that
# reads A while the volume reads B. Deactivating the snapshot leaves nothing: no export
# LUN or clone on the array, no device, no map, no record; the volume stays as it was.
set -u -o pipefail
. "$E2E_LIB/e2e.sh"
. "$E2E_LIB/jdssc.sh"
e2e_begin jdssc-snapshot
T=$E2E_TMP

VOL=vm-105-disk-0
SNAP=before-upgrade
TGT=$(jd_target 105)

require "array and host are up" jd_setup
require "volume create $VOL 48M" jd_volume "$VOL" 48M "$T/vol.json"
WWID=$(jq_of "$T/vol.json" .wwid)
require "login activate $VOL" jd_json "$T/act.json" login activate "$VOL"
write_pattern "$T/a" 3
write_pattern "$T/b" 3
require "write pattern A through the volume's map" dev_write_pattern "/dev/mapper/$WWID" "$T/a"
require "snapshot create $VOL $SNAP" jd snapshot create "$VOL" "$SNAP"
require "overwrite with pattern B" dev_write_pattern "/dev/mapper/$WWID" "$T/b"

# The snapshot's own device ---------------------------------------------------------------------
require "login activate $VOL --snapshot $SNAP" jd_json "$T/snap.json" login activate "$VOL" --snapshot "$SNAP"
note "snapshot activation: $(cat "$T/snap.json")"
SW=$(jq_of "$T/snap.json" .wwid)
check_match "the snapshot has its own JovianDSS WWID" "^2[0-9a-f]{16}\$" "$SW"
check "…different from the volume's" test "$SW" != "$WWID"
check_eq "it is exported on the VM's target at LUN 1" "$TGT 1" "$(jq_of "$T/snap.json" '"\(.target) \(.lun)"')"
check_eq "device /dev/mapper/<snapshot WWID>, not degraded" "/dev/mapper/$SW false" "$(jq_of "$T/snap.json" '"\(.device) \(.degraded)"')"
check_eq "LIO: LUN 0 (volume) and LUN 1 (snapshot export)" "0 1" "$(lio_luns_of "$TGT")"
check_eq "two maps" "$(printf '%s\n' "$WWID" "$SW" | sort | tr '\n' ' ')" "$(mp_maps | sort | tr '\n' ' ')"
check_wait "the snapshot's map has two active paths" 20 wait_paths "$SW" 2
check_eq "still one session per portal (the snapshot shares them)" "$JD_P1 $JD_P2" "$(session_portal_list "$TGT")"
check "the snapshot's map reads pattern A" dev_has_pattern "/dev/mapper/$SW" "$T/a"
SD=$(lun_disks "$TGT" 1)
for d in $SD; do check "…and so does its path $d" dev_has_pattern "/dev/$d" "$T/a"; done
check "the volume's map reads pattern B" dev_has_pattern "/dev/mapper/$WWID" "$T/b"
check "the snapshot's LUN record exists" test -f "$(jd_record "$TGT" 1)"
check_eq "…and names the snapshot" "$VOL $SNAP" "$(jq_of "$(jd_record "$TGT" 1)" '"\(.volume) \(.snapshot)"')"
check_eq "login status --snapshot answers from the host" "true /dev/mapper/$SW" "$(jd login status "$VOL" --snapshot "$SNAP" --json 2>/dev/null | jq -r '"\(.active) \(.device)"')"
check_eq "target get --snapshot: published at LUN 1" "true 1" "$(jd target get "$VOL" --snapshot "$SNAP" --json 2>/dev/null | jq -r '"\(.published) \(.lun)"')"

# Deactivate the snapshot: no leftovers -------------------------------------------------------------
require "login deactivate $VOL --snapshot $SNAP" jd_json "$T/deact.json" login deactivate "$VOL" --snapshot "$SNAP"
note "deactivate --snapshot: $(cat "$T/deact.json")"
check_eq "deactivate reports the export unpublished" true "$(jq_of "$T/deact.json" .unpublished)"
udevadm settle -t 10
check "the snapshot's map is gone" sh -c "! dmsetup info $SW >/dev/null 2>&1"
check "the snapshot's disks are gone ($SD)" sh -c "for d in $SD; do [ ! -e /sys/block/\$d ] || exit 1; done"
check_eq "no LUN 1 link on either portal" "" "$(lun_disks "$TGT" 1)"
check "the snapshot's LUN record is gone" test ! -e "$(jd_record "$TGT" 1)"
check_eq "LIO: only the volume's LUN 0 is left" 0 "$(lio_luns_of "$TGT")"
check_eq "LIO: one backstore (the volume's)" 1 "$(lio_hba_objects)"
check_eq "target get --snapshot: no longer published" "false" "$(jd target get "$VOL" --snapshot "$SNAP" --json 2>/dev/null | jq -r .published)"
check_eq "the array has only the volume's zvol (the export clone is gone)" "$(jq_of "$T/vol.json" .physicalName)" \
  "$(jd_rest GET "/pools/$JD_POOL/volumes" | sed 's/^[0-9]* //' | jq -r '[.data.entries[].name] | join(" ")')"
check_eq "the volume's map is untouched: two active paths" 2 "$(mp_active "$WWID")"
check "the volume still reads pattern B" dev_has_pattern "/dev/mapper/$WWID" "$T/b"
check_eq "the snapshot itself stays" "$SNAP" "$(jd snapshot list "$VOL" --json 2>/dev/null | jq -r '[.snapshots[].name] | join(" ")')"

# Teardown ------------------------------------------------------------------------------------
check "deactivate --unpublish, delete the volume with its snapshot" sh -c "jdssc -c $JD_CONF login deactivate $VOL --unpublish && jdssc -c $JD_CONF volume delete $VOL --cascade"
udevadm settle -t 10
check_eq "no sessions, records, maps, disks, LUN records left" "0 0 0 0 0" \
  "$(session_count) $(node_record_count) $(mp_maps | wc -l) $(sd_devices | wc -l) $(jd_record_count)"
check_eq "LIO: no target, no backstore" "0 0" "$(lio_target_count) $(lio_hba_objects)"
check "the simulator and daemons stop" jd_teardown
check_eq "the VM is clean" "" "$(e2e_state)"
e2e_finish
