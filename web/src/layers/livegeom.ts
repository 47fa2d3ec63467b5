// Geometry for the live layers, built on the CPU so that the GPU draws as little as possible.
//
// Measured in headless Chromium on SwiftShader (software WebGL, docs/benchmarks.md): the cost of
// a live redraw is almost all vertex work, per instance, whether or not the instance ends up on
// screen: 5,000 points cost ~90 ms, 5,000 heading stubs ~95 ms and 2,800 PathLayer trails
// ~480 ms a frame, against ~35, ~35 and ~20 ms for what is actually in view (trails drawn as
// LineLayer segments). Hence: only what lies in (a margin around) the viewport is handed to deck,
// and trails and headings are one LineLayer of plain segments, filled as typed arrays.

import {cellToLatLng, cellToParent, getResolution, isValidCell, latLngToCell} from 'h3-js';
import type {VolunteerState} from '../live';

/** [west, south, east, north] in degrees. */
export type Bounds = [number, number, number, number];

/** What the live layers need to know of the map view. */
export interface LiveViewport {
  zoom: number;
  /** The visible area; null before the first render (then nothing is culled). */
  bounds: Bounds | null;
}

type RGBA = [number, number, number, number];

/**
 * The area whose content is drawn for a view: the viewport snapped outwards to a grid of at most
 * 1/8 of its span, plus one grid step on each side (between 1.125 and 1.5 times the span). It
 * only changes once a pan crosses a grid line, so pans rebuild the live layers every 1/16 to 1/8
 * of a screen rather than every frame, and points, heading stubs and trails near an edge are
 * already there when they scroll in.
 */
export function cullBox(b: Bounds | null): Bounds | null {
  if (!b || !b.every(Number.isFinite) || b[2] <= b[0] || b[3] <= b[1]) return null;
  const sx = step((b[2] - b[0]) / 8);
  const sy = step((b[3] - b[1]) / 8);
  return [
    Math.floor(b[0] / sx) * sx - sx,
    Math.floor(b[1] / sy) * sy - sy,
    Math.ceil(b[2] / sx) * sx + sx,
    Math.ceil(b[3] / sy) * sy + sy
  ];
}

// A power of two: the grid (hence the cull box) stays put while panning at one zoom.
function step(x: number): number {
  return 2 ** Math.floor(Math.log2(x));
}

export function inBox(box: Bounds | null, lon: number, lat: number): boolean {
  return !box || (lon >= box[0] && lon <= box[2] && lat >= box[1] && lat <= box[3]);
}

/** A stable string for a cull box (part of the live layers' rebuild key). */
export function boxKey(box: Bounds | null): string {
  return box ? box.map(x => x.toPrecision(9)).join(',') : '*';
}

/**
 * Line segments as typed arrays, in the layout deck.gl's LineLayer takes as binary attributes:
 * an update refills four arrays instead of building an object per segment.
 */
export class Segments {
  length = 0;
  src = new Float64Array(0);
  dst = new Float64Array(0);
  color = new Uint8Array(0);
  width = new Float32Array(0);

  reset(capacity: number): void {
    this.length = 0;
    if (this.width.length < capacity) {
      // New arrays each time they grow; deck.gl sees new values and re-uploads them anyway.
      const n = Math.max(capacity, Math.ceil(this.width.length * 1.5));
      this.src = new Float64Array(n * 2);
      this.dst = new Float64Array(n * 2);
      this.color = new Uint8Array(n * 4);
      this.width = new Float32Array(n);
    }
  }

  push(x0: number, y0: number, x1: number, y1: number, c: RGBA, alpha: number, width: number): void {
    const i = this.length++;
    this.src[2 * i] = x0;
    this.src[2 * i + 1] = y0;
    this.dst[2 * i] = x1;
    this.dst[2 * i + 1] = y1;
    this.color[4 * i] = c[0];
    this.color[4 * i + 1] = c[1];
    this.color[4 * i + 2] = c[2];
    this.color[4 * i + 3] = alpha;
    this.width[i] = width;
  }

  /** deck.gl binary data (fresh subarray views, so that deck sees a change). */
  data() {
    const n = this.length;
    return {
      length: n,
      attributes: {
        getSourcePosition: {value: this.src.subarray(0, 2 * n), size: 2},
        getTargetPosition: {value: this.dst.subarray(0, 2 * n), size: 2},
        getColor: {value: this.color.subarray(0, 4 * n), size: 4, normalized: true},
        getWidth: {value: this.width.subarray(0, n), size: 1}
      }
    };
  }
}

export const TRAIL_ALPHA = 140;
export const TRAIL_PX = 2;
export const TRAIL_STEP_PX = 4; // trail points closer than this to the previous one drawn are skipped
export const HEADING_PX = 16; // length of a heading stub
export const HEADING_WIDTH_PX = 3;

