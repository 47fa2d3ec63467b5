import {afterEach, beforeEach, describe, expect, it, vi} from 'vitest';
import {LiveStore, type LiveVolunteer} from '../src/livestore';

function ping(v: number, lon: number, lat: number, extra: Partial<LiveVolunteer> = {}): LiveVolunteer {
  return {
    v, team: null, t: 1_700_000_000, rt: 1_700_000_000_000, lon, lat, acc: 5, hdg: null, spd: null,
    bat: null, cell: null, ps: '75101_1', nb: null, ds: '75101', zone: 'in', ev: null, low_acc: false,
    ...extra
  };
}

describe('LiveStore', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(1_000_000);
  });
  afterEach(() => vi.useRealTimers());

  it('replaces its volunteers with a snapshot and keeps trails of those still there', () => {
    const s = new LiveStore();
    s.snapshot(1_000_500, [ping(1, 2.35, 48.85), ping(2, 2.36, 48.86)], [{v: 1, since: 10, team: null}]);
    expect([...s.volunteers.keys()]).toEqual(['1', '2']);
    expect(s.clockOffset).toBe(500);
    expect(s.onShift.get('1')).toBe(10);
    s.snapshot(1_000_000, [ping(1, 2.351, 48.85)], null);
    expect([...s.volunteers.keys()]).toEqual(['1']);
    expect(s.volunteers.get('1')!.trail).toEqual([[2.35, 48.85], [2.351, 48.85]]);
    // null on_shift: the server could not read shifts, what was known is kept
    expect(s.onShift.size).toBe(1);
  });

  it('bumps its version on every change', () => {
    const s = new LiveStore();
    const v0 = s.version;
    s.deltas(1_000_000, [ping(1, 2.35, 48.85)], [], []);
    s.deltas(1_000_000, [], [], []);
    expect(s.version).toBe(v0 + 2);
  });

  it('logs joined, stale and gone, and removes gone volunteers', () => {
    const s = new LiveStore();
    s.deltas(1_000_000, [ping(7, 2.35, 48.85)], [], []);
    s.deltas(1_000_000, [], [7], []);
    expect(s.volunteers.get('7')!.stale).toBe(true);
    s.deltas(1_000_000, [], [7], []); // already stale: no second event
    s.deltas(1_000_000, [], [], [7]);
    expect(s.volunteers.has('7')).toBe(false);
    expect(s.events.map(e => e.kind)).toEqual(['gone', 'stale', 'joined']);
  });

  it('does not report gone for a volunteer who paused or ended the shift in the same frame', () => {
    const s = new LiveStore();
    s.deltas(1_000_000, [ping(3, 2.35, 48.85)], [], []);
    s.deltas(1_000_000, [], [], [3], [{type: 'shift', v: 3, on: false, by: 'hq'}]);
    expect(s.events[0]).toMatchObject({kind: 'shift_end', id: '3', by: 'hq', ps: '75101_1'});
    expect(s.events.some(e => e.kind === 'gone')).toBe(false);
  });

  it('counts an enter once when it comes both in events and as the volunteer state', () => {
    const s = new LiveStore();
    const enter = ping(4, 2.35, 48.85, {ev: 'enter'});
    s.deltas(1_000_000, [enter], [], [], [enter]);
    expect(s.events.filter(e => e.kind === 'entered')).toHaveLength(1);
    const exit = ping(4, 2.36, 48.85, {ev: 'exit', t: 1_700_000_100, ps: null});
    s.deltas(1_000_000, [exit], [], []);
    // an exit without a station names the one the volunteer was in
    expect(s.events[0]).toMatchObject({kind: 'left', ps: '75101_1'});
  });

  it('keeps at most 10 trail points and skips repeated positions', () => {
    const s = new LiveStore();
    for (let i = 0; i < 15; i++) s.deltas(1_000_000, [ping(1, 2 + i / 1000, 48)], [], []);
    s.deltas(1_000_000, [ping(1, 2.014, 48)], [], []);
    const trail = s.volunteers.get('1')!.trail;
    expect(trail).toHaveLength(10);
    expect(trail[9]).toEqual([2.014, 48]);
    expect(trail[0]).toEqual([2.005, 48]);
  });

  it('caps the feed at 30 events, newest first', () => {
    const s = new LiveStore();
    for (let i = 0; i < 40; i++) s.deltas(1_000_000, [ping(i, 2, 48)], [], []);
    expect(s.events).toHaveLength(30);
    expect(s.events[0].id).toBe('39');
  });

  it('adds reported doors to the day total once it is known', () => {
    const s = new LiveStore();
    s.deltas(1_000_000, [], [], [], [{type: 'report', v: 1, knocked: 5, opened: 2, contacts: 1}]);
    expect(s.stats().doorsKnocked).toBeNull();
    s.doorsToday = {knocked: 10, opened: 4, contacts: 3};
    s.deltas(1_000_000, [], [], [], [{type: 'report', v: 1, knocked: 5, opened: 2, contacts: 1, station: 'x'}]);
    expect(s.stats()).toMatchObject({doorsKnocked: 15, contacts: 4});
    expect(s.events[0]).toMatchObject({kind: 'report', ps: 'x', doors: {knocked: 5, opened: 2, contacts: 1}});
  });

  it("puts a finished turf in the feed, with its number and station", () => {
    const s = new LiveStore();
    s.deltas(1_000_000, [], [], [], [{type: 'turf_finished', v: 7, station: '20-12', turf: 3}]);
    expect(s.events[0]).toMatchObject({kind: 'turf_finished', id: '7', ps: '20-12', turf: 3});
  });

  it('counts live, stale and stations, and extrapolates the rate over at least 5 s', () => {
    const s = new LiveStore();
    s.snapshot(1_000_000, [], []);
    s.deltas(1_000_000, [ping(1, 2, 48), ping(2, 2, 48, {ps: 'b'}), ping(3, 2, 48, {zone: 'out', ps: 'c'})], [], []);
    s.deltas(1_000_000, [], [2], []);
    vi.advanceTimersByTime(1_000);
    const st = s.stats();
    expect(st).toMatchObject({live: 2, stale: 1, stations: 1});
    expect(st.perMinute).toBe(36); // 3 updates in 1 s, spread over the 5 s minimum window
    vi.advanceTimersByTime(61_000);
    s.deltas(1_000_000, [], [], []); // the old counts leave the 60 s window
    expect(s.stats().perMinute).toBe(0);
  });

  it("counts the campaign from the server's totals once a view scopes what it holds", () => {
    const s = new LiveStore();
    s.snapshot(1_000_000, [], []);
    s.deltas(1_000_000, [ping(1, 2, 48, {ps: 'a'}), ping(2, 2, 48, {ps: 'b'})], [], []);
    expect(s.stats()).toMatchObject({live: 2, stale: 0, stations: 2});
    s.campaignCounts = {live: 740, stale: 12, stations: 301};
    expect(s.stats()).toMatchObject({live: 740, stale: 12, stations: 301});
    s.snapshot(1_000_000, [], []); // a new connection: its own totals follow
    expect(s.stats()).toMatchObject({live: 0, stale: 0, stations: 0});
  });

  it('tracks shift starts from the feed', () => {
    const s = new LiveStore();
    s.deltas(1_000_000, [], [], [], [{type: 'shift', v: 9, on: true, since: 123}]);
    expect(s.onShift.get('9')).toBe(123);
    expect(s.stats().onShift).toBe(1);
    s.clear();
    expect(s.onShift.size).toBe(0);
  });
});
