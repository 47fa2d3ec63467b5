import {describe, expect, it} from 'vitest';
import fixture from './fixtures/binary-frames.json';
import {decodeHexFrame, HEX_HEADER_BYTES, isHexFrame, LiveAggregates} from '../src/liveaggregates';
import {BinarySession} from '../src/livebinary';
import {LiveStore} from '../src/livestore';

// Frames made by the server's encoders (tests/server/live/binary_golden.py golden_viewport; the
// Python tests check that the encoders still make exactly these bytes).
function buffer(hex: string): ArrayBuffer {
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return bytes.buffer;
}

const [FULL, CHANGED] = fixture.viewport.hexes.map(buffer);
const OUT = buffer(fixture.viewport.out);
const T = 1_800_000_000_000;
const EIFFEL = '881fb46741fffff';
const BASTILLE = '881fb46449fffff';
const GARE_DU_NORD = '881fb4660dfffff';

describe('aggregate frames', () => {
  it('decode into typed arrays over the frame bytes', () => {
    expect(isHexFrame(FULL) && !isHexFrame(OUT)).toBe(true);
    const f = decodeHexFrame(FULL);
    expect([f.t, f.full, f.n]).toEqual([T, true, 2]);
    expect(f.counts).toBeInstanceOf(Uint32Array);
    expect(f.counts.buffer).toBe(FULL); // a view, not a copy
    expect(Array.from(f.counts)).toEqual([3, 1]);
    expect(FULL.byteLength).toBe(HEX_HEADER_BYTES + 12 * 2);
    expect(() => decodeHexFrame(FULL.slice(0, FULL.byteLength - 4))).toThrow(/length/);
    expect(() => decodeHexFrame(OUT)).toThrow(/aggregate/);
  });

  it('keep the cells held: a full frame replaces, a partial one updates and empties', () => {
    const agg = new LiveAggregates();
    agg.apply(decodeHexFrame(FULL));
    const counts = () => Object.fromEntries(agg.hexes.map(h => [h.hex, h.n]));
    expect(counts()).toEqual({[EIFFEL]: 3, [BASTILLE]: 1});
    const eiffel = agg.hexes.find(h => h.hex === EIFFEL)!;
    expect(eiffel.position[0]).toBeCloseTo(2.29, 1);
    expect(eiffel.position[1]).toBeCloseTo(48.86, 1);
    const v = agg.version;
    agg.apply(decodeHexFrame(CHANGED));
    expect(counts()).toEqual({[EIFFEL]: 3, [GARE_DU_NORD]: 70000});
    expect([agg.total, agg.maxCount, agg.version > v]).toEqual([70003, 70000, true]);
    agg.applyJson({full: true, cells: [[BASTILLE, 2]]});
    expect(counts()).toEqual({[BASTILLE]: 2});
  });

  it('"out" drops volunteers from the store without a "gone" in the feed', () => {
    const store = new LiveStore();
    const ping = (v: number) => ({v, team: null, t: 0, rt: T, lon: 2.3, lat: 48.8, acc: null, hdg: null,
                                  spd: null, bat: null, cell: null, ps: null, nb: null, ds: null, zone: null,
                                  ev: null, low_acc: false});
    store.snapshot(T, [ping(7), ping(12), ping(40)]);
    const session = new BinarySession();
    const f = session.decode(OUT);
    expect(f.out).toEqual([7, 12]);
    store.binaryDeltas(f, session.ids);
    expect([...store.volunteers.keys()]).toEqual(['40']);
    store.deltas(T, [], [], [], [], [40]);
    expect(store.volunteers.size).toBe(0);
    expect(store.events.filter(e => e.kind === 'gone')).toHaveLength(0);
  });
});
