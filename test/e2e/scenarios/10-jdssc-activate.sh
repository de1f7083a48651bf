#!/bin/bash
# jdssc login activate with multipath over two portals, on the real kernel: the simulator's LIO
# data path is the array (targets on 127.0.0.4 and 127.0.0.5, LUN 0, the JovianDSS WWID as unit
# serial). One map with two active paths; a pattern written through the map reads back through
# each path; status/list answer from the host; deactivate leaves nothing.
set -u -o pipefail
. "$E2E_LIB/e2e.sh"
. "$E2E_LIB/jdssc.sh"
e2e_begin jdssc-activate
T=$E2E_TMP

VOL=vm-101-disk-0
TGT=$(jd_target 101)
SIZE=$((64 * 1024 * 1024))

require "array (simulator, LIO data path) and host (iscsid, multipathd, jdssc drop-in) are up" jd_setup
require "volume create $VOL 64M" jd_json "$T/create.json" volume create "$VOL" --size 64M
WWID=$(jq_of "$T/create.json" .wwid)
check_match "the volume has a JovianDSS WWID" '^2[0-9a-f]{16}$' "$WWID"

# Activate --------------------------------------------------------------------------------------
require "login activate $VOL (multipath, two portals)" jd_json "$T/act.json" login activate "$VOL"
note "activate: $(cat "$T/act.json")"
check_eq "activate prints the map as the device" "/dev/mapper/$WWID" "$(jq_of "$T/act.json" .device)"
check_eq "activate: target of VM 101, LUN 0" "$TGT 0" "$(jq_of "$T/act.json" '"\(.target) \(.lun)"')"
check_eq "activate: both portals ok, not degraded" "127.0.0.4:3260:true 127.0.0.5:3260:true false" \
  "$(jq_of "$T/act.json" '[.portals[] | "\(.address):\(.port):\(.ok)"] | join(" ")') $(jq_of "$T/act.json" .degraded)"
check_eq "activate: size is the volume's" "$SIZE" "$(jq_of "$T/act.json" .sizeBytes)"
check_eq "LIO exports the volume at LUN 0 on both VIPs" "0|$JD_P1 $JD_P2" "$(lio_luns_of "$TGT")|$(lio_nps_of "$TGT")"
check_eq "LIO backstore serial is the WWID" "$WWID" "$(sed -n 's/^T10 VPD Unit Serial Number: //p' "$JD_HBA/$JD_POOL@$(jq_of "$T/create.json" .physicalName)/wwn/vpd_unit_serial")"
check_eq "two sessions, one per portal" "$JD_P1 $JD_P2" "$(session_portal_list "$TGT")"
check_eq "two node records, one per portal" "$JD_P1 $JD_P2" "$(node_record_portals "$TGT")"
for p in "$JD_P1" "$JD_P2"; do
  check_eq "node record $p: startup manual" manual "$(node_get "$TGT" "$p" node.startup)"
  check_eq "node record $p: no CHAP" None "$(node_get "$TGT" "$p" node.session.auth.authmethod)"
