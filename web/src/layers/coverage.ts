// Coverage hexes (cells with pings in a period, from /hexes?source=history) and the replayed
// volunteers. During a replay the hexes grow: only cells first visited by the replay clock.

import {H3HexagonLayer} from '@deck.gl/geo-layers';
import {ScatterplotLayer} from '@deck.gl/layers';
import type {Layer} from '@deck.gl/core';
import type {HistoryHex, ReplayPoint} from '../history';
import {teamColor} from './volunteers';

type RGBA = [number, number, number, number];

/** Coverage colour: magenta, unused by the area ramps (viridis) and the live layers. */
export const COVERAGE_RGB: [number, number, number] = [236, 38, 196];

/** H3 resolution of the coverage hexes at a zoom (finer than the live hexes: streets matter). */
export function coverageRes(zoom: number): number {
  return zoom >= 16 ? 11 : zoom >= 14.5 ? 10 : zoom >= 13 ? 9 : zoom >= 11.5 ? 8 : zoom >= 10 ? 7 : 6;
}

export class CoverageHexes {
  /** Sorted by first visit; `firsts` in epoch ms, same order. */
  private all: HistoryHex[] = [];
  private firsts = new Float64Array(0);
  private shown: HistoryHex[] = [];
  private maxPings = 1;
  private version = 0;
  res = 0;
  key = '';

  set(key: string, res: number, hexes: HistoryHex[]): void {
    this.key = key;
    this.res = res;
    this.all = hexes.slice().sort((a, b) => (a.first ?? 0) - (b.first ?? 0));
    this.firsts = Float64Array.from(this.all, h => (h.first ?? 0) * 1000);
    this.maxPings = this.all.reduce((m, h) => Math.max(m, h.pings), 1);
    this.shown = [];
    this.version++;
  }

  clear(): void {
    this.set('', 0, []);
  }

  get size(): number {
    return this.all.length;
  }

  get count(): number {
    return this.shown.length;
  }

  /** Show the first `n` hexes (by first visit); a new array only when n changes. */
  showFirst(n: number): void {
    n = Math.max(0, Math.min(n, this.all.length));
    if (n === this.shown.length && (n === 0 || this.shown[n - 1] === this.all[n - 1])) return;
    this.shown = this.all.slice(0, n);
    this.version++;
  }

  /** How many hexes were first visited at or before `clock` (epoch ms). */
  visitedBy(clock: number): number {
    let lo = 0;
    let hi = this.firsts.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.firsts[mid] <= clock) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** growing: one bright colour (the replay); else opacity by pings (coverage view). */
  layer(growing: boolean): Layer {
    const [r, g, b] = COVERAGE_RGB;
    const max = this.maxPings;
    return new H3HexagonLayer<HistoryHex>({
      id: 'coverage-hexes',
      data: this.shown,
      pickable: false,
      extruded: false,
      stroked: true,
      filled: true,
      highPrecision: true,
      getHexagon: h => h.h3,
      getFillColor: (h): RGBA =>
        growing ? [r, g, b, 200] : [r, g, b, Math.round(110 + 110 * (Math.log1p(h.pings) / Math.log1p(max)))],
      getLineColor: [255, 214, 245, 200],
      getLineWidth: 1,
      lineWidthUnits: 'pixels',
      updateTriggers: {getFillColor: [growing, this.version]}
    });
  }
}

export function replayVolunteersLayer(points: ReplayPoint[]): Layer {
  return new ScatterplotLayer<ReplayPoint>({
    id: 'replay-volunteers',
    data: points,
    pickable: true,
    stroked: true,
    filled: true,
    radiusUnits: 'pixels',
    getRadius: 6,
    getPosition: p => [p.lon, p.lat],
    getFillColor: p => teamColor(p.team),
    getLineColor: [10, 12, 18, 255],
    lineWidthUnits: 'pixels',
    getLineWidth: 1.5
  });
}
