# shellcheck shell=bash
# The jdssc CLI on the real kernel: the simulator as the array, its LIO data path serving real
# targets on 127.0.0.4 and 127.0.0.5 (REST on 127.0.0.1), iscsid and multipathd with the
# shipped jdssc drop-in, a jdssc config. Sourced by the 1N-*.sh scenarios after lib/e2e.sh.
#
#   jd_setup [--chap]        array + host side up; $JD_CONF is ready (state under $JD_DIR)
#   jd ARGS...               jdssc -c $JD_CONF ARGS...
#   jd_json OUT ARGS...      jdssc --json; stdout in OUT, stderr in OUT.err; returns jdssc's exit
#   jq_of OUT FILTER         jq -r FILTER on OUT
#   jd_teardown              stop the simulator (it removes its LIO targets), the daemons, files
#   jd_nas_setup             the array only (NFS scenarios): NAS volumes under $JD_DIR/data/nas
#   jd_nas_dir NAME          the NAS volume's directory as the control API reports it
#   jd_rest / jd_control     one HTTPS request to the REST API / the control API
#
# Everything lives in /tmp (the VM's RAM): images, password file, CA, config, logs, and jdssc's
# host records in their real place (/var/lib/jdssc/luns), which the VM loses at power-off.

JD_REST=127.0.0.1
JD_REST_PORT=8443
JD_VIP1=127.0.0.4
JD_VIP2=127.0.0.5
JD_P1=$JD_VIP1:3260
JD_P2=$JD_VIP2:3260
JD_PREFIX=iqn.2025-04.proxmox.joviandss.iscsi
JD_STORAGE=e2e-lio
JD_POOL=Pool-0
JD_CHAP_USER=e2e-chap-user
JD_CHAP_SECRET=E2e-chap-Secret-42
JD_REST_PASSWORD=e2e-rest-Passw0rd
JD_RECORDS=/var/lib/jdssc/luns
JD_HBA=$LIO/core/fileio_7

# jd_target VMID [N]  -- the target of a VM's group (N-th, default 0).
jd_target() { echo "$JD_PREFIX:vm-$1-${2:-0}"; }
# jd_tpg TARGET  -- its LIO portal group in configfs.
jd_tpg() { echo "$LIO/iscsi/$1/tpgt_1"; }

jd() { jdssc -c "$JD_CONF" "$@"; }
jd_json() {
  local out=$1 rc
  shift
  jdssc -c "$JD_CONF" --json "$@" >"$out" 2>"$out.err"
  rc=$?
  # A failing check shows the command's output: let it show jdssc's error.
  [ $rc = 0 ] || { cat "$out.err" >&2; head -c 2000 "$out" >&2; }
  return $rc
}
jq_of() { jq -r "$2" "$1" 2>/dev/null; }

# jd_write_pw FILE REST_PASSWORD [CHAP_SECRET]  -- upstream's password file format, 0600.
jd_write_pw() {
  (umask 077 && {
    printf 'user_password %s\n' "$2"
    [ -z "${3:-}" ] || printf 'chap_user_password %s\n' "$3"
  } >"$1")
  chmod 600 "$1"
}

# _jd_sim_ready  -- the ready file is there and REST answers (health through the control API).
_jd_sim_ready() { [ -s "$JD_DIR/ready.json" ]; }

jd_sim_start() {
  mkdir -p "$E2E_STATE"
  rm -f "$JD_DIR/ready.json"
  jdssc simulator start --listen "$JD_REST" --port "$JD_REST_PORT" \
    --vip "vip0=$JD_VIP1" --vip "vip1=$JD_VIP2" \
    --data-path lio --data-dir "$JD_DIR/data" \
    --password-file "$JD_DIR/rest.pw" --ca-file "$JD_DIR/ca.pem" --ready-file "$JD_DIR/ready.json" \
    >"$E2E_STATE/simulator.log" 2>&1 </dev/null &
  JD_SIM_PID=$!
  echo "$JD_SIM_PID" >"$E2E_STATE/simulator.pid"
  wait_until 60 _jd_sim_ready || { echo "simulator did not become ready" >&2; cat "$E2E_STATE/simulator.log" >&2; return 1; }
  pid_alive "$JD_SIM_PID"
}

