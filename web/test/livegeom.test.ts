import {describe, expect, it} from 'vitest';
import {cellToParent, latLngToCell} from 'h3-js';
import {boxKey, cullBox, HexAggregator, inBox, Segments, trailsAndHeadings} from '../src/layers/livegeom';
import type {LiveVolunteer, VolunteerState} from '../src/livestore';

function state(id: number, lon: number, lat: number, opts: {trail?: [number, number][]; hdg?: number | null;
  stale?: boolean; cell?: string | null} = {}): VolunteerState {
  const v: LiveVolunteer = {
    v: id, team: null, t: 0, rt: 0, lon, lat, acc: null, hdg: opts.hdg ?? null, spd: null, bat: null,
    cell: opts.cell ?? null, ps: null, nb: null, ds: null, zone: null, ev: null, low_acc: false
  };
  return {id: String(id), v, trail: opts.trail ?? [[lon, lat]], stale: opts.stale ?? false};
}

const RED: [number, number, number, number] = [255, 0, 0, 255];

describe('cullBox', () => {
  it('covers the view with a margin, snapped to a power-of-two grid', () => {
    const view: [number, number, number, number] = [2.25, 48.81, 2.42, 48.9];
    const box = cullBox(view)!;
    expect(box[0]).toBeLessThan(view[0]);
    expect(box[3]).toBeGreaterThan(view[3]);
    const spanX = (box[2] - box[0]) / (view[2] - view[0]);
    expect(spanX).toBeGreaterThanOrEqual(1.125);
    expect(spanX).toBeLessThanOrEqual(1.5 + 0.25); // snapping adds at most one more step per side
    // a small pan inside one grid step keeps the same box (no rebuild)
    expect(boxKey(cullBox([2.2501, 48.8101, 2.4201, 48.9001]))).toBe(boxKey(box));
  });

  it('culls nothing without a usable view', () => {
    expect(cullBox(null)).toBeNull();
    expect(cullBox([2, 48, 1, 49])).toBeNull();
    expect(cullBox([NaN, 48, 3, 49])).toBeNull();
    expect(inBox(null, 100, 10)).toBe(true);
    expect(boxKey(null)).toBe('*');
  });

  it('tells inside from outside', () => {
    expect(inBox([0, 0, 1, 1], 0.5, 0.5)).toBe(true);
    expect(inBox([0, 0, 1, 1], 1.5, 0.5)).toBe(false);
  });
});

describe('Segments', () => {
  it('fills typed arrays and hands deck.gl views of the filled part', () => {
    const s = new Segments();
    s.reset(2);
    s.push(1, 2, 3, 4, RED, 100, 2);
    const d = s.data();
    expect(d.length).toBe(1);
    expect([...d.attributes.getSourcePosition.value]).toEqual([1, 2]);
    expect([...d.attributes.getTargetPosition.value]).toEqual([3, 4]);
    expect([...d.attributes.getColor.value]).toEqual([255, 0, 0, 100]);
    expect([...d.attributes.getWidth.value]).toEqual([2]);
  });

  it('grows its arrays when needed and keeps them otherwise', () => {
    const s = new Segments();
    s.reset(10);
    const arr = s.src;
    s.reset(5);
    expect(s.src).toBe(arr);
    s.reset(11);
    expect(s.width.length).toBeGreaterThanOrEqual(15);
  });
});

describe('trailsAndHeadings', () => {
  it('draws trail segments from the newest point back, skipping points too close on screen', () => {
    const out = new Segments();
    // at zoom 20, 1e-4 degree is far more than 4 px; 1e-9 is far less
    const trail: [number, number][] = [[2.35, 48.85], [2.3501, 48.85], [2.3501 + 1e-9, 48.85], [2.3502, 48.85]];
    trailsAndHeadings(out, [state(1, 2.3502, 48.85, {trail})], 20, () => RED);
    // newest first: 3 → 2, then 2 → 0 (point 1, a nanodegree from point 2, is skipped)
    expect(out.length).toBe(2);
    expect([...out.src.subarray(0, 4)]).toEqual([2.3501 + 1e-9, 48.85, 2.35, 48.85]);
    expect([...out.dst.subarray(0, 4)]).toEqual([2.3502, 48.85, 2.3501 + 1e-9, 48.85]);
  });

  it('adds a heading stub pointing the right way, and nothing for stale volunteers', () => {
    const out = new Segments();
    const north = state(1, 2.35, 48.85, {hdg: 0});
    const east = state(2, 2.35, 48.85, {hdg: 90});
    const stale = state(3, 2.35, 48.85, {hdg: 0, stale: true, trail: [[2.34, 48.85], [2.35, 48.85]]});
    trailsAndHeadings(out, [north, east, stale], 15, () => RED);
    expect(out.length).toBe(2);
    const d = out.data().attributes.getTargetPosition.value;
    expect(d[1]).toBeGreaterThan(48.85); // north: latitude grows
    expect(d[0]).toBeCloseTo(2.35, 9);
    expect(d[2]).toBeGreaterThan(2.35); // east: longitude grows
    expect(d[3]).toBeCloseTo(48.85, 9);
  });
});

describe('HexAggregator', () => {
  it('counts volunteers and stale ones per cell, keeping objects while the cells stay the same', () => {
    const agg = new HexAggregator();
    const a = state(1, 2.35, 48.85);
    const b = state(2, 2.3501, 48.8501, {stale: true});
    const far = state(3, 2.45, 48.9, {cell: latLngToCell(48.9, 2.45, 11)});
    expect(agg.update([a, b, far], 7)).toBe(true);
    expect(agg.hexes).toHaveLength(2);
    const near = agg.hexes.find(h => h.hex === cellToParent(latLngToCell(48.85, 2.35, 11), 7))!;
    expect(near).toMatchObject({n: 2, stale: 1});
    expect(agg.maxCount).toBe(2);
    const before = agg.hexes;
    expect(agg.update([a, far], 7)).toBe(false); // same cells, counts updated in place
    expect(agg.hexes).toBe(before);
    expect(near.n).toBe(1);
    expect(agg.update([a], 7)).toBe(true);
    expect(agg.hexes).toHaveLength(1);
  });

  it('skips a volunteer whose position makes no cell', () => {
    const agg = new HexAggregator();
    agg.update([state(1, NaN, NaN), state(2, 2.35, 48.85)], 8);
    expect(agg.hexes.map(h => h.n)).toEqual([1]);
  });
});
