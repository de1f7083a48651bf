#!/bin/bash
# The REAL Proxmox VE storage code on the real kernel: the unmodified PVE::Storage of
# pve-storage 9.1 (../shared/pve beside the repository, loaded as the real-PVE tier loads it:
# test/pve/lib/RealPVE.pm) drives our plugin against the LIO-backed simulator, with open-iscsi
# and multipath on this host. Through PVE's public functions, as qemu-server and pvesm call
# them: pvesm add; vdisk_alloc and activate_volumes (a map with two paths, path() the same
# before and after activation, for a disk and for a vmstate volume sized as qemu-server sizes
# it); snapshot and rollback bring the data back through the active device; an offline resize
# ($running = 0) of an active volume reaches every path and the map; template, linked clone
# (same data), reassignment to another VM; deactivate and free leave nothing on the host or
# on the array. One driver process (lib/realpve-drive.pl) for all calls: PVE::Storage loads in
# seconds under TCG.
set -u -o pipefail
. "$E2E_LIB/e2e.sh"
. "$E2E_LIB/jdssc.sh"
e2e_begin jdssc-realpve
T=$E2E_TMP
S=$JD_STORAGE
MiB=$((1024 * 1024))

# RealPVE.pm takes the PVE sources from <repo>/../shared/pve; CI has them, a bare clone may not.
if [ ! -f "$E2E_REPO/../shared/pve/pve-storage/src/PVE/Storage.pm" ]; then
  note "SKIP real-PVE scenario: no Proxmox VE storage code at $E2E_REPO/../shared/pve (run.sh shares <repo>/../shared/pve when it exists)"
  exit 0
fi

require "array and host are up" jd_setup