# jd_sim_stop  -- SIGTERM by PID: the simulator removes its LIO targets, backstores and HBA.
jd_sim_stop() {
  local pid
  pid=$(cat "$E2E_STATE/simulator.pid" 2>/dev/null) || return 0
  if pid_alive "$pid"; then
    kill -TERM "$pid" 2>/dev/null
    wait_until 20 pid_gone "$pid" || { echo "simulator $pid ignored SIGTERM; killing it" >&2; kill -KILL "$pid" 2>/dev/null; }
  fi
  wait "$pid" 2>/dev/null
  rm -f "$E2E_STATE/simulator.pid"
  pid_gone "$pid"
}

jd_write_config() {
  cat >"$JD_CONF" <<EOF
pool_name: $JD_POOL
control_addresses: $JD_REST
control_port: $JD_REST_PORT
data_addresses: ${JD_DATA_ADDRESSES:-$JD_VIP1,$JD_VIP2}
password_file: $JD_DIR/jdssc.pw
ssl_ca_file: $JD_DIR/ca.pem
target_prefix: $JD_PREFIX
multipath: true
storage_id: $JD_STORAGE
state_dir: $JD_DIR/state
log_file: $JD_LOG
loglevel: debug
timeout: ${JD_TIMEOUT:-90}
EOF
  if [ "${1:-}" = --chap ]; then
    printf 'chap_enabled: true\nchap_user_name: %s\n' "$JD_CHAP_USER" >>"$JD_CONF"
  fi
}

# jd_setup [--chap]
jd_setup() {
  JD_DIR=$E2E_TMP/jd
  JD_CONF=$JD_DIR/jdss.yaml
  # jdssc's debug log (0600, secrets redacted) where the runner keeps it for a failed scenario.
  mkdir -p "$E2E_STATE" && JD_LOG=$E2E_STATE/jdssc.log && rm -f "$JD_LOG"
  rm -rf "$JD_DIR" && mkdir -p "$JD_DIR/data" "$JD_DIR/state" && chmod 700 "$JD_DIR"
  lio_load || return 1
  jd_write_pw "$JD_DIR/rest.pw" "$JD_REST_PASSWORD"
  jd_write_pw "$JD_DIR/jdssc.pw" "$JD_REST_PASSWORD" "$JD_CHAP_SECRET"
  jd_write_config "${1:-}"
  install -m 0644 "$E2E_REPO/config-examples/multipath/jdssc.conf" /etc/multipath/conf.d/jdssc.conf || return 1
  iscsid_start || return 1
  multipathd_start || return 1
  jd_sim_start
}

# jd_nas_setup  -- the array for the NFS scenarios: the simulator with its data dir (NAS volumes
# are directories under $JD_DIR/data/nas/<pool>/<name>; LIO is its iSCSI data path, unused here),
# config with data_addresses $JD_DATA_ADDRESSES. No iSCSI daemons.
jd_nas_setup() {
  JD_DIR=$E2E_TMP/jd
  JD_CONF=$JD_DIR/jdss.yaml
  mkdir -p "$E2E_STATE" && JD_LOG=$E2E_STATE/jdssc.log && rm -f "$JD_LOG"
  rm -rf "$JD_DIR" && mkdir -p "$JD_DIR/data/nas" "$JD_DIR/state" && chmod 700 "$JD_DIR"
  chmod 755 "$JD_DIR/data" "$JD_DIR/data/nas"
  lio_load || return 1
  jd_write_pw "$JD_DIR/rest.pw" "$JD_REST_PASSWORD"
  jd_write_pw "$JD_DIR/jdssc.pw" "$JD_REST_PASSWORD"
  jd_write_config
  jd_sim_start
}
# jd_nas_dir NAME  -- the directory the simulator reports for a NAS volume (control API).
jd_nas_dir() {
  jd_control GET nas | sed 's/^[0-9]* //' | jq -r --arg n "$1" '.volumes[] | select(.name == $n) | .directory'
}

# jd_teardown  -- whatever the scenario left, the array side goes with the simulator.
jd_teardown() {
  local ok=0
  jd_sim_stop || ok=1
  multipathd_stop
  iscsid_stop
  rm -f /etc/multipath/conf.d/jdssc.conf
  return $ok
}

# jd_records  -- jdssc's LUN record files on this host (paths, one per line).
jd_records() { find "$JD_RECORDS" -name 'lun-*.json' 2>/dev/null | sort; }
jd_record_count() { jd_records | grep -c . ; }
# jd_record TARGET LUN  -- the record file of one LUN.
jd_record() { echo "$JD_RECORDS/$JD_STORAGE/$(printf %s "$1" | tr 'A-Z' 'a-z')/lun-$2.json"; }

