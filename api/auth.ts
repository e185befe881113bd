import { createHash, timingSafeEqual } from 'node:crypto';

/** Who is calling: an API key's stable id (never the key itself), or anyone when the server is open. */
export interface Caller {
  id: string;
  /** False when no API keys are configured. */
  authenticated: boolean;
}

export const ANONYMOUS: Caller = { id: 'anonymous', authenticated: false };

const digest = (value: string) => createHash('sha256').update(value).digest();

/**
 * API key checks. Keys are compared as SHA-256 digests with timingSafeEqual,
 * so neither their length nor their content leaks through timing.
 */
export class ApiKeys {
  private readonly keys: { digest: Buffer; id: string }[];

  constructor(keys: string[]) {
    this.keys = keys.map((key) => {
      const hash = digest(key);
      return { digest: hash, id: `key:${hash.subarray(0, 6).toString('hex')}` };
    });
  }

  get enabled(): boolean {
    return this.keys.length > 0;
  }

  /** The caller for an `Authorization` value (`Bearer <key>`), or undefined when it is not accepted. */
  identify(authorization: unknown): Caller | undefined {
    if (!this.enabled) return ANONYMOUS;
    if (typeof authorization !== 'string') return undefined;
    const match = /^Bearer\s+(.+)$/i.exec(authorization.trim());
    if (!match) return undefined;
    const hash = digest(match[1]!);
    let found: string | undefined;
    for (const key of this.keys) if (timingSafeEqual(key.digest, hash)) found = key.id;
    return found ? { id: found, authenticated: true } : undefined;
  }
}
