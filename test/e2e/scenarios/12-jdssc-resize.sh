#!/bin/bash
# Online grow: jdssc volume resize on the array while the volume is active here, then
# jdssc login rescan. Every path and the map show the new size; the data stays; the new space
# is writable through the map.
set -u -o pipefail
. "$E2E_LIB/e2e.sh"
. "$E2E_LIB/jdssc.sh"
e2e_begin jdssc-resize
T=$E2E_TMP

VOL=vm-104-disk-0
TGT=$(jd_target 104)
SIZE1=$((64 * 1024 * 1024))
SIZE2=$((96 * 1024 * 1024))
SIZE3=$((128 * 1024 * 1024))

require "array and host are up" jd_setup
require "volume create $VOL 64M" jd_volume "$VOL" 64M "$T/vol.json"
WWID=$(jq_of "$T/vol.json" .wwid)
require "login activate $VOL" jd_json "$T/act.json" login activate "$VOL"
require_wait "two active paths" 20 wait_paths "$WWID" 2
DISKS=$(lun_disks "$TGT" 0)
write_pattern "$T/pattern" 4
require "write a pattern through the map" dev_write_pattern "/dev/mapper/$WWID" "$T/pattern"

sizes() { # the map's size, then each path's
  local d out
  out=$(map_size "$WWID")
  for d in $DISKS; do out="$out $(blockdev --getsize64 "/dev/$d" 2>/dev/null)"; done
  echo "$out"
}
check_eq "map and both paths are 64 MiB" "$SIZE1 $SIZE1 $SIZE1" "$(sizes)"

# Grow on the array, then rescan on the host ----------------------------------------------------
require "volume resize $VOL --size 96M" jd_json "$T/resize.json" volume resize "$VOL" --size 96M
check_eq "the array reports the new size" "$SIZE2" "$(jq_of "$T/resize.json" .size)"
check_match "LIO's backstore has the new size" "fd_dev_size=$SIZE2|$SIZE2" "$(cat "$JD_HBA/$JD_POOL@$(jq_of "$T/vol.json" .physicalName)/info" 2>/dev/null)"
require "login rescan $VOL" jd_json "$T/rescan.json" login rescan "$VOL"
note "rescan: $(cat "$T/rescan.json")"
check_eq "rescan reports the new size for the map" "/dev/mapper/$WWID $SIZE2" "$(jq_of "$T/rescan.json" '"\(.device) \(.size)"')"
check_eq "map and both paths show 96 MiB" "$SIZE2 $SIZE2 $SIZE2" "$(sizes)"
check_match "multipath -ll shows the new size" "size=96M" "$(multipath -ll "$WWID" 2>/dev/null)"
check_eq "dmsetup table length is the new size in sectors" "$((SIZE2 / 512))" "$(dmsetup table "$WWID" | awk '{print $2}')"
check_eq "the same two disks serve the map" "$DISKS" "$(map_slaves "$WWID")"
check_wait "still two active paths" 20 wait_paths "$WWID" 2
check "the data survived the grow" dev_has_pattern "/dev/mapper/$WWID" "$T/pattern"
check "write into the new space (at 80 MiB) through the map" dev_write_pattern "/dev/mapper/$WWID" "$T/pattern" 80
for d in $DISKS; do check "read it back through $d" dev_has_pattern "/dev/$d" "$T/pattern" 80; done
check_eq "login status still answers from the host record" "true /dev/mapper/$WWID" "$(jd login status "$VOL" --json 2>/dev/null | jq -r '"\(.active) \(.device)"')"

# A second grow, rescan again (the map was resized once already) -------------------------------
check "volume resize to 128M and login rescan" sh -c "jdssc -c $JD_CONF volume resize $VOL --size 128M && jdssc -c $JD_CONF login rescan $VOL"
check_eq "map and both paths show 128 MiB" "$SIZE3 $SIZE3 $SIZE3" "$(sizes)"
check "shrinking is refused" sh -c "! jdssc -c $JD_CONF volume resize $VOL --size 64M"
check_eq "…and changes nothing on the host" "$SIZE3 $SIZE3 $SIZE3" "$(sizes)"

# Teardown ------------------------------------------------------------------------------------
udevadm settle -t 10
check "login deactivate $VOL --unpublish" jd_json "$T/deact.json" login deactivate "$VOL" --unpublish
check "volume delete $VOL" jd volume delete "$VOL"
check_eq "no sessions, records, maps, disks, LUN records left" "0 0 0 0 0" \
  "$(session_count) $(node_record_count) $(mp_maps | wc -l) $(sd_devices | wc -l) $(jd_record_count)"
check "the simulator and daemons stop" jd_teardown
check_eq "the VM is clean" "" "$(e2e_state)"
e2e_finish
