#!/bin/bash
# CHAP on the real kernel: jdssc puts the secret into the node records (never on an argv),
# LIO enforces it. A wrong secret on the array — changed in configfs, or through the REST API —
# is repaired by the one refresh jdssc does after an authorization failure. A wrong secret the
# refresh cannot reach (a per-initiator ACL on the target with its own secret) fails with a
# clear error, exit 9, and leaves nothing behind.
set -u -o pipefail
. "$E2E_LIB/e2e.sh"
. "$E2E_LIB/jdssc.sh"
e2e_begin jdssc-chap
T=$E2E_TMP

VOL=vm-106-disk-0
TGT=$(jd_target 106)
TPG=$(jd_tpg "$TGT")
INIT=$(initiator_iqn)
WRONG=Wrong-secret-0000

require "array and host are up, jdssc with chap_enabled" jd_setup --chap
require "volume create $VOL" jd_volume "$VOL" 48M "$T/vol.json"
WWID=$(jq_of "$T/vol.json" .wwid)

nothing_left() { # what a failed activation must not leave
  echo "sessions=$(session_count) nodes=$(node_record_count) records=$(jd_record_count) maps=$(mp_maps | wc -l) disks=$(sd_devices | wc -l) wwid=$(grep -c "/$WWID/" /etc/multipath/wwids)"
}
CLEAN="sessions=0 nodes=0 records=0 maps=0 disks=0 wwid=0"
deactivate_ok() { jd login deactivate "$VOL" >/dev/null && [ "$(nothing_left)" = "$CLEAN" ]; }

# CHAP works ----------------------------------------------------------------------------------------
require "login activate $VOL with CHAP" jd_json "$T/act.json" login activate "$VOL"
check_eq "two portals ok, not degraded" "true true false" "$(jq_of "$T/act.json" '[.portals[].ok] + [.degraded] | join(" ")')"
check_eq "LIO requires CHAP on $TGT with jdssc's user" "1 $JD_CHAP_USER" "$(cat "$TPG/attrib/authentication") $(cat "$TPG/auth/userid")"
check_eq "two sessions" "$JD_P1 $JD_P2" "$(session_portal_list "$TGT")"
check_wait "two active paths" 20 wait_paths "$WWID" 2
for p in "$JD_P1" "$JD_P2"; do
  check_eq "node record $p: CHAP, user $JD_CHAP_USER" "CHAP $JD_CHAP_USER" "$(node_get "$TGT" "$p" node.session.auth.authmethod) $(node_get "$TGT" "$p" node.session.auth.username)"
  # <portal>,<tpgt>/<iface> once discovered; a bare <portal> file for a record made with -o new
  F=$(find "/etc/iscsi/nodes/$TGT" -type f \( -path "*/${p/:/,}" -o -path "*/${p/:/,},*" \) 2>/dev/null | head -n1)
  check "node record file of $p holds the secret as the password" grep -qx "node.session.auth.password = $JD_CHAP_SECRET" "$F"
  check_eq "…and is mode 0600" 600 "$(stat -c %a "$F")"
done
check "the secret is not in jdssc's debug log" sh -c "! grep -qF -- '$JD_CHAP_SECRET' $JD_LOG"
check "deactivate leaves nothing" deactivate_ok

# Wrong secret on the array (configfs): the refresh repairs it -------------------------------------
check "make the array's secret wrong in configfs" sh -c "printf %s $WRONG >$TPG/auth/password"
check_rc "a login by hand with jdssc's secret now fails (exit 24)" 24 sh -c "
  iscsiadm -m discovery -t st -p $JD_P1 >/dev/null && iscsiadm -m node -T $TGT -p $JD_P1 -o update -n node.session.auth.authmethod -v CHAP &&
  iscsiadm -m node -T $TGT -p $JD_P1 -o update -n node.session.auth.username -v $JD_CHAP_USER &&
  iscsiadm -m node -T $TGT -p $JD_P1 -o update -n node.session.auth.password -v $JD_CHAP_SECRET &&
  iscsiadm -m node -T $TGT -p $JD_P1 --login"
