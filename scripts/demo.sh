#!/usr/bin/env bash
# The demo: start the embedded JovianDSS simulator on loopback, run a short scripted jdssc
# session against it (TLS verified with the simulator's CA, password from a 0600 file), stop
# the simulator, exit 0. Everything lives in a temporary directory that is removed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."

work=$(mktemp -d /tmp/jdssc-demo.XXXXXX)
sim_pid=
cleanup() {
  if [[ -n "$sim_pid" ]] && kill -0 "$sim_pid" 2>/dev/null; then
    kill -TERM "$sim_pid" && wait "$sim_pid" || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

( umask 077 && head -c 18 /dev/urandom | base64 > "$work/password" )

./bin/jdssc simulator start --listen 127.0.0.1 --port 0 \
  --vip vip0=127.0.0.2 --vip vip1=127.0.0.3 \
  --password-file "$work/password" --ca-file "$work/ca.pem" --ready-file "$work/ready.json" \
  >"$work/simulator.log" 2>&1 &
sim_pid=$!
for _ in $(seq 100); do [[ -s "$work/ready.json" ]] && break; sleep 0.1; done
[[ -s "$work/ready.json" ]] || { cat "$work/simulator.log"; echo "simulator did not start" >&2; exit 1; }
port=$(node -p "require('$work/ready.json').port")

cat > "$work/jdss-Pool-0.yaml" <<YAML
pool_name: Pool-0
control_addresses: 127.0.0.1
control_port: $port
data_addresses: 127.0.0.2,127.0.0.3
user_name: admin
password_file: $work/password
ssl_ca_file: $work/ca.pem
target_prefix: 'iqn.2025-04.proxmox.joviandss.iscsi:'
YAML

step() {
  printf '\n\033[1m$ jdssc %s\033[0m\n' "$*"
  ./bin/jdssc -c "$work/jdss-Pool-0.yaml" "$@"
}

echo "simulator pid $sim_pid on https://127.0.0.1:$port (CA $work/ca.pem)"
step pool stats
step pool stats --json
step pool vips

# Volumes and snapshots: create → snapshot → clone → rollback → delete.
step volume create vm-100-disk-0 --size 4G
step snapshot create vm-100-disk-0 before-upgrade
step snapshot create vm-100-disk-0 after-upgrade
step volume clone vm-100-disk-0 vm-101-disk-0 --snapshot before-upgrade
step snapshot list vm-100-disk-0
printf '\n(expected to fail: a newer snapshot exists)'
step snapshot rollback vm-100-disk-0 before-upgrade && exit 1 || echo "(exit $? as expected)"
step snapshot rollback vm-100-disk-0 before-upgrade --destroy-newer
printf '\n(expected to fail: the clone depends on the snapshot)'
step volume delete vm-100-disk-0 --cascade && exit 1 || echo "(exit $? as expected)"
step volume delete vm-101-disk-0
step volume delete vm-100-disk-0 --cascade
step volume list
echo
echo "demo finished: all steps succeeded"
