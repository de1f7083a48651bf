// HTTP Basic authentication, compared in constant time.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

export class BasicAuth {
  private readonly expected: Buffer;

  constructor(user: string, password: string) {
    this.expected = digest(`${user}:${password}`);
  }

  check(req: IncomingMessage): boolean {
    const header = req.headers.authorization;
    if (!header || !/^basic /i.test(header)) return false;
    const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
    return timingSafeEqual(digest(decoded), this.expected);
  }
}
