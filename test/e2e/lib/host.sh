# shellcheck shell=bash
# The Proxmox-host side inside the VM: iscsid, multipathd, sessions, SCSI disks, maps.
#
# Daemons run without systemd, each with setsid: iscsid answers SIGTERM with
# killpg(own group), which would otherwise kill the scenario that started it.

E2E_STATE=/run/e2e

# pid_alive PID / pid_gone PID  -- a zombie counts as gone.
pid_alive() {
  [ -n "${1:-}" ] && [ -r "/proc/$1/stat" ] || return 1
  local st
  st=$(sed 's/^.*) \(.\).*/\1/' "/proc/$1/stat" 2>/dev/null) || return 1
  [ -n "$st" ] && [ "$st" != Z ] && [ "$st" != X ]
}
pid_gone() { ! pid_alive "$1"; }

# _daemon_stop NAME SIGNAL  -- stop a daemon started by _daemon_start (PID file in $E2E_STATE).
_daemon_stop() {
  local pid
  pid=$(cat "$E2E_STATE/$1.pid" 2>/dev/null) || return 0
  if pid_alive "$pid"; then
    kill "-$2" "$pid" 2>/dev/null
    wait_until 10 pid_gone "$pid" || { kill -KILL "$pid" 2>/dev/null; wait_until 5 pid_gone "$pid"; }
  fi
  wait "$pid" 2>/dev/null
  rm -f "$E2E_STATE/$1.pid"
}

initiator_iqn() { sed -n 's/^InitiatorName=//p' /etc/iscsi/initiatorname.iscsi; }

# iscsid ---------------------------------------------------------------------------------------
iscsid_ready() { grep -q '@ISCSIADM_ABSTRACT_NAMESPACE' /proc/net/unix; }
iscsid_start() {
  mkdir -p "$E2E_STATE"
  iscsid_ready && return 0
  setsid iscsid -f >"$E2E_STATE/iscsid.log" 2>&1 </dev/null &
  echo $! >"$E2E_STATE/iscsid.pid"
  wait_until 10 iscsid_ready || { echo "iscsid did not come up" >&2; cat "$E2E_STATE/iscsid.log" >&2; return 1; }
}
iscsid_stop() { _daemon_stop iscsid TERM; }

# multipathd -----------------------------------------------------------------------------------
# Ready when "show daemon" says idle (or running); it never says "ready".
multipathd_ready() { multipathd show daemon 2>/dev/null | grep -qE 'idle|running'; }
multipathd_start() {
  mkdir -p "$E2E_STATE"
  multipathd_ready && return 0
  setsid multipathd -d -s >"$E2E_STATE/multipathd.log" 2>&1 </dev/null &
  echo $! >"$E2E_STATE/multipathd.pid"
  wait_until 15 multipathd_ready || { echo "multipathd did not come up" >&2; cat "$E2E_STATE/multipathd.log" >&2; return 1; }
}
multipathd_stop() { _daemon_stop multipathd TERM; }

# WWIDs ----------------------------------------------------------------------------------------
# wwid_of SCSI_ID  -- the JovianDSS-style WWID: "2" + hex of the first 8 ASCII characters
# (wwid_of eb15707212345678 -> 26562313537303732). printf|od, never cut|od (a newline would
# end up in the hex).
wwid_of() { printf '2%s\n' "$(printf %s "$1" | head -c 8 | od -An -tx1 | tr -d ' \n')"; }

# Sessions and node records ------------------------------------------------------------------
# session_count [TARGET_IQN]  -- number of iSCSI sessions (of one target).
session_count() {
  local n=0 s
  for s in /sys/class/iscsi_session/session*; do
    [ -e "$s" ] || continue
    [ -z "${1:-}" ] || [ "$(cat "$s/targetname" 2>/dev/null)" = "$1" ] && n=$((n + 1))
  done
  echo "$n"
}

# session_portals TARGET_IQN  -- "addr:port" of each session to the target.
session_portals() {
  iscsiadm -m session 2>/dev/null | awk -v t="$1" '$4==t {split($3,a,","); print a[1]}' | sort
}
# session_portal_list TARGET_IQN  -- the same on one line, space-separated.
session_portal_list() { session_portals "$1" | tr '\n' ' ' | sed 's/ $//'; }

node_record_count() { iscsiadm -m node 2>/dev/null | grep -c . ; }

# node_set TARGET PORTAL KEY VALUE  -- update one setting of a node record.
node_set() { iscsiadm -m node -T "$1" -p "$2" -o update -n "$3" -v "$4"; }
# node_get TARGET PORTAL KEY
node_get() { iscsiadm -m node -T "$1" -p "$2" -o show 2>/dev/null | sed -n "s/^$3 = //p"; }

# node_chap TARGET PORTAL USER SECRET  -- CHAP on a node record (test secrets only).
node_chap() {
  node_set "$1" "$2" node.session.auth.authmethod CHAP &&
    node_set "$1" "$2" node.session.auth.username "$3" &&
    node_set "$1" "$2" node.session.auth.password "$4"
}

# SCSI disks -----------------------------------------------------------------------------------
# by_path PORTAL TARGET LUN  -- the udev by-path link of that path.
by_path() { echo "/dev/disk/by-path/ip-$1-iscsi-$2-lun-$3"; }
# sd_of LINK  -- kernel name (sdX) behind a /dev link.
sd_of() { basename "$(readlink -f "$1")"; }
sd_devices() { local d; for d in /sys/block/sd*; do [ -e "$d" ] && basename "$d"; done; }
# sd_delete sdX  -- remove one SCSI disk (its path) from the kernel.
sd_delete() { echo 1 >"/sys/block/$1/device/delete"; }
# sd_rescan sdX  -- re-read capacity of one path.
sd_rescan() { echo 1 >"/sys/block/$1/device/rescan"; }
dev_size() { blockdev --getsize64 "$1"; }

# Multipath maps -------------------------------------------------------------------------------
map_exists() { dmsetup info "$1" >/dev/null 2>&1; }
mp_maps() { dmsetup ls --target multipath 2>/dev/null | awk '$1!="No"{print $1}'; }
# mp_paths WWID  -- "sdX dm_state checker_state" per path of the map, from multipathd.
mp_paths() {
  multipathd show paths raw format '%w %d %t %T' 2>/dev/null | awk -v w="$1" '$1==w {print $2, $3, $4}'
}
# mp_active_paths WWID  -- number of paths that are active in dm and ready for the checker.
mp_active_paths() { mp_paths "$1" | awk '$2=="active" && $3=="ready"' | wc -l; }
mp_path_count() { mp_paths "$1" | wc -l; }
# mp_active WWID  -- active, ready paths of the map per multipathd.
mp_active() { mp_active_paths "$1" | tr -d ' '; }
# wait_paths WWID N  -- until multipathd shows N active, ready paths.
wait_paths() { [ "$(mp_active "$1")" = "$2" ]; }
