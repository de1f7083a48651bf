#!/bin/bash
# jdssc's NFS side on the real kernel: the simulator's NAS volumes are directories under its data
# dir, bound at /Pools (the appliance's export paths) and served by the kernel nfsd on 127.0.0.6
# only. `nfs activate --create --quota 1G` creates the NAS volume and its share and mounts the
# export; a file written through the mount is in the NAS volume's directory (as the control API
# reports it); a NAS snapshot and rollback bring back an overwritten file seen through the
# mount; a directory that holds another mount, or files, is refused and left as it was; a
# server that does not answer is skipped for the next data address; a busy mount is kept;
# deactivate leaves nothing mounted.
set -u -o pipefail
. "$E2E_LIB/e2e.sh"
. "$E2E_LIB/jdssc.sh"
e2e_begin jdssc-nfs
T=$E2E_TMP

SRV=127.0.0.6     # nfsd listens here only
DEAD=127.0.0.8    # nothing listens here
JD_DATA_ADDRESSES=$SRV
NAS=pve-files
EXP=/Pools/$JD_POOL/$NAS
MNT=/mnt/pve/jdss-nfs
OTHER=/mnt/pve/other
# jd_err FILE ARGS...  -- jdssc once: its stderr in FILE, its exit code returned.
jd_err() { local f=$1; shift; jd "$@" >/dev/null 2>"$f"; }

require "array is up" jd_nas_setup
# The appliance's export paths: /Pools/<pool>/<name> is <data>/nas/<pool>/<name>. The whole tree
# is exported, so a NAS volume that activate creates is served at once (nfsd needs no restart).
mkdir -p /Pools
require "bind the simulator's NAS tree at /Pools" mount --bind "$JD_DIR/data/nas" /Pools
require "nfsd up on $SRV" nfsd_start "$SRV"
require "export /Pools" nfs_export /Pools

# Activate with --create --------------------------------------------------------------------
require "nfs activate --create --quota 1G --server $SRV" \
  jd_json "$T/act.json" nfs activate --export "$EXP" --path "$MNT" --server "$SRV" --create --quota 1G
note "activate: $(cat "$T/act.json")"
check_eq "it mounted $SRV:$EXP and created the NAS volume and the share" "true $SRV:$EXP true true" \
  "$(jq_of "$T/act.json" '"\(.mounted) \(.source) \(.created.nasVolume) \(.created.share)"')"
check_eq "mountinfo: $SRV:$EXP on $MNT" "$SRV:$EXP" "$(nfs_mounted_at "$MNT")"
note "mount: $(grep " $MNT " /proc/self/mountinfo)"
check_eq "its share, named after it, exports $EXP over NFS" "$JD_POOL/$NAS $EXP true true" \
  "$(jd share list --json 2>/dev/null | jq -r --arg n "$NAS" '.shares[] | select(.name == $n) | "\(.pool)/\(.nasVolume) \(.exportPath) \(.active) \(.nfs)"')"
DIR=$(jd_nas_dir "$NAS")
check_eq "the control API reports its directory under the data dir" "$JD_DIR/data/nas/$JD_POOL/$NAS" "$DIR"

# Files through the mount ----------------------------------------------------------------------
head -c 1048576 /dev/urandom >"$T/a.bin"
head -c 1048576 /dev/urandom >"$T/b.bin"
check "write a 1 MiB file and a note through the mount" \
  sh -c "cp $T/a.bin $MNT/disk.raw && echo version-A >$MNT/note.txt && sync"
check "…the file is in the NAS volume's directory" cmp "$T/a.bin" "$DIR/disk.raw"
check_eq "…and so is the note" version-A "$(cat "$DIR/note.txt" 2>&1)"
jd_json "$T/st.json" nfs status --path "$MNT" --export "$EXP"
check_eq "nfs status: mounted, ours, from $SRV" "true true $SRV:$EXP" "$(jq_of "$T/st.json" '"\(.mounted) \(.ours) \(.source)"')"
check "…the NAS volume's use counts the file" test "$(jq_of "$T/st.json" .nasVolume.used)" -ge 1048576
check_eq "…its quota is 1 GiB" 1073741824 "$(jq_of "$T/st.json" .nasVolume.quota)"
check_rc "activate again: no change, exit 0" 0 jd_json "$T/act2.json" nfs activate --export "$EXP" --path "$MNT" --server "$SRV"
check_eq "…it says so (mounted false) and mounted nothing more" "false 1" \
  "$(jq_of "$T/act2.json" .mounted) $(nfs_mounts | grep -c " $MNT ")"

