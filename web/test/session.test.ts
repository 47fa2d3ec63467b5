import {describe, expect, it} from 'vitest';
import {renewAt, type StoredSession} from '../src/hq/session';

const session = (expiresAt: number, endsAt: number, ttlMs = 900_000): StoredSession => ({
  token: 'qds_x',
  expiresAt,
  endsAt,
  ttlMs
});

describe('renewAt', () => {
  it('renews with a third of the lifetime left', () => {
    expect(renewAt(session(900_000, 43_200_000))).toBe(600_000);
  });

  it('does not renew a session that cannot be extended (at its maximum lifetime)', () => {
    expect(renewAt(session(900_000, 900_000))).toBeNull();
    expect(renewAt(session(900_000, 800_000))).toBeNull();
  });

  it('scales with the lifetime given', () => {
    expect(renewAt(session(3_000, 60_000, 3_000))).toBe(2_000);
  });
});
