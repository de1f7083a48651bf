#!/bin/bash
# Inside the test VM (started by /init through /mnt/host/run.sh): installs node and the jdssc
# tree into the VM's memory, runs the scenarios listed in /mnt/host/scenarios.list in order,
# each under its own time limit, and resets the VM between them.
#
# Writes to /mnt/host/out/: <scenario>.log, results ("name rc seconds clean|dirty" per line),
# timing, dmesg, and <scenario>.state/ (daemon logs) for failed scenarios.
set -u
SHARE=/mnt/host
OUT=$SHARE/out
up() { cut -d' ' -f1 /proc/uptime; }
since() { awk -v a="$1" -v b="$(up)" 'BEGIN{printf "%.1f", b-a}'; }
if [ -f "$SHARE/env" ]; then set -a; . "$SHARE/env"; set +a; fi

echo "boot $(cat /run/boot-seconds 2>/dev/null)" >"$OUT/timing"

# Scenario scratch space (simulator images, patterns, logs) on its own tmpfs: the root file
# system is the initramfs, and once node and the tree are in it only ~40 MiB of it is left.
mkdir -p /tmp && mount -t tmpfs -o size=384m,mode=1777 tmpfs /tmp

# node and the tree in tmpfs: each node start then costs ~0.3 s instead of ~1.3 s over 9p.
t=$(up)
mkdir -p /opt/jdssc /usr/local/bin
cp -a "$SHARE/repo/." /opt/jdssc/
cp "$SHARE/bin/node" /usr/local/bin/node
ln -sf /opt/jdssc/bin/jdssc /usr/local/bin/jdssc
# The Proxmox VE storage code, when the host shared it: where RealPVE.pm looks (<repo>/../shared/pve).
[ ! -f "$SHARE/shared-pve.tar" ] || { mkdir -p /opt/shared/pve && tar -C /opt/shared/pve -xf "$SHARE/shared-pve.tar"; }
echo "install $(since "$t")" >>"$OUT/timing"

export E2E_REPO=/opt/jdssc E2E_LIB=/opt/jdssc/test/e2e/lib E2E_SHARE=$SHARE
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
: >"$OUT/results"
failed=0
# The whole run has a budget (the host's VM limit less a margin for the reports): a scenario
# gets at most what is left of it, and one that cannot get a minute is not started, so the VM
# always powers off with its results written instead of being killed mid-scenario.
BUDGET=${E2E_BUDGET:-0}
T_RUN=$(up)
left() { awk -v a="$T_RUN" -v b="$(up)" -v n="$BUDGET" 'BEGIN{printf "%d", n-(b-a)}'; }
while read -r name; do
  [ -n "$name" ] || continue
  f=$E2E_REPO/test/e2e/scenarios/$name.sh
  limit=${E2E_SCENARIO_TIMEOUT:-600}
  if [ "$BUDGET" -gt 0 ]; then
    l=$(left)
    if [ "$l" -lt 60 ]; then
      echo "# not started: ${l} s left of the run's ${BUDGET} s budget" >"$OUT/$name.log"
      echo "$name 125 0 clean" >>"$OUT/results"
      echo "== $name not started (out of time)" >/dev/console
      failed=$((failed + 1))
      continue
    fi
    [ "$l" -ge "$limit" ] || limit=$l
  fi
  t=$(up)
  echo "== $name start at $(up)s (limit ${limit} s)" >/dev/console
  timeout -k 10 "$limit" bash "$f" >"$OUT/$name.log" 2>&1 </dev/null
  rc=$?
  secs=$(since "$t")
  [ "$rc" = 124 ] && echo "# scenario timed out after ${limit} s" >>"$OUT/$name.log"
  # A failure shows on the console (the host streams it) while the run goes on: a CI log cut
  # short still says what went wrong.
  [ "$rc" = 0 ] || { grep -E '^(not ok|#)' "$OUT/$name.log" | head -n 20; tail -n 15 "$OUT/$name.log"; } |
    sed "s/^/== $name | /" >/dev/console
  # Daemon logs of a failed scenario (regular files only: sockets cannot go over 9p).
  if [ "$rc" != 0 ] && [ -d /run/e2e ]; then
    mkdir -p "$OUT/$name.state"
    (cd /run/e2e && find . -type f -name '*log' -exec cp --parents {} "$OUT/$name.state/" \;)
  fi
  state=clean
  # Bounded too: a reset stuck on a dead mount or session must not eat the next scenarios' time.
  timeout -k 5 120 bash -c '. "$E2E_LIB/e2e.sh"; e2e_reset' >>"$OUT/$name.log" 2>&1 || state=dirty
  # The root file system is the initramfs tmpfs (half the VM's memory): keep a passed
  # scenario's scratch files out of the next one's way, and show what is left.
  [ "$rc" = 0 ] && rm -rf "/tmp/e2e/${name#*-}"
  echo "$name $rc $secs $state" >>"$OUT/results"
  echo "== $name rc=$rc ${secs}s $state; /tmp has $(df -Pm /tmp | awk 'NR==2{print $4}') MiB free" >/dev/console
  [ "$rc" = 0 ] || failed=$((failed + 1))
done <"$SHARE/scenarios.list"
dmesg >"$OUT/dmesg" 2>&1
echo "scenarios $(since "$(cat /run/boot-seconds)")" >>"$OUT/timing"
[ "$failed" = 0 ]