/**
 * Trails (segments between consecutive trail points) of the live volunteers, then their heading
 * stubs on top, in one set of segments: one draw call, instead of a PathLayer (12 vertices and a
 * heavy shader per segment) and a LineLayer. A trail keeps only points at least TRAIL_STEP_PX
 * apart on screen (from the newest back): at walking pace 10 pings span a few pixels at zoom 14,
 * where the full trail would be 9 segments of a pixel each; zoomed in, every point is kept.
 */
export function trailsAndHeadings(
  out: Segments,
  points: VolunteerState[],
  zoom: number,
  color: (s: VolunteerState) => RGBA
): void {
  let n = 0;
  for (const s of points) if (!s.stale) n += Math.max(0, s.trail.length - 1) + 1;
  out.reset(n);
  const pxPerDeg = (512 * 2 ** zoom) / 360; // web mercator, along a parallel
  for (const s of points) {
    if (s.stale || s.trail.length < 2) continue;
    const c = color(s);
    const t = s.trail;
    const k = pxPerDeg ** 2;
    const kLat = k / Math.cos((t[t.length - 1][1] * Math.PI) / 180) ** 2;
    let [x1, y1] = t[t.length - 1];
    for (let i = t.length - 2; i >= 0; i--) {
      const [x0, y0] = t[i];
      const d2 = (x1 - x0) ** 2 * k + (y1 - y0) ** 2 * kLat;
      if (d2 < TRAIL_STEP_PX ** 2 && i > 0) continue;
      out.push(x0, y0, x1, y1, c, TRAIL_ALPHA, TRAIL_PX);
      x1 = x0;
      y1 = y0;
    }
  }
  const metresPerPx = (lat: number) => (78271.52 * Math.cos((lat * Math.PI) / 180)) / 2 ** zoom;
  for (const s of points) {
    const hdg = s.v.hdg;
    if (s.stale || hdg === null || hdg === undefined || !Number.isFinite(hdg)) continue;
    const cosLat = Math.cos((s.v.lat * Math.PI) / 180);
    const metres = HEADING_PX * metresPerPx(s.v.lat);
    const rad = (hdg * Math.PI) / 180;
    const dLat = (metres * Math.cos(rad)) / 111_320;
    const dLon = (metres * Math.sin(rad)) / (111_320 * Math.max(cosLat, 0.01));
    out.push(s.v.lon, s.v.lat, s.v.lon + dLon, s.v.lat + dLat, color(s), 255, HEADING_WIDTH_PX);
  }
}

export interface HexCount {
  hex: string;
  n: number;
  stale: number;
  position: [number, number];
}

/**
 * Volunteers per H3 cell of one resolution, over all of them (a count must not depend on the
 * view). The HexCount objects and the array are kept from one call to the next while the set of
 * cells stays the same, their counts updated in place: deck.gl then sees the same data and only
 * recolours and relabels the hexes, instead of recomputing every hexagon's polygon.
 */
export class HexAggregator {
  private res = -1;
  private parents = new Map<string, string>(); // a volunteer's cell → its cell at `res`
  private byHex = new Map<string, HexCount>();
  hexes: HexCount[] = [];
  maxCount = 1;

  /** Returns true when the set of cells changed (new objects), false when only counts did. */
  update(points: VolunteerState[], res: number): boolean {
    if (res !== this.res || this.parents.size > 50_000) {
      this.res = res;
      this.parents.clear();
    }
    const counts = new Map<string, [number, number]>();
    for (const s of points) {
      const hex = this.parent(s, res);
      if (hex === null) continue;
      const c = counts.get(hex);
      if (c) {
        c[0]++;
        if (s.stale) c[1]++;
      } else counts.set(hex, [1, s.stale ? 1 : 0]);
    }
    let same = counts.size === this.byHex.size;
    if (same) for (const hex of counts.keys()) if (!this.byHex.has(hex)) same = false;
    if (!same) {
      const prev = this.byHex;
      this.byHex = new Map();
      for (const hex of counts.keys()) {
        let h = prev.get(hex);
        if (!h) {
          const [lat, lon] = cellToLatLng(hex);
          h = {hex, n: 0, stale: 0, position: [lon, lat]};
        } else h = {...h}; // a new set: new objects, deck recomputes everything anyway
        this.byHex.set(hex, h);
      }
      this.hexes = [...this.byHex.values()];
    }
    let max = 1;
    for (const [hex, [n, stale]] of counts) {
      const h = this.byHex.get(hex)!;
      h.n = n;
      h.stale = stale;
      if (n > max) max = n;
    }
    this.maxCount = max;
    return !same;
  }

  private parent(s: VolunteerState, res: number): string | null {
    const key = s.v.cell ?? `${s.v.lat},${s.v.lon}`;
    let hex = this.parents.get(key);
    if (hex !== undefined) return hex;
    try {
      const cell = s.v.cell && isValidCell(s.v.cell) ? s.v.cell : latLngToCell(s.v.lat, s.v.lon, 11);
      hex = getResolution(cell) > res ? cellToParent(cell, res) : cell;
    } catch {
      return null;
    }
    this.parents.set(key, hex);
    return hex;
  }
}
