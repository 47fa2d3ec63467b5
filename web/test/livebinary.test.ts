import {describe, expect, it} from 'vitest';
import fixture from './fixtures/binary-frames.json';
import {BinarySession, HEADER_BYTES, RECORD_BYTES} from '../src/livebinary';
import {LiveStore} from '../src/livestore';

// Frames made by the server's encoder (tests/server/live/binary_golden.py; the Python tests check
// that the encoder still makes exactly these bytes).
function buffer(hex: string): ArrayBuffer {
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return bytes.buffer;
}

const [FIRST, SECOND] = fixture.frames.map(buffer);
const T = 1_800_000_000_000;

describe('BinarySession', () => {
  it('decodes records into columns, the dictionary, attributes and events', () => {
    const session = new BinarySession();
    const f = session.decode(FIRST);
    expect(f.t).toBe(T);
    expect(f.updates.n).toBe(2);
    expect(session.ids).toEqual(['12', '7']);
    const c = f.updates;
    expect([c.index[0], c.index[1]]).toEqual([0, 1]);
    expect(c.lon[0]).toBeCloseTo(2.30001, 9);
    expect(c.lat[0]).toBeCloseTo(48.80002, 9);
    expect(c.rt[0]).toBe(T - 120);
    expect(c.t[0]).toBeCloseTo(T / 1000 - 2.12, 6); // rt less a whole number of seconds of lag
    expect([c.acc[0], c.hdg[0], c.spd[0], c.bat[0], c.lowAcc[0]]).toEqual([8, 272, 1.25, 0.56, 0]);
    expect([c.acc[1], c.hdg[1], c.spd[1], c.bat[1]].every(Number.isNaN)).toBe(true);
    expect(c.lowAcc[1]).toBe(1);
    expect(f.attrs[0]).toEqual([0, {team: 3, ps: '75101_1', nb: '7510101', ds: '75101', zone: 'in'}]);
    expect(f.events).toHaveLength(2);
    const g = session.decode(SECOND);
    expect(g.updates.n).toBe(1);
    expect([g.updates.index[0], g.updates.lon[0], g.updates.lat[0]]).toEqual([1, -0.5, -1.25]);
    expect(g.updates.t[0]).toBeCloseTo((T + 200) / 1000 + 5, 6); // a device clock ahead
    expect([g.stale, g.gone]).toEqual([[12], [40]]);
    expect(SECOND.byteLength).toBe(HEADER_BYTES + RECORD_BYTES + 8 + 84);
  });

  it('refuses what is not a version 1 frame, or is cut short', () => {
    const session = new BinarySession();
    expect(() => session.decode(new ArrayBuffer(10))).toThrow();
    const wrong = FIRST.slice(0);
    new Uint8Array(wrong)[2] = 2;
    expect(() => session.decode(wrong)).toThrow(/version 1/);
    expect(() => session.decode(FIRST.slice(0, FIRST.byteLength - 1))).toThrow(/length/);
  });
});

describe('LiveStore.binaryDeltas', () => {
  it('applies updates in place, with joins, enter events, attributes, stale and gone', () => {
    const store = new LiveStore();
    store.snapshot(T, [{v: 40, team: null, t: 0, rt: T, lon: 2, lat: 48, acc: null, hdg: null, spd: null,
                        bat: null, cell: null, ps: 'x', nb: null, ds: null, zone: null, ev: null, low_acc: false}]);
    const session = new BinarySession();
    store.binaryDeltas(session.decode(FIRST), session.ids);
    const twelve = store.volunteers.get('12')!;
    expect(twelve.v).toMatchObject({v: 12, team: 3, ps: '75101_1', ds: '75101', zone: 'in', acc: 8, hdg: 272,
                                    low_acc: false, ev: null});
    expect(store.volunteers.get('7')!.v).toMatchObject({v: 7, team: null, ds: '75102', acc: null, low_acc: true});
    const kinds = store.events.map(e => e.kind);
    expect(kinds.filter(k => k === 'joined')).toHaveLength(2);
    expect(kinds.filter(k => k === 'entered')).toHaveLength(1);
    expect(kinds).toContain('shift_start');
    const seven = store.volunteers.get('7')!;
    const v = seven.v;
    store.binaryDeltas(session.decode(SECOND), session.ids);
    expect(store.volunteers.get('7')!.v).toBe(v); // the same object, updated
    expect(v).toMatchObject({lon: -0.5, lat: -1.25, ps: '75102_3', zone: 'in'});
    expect(seven.trail).toEqual([[2.35222, 48.85661], [-0.5, -1.25]]);
    expect(store.volunteers.get('12')!.stale).toBe(true);
    expect(store.volunteers.has('40')).toBe(false);
    expect(store.events[0]).toMatchObject({kind: 'gone', id: '40', ps: 'x'});
    expect(store.stats()).toMatchObject({live: 1, stale: 1});
  });
});
