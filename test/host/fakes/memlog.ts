// A Logger that keeps its (redacted) lines in memory, for assertions on what was logged.
import { Redactor, type Logger } from '../../../src/log/logger';

export interface MemoryLogger extends Logger {
  lines: string[];
  text(): string;
}

export function memoryLogger(): MemoryLogger {
  const redactor = new Redactor();
  const lines: string[] = [];
  const at = (level: string) => (msg: string) => {
    lines.push(`${level} ${redactor.redact(msg)}`);
  };
  return {
    lines,
    text: () => lines.join('\n'),
    debug: at('DEBUG'),
    info: at('INFO'),
    warn: at('WARNING'),
    error: at('ERROR'),
    addSecret: (s) => redactor.add(s),
    redact: (t) => redactor.redact(t),
  };
}
