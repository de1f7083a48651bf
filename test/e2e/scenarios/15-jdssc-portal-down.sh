#!/bin/bash
# One portal down: the array's target has lost its network portal on 127.0.0.5. login activate
# still gives a working device through 127.0.0.4, says so (degraded, the failed portal with its
# error) and keeps no node record for the dead portal. With the portal back, activating again
# heals the missing path: two sessions, two active paths.
set -u -o pipefail
. "$E2E_LIB/e2e.sh"
. "$E2E_LIB/jdssc.sh"
e2e_begin jdssc-portal-down
T=$E2E_TMP

VOL=vm-107-disk-0
TGT=$(jd_target 107)
TPG=$(jd_tpg "$TGT")

require "array and host are up" jd_setup
require "volume create $VOL" jd_volume "$VOL" 48M "$T/vol.json"
WWID=$(jq_of "$T/vol.json" .wwid)
require "target publish $VOL" jd target publish "$VOL"
require "take portal $JD_P2 of $TGT down (rmdir its LIO network portal)" rmdir "$TPG/np/$JD_P2"
check_eq "LIO listens only on $JD_P1 for $TGT" "$JD_P1" "$(lio_nps_of "$TGT")"

# Degraded activation -------------------------------------------------------------------------------
t0=$(e2e_cs)
check "login activate $VOL with one portal down exits 0" jd_json "$T/act.json" login activate "$VOL"
note "degraded activation took $(( ($(e2e_cs) - t0) / 100 )) s: $(cat "$T/act.json")"
check_eq "activate reports degraded" true "$(jq_of "$T/act.json" .degraded)"
check_eq "portal $JD_P1 ok, $JD_P2 failed" "127.0.0.4:true 127.0.0.5:false" "$(jq_of "$T/act.json" '[.portals[] | "\(.address):\(.ok)"] | join(" ")')"
check_match "the failed portal carries its error" "iscsiadm .*127\.0\.0\.5:3260.*exited" "$(jq_of "$T/act.json" '.portals[1].error')"
check_eq "…classified as unreachable" unreachable "$(jq_of "$T/act.json" '.portals[1].errorKind')"
check_match "the human output says DEGRADED too" "FAIL 127\.0\.0\.5:3260" "$(jd login activate "$VOL" 2>/dev/null)"
check_eq "the device is the map" "/dev/mapper/$WWID" "$(jq_of "$T/act.json" .device)"
check_eq "one session, through $JD_P1" "$JD_P1" "$(session_portal_list "$TGT")"
check_eq "no node record kept for the dead portal" "$JD_P1" "$(node_record_portals "$TGT")"
check_wait "the map has one active path" 20 wait_paths "$WWID" 1
check_eq "multipath -ll: one path" 1 "$(mp_ll_active "$WWID")"
check_eq "the LUN record still names both portals" "127.0.0.4 127.0.0.5" "$(jq_of "$(jd_record "$TGT" 0)" '[.portals[].address] | join(" ")')"
write_pattern "$T/pattern" 2
check "I/O through the degraded map" sh -c "dd if=$T/pattern of=/dev/mapper/$WWID bs=1M oflag=direct status=none && dd if=/dev/mapper/$WWID bs=1M count=2 iflag=direct status=none | cmp -s - $T/pattern"

# The portal comes back: activate heals ------------------------------------------------------------
require "bring portal $JD_P2 back" mkdir "$TPG/np/$JD_P2"
check "login activate $VOL again" jd_json "$T/act2.json" login activate "$VOL"
note "healing activation: $(cat "$T/act2.json")"
check_eq "not degraded any more, both portals ok" "false true true" "$(jq_of "$T/act2.json" '[.degraded] + [.portals[].ok] | join(" ")')"
check_eq "two sessions" "$JD_P1 $JD_P2" "$(session_portal_list "$TGT")"
check_eq "two node records" "$JD_P1 $JD_P2" "$(node_record_portals "$TGT")"
check_wait "the map has two active paths" 20 wait_paths "$WWID" 2
check_eq "multipath -ll: two active paths" 2 "$(mp_ll_active "$WWID")"
SD2=$(lun_disk "$JD_P2" "$TGT" 0)
check "the new path ($SD2) reads what was written while degraded" dev_has_pattern "/dev/$SD2" "$T/pattern"
check "the map still reads it" dev_has_pattern "/dev/mapper/$WWID" "$T/pattern"
check "activate once more is a no-op (already active)" sh -c "jdssc -c $JD_CONF --json login activate $VOL | jq -e '.degraded == false' >/dev/null"

# Teardown ------------------------------------------------------------------------------------
udevadm settle -t 10
check "login deactivate $VOL --unpublish, volume delete" sh -c "jdssc -c $JD_CONF login deactivate $VOL --unpublish && jdssc -c $JD_CONF volume delete $VOL"
check_eq "no sessions, records, maps, disks, LUN records left" "0 0 0 0 0" \
  "$(session_count) $(node_record_count) $(mp_maps | wc -l) $(sd_devices | wc -l) $(jd_record_count)"
check "the simulator and daemons stop" jd_teardown
check_eq "the VM is clean" "" "$(e2e_state)"
e2e_finish
