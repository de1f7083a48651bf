// Typed errors shared by every layer. Domain code throws these; only src/cli turns them into
// an exit code and a one-line message. Exit codes are part of the public contract (README).

export const EXIT = {
  OK: 0,
  INTERNAL: 1,
  USAGE: 2,
  NOT_FOUND: 3,
  EXISTS: 4,
  BUSY: 5,
  UNREACHABLE: 6,
  AUTH: 7,
  NO_SPACE: 8,
  HOST: 9,
  /** `cleanup` found orphans (dry run), or some are left after --apply. */
  FOUND: 10,
  /** Stopped by SIGTERM/SIGINT; the step in flight was let finish or undone within a bound. */
  INTERRUPTED: 11,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** Stable machine-readable error codes, printed in `{"error":{"code":…}}`. */
export type ErrorCode =
  | 'internal'
  | 'usage'
  | 'config'
  | 'not_found'
  | 'exists'
  | 'busy'
  | 'blocked'
  | 'unreachable'
  | 'timeout'
  | 'auth'
  | 'no_space'
  | 'outdated'
  | 'appliance'
  | 'outcome_unknown'
  | 'host'
  | 'interrupted';

export class JdsscError extends Error {
  readonly code: ErrorCode;
  readonly exitCode: ExitCode;
  /** Extra structured facts for JSON output (e.g. the names of blocking clones). */
  readonly details?: Record<string, unknown>;
  /** Set when the message was already printed (e.g. by a long-running subcommand). */
  reported = false;

  constructor(code: ErrorCode, exitCode: ExitCode, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = new.target.name;
    this.code = code;
    this.exitCode = exitCode;
    this.details = details;
  }
}

export class UsageError extends JdsscError {
  constructor(message: string, details?: Record<string, unknown>) {
    super('usage', EXIT.USAGE, message, details);
  }
}

/** A configuration key has a bad value, a file is missing or unsafe. */
export class ConfigError extends JdsscError {
  readonly key?: string;
  constructor(message: string, key?: string) {
    super('config', EXIT.USAGE, message, key ? { key } : undefined);
    this.key = key;
  }
}

export class NotFoundError extends JdsscError {
  constructor(message: string, details?: Record<string, unknown>) {
    super('not_found', EXIT.NOT_FOUND, message, details);
  }
}

/** The pool itself is missing: never read as "the object I looked for is absent". */
export class PoolNotFoundError extends NotFoundError {}

/** A not-found answer about the object asked for — not about its pool. */
export function isMissing(e: unknown): e is NotFoundError {
  return e instanceof NotFoundError && !(e instanceof PoolNotFoundError);
}

export class ExistsError extends JdsscError {
  constructor(message: string, details?: Record<string, unknown>) {
    super('exists', EXIT.EXISTS, message, details);
  }
}

/** The object is in use (clones, sessions, children) and the operation was refused. */
export class BusyError extends JdsscError {
  constructor(message: string, details?: Record<string, unknown>, code: 'busy' | 'blocked' = 'busy') {
    super(code, EXIT.BUSY, message, details);
  }
}

/** No control address answered (refused, timed out, or the invocation deadline ran out). */
export class UnreachableError extends JdsscError {
  constructor(message: string, details?: Record<string, unknown>, code: 'unreachable' | 'timeout' = 'unreachable') {
    super(code, EXIT.UNREACHABLE, message, details);
  }
}

export class AuthError extends JdsscError {
  constructor(message: string) {
    super('auth', EXIT.AUTH, message);
  }
}

export class NoSpaceError extends JdsscError {
  constructor(message: string, details?: Record<string, unknown>) {
    super('no_space', EXIT.NO_SPACE, message, details);
  }
}

/** The appliance answered with an error we do not map to a more specific kind. */
export class ApplianceError extends JdsscError {
  constructor(message: string, details?: Record<string, unknown>, code: 'appliance' | 'outdated' = 'appliance') {
    super(code, EXIT.INTERNAL, message, details);
  }
}

/**
 * A non-idempotent request was sent but no answer arrived, and the caller could not tell
 * whether the appliance applied it. Never silently retried (it could create twice).
 */
export class OutcomeUnknownError extends JdsscError {
  constructor(message: string, details?: Record<string, unknown>) {
    super('outcome_unknown', EXIT.UNREACHABLE, message, details);
  }
}

/** A host tool (iscsiadm, multipath, …) failed or a device did not appear in time. */
export class HostError extends JdsscError {
  constructor(message: string, details?: Record<string, unknown>) {
    super('host', EXIT.HOST, message, details);
  }
}

/** SIGTERM or SIGINT stopped the command. */
export class InterruptedError extends JdsscError {
  constructor(message: string, details?: Record<string, unknown>) {
    super('interrupted', EXIT.INTERRUPTED, message, details);
  }
}

export function isJdsscError(e: unknown): e is JdsscError {
  return e instanceof JdsscError;
}
