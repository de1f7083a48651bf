# shellcheck shell=bash
# Entry point for scenarios inside the test VM:
#
#   #!/bin/bash
#   . "$E2E_LIB/e2e.sh"
#   e2e_begin my-scenario
#   ...checks (lib/assert.sh), array side (lib/tgt.sh, lib/lio.sh), host side (lib/host.sh)...
#   e2e_finish
#
# The guest runner sets E2E_LIB, E2E_REPO (the jdssc tree, copied into the VM), E2E_SHARE
# (/mnt/host) and puts node and jdssc on PATH.

E2E_LIB=${E2E_LIB:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)}
. "$E2E_LIB/assert.sh"
. "$E2E_LIB/host.sh"
. "$E2E_LIB/tgt.sh"
. "$E2E_LIB/lio.sh"
. "$E2E_LIB/nfs.sh"

# e2e_state  -- one line per piece of iSCSI/multipath state present (nothing = clean VM).
e2e_state() {
  local s
  [ "$(session_count)" = 0 ] || echo "sessions: $(iscsiadm -m session 2>/dev/null | tr '\n' ';')"
  s=$(mp_maps | tr '\n' ' '); [ -z "$s" ] || echo "multipath maps: $s"
  s=$(sd_devices | tr '\n' ' '); [ -z "$s" ] || echo "scsi disks: $s"
  [ "$(node_record_count)" = 0 ] || echo "node records: $(iscsiadm -m node 2>/dev/null | tr '\n' ';')"
  s=$(ls /etc/iscsi/send_targets 2>/dev/null | tr '\n' ' '); [ -z "$s" ] || echo "discovery records: $s"
  [ ! -s /etc/multipath/wwids ] || ! grep -q '^/' /etc/multipath/wwids || echo "wwids: $(grep '^/' /etc/multipath/wwids | tr '\n' ' ')"
  s=$(ls /etc/multipath/conf.d 2>/dev/null | tr '\n' ' '); [ -z "$s" ] || echo "multipath drop-ins: $s"
  [ "$(lio_target_count 2>/dev/null || echo 0)" = 0 ] || echo "LIO targets: $(lio_target_count)"
  s=$(ls -d "$LIO"/core/*_[0-9]*/*/ 2>/dev/null | wc -l); [ "$s" = 0 ] || echo "LIO backstores: $s"
  s=$(losetup -n -O NAME 2>/dev/null | tr '\n' ' '); [ -z "$s" ] || echo "loop devices: $s"
  s=$(pidof tgtd iscsid multipathd 2>/dev/null); [ -z "$s" ] || echo "daemons: $(for p in $s; do printf '%s(%s) ' "$(cat /proc/$p/comm 2>/dev/null)" "$p"; done)"
  # jdssc scenarios (lib/jdssc.sh): LUN records, the simulator.
  s=$(find /var/lib/jdssc/luns -name 'lun-*.json' 2>/dev/null | tr '\n' ' '); [ -z "$s" ] || echo "jdssc LUN records: $s"
  s=$(cat "$E2E_STATE/simulator.pid" 2>/dev/null); [ -z "$s" ] || ! pid_alive "$s" || echo "jdssc simulator: $s"
  # NFS (lib/nfs.sh): client mounts, the kernel server, its daemons.
  nfs_state
}

# e2e_reset  -- bring the VM back to a clean state whatever a scenario left behind (the guest
# runner calls it after every scenario). Prints what it found; returns 1 when it was dirty.
e2e_reset() {
  local found m p sd
  found=$(e2e_state)
  [ -z "$found" ] && return 0
  printf '%s\n' "$found" | sed 's/^/reset: left behind: /'
  # The simulator first (by PID): on SIGTERM it removes its own LIO targets.
  p=$(cat "$E2E_STATE/simulator.pid" 2>/dev/null)
  if [ -n "$p" ] && pid_alive "$p"; then kill -TERM "$p"; wait_until 20 pid_gone "$p" || kill -KILL "$p"; fi
  rm -f "$E2E_STATE/simulator.pid"
  nfs_reset
  for m in $(mp_maps); do
    timeout 10 dmsetup message "$m" 0 fail_if_no_path >/dev/null 2>&1
    timeout 20 multipath -f "$m" >/dev/null 2>&1 || timeout 20 dmsetup remove --force "$m" >/dev/null 2>&1
  done
  timeout 60 iscsiadm -m node --logoutall=all >/dev/null 2>&1
  for sd in $(sd_devices); do sd_delete "$sd" 2>/dev/null; done
  timeout 20 iscsiadm -m node -o delete >/dev/null 2>&1
  rm -rf /etc/iscsi/nodes/* /etc/iscsi/send_targets/*
  : >/etc/multipath/wwids
  rm -f /etc/multipath/conf.d/*
  rm -rf /var/lib/jdssc/luns /run/lock/jdssc
  tgt_stop_all
  lio_clear
  losetup -D 2>/dev/null
  multipathd_stop
  iscsid_stop
  # Daemons started some other way (e.g. by jdssc itself): stop by PID.
  for p in $(pidof multipathd iscsid 2>/dev/null); do kill -TERM "$p" 2>/dev/null; done
  for p in $(pidof tgtd 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done
  for p in $(pidof multipathd iscsid tgtd 2>/dev/null); do wait_until 10 pid_gone "$p" || kill -KILL "$p" 2>/dev/null; done
  udevadm settle -t 10 2>/dev/null
  found=$(e2e_state)
  [ -z "$found" ] || printf '%s\n' "$found" | sed 's/^/reset: still present: /'
  return 1
}
