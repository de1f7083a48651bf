#!/bin/bash
# The real Perl plugin on the real kernel, driven as PVE drives it (through the PVE stand-in of
# test/plugin/lib): on_add_hook writes the password file; alloc_image; activate_volume gives a
# multipath map with two active paths that path() names; data written through it survives an
# online resize and a snapshot; the snapshot is activated read-only next to the volume and
# shows the old data; deactivate and free_image leave no session, record, map or disk.
set -u -o pipefail
. "$E2E_LIB/e2e.sh"
. "$E2E_LIB/jdssc.sh"
e2e_begin jdssc-plugin
T=$E2E_TMP

pl() {
  E2E_REPO=$E2E_REPO PLUGIN_PRIV=$T/priv JD_POOL=$JD_POOL JD_REST=$JD_REST JD_REST_PORT=$JD_REST_PORT \
    JD_VIP1=$JD_VIP1 JD_VIP2=$JD_VIP2 JD_PREFIX=$JD_PREFIX JD_CA=$JD_DIR/ca.pem JD_STORAGE=$JD_STORAGE \
    JD_REST_PASSWORD=$JD_REST_PASSWORD PVE_TEST_LOCK_DIR=$T perl "$E2E_LIB/plugin-drive.pl" "$@"
}
# pl_out FILE METHOD ARGS...  -- the result line into FILE (stderr shown when it fails)
pl_out() { local f=$1; shift; pl "$@" >"$f" 2>"$f.err" || { cat "$f.err" >&2; return 1; }; }

require "array and host are up" jd_setup
require "on_add_hook stores the REST password" pl add
check_eq "…in a 0600 file under the plugin's priv dir" 600 "$(stat -c %a "$T/priv/$JD_STORAGE.pw" 2>/dev/null)"
require "alloc_image VM 150, 32 MiB" pl_out "$T/alloc" alloc 150 $((32 * 1024))
VOL=$(cat "$T/alloc")
check_eq "the volume name PVE gets" vm-150-disk-0 "$VOL"

require "activate_volume $VOL" pl activate "$VOL"
require "path $VOL" pl_out "$T/path" path "$VOL"
DEV=$(cat "$T/path")
check_match "path() names the multipath map" '^/dev/mapper/2[0-9a-f]{16}$' "$DEV"
WWID=${DEV#/dev/mapper/}
check "…which is a block device" test -b "$DEV"
check_wait "…with two active paths" 20 wait_paths "$WWID" 2
check_eq "two sessions to the VM's target" "$JD_P1 $JD_P2" "$(session_portal_list "$(jd_target 150)")"
write_pattern "$T/pattern" 1
check "write a pattern through the map" dev_write_pattern "$DEV" "$T/pattern"

check "volume_resize to 48 MiB while active" pl resize "$VOL" $((48 * 1024 * 1024))
check_eq "volume_size_info reports it" $((48 * 1024 * 1024)) "$(pl size "$VOL" 2>/dev/null)"
check_wait "the map shows the new size" 20 sh -c "[ \"\$(blockdev --getsize64 $DEV)\" = $((48 * 1024 * 1024)) ]"
check "the data survived" dev_has_pattern "$DEV" "$T/pattern"

check "volume_snapshot $VOL before" pl snapshot "$VOL" before
write_pattern "$T/pattern2" 1
check "overwrite the data after the snapshot" dev_write_pattern "$DEV" "$T/pattern2"
check "activate_volume of the snapshot" pl activate "$VOL" before
SDEV=$(pl path "$VOL" before 2>/dev/null)
check_match "path() of the snapshot is another map" '^/dev/mapper/2[0-9a-f]{16}$' "$SDEV"
check "…that is not the volume's" test "$SDEV" != "$DEV"
check "the snapshot shows the old data" dev_has_pattern "$SDEV" "$T/pattern"
check "the volume shows the new data" dev_has_pattern "$DEV" "$T/pattern2"
check "deactivate_volume of the snapshot" pl deactivate "$VOL" before
check "volume_snapshot_delete" pl snapdel "$VOL" before

# Teardown ------------------------------------------------------------------------------------
udevadm settle -t 10
check "deactivate_volume $VOL" pl deactivate "$VOL"
check "free_image $VOL" pl free "$VOL"
check_eq "the array has no volume" 0 "$(jd volume list --json 2>/dev/null | jq '.volumes | length')"
check_eq "no sessions, records, maps, disks, LUN records left" "0 0 0 0 0" \
  "$(session_count) $(node_record_count) $(mp_maps | wc -l) $(sd_devices | wc -l) $(jd_record_count)"
check "the simulator and daemons stop" jd_teardown
check_eq "the VM is clean" "" "$(e2e_state)"
e2e_finish
