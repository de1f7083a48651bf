# shellcheck shell=bash
# Checks for e2e scenarios: one line per check, TAP-like, with the scenario's elapsed time.
#
#   ok 3 - discovery through 127.0.0.2 lists the target (1.9s)
#   not ok 4 - two sessions (2.0s)
#   #   expected: 2
#   #   actual:   1
#
# check*      record the result and go on; require* also abort the scenario on failure.
# e2e_finish  prints "<scenario>: N passed, N failed" and exits 0 only when nothing failed.

E2E_PASS=0
E2E_FAIL=0
E2E_N=0
E2E_NAME=${E2E_NAME:-scenario}
# Time in centiseconds since boot, without forking (forks are slow under TCG).
e2e_cs() { local up _; read -r up _ </proc/uptime; up=${up/./}; echo $((10#$up)); }
e2e_now() { local up _; read -r up _ </proc/uptime; echo "$up"; }
E2E_T0=$(e2e_cs)
e2e_elapsed() { local d=$(($(e2e_cs) - E2E_T0)); printf '%d.%ds' $((d / 100)) $((d % 100 / 10)); }

# Narration for the log (not a check).
note() { printf '# %s\n' "$*"; }

_ok() {
  E2E_N=$((E2E_N + 1)); E2E_PASS=$((E2E_PASS + 1))
  printf 'ok %d - %s (%s)\n' "$E2E_N" "$1" "$(e2e_elapsed)"
}
_not_ok() {
  E2E_N=$((E2E_N + 1)); E2E_FAIL=$((E2E_FAIL + 1))
  printf 'not ok %d - %s (%s)\n' "$E2E_N" "$1" "$(e2e_elapsed)"
  shift
  local line
  for line in "$@"; do printf '#   %s\n' "$line"; done
}
_e2e_out() { echo "${E2E_TMP:-/tmp}/.check-output"; }
_tail_output() { # FILE -> last lines, indented, for a failure report
  [ -s "$1" ] || return 0
  tail -n 15 "$1" | sed 's/^/#   | /'
}

# check DESC CMD [ARG...]  -- passes when CMD exits 0. Output is shown only on failure.
check() {
  local desc=$1 out rc
  shift
  out=$(_e2e_out)
  "$@" >"$out" 2>&1
  rc=$?
  if [ $rc -eq 0 ]; then _ok "$desc"; else _not_ok "$desc" "command: $* (exit $rc)"; _tail_output "$out"; fi
  return $rc
}

# check_rc DESC EXPECTED_RC CMD [ARG...]  -- passes when CMD exits with EXPECTED_RC.
check_rc() {
  local desc=$1 want=$2 out rc
  shift 2
  out=$(_e2e_out)
  "$@" >"$out" 2>&1
  rc=$?
  if [ "$rc" = "$want" ]; then _ok "$desc"; else _not_ok "$desc" "command: $*" "expected exit $want, got $rc"; _tail_output "$out"; fi
  [ "$rc" = "$want" ]
}

# check_eq DESC EXPECTED ACTUAL
check_eq() {
  if [ "$2" = "$3" ]; then _ok "$1"; else _not_ok "$1" "expected: $2" "actual:   $3"; return 1; fi
}

# check_match DESC ERE ACTUAL
check_match() {
  if printf '%s\n' "$3" | grep -Eq -- "$2"; then _ok "$1"; else _not_ok "$1" "expected to match: $2" "actual: $3"; return 1; fi
}

# check_wait DESC TIMEOUT_S CMD [ARG...]  -- polls CMD (every 0.1 s) until it succeeds.
check_wait() {
  local desc=$1 limit=$2
  shift 2
  if wait_until "$limit" "$@"; then _ok "$desc"; else
    local out; out=$(_e2e_out); "$@" >"$out" 2>&1
    _not_ok "$desc" "still failing after ${limit}s: $*"; _tail_output "$out"; return 1
  fi
}

# require* -- the same checks, but a failure ends the scenario (later steps depend on it).
_abort() { note "aborting $E2E_NAME: a required check failed"; e2e_finish; }
require() { check "$@" || _abort; }
require_rc() { check_rc "$@" || _abort; }
require_eq() { check_eq "$@" || _abort; }
require_wait() { check_wait "$@" || _abort; }

# wait_until TIMEOUT_S CMD [ARG...]  -- silent polling with a deadline; 0 when CMD succeeded.
wait_until() {
  local end=$(($(e2e_cs) + ${1%.*} * 100))
  shift
  while :; do
    "$@" >/dev/null 2>&1 && return 0
    [ "$(e2e_cs)" -lt "$end" ] || return 1
    sleep 0.1
  done
}

# e2e_begin NAME  -- names the scenario and gives it a scratch directory ($E2E_TMP).
e2e_begin() {
  E2E_NAME=$1
  E2E_T0=$(e2e_cs)
  E2E_TMP=/tmp/e2e/$E2E_NAME
  rm -rf "$E2E_TMP" && mkdir -p "$E2E_TMP"
  note "scenario $E2E_NAME on $(uname -r), initiator $(initiator_iqn 2>/dev/null)"
}

e2e_finish() {
  printf '%s: %d passed, %d failed\n' "$E2E_NAME" "$E2E_PASS" "$E2E_FAIL"
  [ "$E2E_FAIL" -eq 0 ] && [ "$E2E_PASS" -gt 0 ]
  exit $?
}
