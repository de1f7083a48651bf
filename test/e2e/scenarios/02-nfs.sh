#!/bin/bash
# The kernel NFS server and client in the VM, without jdssc: a plain tmpfs directory, bound at
# an appliance-style path (/Pools/<pool>/<name>), exported by nfsd on 127.0.0.6 only, mounted
# over NFSv4 and NFSv3; files written on either side are seen on the other; an unmount and the
# server's stop leave nothing. The jdssc NFS scenario (19) builds on this.
set -u -o pipefail
. "$E2E_LIB/e2e.sh"
e2e_begin nfs
T=$E2E_TMP
SRV=127.0.0.6
EXP=/Pools/Pool-0/plain
MNT=/mnt/pve/plain

mkdir -p "$T/dir" "$EXP" "$MNT"
require "bind the directory at $EXP" mount --bind "$T/dir" "$EXP"
require "nfsd up on $SRV" nfsd_start "$SRV"
note "nfsd: versions $(cat /proc/fs/nfsd/versions), threads $(nfsd_threads), ports $(cat /proc/fs/nfsd/portlist | tr '\n' ' ')"
require "export $EXP" nfs_export "$EXP"
check_eq "exportfs lists it" "$EXP" "$(nfs_exports)"
check_match "showmount -e $SRV lists it" "^$EXP " "$(showmount -e "$SRV" 2>&1 | tail -n +2)"
check_rc "nothing answers NFS on 127.0.0.7" 1 sh -c "rpcinfo -t 127.0.0.7 nfs 4 >/dev/null 2>&1 && exit 0; exit 1"

for v in 4.2 3; do
  require "mount -t nfs -o vers=$v $SRV:$EXP $MNT" timeout 60 mount -t nfs -o "vers=$v" "$SRV:$EXP" "$MNT"
  check_eq "mountinfo shows the NFS source at $MNT" "$SRV:$EXP" "$(nfs_mounted_at "$MNT")"
  check "write a file through the mount" sh -c "echo 'via nfs $v' >$MNT/a-$v.txt && sync"
  check_eq "…it is in the exported directory" "via nfs $v" "$(cat "$T/dir/a-$v.txt" 2>&1)"
  echo "server side $v" >"$T/dir/b-$v.txt"
  check_eq "a file written on the server side is seen through the mount" "server side $v" "$(cat "$MNT/b-$v.txt" 2>&1)"
  check "df works on the mount" df -P "$MNT"
  require "umount $MNT" timeout 30 umount "$MNT"
  check_eq "nothing mounted at $MNT" "" "$(nfs_mounted_at "$MNT")"
done

# Teardown ------------------------------------------------------------------------------------
check "unexport" nfs_unexport "$EXP"
check "nfsd stops" nfsd_stop
check "unbind $EXP" umount "$EXP"
rmdir -p "$EXP" "$MNT" 2>/dev/null
check_eq "the VM is clean" "" "$(e2e_state)"
e2e_finish
