# shellcheck shell=bash
# The userspace iSCSI target (tgt) as the "array" inside the VM.
#
# Each instance has a name and its own state directory /run/e2e/tgt/<name>/ holding its
# private control socket (TGT_IPC_SOCKET), PID and log, so several instances can run side by
# side and none touches the default /var/run/tgtd/socket.0.
#
#   tgt_start a 127.0.0.2:3260 127.0.0.3:3260     # listens on exactly these portals
#   tgt_target_new a 1 iqn.2025-01.test:tgt1
#   tgt_lun_new a 1 1 /tmp/lun1.img "scsi_sn=$(wwid_of abcdefgh12345678)"
#   tgt_chap a 1 user secret ; tgt_allow a 1 ALL
#   tgt_stop a
#
# Facts measured with tgt: LUN 0 is always tgt's controller LU, so disks start at LUN 1;
# sendtargets answers only with the portal asked; the LU size is read when the LU is created
# (resize = delete and re-add); tgtd ignores SIGTERM.

TGT_STATE=/run/e2e/tgt

tgt_dir() { echo "$TGT_STATE/$1"; }

# tgt NAME ARGS...  -- tgtadm against instance NAME (--lld iscsi is added).
tgt() {
  local name=$1
  shift
  TGT_IPC_SOCKET=$(tgt_dir "$name")/socket tgtadm --lld iscsi "$@"
}

# tgt_start NAME PORTAL [PORTAL...]  -- start tgtd and wait until it answers.
tgt_start() {
  local name=$1 first=$2 d p
  shift 2
  d=$(tgt_dir "$name")
  mkdir -p "$d"
  # setsid: own session, so signals meant for the scenario never reach it (and vice versa).
  # Always pass portal=: without it tgtd binds the wildcard address.
  TGT_IPC_SOCKET=$d/socket setsid tgtd -f --iscsi "portal=$first" >"$d/log" 2>&1 </dev/null &
  echo $! >"$d/pid"
  wait_until 10 tgt "$name" --op show --mode sys || { echo "tgtd $name did not start" >&2; cat "$d/log" >&2; return 1; }
  for p in "$@"; do tgt "$name" --op new --mode portal --param "portal=$p" || return 1; done
}

tgt_pid() { cat "$(tgt_dir "$1")/pid" 2>/dev/null; }
tgt_running() { local pid; pid=$(tgt_pid "$1") && pid_alive "$pid"; }

# tgt_tids NAME  -- the target ids the instance has.
tgt_tids() { tgt "$1" --op show --mode target 2>/dev/null | sed -n 's/^Target \([0-9]*\): .*/\1/p'; }

# tgt_stop NAME  -- offline, delete every target (--force drops sessions), delete the system,
# wait for the process; SIGKILL only as a last resort (SIGTERM is ignored by tgtd).
tgt_stop() {
  local name=$1 pid tid
  pid=$(tgt_pid "$name") || return 0
  if pid_alive "$pid"; then
    TGT_IPC_SOCKET=$(tgt_dir "$name")/socket tgtadm --op update --mode sys --name State -v offline >/dev/null 2>&1
    for tid in $(tgt_tids "$name"); do tgt "$name" --op delete --mode target --tid "$tid" --force >/dev/null 2>&1; done
    TGT_IPC_SOCKET=$(tgt_dir "$name")/socket tgtadm --op delete --mode system >/dev/null 2>&1
    if ! wait_until 10 pid_gone "$pid"; then
      echo "tgtd $name (pid $pid) did not exit; killing it" >&2
      kill -KILL "$pid" 2>/dev/null
      wait_until 5 pid_gone "$pid"
    fi
  fi
  wait "$pid" 2>/dev/null
  rm -f "$(tgt_dir "$name")/pid"
}

# tgt_stop_all  -- every instance started through tgt_start.
tgt_stop_all() {
  local d
  for d in "$TGT_STATE"/*/; do [ -f "$d/pid" ] && tgt_stop "$(basename "$d")"; done
  return 0
}

tgt_target_new() { tgt "$1" --op new --mode target --tid "$2" -T "$3"; }
tgt_target_delete() { tgt "$1" --op delete --mode target --tid "$2" --force; }

# tgt_lun_new NAME TID LUN FILE [PARAMS]  -- file-backed LU; PARAMS e.g.
# "scsi_sn=<wwid>,vendor_id=X,product_id=Y" (a 2<16 hex> scsi_sn becomes the WWID in the VM).
tgt_lun_new() {
  tgt "$1" --op new --mode logicalunit --tid "$2" --lun "$3" -b "$4" || return 1
  [ -z "${5:-}" ] || tgt "$1" --op update --mode logicalunit --tid "$2" --lun "$3" --params "$5"
}
tgt_lun_delete() { tgt "$1" --op delete --mode logicalunit --tid "$2" --lun "$3"; }

# tgt_lun_grow NAME TID LUN FILE NEW_SIZE [PARAMS]  -- grow the file (data kept) and re-create
# the LU, which is how tgt learns a new size. Initiators then need a rescan.
tgt_lun_grow() {
  truncate -s "$5" "$4" || return 1
  tgt_lun_delete "$1" "$2" "$3" || return 1
  tgt_lun_new "$1" "$2" "$3" "$4" "${6:-}"
}

# tgt_chap NAME TID USER SECRET  -- CHAP "incoming user" for logins to TID.
tgt_chap() {
  tgt "$1" --op show --mode account 2>/dev/null | grep -qx "[[:space:]]*$3" ||
    tgt "$1" --op new --mode account --user "$3" --password "$4" || return 1
  tgt "$1" --op bind --mode account --tid "$2" --user "$3"
}

# tgt_allow NAME TID WHO  -- ACL: ALL, an address or CIDR, or an initiator IQN.
tgt_allow() {
  case "$3" in
    iqn.* | eui.* | naa.*) tgt "$1" --op bind --mode target --tid "$2" --initiator-name "$3" ;;
    *) tgt "$1" --op bind --mode target --tid "$2" --initiator-address "$3" ;;
  esac
}

# tgt_listening PORTAL  -- something listens on ADDR:PORT.
tgt_listening() { ss -Hltn src "$1" 2>/dev/null | grep -q .; }
