#!/bin/bash
# jdssc cleanup on the real kernel. Planted next to a healthy active volume: a session and a
# node record to one of jdssc's targets made by hand with iscsiadm, a LUN record whose sessions
# are gone (as after a reboot). (A map with no paths cannot be planted here: multipathd removes
# it at once; the fake-host tier covers that kind.)
# A dry run lists them (exit 10) and changes nothing; cleanup --apply --grace 0 removes them
# and leaves the healthy volume alone. Then: the LUN record of an active volume is lost.
set -u -o pipefail
. "$E2E_LIB/e2e.sh"
. "$E2E_LIB/jdssc.sh"
e2e_begin jdssc-cleanup
T=$E2E_TMP

GOOD=vm-130-disk-0
HAND=vm-131-disk-0
STALE=vm-132-disk-0
LOST=vm-133-disk-0
TGOOD=$(jd_target 130)
THAND=$(jd_target 131)
TSTALE=$(jd_target 132)
TLOST=$(jd_target 133)
VMIDS=130,131,132,133
cleanup_json() { jd_json "$1" cleanup --vmids "$VMIDS" "${@:2}"; }
host_kinds() { jq -r '[.items[] | select(.where == "host") | "\(.kind):\(.name)"] | sort | join("\n")' "$1"; }

require "array and host are up" jd_setup
for v in $GOOD $HAND $STALE $LOST; do require "volume create $v" jd_volume "$v" 32M "$T/$v.json"; done
WGOOD=$(jq_of "$T/$GOOD.json" .wwid)
WSTALE=$(jq_of "$T/$STALE.json" .wwid)
WLOST=$(jq_of "$T/$LOST.json" .wwid)
require "login activate $GOOD (healthy, must survive)" jd login activate "$GOOD"
write_pattern "$T/pattern" 1
require "write to $GOOD" dev_write_pattern "/dev/mapper/$WGOOD" "$T/pattern"

# Plant the orphans ----------------------------------------------------------------------------------
require "target publish $HAND" jd target publish "$HAND"
require "a session to $THAND via $JD_P1 and a node record via $JD_P2, made by hand" sh -c "
  iscsiadm -m node -T $THAND -p $JD_P1 -o new && iscsiadm -m node -T $THAND -p $JD_P2 -o new &&
  iscsiadm -m node -T $THAND -p $JD_P1 --login"
check_eq "…node records of $THAND on both portals" "$JD_P1 $JD_P2" "$(node_record_portals "$THAND")"

require "login activate $STALE" jd login activate "$STALE"
require "$STALE loses its sessions behind jdssc's back (logout by hand)" iscsiadm -m node -T "$TSTALE" --logout
check_wait "…its disks go, multipathd drops the unused map" 20 sh -c "! dmsetup info $WSTALE >/dev/null 2>&1"
check "…its LUN record is still there" test -f "$(jd_record "$TSTALE" 0)"


# Dry run --------------------------------------------------------------------------------------------
check_rc "cleanup (dry run) exits 10: orphans found" 10 cleanup_json "$T/dry.json"
note "dry run: $(jq -c '[.items[] | {where, kind, name, keep}]' "$T/dry.json")"
EXPECTED="node-record:$THAND via 127.0.0.5:3260
record:$STALE ($TSTALE LUN 0)
session:$THAND via 127.0.0.4:3260"
check_eq "it finds the hand-made session and node record, the stale record" "$EXPECTED" "$(host_kinds "$T/dry.json")"
check_eq "nothing on the array side" 0 "$(jq '[.items[] | select(.where == "array")] | length' "$T/dry.json")"
check_eq "the dry run changed nothing" "$JD_P1|$JD_P1 $JD_P2|yes" \
  "$(session_portal_list "$THAND")|$(node_record_portals "$THAND")|$([ -f "$(jd_record "$TSTALE" 0)" ] && echo yes)"

# Apply ------------------------------------------------------------------------------------------
check_rc "cleanup --apply --grace 0 exits 0: everything removed" 0 cleanup_json "$T/apply.json" --apply --grace 0
note "apply: $(jq -c '[.items[] | {kind, name, result, error}]' "$T/apply.json")"
check_eq "no item failed or was kept" 0 "$(jq '[.items[] | select(.error != null or .keep != null)] | length' "$T/apply.json")"
check_eq "no session or node record to $THAND" "|" "$(session_portal_list "$THAND")|$(node_record_portals "$THAND")"
check "the stale record of $STALE is gone" test ! -e "$(jd_record "$TSTALE" 0)"
check_eq "…with its node records" "" "$(node_record_portals "$TSTALE")"
check "…and its WWID is no longer allowed" sh -c "! grep -q '/$WSTALE/' /etc/multipath/wwids"
check_eq "the healthy volume is untouched: sessions" "$JD_P1 $JD_P2" "$(session_portal_list "$TGOOD")"
check_eq "…two active paths" 2 "$(mp_active "$WGOOD")"
check "…its record" test -f "$(jd_record "$TGOOD" 0)"
check "…its data" dev_has_pattern "/dev/mapper/$WGOOD" "$T/pattern"
check_rc "a second dry run finds nothing (exit 0)" 0 cleanup_json "$T/dry2.json"
check_eq "…and prints nothing" "" "$(jd cleanup --vmids "$VMIDS" 2>&1)"

# The LUN record of an active volume is lost ---------------------------------------------------------
require "login activate $LOST" jd login activate "$LOST"
require "lose its LUN record" rm "$(jd_record "$TLOST" 0)"
cleanup_json "$T/lost.json"
note "record lost: $(jq -c '[.items[] | {kind, name, keep}]' "$T/lost.json")"
check_eq "cleanup sees its two sessions as unaccounted for" "session:$TLOST via 127.0.0.4:3260
session:$TLOST via 127.0.0.5:3260" "$(host_kinds "$T/lost.json")"
cleanup_json "$T/lost-apply.json" --apply --grace 0
note "record lost, apply: $(jq -c '[.items[] | {kind, name, keep, result, error}]' "$T/lost-apply.json")"
LOST_LEFT=$(session_count "$TLOST")
note "after apply: $LOST_LEFT session(s) to $TLOST, map: $(map_exists "$WLOST" && echo present || echo gone)"
check "the map of the record-less volume is not pulled while its sessions are kept" sh -c "[ $LOST_LEFT = 0 ] || dmsetup info $WLOST >/dev/null 2>&1"
check "login activate $LOST adopts what is there again" jd login activate "$LOST"
check "…its record is back" test -f "$(jd_record "$TLOST" 0)"
check_wait "…two active paths" 20 wait_paths "$WLOST" 2
check_rc "cleanup finds nothing now" 0 cleanup_json "$T/dry3.json"

# Teardown ------------------------------------------------------------------------------------
udevadm settle -t 10
check "deactivate, unpublish and delete the volumes" sh -c "
  for v in $GOOD $LOST; do jdssc -c $JD_CONF login deactivate \$v || exit 1; done
  for v in $GOOD $HAND $STALE $LOST; do jdssc -c $JD_CONF target unpublish \$v && jdssc -c $JD_CONF volume delete \$v || exit 1; done"
check_eq "no sessions, records, maps, disks, LUN records left" "0 0 0 0 0" \
  "$(session_count) $(node_record_count) $(mp_maps | wc -l) $(sd_devices | wc -l) $(jd_record_count)"
check "the simulator and daemons stop" jd_teardown
check_eq "the VM is clean" "" "$(e2e_state)"
e2e_finish