# The driver, after jd_setup (the daemons and the simulator must not inherit its pipes).
DRIVER_LOG=$E2E_STATE/realpve-driver.log
coproc PVE {
  JD_CA=$JD_DIR/ca.pem
  export E2E_REPO JD_POOL JD_REST JD_REST_PORT JD_VIP1 JD_VIP2 JD_PREFIX JD_CA JD_STORAGE JD_REST_PASSWORD JD_LOG
  exec perl "$E2E_LIB/realpve-drive.pl" 2>"$DRIVER_LOG"
}
DRIVER_PID=$PVE_PID
R=
# pve REQUEST...  -- one request to the driver (see realpve-drive.pl); the answer's result in $R.
# A failed call shows PVE's error and the driver's log tail. No answer in time ends the scenario.
pve() {
  local line
  R=
  [ -z "${PVE_LOST:-}" ] || { echo "the driver stopped answering earlier" >&2; return 1; }
  printf '%s\n' "$*" >&"${PVE[1]}" || { echo "the driver is gone" >&2; return 1; }
  if ! IFS= read -r -t 240 line <&"${PVE[0]}"; then
    echo "no answer from the driver to: $*" >&2
    tail -n 20 "$DRIVER_LOG" >&2
    PVE_LOST=1
    return 1
  fi
  case $line in
    ok | "ok "*) R=${line#ok}; R=${R# }; return 0 ;;
    ready*) R=${line#ready }; return 0 ;;
  esac
  echo "$line" >&2
  tail -n 20 "$DRIVER_LOG" >&2
  return 1
}
# pve_err REQUEST...  -- the call fails in PVE (the driver answers err); the message in $R.
pve_err() {
  pve "$@" 2>"$T/.err" && { echo "succeeded: $R" >&2; return 1; }
  [ -z "${PVE_LOST:-}" ] || return 1
  R=$(head -n 1 "$T/.err"); R=${R#err }
}
# Reads the driver's first line (it loaded the PVE stack).
pve_ready() {
  local line
  IFS= read -r -t 240 line <&"${PVE[0]}" || { cat "$DRIVER_LOG" >&2; return 1; }
  R=${line#ready }
  [ "${line%% *}" = ready ] || { echo "$line" >&2; cat "$DRIVER_LOG" >&2; return 1; }
}
# req DESC REQUEST...  -- a pve call later steps need (ends the scenario when it fails).
req() { local d=$1; shift; require "$d" pve "$@"; }
first() { echo "${R%% *}"; }
# sizes WWID  -- the map's size, then each of its paths'.
sizes() {
  local d out
  out=$(map_size "$1")
  for d in $(map_slaves "$1"); do out="$out $(blockdev --getsize64 "/dev/$d" 2>/dev/null)"; done
  echo "$out"
}
# gone WWID  -- this host has no map and no LUN record of it any more.
gone() { ! map_exists "$1" && ! grep -lq "$1" $(jd_records) /dev/null; }

require "the real PVE::Storage loads with the plugin" pve_ready
check_match "…from the shared PVE sources" '/shared/pve$' "$R"

# pvesm add -------------------------------------------------------------------------------------
req "pvesm add joviandss $S (PVE::API2::Storage::Config->create)" create
check_eq "…created" '{"storage":"'$S'","type":"joviandss"}' "$R"
check "storage_info: active, the simulated pool's size" pve storage_info images
check_eq "…active" 1 "$(jq -r --arg s "$S" '.[$s].active' <<<"$R")"
check_eq "…total 100 GiB" $((100 * 1024 * MiB)) "$(jq -r --arg s "$S" '.[$s].total' <<<"$R")"

# A VM disk -------------------------------------------------------------------------------------
req "vdisk_alloc VM 150, 32 MiB" vdisk_alloc "$S" 150 raw - $((32 * 1024))
VOL=$R
check_eq "…its volid" "$S:vm-150-disk-0" "$VOL"
req "path() before activation" path "$VOL"
check_match "…the WWID map it will get, owner 150, images" '^/dev/mapper/2[0-9a-f]{16} 150 images$' "$R"
DEV0=$(first)
req "activate_volumes [$VOL]" activate_volumes "[$VOL]"
req "path() after activation" path "$VOL"
DEV=$(first)
check_eq "…the same path as before" "$DEV0" "$DEV"
WWID=${DEV#/dev/mapper/}
check "…a block device" test -b "$DEV"
check_wait "…with two active paths" 20 wait_paths "$WWID" 2
check_eq "two sessions to the VM's target" "$JD_P1 $JD_P2" "$(session_portal_list "$(jd_target 150)")"
write_pattern "$T/p1" 1
require "write a pattern through path() (dd)" dev_write_pattern "$DEV" "$T/p1"

# The vmstate volume of a snapshot with RAM, as qemu-server allocates it: vm-<vmid>-state-<snap>,
# raw, (memory MiB * 2 + 500) MiB given in KiB; memory 16 MiB here.
STATE_KIB=$(((16 * 2 + 500) * 1024))
req "vdisk_alloc vm-150-state-snap1 ($((STATE_KIB / 1024)) MiB, as qemu-server)" vdisk_alloc "$S" 150 raw vm-150-state-snap1 "$STATE_KIB"
STATE=$R
check_eq "…its volid" "$S:vm-150-state-snap1" "$STATE"
req "path() of the vmstate before activation" path "$STATE"
SDEV0=$(first)
req "activate_volumes [$STATE]" activate_volumes "[$STATE]"
req "path() of the vmstate after activation" path "$STATE"
SDEV=$(first)
check_eq "…the same path as before activation" "$SDEV0" "$SDEV"
check_match "…another map than the disk's" '^/dev/mapper/2[0-9a-f]{16}$' "$SDEV"
check "…not the disk's" test "$SDEV" != "$DEV"
check_eq "…of the allocated size" $((STATE_KIB * 1024)) "$(blockdev --getsize64 "$SDEV" 2>/dev/null)"

# Snapshot and rollback through the active device -------------------------------------------------
req "volume_snapshot $VOL snap1" volume_snapshot "$VOL" snap1
check "volume_snapshot_info lists snap1" pve volume_snapshot_info "$VOL"
check_eq "…only snap1" snap1 "$(jq -r 'keys | join(" ")' <<<"$R")"
write_pattern "$T/p2" 1
check "overwrite the data after the snapshot" dev_write_pattern "$DEV" "$T/p2"
check "…the device shows the new data" dev_has_pattern "$DEV" "$T/p2"
req "volume_snapshot_rollback $VOL snap1" volume_snapshot_rollback "$VOL" snap1
check "the snapshot's data is back through the same device" dev_has_pattern "$DEV" "$T/p1"
check_wait "…still two active paths" 20 wait_paths "$WWID" 2

# Offline resize of an active volume (pct resize, qm disk resize of a stopped VM) ---------------
NEW=$((48 * MiB))
req "volume_resize $VOL 48 MiB, running 0" volume_resize "$VOL" "$NEW" 0
check "volume_size_info" pve volume_size_info "$VOL"
check_eq "…48 MiB on the array" "$NEW" "$(first)"
check_eq "the map and both paths show 48 MiB" "$NEW $NEW $NEW" "$(sizes "$WWID")"
check_match "multipath -ll shows it" 'size=48M' "$(multipath -ll "$WWID" 2>/dev/null)"
check "the data survived the resize" dev_has_pattern "$DEV" "$T/p1"

# Template and linked clone (qm template, qm clone) -----------------------------------------------
req "this node holds VM 150's config" guest 150
# qemu-server's template_create asks for the feature (the plugin tears the disk down here) first.
req "volume_has_feature template $VOL" volume_has_feature template "$VOL" - 0
check_eq "…yes" 1 "$R"
check "…and the disk's map and LUN record are gone from this host" gone "$WWID"
req "vdisk_create_base $VOL" vdisk_create_base "$VOL"
BASE=$R
check_eq "…the template keeps the disk number" "$S:base-150-disk-0" "$BASE"
req "vdisk_clone $BASE for VM 151 (linked)" vdisk_clone "$BASE" 151
CLONE=$R
check_eq "…a linked clone names its base" "$S:base-150-disk-0/vm-151-disk-0" "$CLONE"
req "activate_volumes [$CLONE]" activate_volumes "[$CLONE]"
req "path() of the clone" path "$CLONE"
CDEV=$(first)
CWWID=${CDEV#/dev/mapper/}
check_match "…a map, owner 151" '^/dev/mapper/2[0-9a-f]{16} 151 images$' "$R"
check_wait "…with two active paths" 20 wait_paths "$CWWID" 2
check "the clone has the template's data" dev_has_pattern "$CDEV" "$T/p1"
check_eq "…and its size" "$NEW" "$(blockdev --getsize64 "$CDEV" 2>/dev/null)"

# Reassign the clone to VM 152 (qm disk reassign) ----------------------------------------------
req "this node holds VM 151's config" guest 151
req "rename_volume $CLONE to VM 152" rename_volume "$CLONE" 152
MOVED=$R
check_eq "…its new volid" "$S:base-150-disk-0/vm-152-disk-0" "$MOVED"
check "…the old name's map and LUN record are gone from this host" gone "$CWWID"
check "vdisk_list VM 152" pve vdisk_list "$S" 152
check_eq "…lists it with its base" "$MOVED base-150-disk-0" "$(jq -r --arg s "$S" '.[$s][] | "\(.volid) \(.parent)"' <<<"$R")"
req "activate_volumes [$MOVED]" activate_volumes "[$MOVED]"
req "path() of the reassigned disk" path "$MOVED"
MDEV=$(first)
check_match "…owner 152" ' 152 images$' "$R"
check "…the same data" dev_has_pattern "$MDEV" "$T/p1"

# Deactivate and free everything ----------------------------------------------------------------
udevadm settle -t 10
req "deactivate_volumes [$MOVED,$STATE]" deactivate_volumes "[$MOVED,$STATE]"
check_eq "no session, node record, map, disk or LUN record left" "0 0 0 0 0" \
  "$(session_count) $(node_record_count) $(mp_maps | wc -l) $(sd_devices | wc -l) $(jd_record_count)"
check "vdisk_free of the template while its clone exists fails" pve_err vdisk_free "$BASE"
check_match "…refused by PVE itself" "base volume 'base-150-disk-0' is still in use by linked clones" "$R"
check "vdisk_free $MOVED" pve vdisk_free "$MOVED"
check "vdisk_free $BASE" pve vdisk_free "$BASE"
check "vdisk_free $STATE" pve vdisk_free "$STATE"
check "vdisk_list" pve vdisk_list "$S"
check_eq "…is empty" '{"'$S'":[]}' "$R"
check "pvesm remove $S (PVE::API2::Storage::Config->delete)" pve delete
eval "exec ${PVE[1]}>&-"
check_wait "the driver ends at the end of its input" 20 pid_gone "$DRIVER_PID"
check_eq "the array has no volume" 0 "$(jd volume list --json 2>/dev/null | jq '.volumes | length')"
check_eq "…and exports no target" 0 "$(lio_target_count)"
# What each PVE call returned, into this log once the driver's log is known to hold no secret
# (a failed scenario keeps it in <scenario>.state/ anyway).
if check "no secret in the driver's or jdssc's log" sh -c 'test -s "$2" && test -s "$3" && ! grep -qF -- "$1" "$2" "$3"' \
  sh "$JD_REST_PASSWORD" "$DRIVER_LOG" "$JD_LOG"; then
  sed 's/^/# pve: /' "$DRIVER_LOG"
fi
check "the simulator and daemons stop" jd_teardown
check_eq "the VM is clean" "" "$(e2e_state)"
e2e_finish
