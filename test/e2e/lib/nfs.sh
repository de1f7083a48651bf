# shellcheck shell=bash
# The kernel NFS server inside the VM, standing in for the appliance's NFS service, and views of
# the NFS client side (what a Proxmox host has mounted). No systemd: each daemon runs in the
# foreground under setsid with its PID in $E2E_STATE, and stops by that PID.
#
#   nfsd_start ADDR...            rpcbind, the nfsd file system, rpc.mountd, rpc.nfsd bound to
#                                 ADDR... only (v3 and v4), and the v4 grace period ended
#   nfs_export DIR [OPTS]         export DIR to 127.0.0.0/8 (default rw,no_root_squash,...)
#   nfs_unexport DIR
#   nfsd_stop                     no export, no nfsd thread, no daemon, nfsd fs unmounted
#   nfs_mounts                    "source target fstype" of every NFS mount, one per line
#   nfs_mounted_at DIR            the NFS source mounted at DIR (empty when none)
#   nfs_state                     lines for e2e_state (nothing = no NFS state)
#   nfs_reset                     unmount and stop whatever is left (e2e_reset)

NFSD_FS=/proc/fs/nfsd
# The fsid of an export: tmpfs has no device UUID that nfsd could derive one from.
NFS_FSID_BASE=7000

_nfs_daemon_start() { # NAME CMD... -- foreground daemon, PID file, log
  local name=$1
  shift
  mkdir -p "$E2E_STATE"
  setsid "$@" >"$E2E_STATE/$name.log" 2>&1 </dev/null &
  echo $! >"$E2E_STATE/$name.pid"
}
_rpcbind_ready() { [ -S /run/rpcbind.sock ]; }
_mountd_ready() { rpcinfo -p 127.0.0.1 2>/dev/null | grep -qw mountd; }
nfsd_threads() { cat "$NFSD_FS/threads" 2>/dev/null || echo 0; }

nfsd_start() {
  [ $# -gt 0 ] || { echo "nfsd_start: no address" >&2; return 1; }
  modprobe nfsd || return 1
  mountpoint -q "$NFSD_FS" || mount -t nfsd nfsd "$NFSD_FS" || return 1
  mkdir -p /run/rpcbind /var/lib/nfs/v4recovery /var/lib/nfs/sm /var/lib/nfs/sm.bak /run/rpc_pipefs
  : >/etc/exports
  _nfs_daemon_start rpcbind rpcbind -f -w || return 1
  wait_until 10 _rpcbind_ready || { echo "rpcbind did not come up" >&2; cat "$E2E_STATE/rpcbind.log" >&2; return 1; }
  # v3 needs rpc.statd for locks on the client side (mount.nfs refuses v3 without it).
  _nfs_daemon_start statd rpc.statd -F --no-notify || return 1
  _nfs_daemon_start mountd rpc.mountd -F || return 1
  wait_until 10 _mountd_ready || { echo "rpc.mountd did not come up" >&2; cat "$E2E_STATE/mountd.log" >&2; return 1; }
  # Short lease and grace (the minimum, 10 s) and only the given addresses; then end the grace
  # period at once: there are no clients to reclaim, and opens would wait for it otherwise.
  local a hosts=()
  for a in "$@"; do hosts+=(-H "$a"); done
  rpc.nfsd --lease-time 10 --grace-time 10 "${hosts[@]}" 4 >"$E2E_STATE/nfsd.log" 2>&1 ||
    { cat "$E2E_STATE/nfsd.log" >&2; return 1; }
  [ "$(nfsd_threads)" -gt 0 ] || { echo "rpc.nfsd started no thread" >&2; return 1; }
  echo Y >"$NFSD_FS/v4_end_grace" || return 1
}

# nfs_export DIR [OPTS]
nfs_export() {
  local dir=$1 n
  n=$(grep -c . /etc/exports 2>/dev/null)
  local opts=${2:-rw,sync,no_root_squash,no_subtree_check,insecure,fsid=$((NFS_FSID_BASE + n))}
  printf '%s 127.0.0.0/8(%s)\n' "$dir" "$opts" >>/etc/exports
  exportfs -r
}
nfs_unexport() {
  local dir=$1
  awk -v d="$dir" '$1!=d' /etc/exports >/etc/exports.new && mv /etc/exports.new /etc/exports
  exportfs -r
}
nfs_exports() { exportfs -s 2>/dev/null | awk 'NF{print $1}'; }

nfsd_stop() {
  : >/etc/exports 2>/dev/null
  exportfs -ua 2>/dev/null
  mountpoint -q "$NFSD_FS" && rpc.nfsd 0 2>/dev/null
  _daemon_stop mountd TERM
  _daemon_stop statd TERM
  _daemon_stop rpcbind TERM
  # The export cache and client records go with the file system.
  mountpoint -q "$NFSD_FS" && umount "$NFSD_FS" 2>/dev/null
  [ "$(nfsd_threads)" = 0 ]
}

# mountinfo: field 5 is the mount point; after the "-" come the type and the source.
nfs_mounts() {
  awk '{ t = ""; for (i = 7; i < NF; i++) if ($i == "-") { t = $(i + 1); s = $(i + 2); break }
         if (t == "nfs" || t == "nfs4") print s, $5, t }' /proc/self/mountinfo
}
nfs_mounted_at() { nfs_mounts | awk -v d="$1" '$2==d{print $1}'; }

nfs_state() {
  local s
  s=$(nfs_mounts | tr '\n' ';'); [ -z "$s" ] || echo "nfs mounts: $s"
  s=$(nfs_exports | tr '\n' ' '); [ -z "$s" ] || echo "nfs exports: $s"
  s=$(awk '$5 ~ "^/(Pools|mnt/pve)(/|$)" {print $5}' /proc/self/mountinfo | tr '\n' ' ')
  [ -z "$s" ] || echo "mounts under /Pools or /mnt/pve: $s"
  [ "$(nfsd_threads)" = 0 ] || echo "nfsd threads: $(nfsd_threads)"
  ! mountpoint -q "$NFSD_FS" || echo "nfsd fs mounted"
  s=$(pidof rpcbind rpc.mountd rpc.statd 2>/dev/null); [ -z "$s" ] || echo "nfs daemons: $(for p in $s; do printf '%s(%s) ' "$(cat /proc/$p/comm 2>/dev/null)" "$p"; done)"
}

nfs_reset() {
  local l p
  nfs_mounts | while read -r _ l _; do umount -f -l "$l" 2>/dev/null; done
  awk '$5 ~ "^/(Pools|mnt/pve)(/|$)" {print $5}' /proc/self/mountinfo | sort -r |
    while read -r l; do umount -l "$l" 2>/dev/null; done
  nfsd_stop
  for p in $(pidof rpc.mountd rpc.statd rpcbind 2>/dev/null); do kill -TERM "$p" 2>/dev/null; done
  : >/etc/exports 2>/dev/null
}
