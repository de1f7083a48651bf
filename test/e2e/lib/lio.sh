# shellcheck shell=bash
# The in-kernel LIO target through configfs (no targetcli): disks at LUN 0, every portal of
# the portal group in sendtargets, ACLs by initiator IQN, ALUA. Use it where tgt cannot act
# like the array (tgt's LUN 0 is a controller, its sendtargets lists one portal).
#
#   lio_load
#   lio_fileio vol1 /tmp/vol1.img 1G "$(wwid_of abcdefgh12345678)"   # backstore, serial = WWID
#   lio_target iqn.2025-01.test:vm-101-0
#   lio_lun    iqn.2025-01.test:vm-101-0 0 fileio_0/vol1
#   lio_portal iqn.2025-01.test:vm-101-0 127.0.0.4:3260
#   lio_acl    iqn.2025-01.test:vm-101-0 "$(initiator_iqn)" 0
#   lio_chap   iqn.2025-01.test:vm-101-0 "$(initiator_iqn)" user secret
#   lio_enable iqn.2025-01.test:vm-101-0
#   lio_clear                                  # removes every target and backstore
#
# Values go in with printf '%s': with echo, a trailing newline becomes part of a CHAP user
# name or secret and every login fails (exit 24, "CHAP_N values do not match!").

LIO=/sys/kernel/config/target

lio_load() {
  local m
  for m in target_core_mod target_core_file target_core_iblock iscsi_target_mod; do modprobe "$m" || return 1; done
  mountpoint -q /sys/kernel/config || mount -t configfs configfs /sys/kernel/config
  [ -d "$LIO/iscsi" ] || mkdir "$LIO/iscsi"
}

_lio_tpg() { echo "$LIO/iscsi/$1/tpgt_${2:-1}"; }

# lio_fileio NAME FILE SIZE [SERIAL]  -- file-backed backstore core/fileio_0/NAME (sparse file).
# SIZE as truncate understands it (1G, 512M, bytes). SERIAL is VPD 0x80 (a 2<16 hex> serial
# becomes the WWID through the test udev rule).
lio_fileio() {
  local d=$LIO/core/fileio_0/$1 bytes
  truncate -s "$3" "$2" || return 1
  bytes=$(stat -c %s "$2")
  mkdir -p "$d" || return 1
  printf '%s' "fd_dev_name=$2,fd_dev_size=$bytes" >"$d/control" || return 1
  [ -z "${4:-}" ] || printf '%s' "$4" >"$d/wwn/vpd_unit_serial" || return 1
  printf 1 >"$d/enable"
}

# lio_iblock NAME BLOCKDEV [SERIAL]  -- block-device backstore core/iblock_0/NAME. Its size
# follows the device (e.g. grow a loop device's file, then losetup -c), unlike fileio.
lio_iblock() {
  local d=$LIO/core/iblock_0/$1
  mkdir -p "$d" || return 1
  printf '%s' "udev_path=$2" >"$d/control" || return 1
  [ -z "${3:-}" ] || printf '%s' "$3" >"$d/wwn/vpd_unit_serial" || return 1
  printf 1 >"$d/enable"
}

# lio_target IQN [TPGT]  -- target with one portal group (default tpgt_1).
lio_target() { mkdir -p "$(_lio_tpg "$1" "${2:-1}")"; }

# lio_lun IQN LUN BACKSTORE [TPGT]  -- export BACKSTORE (e.g. fileio_0/vol1) as LUN.
lio_lun() {
  local tpg; tpg=$(_lio_tpg "$1" "${4:-1}")
  mkdir -p "$tpg/lun/lun_$2" && ln -s "$LIO/core/$3" "$tpg/lun/lun_$2/${3##*/}"
}

# lio_lun_delete IQN LUN [TPGT]  -- unexport (drops ACL mappings of that LUN first).
lio_lun_delete() {
  local tpg m; tpg=$(_lio_tpg "$1" "${3:-1}")
  for m in "$tpg"/acls/*/lun_"$2"; do [ -d "$m" ] && { find "$m" -maxdepth 1 -type l -delete; rmdir "$m"; }; done
  find "$tpg/lun/lun_$2" -maxdepth 1 -type l -delete && rmdir "$tpg/lun/lun_$2"
}

# lio_portal IQN ADDR:PORT [TPGT]
lio_portal() { mkdir "$(_lio_tpg "$1" "${3:-1}")/np/$2"; }

# lio_acl IQN INITIATOR_IQN LUN... -- allow INITIATOR to see the LUNs (same numbers).
lio_acl() {
  local tpg=$(_lio_tpg "$1") init=$2 l
  shift 2
  mkdir -p "$tpg/acls/$init" || return 1
  for l in "$@"; do
    mkdir -p "$tpg/acls/$init/lun_$l" && ln -s "$tpg/lun/lun_$l" "$tpg/acls/$init/lun_$l/map" || return 1
  done
}

# lio_chap IQN INITIATOR_IQN USER SECRET  -- CHAP for that initiator; authentication on.
lio_chap() {
  local tpg=$(_lio_tpg "$1")
  printf '%s' "$3" >"$tpg/acls/$2/auth/userid" &&
    printf '%s' "$4" >"$tpg/acls/$2/auth/password" &&
    printf 1 >"$tpg/attrib/authentication"
}

# lio_no_auth IQN  -- no CHAP for this portal group.
lio_no_auth() { printf 0 >"$(_lio_tpg "$1")/attrib/authentication"; }

lio_enable() { printf 1 >"$(_lio_tpg "$1" "${2:-1}")/enable"; }
lio_disable() { printf 0 >"$(_lio_tpg "$1" "${2:-1}")/enable"; }

# lio_clear  -- tear down every LIO target and backstore, children before parents.
lio_clear() {
  [ -d "$LIO" ] || return 0
  local t tpg a l d hba
  for t in "$LIO"/iscsi/*; do
    [ -d "$t/tpgt_1" ] || ls -d "$t"/tpgt_* >/dev/null 2>&1 || continue
    for tpg in "$t"/tpgt_*; do
      printf 0 >"$tpg/enable" 2>/dev/null
      for a in "$tpg"/acls/*; do
        [ -d "$a" ] || continue
        for l in "$a"/lun_*; do [ -d "$l" ] && { find "$l" -maxdepth 1 -type l -delete; rmdir "$l"; }; done
        rmdir "$a"
      done
      for l in "$tpg"/lun/lun_*; do [ -d "$l" ] && { find "$l" -maxdepth 1 -type l -delete; rmdir "$l"; }; done
      for d in "$tpg"/np/*; do [ -d "$d" ] && rmdir "$d"; done
      rmdir "$tpg"
    done
    rmdir "$t"
  done
  for hba in "$LIO"/core/*_[0-9]*; do
    [ -d "$hba" ] || continue
    for d in "$hba"/*; do [ -d "$d" ] && rmdir "$d"; done
    rmdir "$hba"
  done
  return 0
}

# lio_target_count  -- configured LIO targets (0 after lio_clear).
lio_target_count() { local n=0 t; for t in "$LIO"/iscsi/*; do ls -d "$t"/tpgt_* >/dev/null 2>&1 && n=$((n + 1)); done; echo $n; }