# NAS snapshot and rollback, seen through the mount ------------------------------------------
require "nas-snapshot create $NAS before" jd nas-snapshot create "$NAS" before
check "overwrite the file and the note, add a file, through the mount" \
  sh -c "cp $T/b.bin $MNT/disk.raw && echo version-B >$MNT/note.txt && echo new >$MNT/added.txt && sync"
check "…the directory has the new content" cmp "$T/b.bin" "$DIR/disk.raw"
require "nas-snapshot rollback $NAS before" jd nas-snapshot rollback "$NAS" before
check "through the mount: the file is the old one again" cmp "$T/a.bin" "$MNT/disk.raw"
check_eq "…the note too" version-A "$(cat "$MNT/note.txt" 2>&1)"
# A name removed on the server stays visible to the client until it revalidates the directory
# (attribute cache, acdirmin 30 s .. acdirmax 60 s): once in CI the check ran before that.
check_wait "…the file added after the snapshot is gone" 65 test ! -e "$MNT/added.txt"
check_eq "the mount is the same one (not remounted)" "$SRV:$EXP" "$(nfs_mounted_at "$MNT")"

# A directory that holds something else is refused and left alone ------------------------------
mkdir -p "$OTHER"
require "a tmpfs mounted at $OTHER" mount -t tmpfs -o size=1m e2e-other "$OTHER"
echo keep >"$OTHER/marker"
jd_err "$T/e1" nfs activate --export "$EXP" --path "$OTHER" --server "$SRV"
check_eq "nfs activate on $OTHER (holds a tmpfs): exit 5" 5 $?
check_match "…one line naming what is there" "^error: $OTHER already holds a mount of e2e-other \\(tmpfs\\)" "$(cat "$T/e1")"
check_eq "…and nothing else on stderr" 1 "$(grep -c . "$T/e1")"
check_eq "…the tmpfs is still the mount there, with its file" "tmpfs keep" \
  "$(findmnt -n -o FSTYPE --mountpoint "$OTHER") $(cat "$OTHER/marker" 2>&1)"
check_eq "…and no NFS mount was stacked on it" "" "$(nfs_mounted_at "$OTHER")"
check_rc "nfs deactivate on $OTHER (not a JovianDSS export): refused, exit 5" 5 jd nfs deactivate --path "$OTHER"
check_eq "…the tmpfs is still there" tmpfs "$(findmnt -n -o FSTYPE --mountpoint "$OTHER")"
umount "$OTHER"
echo stray >"$OTHER/file"
check_rc "nfs activate on a directory holding files: exit 5" 5 jd nfs activate --export "$EXP" --path "$OTHER" --server "$SRV"
check_eq "…nothing mounted, the file kept" " stray" "$(nfs_mounted_at "$OTHER") $(cat "$OTHER/file")"
rm -rf "$OTHER"

# A busy mount is kept; deactivate unmounts when nobody uses it ----------------------------------
(cd "$MNT" && exec sleep 300) &
BUSY=$!
wait_until 5 sh -c "readlink /proc/$BUSY/cwd | grep -q '^$MNT'"
jd_err "$T/e2" nfs deactivate --path "$MNT"
check_eq "nfs deactivate while a process works in the mount: exit 5" 5 $?
check_match "…one line with the count of processes" "^error: $MNT is busy: 1 process still uses it \\(pid $BUSY\\)" "$(cat "$T/e2")"
check_eq "…and nothing else on stderr" 1 "$(grep -c . "$T/e2")"
check_eq "…the mount stays" "$SRV:$EXP" "$(nfs_mounted_at "$MNT")"
kill "$BUSY"; wait "$BUSY" 2>/dev/null
require "nfs deactivate" jd_json "$T/deact.json" nfs deactivate --path "$MNT" --export "$EXP"
check_eq "…it was mounted" true "$(jq_of "$T/deact.json" .wasMounted)"
check_eq "nothing is mounted at $MNT" "" "$(nfs_mounts | awk -v d="$MNT" '$2==d')"
check_rc "deactivate again: not mounted, exit 0" 0 jd nfs deactivate --path "$MNT"
check "the files stay in the NAS volume" cmp "$T/a.bin" "$DIR/disk.raw"

# The next data address when the first server does not answer --------------------------------
t0=$(e2e_cs)
require "nfs activate --server $DEAD (nothing there): mounted from $SRV" \
  jd_json "$T/act3.json" nfs activate --export "$EXP" --path "$MNT" --server "$DEAD"
