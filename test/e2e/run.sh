#!/usr/bin/env bash
# Real-kernel end-to-end tests (the entry `make e2e` calls).
#
#   test/e2e/run.sh                 every scenarios/*.sh, in name order, in one VM boot
#   test/e2e/run.sh 00-smoke ...    just these scenarios (names without .sh)
#
# Builds or reuses the cached VM image (build-image.sh), assembles a 9p share with the jdssc
# tree and this host's node binary, boots the VM once (run-vm.sh), and prints one line per
# scenario. Exits non-zero when any scenario fails. Needs root.
#
# Environment (besides those of build-image.sh and run-vm.sh):
#   E2E_OUT               where the logs of the last run are kept (default /tmp/jdssc-e2e-out)
#   E2E_SCENARIO_TIMEOUT  limit per scenario inside the VM, seconds (default 600)
#   E2E_MAX_SECONDS       limit of the whole VM run, seconds (default 3000); scenarios that no
#                         longer fit are reported as not started
#   E2E_VERBOSE=1         print every scenario's full log, not only the failures'
#   E2E_EXTRA             more repo-relative paths to put in the share
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
OUTDIR=${E2E_OUT:-/tmp/jdssc-e2e-out}
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN{printf "%.1f", b-a}'; }
T0=$(now)

[ "$(id -u)" = 0 ] || { echo "e2e: must run as root (image build, qemu)" >&2; exit 2; }

