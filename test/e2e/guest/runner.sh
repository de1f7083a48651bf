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
echo "install $(since "$t")" >>"$OUT/timing"

export E2E_REPO=/opt/jdssc E2E_LIB=/opt/jdssc/test/e2e/lib E2E_SHARE=$SHARE
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
: >"$OUT/results"
failed=0
while read -r name; do
  [ -n "$name" ] || continue
  f=$E2E_REPO/test/e2e/scenarios/$name.sh
  t=$(up)
  echo "== $name start at $(up)s" >/dev/console
  timeout -k 10 "${E2E_SCENARIO_TIMEOUT:-600}" bash "$f" >"$OUT/$name.log" 2>&1 </dev/null
  rc=$?
  secs=$(since "$t")
  [ "$rc" = 124 ] && echo "# scenario timed out after ${E2E_SCENARIO_TIMEOUT:-600} s" >>"$OUT/$name.log"
  # Daemon logs of a failed scenario (regular files only: sockets cannot go over 9p).
  if [ "$rc" != 0 ] && [ -d /run/e2e ]; then
    mkdir -p "$OUT/$name.state"
    (cd /run/e2e && find . -type f -name '*log' -exec cp --parents {} "$OUT/$name.state/" \;)
  fi
  state=clean
  bash -c '. "$E2E_LIB/e2e.sh"; e2e_reset' >>"$OUT/$name.log" 2>&1 || state=dirty
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