note "activate past $DEAD took $(( ($(e2e_cs) - t0) / 100 )) s: $(jq -c .attempts "$T/act3.json")"
check_eq "…$DEAD was tried first and failed, then $SRV" "$DEAD false $SRV true" \
  "$(jq_of "$T/act3.json" '[.attempts[] | "\(.address) \(.ok)"] | join(" ")')"
check_eq "…mountinfo shows $SRV:$EXP" "$SRV:$EXP" "$(nfs_mounted_at "$MNT")"
check "…and the old file through it" cmp "$T/a.bin" "$MNT/disk.raw"
require "nfs deactivate" jd nfs deactivate --path "$MNT"

# The joviandss-nfs Perl plugin, as PVE calls it ---------------------------------------------
PS=jdss-nfs-01
PNAS=pve-plugin
PEXP=/Pools/$JD_POOL/$PNAS
PMNT=/mnt/pve/$PS
pl() {
  E2E_REPO=$E2E_REPO PLUGIN_PRIV=$T/priv NFS_STORAGE=$PS NFS_SERVER=$SRV NFS_EXPORT=$PEXP NFS_PATH=$PMNT \
    NFS_QUOTA=512M JD_REST=$JD_REST JD_REST_PORT=$JD_REST_PORT JD_CA=$JD_DIR/ca.pem \
    JD_REST_PASSWORD=$JD_REST_PASSWORD perl "$E2E_LIB/plugin-nfs-drive.pl" "$@"
}
pl_out() { local f=$1; shift; pl "$@" >"$f" 2>"$f.err" || { cat "$f.err" >&2; return 1; }; }
require "plugin on_add_hook stores the REST password" pl add
check_eq "…in a 0600 file under the plugin's priv dir" 600 "$(stat -c %a "$T/priv/$PS.pw" 2>/dev/null)"
require "plugin activate_storage (nas_quota 512M: creates the NAS volume)" pl_out "$T/pact" activate
check_eq "…mounted $SRV:$PEXP at $PMNT" "$SRV:$PEXP $SRV:$PEXP" "$(cat "$T/pact") $(nfs_mounted_at "$PMNT")"
PDIR=$(jd_nas_dir "$PNAS")
check_eq "PVE's content directories are on the NAS volume" "dump images template/iso" \
  "$(cd "$PDIR" 2>/dev/null && find . -mindepth 1 -type d ! -name template | sed 's#^\./##' | sort | tr '\n' ' ' | sed 's/ $//')"
check "write an ISO through the mount" sh -c "head -c 65536 /dev/urandom >$PMNT/template/iso/e2e.iso && sync"
check "…it is in the NAS volume's directory" cmp "$PMNT/template/iso/e2e.iso" "$PDIR/template/iso/e2e.iso"
check "plugin status" pl_out "$T/pst" status
read -r ptotal pavail pused pactive <"$T/pst"
check_eq "plugin status: total is the 512 MiB quota, active" "536870912 1" "$ptotal $pactive"
check "…used counts the ISO, used + available = total" test "$pused" -ge 65536 -a $((pused + pavail)) = "$ptotal"
check "plugin activate_storage again" pl activate
check_eq "…still one mount at $PMNT" 1 "$(nfs_mounts | awk -v d="$PMNT" '$2==d' | wc -l)"
check "plugin deactivate_storage" pl deactivate
check_eq "…nothing mounted at $PMNT" "" "$(nfs_mounted_at "$PMNT")"
check "plugin status after deactivate" pl_out "$T/pst2" status
check_eq "…inactive" inactive "$(cat "$T/pst2")"
check "nas-volume delete --force $PNAS" jd nas-volume delete "$PNAS" --force

# Teardown ------------------------------------------------------------------------------------
check_eq "no NFS mount is left" "" "$(nfs_mounts)"
check "nas-volume delete --force (its share and snapshot too)" jd nas-volume delete "$NAS" --force
check "…its directory is gone" test ! -e "$DIR"
nfs_down() { nfs_unexport /Pools && nfsd_stop; }
check "unexport, nfsd stops" nfs_down
check "unbind /Pools" umount /Pools
rmdir "$MNT" "$PMNT" /mnt/pve /Pools 2>/dev/null
check "the simulator stops" jd_sim_stop
check_eq "the VM is clean" "" "$(e2e_state)"
e2e_finish