done
SD1=$(lun_disk "$JD_P1" "$TGT" 0)
SD2=$(lun_disk "$JD_P2" "$TGT" 0)
check "by-path links of LUN 0 on both portals ($SD1, $SD2)" test -n "$SD1" -a -n "$SD2" -a "$SD1" != "$SD2"
check_eq "udev ID_SERIAL of $SD1 is the WWID" "$WWID" "$(udevadm info -q property -n "$SD1" | sed -n 's/^ID_SERIAL=//p')"
check_eq "SCSI vendor of $SD1 matches the jdssc drop-in (^SCST_)" SCST_BIO "$(tr -d ' ' <"/sys/block/$SD1/device/vendor")"
check_eq "exactly one multipath map" "$WWID" "$(mp_maps | tr '\n' ' ' | sed 's/ $//')"
check_eq "the map's slaves are $SD1 and $SD2" "$(printf '%s\n' "$SD1" "$SD2" | sort | tr '\n' ' ' | sed 's/ $//')" "$(map_slaves "$WWID")"
check_wait "multipathd: two active, ready paths" 20 wait_paths "$WWID" 2
check_eq "multipath -ll: two 'active ready running' paths" 2 "$(mp_ll_active "$WWID")"
check_match "multipath -ll: the jdssc drop-in applies (multibus, round-robin)" "policy='round-robin 0'" "$(multipath -ll "$WWID" 2>/dev/null)"
check_eq "/dev/disk/by-id/scsi-$WWID points to the map" "$(readlink -f "/dev/mapper/$WWID")" "$(readlink -f "/dev/disk/by-id/scsi-$WWID")"
check_eq "map size is 64 MiB" "$SIZE" "$(map_size "$WWID")"
check "the LUN record exists" test -f "$(jd_record "$TGT" 0)"
check_eq "the LUN record names the volume, WWID and device" "$VOL $WWID /dev/mapper/$WWID true" \
  "$(jq_of "$(jd_record "$TGT" 0)" '"\(.volume) \(.wwid) \(.device) \(.multipath)"')"
check_eq "the record is mode 0600" 600 "$(stat -c %a "$(jd_record "$TGT" 0)")"

# I/O ---------------------------------------------------------------------------------------------
write_pattern "$T/pattern" 4
check "write 4 MiB through the map" dev_write_pattern "/dev/mapper/$WWID" "$T/pattern"
check "read back through $SD1 ($JD_P1)" dev_has_pattern "/dev/$SD1" "$T/pattern"
check "read back through $SD2 ($JD_P2)" dev_has_pattern "/dev/$SD2" "$T/pattern"
check "the volume's image on the array holds the pattern" file_has_pattern "$JD_DIR/data/$JD_POOL/$(jq_of "$T/create.json" .physicalName).img" "$T/pattern"

# Host-side views -----------------------------------------------------------------------------
check "login status" jd_json "$T/status.json" login status "$VOL"
check_eq "login status: active, device" "true /dev/mapper/$WWID" "$(jq_of "$T/status.json" '"\(.active) \(.device)"')"
check "login list" jd_json "$T/list.json" login list
check_match "login list names the volume" "$VOL" "$(cat "$T/list.json")"
check "activate again (already active) exits 0" jd_json "$T/act2.json" login activate "$VOL"
check_eq "activate again: same device, still two sessions" "/dev/mapper/$WWID|$JD_P1 $JD_P2" "$(jq_of "$T/act2.json" .device)|$(session_portal_list "$TGT")"
check "multipath status $WWID" jd_json "$T/mp.json" multipath status "$WWID"
note "multipath status: $(cat "$T/mp.json")"

# Deactivate ----------------------------------------------------------------------------------
check "login deactivate $VOL" jd_json "$T/deact.json" login deactivate "$VOL"
note "deactivate: $(cat "$T/deact.json")"
udevadm settle -t 10
check_eq "no sessions" 0 "$(session_count)"
check_eq "no node records" 0 "$(node_record_count)"
check_eq "no multipath map" "" "$(mp_maps)"
check_eq "no SCSI disks" "" "$(sd_devices)"
check_eq "no LUN record" 0 "$(jd_record_count)"
check "the WWID left /etc/multipath/wwids" sh -c "! grep -q '/$WWID/' /etc/multipath/wwids"
check_eq "the LUN stays published on the array (LIO LUN 0)" 0 "$(lio_luns_of "$TGT")"
check "deactivate --unpublish and volume delete" sh -c "jdssc -c $JD_CONF login deactivate $VOL --unpublish && jdssc -c $JD_CONF volume delete $VOL"
check_eq "the LIO target is gone with its last LUN" 0 "$(lio_target_count)"
check "the simulator stops (SIGTERM) and the host daemons stop" jd_teardown
check_eq "the simulator removed its HBA" no "$([ -d "$JD_HBA" ] && echo yes || echo no)"
check_eq "the VM is clean" "" "$(e2e_state)"
e2e_finish