# Scenarios --------------------------------------------------------------------------------------
SCENARIOS=()
if [ $# -gt 0 ]; then
  for s in "$@"; do
    s=${s##*/}; s=${s%.sh}
    [ -f "$HERE/scenarios/$s.sh" ] || { echo "e2e: no scenario $s in $HERE/scenarios" >&2; exit 2; }
    SCENARIOS+=("$s")
  done
else
  for f in "$HERE"/scenarios/*.sh; do [ -f "$f" ] && SCENARIOS+=("$(basename "$f" .sh)"); done
fi
[ ${#SCENARIOS[@]} -gt 0 ] || { echo "e2e: no scenarios" >&2; exit 2; }

# Image --------------------------------------------------------------------------------------------
t=$(now)
IMG=$("$HERE/build-image.sh")
BUILD_S=$(since "$t")
VMLINUX_MB=$(du -m "$IMG/vmlinux" | cut -f1)
INITRD_MB=$(du -m "$IMG/initramfs.cpio" | cut -f1)

# The jdssc tree -----------------------------------------------------------------------------------
if [ ! -f "$REPO/dist/jdssc.cjs" ]; then
  echo "e2e: dist/jdssc.cjs missing; running make build" >&2
  make -C "$REPO" build >&2
fi
NODE_BIN=$(readlink -f "$(command -v node)") || { echo "e2e: node not found on PATH" >&2; exit 2; }
[ "$(head -c 4 "$NODE_BIN" | od -An -c | tr -d ' ')" = '177ELF' ] ||
  { echo "e2e: $NODE_BIN is not an ELF binary (a version-manager shim?); put the real node on PATH" >&2; exit 2; }

SHARE=$(mktemp -d "${TMPDIR:-/tmp}/jdssc-e2e.XXXXXX")
cleanup() { rm -rf "$SHARE"; }
trap cleanup EXIT
mkdir -p "$SHARE/repo/test" "$SHARE/bin"
# What the scenarios need: the launcher and bundle, package.json, the e2e tree, the Perl
# plugin with its PVE stand-in (test/plugin/lib), the real-PVE tier's loader and stubs
# (test/pve/lib, test/pve/stubs) and config examples. node_modules is not needed (the bundle
# has it all).
for p in bin dist package.json config-examples perl test/plugin/lib test/pve/lib test/pve/stubs ${E2E_EXTRA:-}; do
  [ -e "$REPO/$p" ] || continue
  mkdir -p "$SHARE/repo/$(dirname "$p")"
  cp -a "$REPO/$p" "$SHARE/repo/$p"
done
cp -a "$HERE" "$SHARE/repo/test/e2e"
# The unmodified Proxmox VE storage code beside the repository (not part of it), for the
# real-PVE scenario; the guest unpacks it where RealPVE.pm looks, <repo>/../shared/pve. One
# tar file: copying its ~140 files one by one over 9p took the guest up to 9 s more.
if [ -d "$REPO/../shared/pve" ]; then tar -C "$REPO/../shared/pve" -cf "$SHARE/shared-pve.tar" .; fi
rm -rf "$SHARE/repo/dist/.cache"
cp "$NODE_BIN" "$SHARE/bin/node"
printf '%s\n' "${SCENARIOS[@]}" >"$SHARE/scenarios.list"
{
  echo "E2E_SCENARIO_TIMEOUT=${E2E_SCENARIO_TIMEOUT:-600}"
  echo "E2E_HOST_NODE_VERSION=$("$NODE_BIN" --version)"
} >"$SHARE/env"
printf '#!/bin/sh\nexec /bin/bash /mnt/host/repo/test/e2e/guest/runner.sh\n' >"$SHARE/run.sh"
chmod 755 "$SHARE/run.sh"

# Boot ---------------------------------------------------------------------------------------------
# The VM's limit: room for every scenario's own limit, but never more than E2E_MAX_SECONDS
# (default 3000 s), so the VM tier fits in CI's 90 minutes with everything else. The guest
# gets that less 90 s as its budget, to stop in time and write its results.
: "${E2E_TIMEOUT:=$((300 + ${#SCENARIOS[@]} * ${E2E_SCENARIO_TIMEOUT:-600}))}"
[ "$E2E_TIMEOUT" -le "${E2E_MAX_SECONDS:-3000}" ] || E2E_TIMEOUT=${E2E_MAX_SECONDS:-3000}
export E2E_TIMEOUT
echo "E2E_BUDGET=$((E2E_TIMEOUT - 90))" >>"$SHARE/env"
set +e
"$HERE/run-vm.sh" "$SHARE" &
VPID=$!
# Progress while the VM runs: the runner's lines ("== …") from the serial console.
if [ "${E2E_CONSOLE:-}" != stdio ]; then
  tail -n +1 --pid="$VPID" -F "${E2E_CONSOLE_LOG:-$SHARE/out/console.log}" 2>/dev/null |
    grep --line-buffered -a '^== ' | sed -u 's/^/e2e: /' &
  FPID=$!
fi
trap 'kill -TERM "$VPID" 2>/dev/null; wait "$VPID" 2>/dev/null; exit 130' INT TERM
wait "$VPID"
VMRC=$?
trap - INT TERM
[ -z "${FPID:-}" ] || wait "$FPID" 2>/dev/null
set -e

rm -rf "$OUTDIR"
cp -a "$SHARE/out" "$OUTDIR"

# Report -------------------------------------------------------------------------------------------
pass=0
fail=0
for s in "${SCENARIOS[@]}"; do
  line=$(awk -v n="$s" '$1==n' "$OUTDIR/results" 2>/dev/null)
  log=$OUTDIR/$s.log
  if [ -z "$line" ]; then
    printf 'FAIL %-28s did not run (VM rc %s; see %s)\n' "$s" "$VMRC" "$OUTDIR/console.log"
    fail=$((fail + 1))
    continue
  fi
  read -r _ rc secs state <<<"$line"
  if [ "$rc" = 125 ]; then
    printf 'FAIL %-28s not started: the VM run was out of time (E2E_MAX_SECONDS)\n' "$s"
    fail=$((fail + 1))
    continue
  fi
  ok=$(grep -c '^ok ' "$log" || true)
  nok=$(grep -c '^not ok ' "$log" || true)
  extra=""
  [ "$state" = clean ] || extra=" (left state behind; reset cleaned it)"
  if [ "$rc" = 0 ]; then
    printf 'PASS %-28s %4s checks %7ss%s\n' "$s" "$ok" "$secs" "$extra"
    pass=$((pass + 1))
  else
    printf 'FAIL %-28s %4s ok, %s not ok, rc %s %7ss%s\n' "$s" "$ok" "$nok" "$rc" "$secs" "$extra"
    fail=$((fail + 1))
  fi
  if [ "$rc" != 0 ] || [ -n "${E2E_VERBOSE:-}" ]; then
    if [ -n "${E2E_VERBOSE:-}" ]; then sed 's/^/    /' "$log"; else
      { grep -E '^(not ok|#)' "$log" | head -n 60; echo '-- last lines:'; tail -n 15 "$log"; } | sed 's/^/    /'
    fi
  fi
done
if [ "$fail" -gt 0 ] || [ "$VMRC" != 0 ]; then
  echo "e2e: logs in $OUTDIR (console.log, run.log, <scenario>.log, dmesg)"
  [ -s "$OUTDIR/run.log" ] && { echo "-- run.log (last lines):"; tail -n 10 "$OUTDIR/run.log" | sed 's/^/    /'; }
fi
BOOT=$(awk '$1=="boot"{print $2}' "$OUTDIR/timing" 2>/dev/null)
printf 'e2e: image %s MiB vmlinux + %s MiB initramfs (%s); image step %ss; boot %ss; VM %ss; total %ss\n' \
  "$VMLINUX_MB" "$INITRD_MB" "$(basename "$IMG")" "$BUILD_S" "${BOOT:-?}" \
  "$(cat "$OUTDIR/vm-seconds" 2>/dev/null || echo '?')" "$(since "$T0")"
echo "e2e: $pass passed, $fail failed"
[ "$fail" = 0 ] && [ "$VMRC" = 0 ]