iscsiadm -m node -o delete >/dev/null 2>&1
iscsiadm -m discoverydb -t st -p "$JD_P1" -o delete >/dev/null 2>&1
check_eq "(the hand-made records are gone again)" 0 "$(node_record_count)"
: >"$JD_LOG"
check "login activate recovers (pushes the secret, logs in)" jd_json "$T/act-a.json" login activate "$VOL"
check_match "jdssc logged the refresh" "refreshing the CHAP user" "$(cat "$JD_LOG")"
check_eq "LIO holds jdssc's secret again" "$JD_CHAP_SECRET" "$(cat "$TPG/auth/password")"
check_eq "two sessions, not degraded" "$JD_P1 $JD_P2 false" "$(session_portal_list "$TGT") $(jq_of "$T/act-a.json" .degraded)"
check_wait "two active paths" 20 wait_paths "$WWID" 2
check "deactivate leaves nothing" deactivate_ok

# Wrong secret on the array (REST, as another admin tool would) --------------------------------------
U=/pools/$JD_POOL/san/iscsi/targets/$TGT/incoming-users
replace_user() { jd_rest DELETE "$U/$JD_CHAP_USER" && jd_rest POST "$U" "{\"name\":\"$JD_CHAP_USER\",\"password\":\"Other-secret-123\"}"; }
check "replace the CHAP user's secret through the REST API" replace_user
check_eq "LIO now holds the other secret" Other-secret-123 "$(cat "$TPG/auth/password")"
: >"$JD_LOG"
check "login activate recovers" jd_json "$T/act-b.json" login activate "$VOL"
check_match "jdssc logged the refresh" "refreshing the CHAP user" "$(cat "$JD_LOG")"
check_eq "two sessions, not degraded" "$JD_P1 $JD_P2 false" "$(session_portal_list "$TGT") $(jq_of "$T/act-b.json" .degraded)"
check "deactivate leaves nothing" deactivate_ok

# A secret the refresh cannot fix: a per-initiator ACL with its own secret ------------------------
# LIO authenticates an initiator with an explicit ACL against that ACL, not the portal group's
# demo-mode credentials the array's incoming user sets: pushing the user again changes nothing.
check "an ACL for this initiator with another secret on $TGT" sh -c "
  mkdir $TPG/acls/$INIT && printf %s $JD_CHAP_USER >$TPG/acls/$INIT/auth/userid && printf %s $WRONG >$TPG/acls/$INIT/auth/password"
: >"$JD_LOG"
check_rc "login activate fails with exit 9 (host)" 9 jd_json "$T/act-c.json" login activate "$VOL"
note "stderr: $(cat "$T/act-c.json.err")"
check_match "a clear error: every portal refused the login for authorization" "could not log in to any portal.*authori[sz]ation" "$(cat "$T/act-c.json.err")"
check_eq "the JSON error names the reason" "9 chap_auth_failed" "$(jq_of "$T/act-c.json" '"\(.error.exit) \(.error.details.reason)"')"
check_eq "it tried the refresh once (one warning)" 1 "$(grep -c 'refreshing the CHAP user' "$JD_LOG")"
check_eq "nothing left behind: no session, node record, LUN record, map, disk, WWID" "$CLEAN" "$(nothing_left)"
check "the secret is not in the error output" sh -c "! grep -qF -- '$JD_CHAP_SECRET' $T/act-c.json $T/act-c.json.err $JD_LOG"
check "remove the ACL again" sh -c "rmdir $TPG/acls/$INIT"
check "login activate works again" jd_json "$T/act-d.json" login activate "$VOL"
check_eq "two sessions, not degraded" "$JD_P1 $JD_P2 false" "$(session_portal_list "$TGT") $(jq_of "$T/act-d.json" .degraded)"
check "deactivate leaves nothing" deactivate_ok

# Teardown ------------------------------------------------------------------------------------
check "unpublish and delete the volume" sh -c "jdssc -c $JD_CONF target unpublish $VOL && jdssc -c $JD_CONF volume delete $VOL"
check "the simulator and daemons stop" jd_teardown
check_eq "the VM is clean" "" "$(e2e_state)"
e2e_finish