# node_records_of TARGET  -- "addr:port" of each node record of the target.
node_records_of() { iscsiadm -m node 2>/dev/null | awk -v t="$1" '$2==t {split($1,a,","); print a[1]}' | sort; }
node_record_portals() { node_records_of "$1" | tr '\n' ' ' | sed 's/ $//'; }

# map_size WWID / path sizes
map_size() { blockdev --getsize64 "/dev/mapper/$1" 2>/dev/null; }
# mp_ll_active WWID  -- active, ready paths according to multipath -ll (the admin's view).
mp_ll_active() { multipath -ll "$1" 2>/dev/null | grep -cE 'active ready running'; }
# map_slaves WWID  -- the SCSI disks under the map (sysfs), sorted.
map_slaves() {
  local dm
  dm=$(basename "$(readlink -f "/dev/mapper/$1")")
  ls "/sys/block/$dm/slaves" 2>/dev/null | sort | tr '\n' ' ' | sed 's/ $//'
}
# lun_disk PORTAL TARGET LUN  -- sdX behind the by-path link (empty when missing).
lun_disk() { local l; l=$(by_path "$1" "$2" "$3"); [ -b "$l" ] && sd_of "$l"; }

# write_pattern FILE MiB  -- random data to compare against.
write_pattern() { head -c $(($2 * 1024 * 1024)) /dev/urandom >"$1"; }
# dev_has_pattern DEV FILE [SKIP_MiB]  -- direct read of DEV matches FILE.
dev_has_pattern() {
  local n
  n=$(($(stat -c %s "$2") / 1048576))
  dd if="$1" bs=1M count="$n" skip="${3:-0}" iflag=direct status=none | cmp -s - "$2"
}
# file_has_pattern FILE PATTERN  -- an image file on the array side (tmpfs: no O_DIRECT).
file_has_pattern() { head -c "$(stat -c %s "$2")" "$1" | cmp -s - "$2"; }
dev_write_pattern() { dd if="$2" of="$1" bs=1M seek="${3:-0}" oflag=direct conv=fsync status=none; }

# LIO views of what the simulator exports.
lio_luns_of() { ls -d "$(jd_tpg "$1")"/lun/lun_* 2>/dev/null | sed 's#.*/lun_##' | sort -n | tr '\n' ' ' | sed 's/ $//'; }
lio_nps_of() { ls "$(jd_tpg "$1")/np" 2>/dev/null | sort | tr '\n' ' ' | sed 's/ $//'; }
lio_hba_objects() { local d n=0; for d in "$JD_HBA"/*/; do [ -d "$d" ] && n=$((n + 1)); done; echo $n; }

# jd_rest METHOD PATH [JSON_BODY]  -- one request to the simulator's REST API (as another admin
# tool would change the array), /api/v4 + PATH; prints the answer's body, fails on HTTP >= 400.
jd_rest() { _jd_https "$1" "/api/v4$2" "${3:-}"; }
# jd_control METHOD PATH [JSON_BODY]  -- the simulator's control API, /__simulator/ + PATH.
jd_control() { _jd_https "$1" "/__simulator/$2" "${3:-}"; }
_jd_https() {
  node -e '
    const https = require("https"), fs = require("fs");
    const [method, path, body, port, ca, pw] = process.argv.slice(1);
    const req = https.request({ host: "127.0.0.1", port: Number(port), method, path,
      ca: fs.readFileSync(ca), auth: "admin:" + pw, headers: { "content-type": "application/json" } }, (res) => {
      let s = ""; res.on("data", (d) => (s += d)).on("end", () => { console.log(res.statusCode, s); process.exit(res.statusCode < 400 ? 0 : 1); });
    });
    req.on("error", (e) => { console.error(e.message); process.exit(2); });
    if (body) req.write(body);
    req.end();' "$1" "$2" "$3" "$JD_REST_PORT" "$JD_DIR/ca.pem" "$JD_REST_PASSWORD"
}

# lun_disks TARGET LUN  -- the SCSI disks of one LUN (by-path on both portals), sorted.
lun_disks() {
  local p d
  for p in "$JD_P1" "$JD_P2"; do d=$(lun_disk "$p" "$1" "$2") && echo "$d"; done | sort | tr '\n' ' ' | sed 's/ $//'
}
# jd_volume VOL SIZE OUT  -- create a volume; OUT gets its JSON (wwid, physicalName).
jd_volume() { jd_json "$3" volume create "$1" --size "$2"; }
