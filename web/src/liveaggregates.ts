// The live aggregates: how many volunteers each H3 cell holds outside this viewer's view, which
// the server counts once a second and sends when a count changes (viewport scoping; layout in
// server/live/viewport.py). A binary "QH" frame is read straight as typed arrays over its bytes:
// cells as pairs of 32-bit halves, counts as 32-bit integers; no object is made per cell of the
// frame, only for a cell appearing for the first time.

import {cellToLatLng, splitLongToH3Index} from 'h3-js';

export const HEX_MAGIC = 0x4851; // "QH", little-endian
export const HEX_VERSION = 1;
export const HEX_HEADER_BYTES = 16;

/** One decoded aggregate frame: `n` cells as [low, high] 32-bit halves, and their counts. */
export interface HexFrame {
  t: number;
  full: boolean; // forget every cell held before this frame
  n: number;
  halves: Uint32Array; // 2n: low, high of each H3 index
  counts: Uint32Array; // n: 0 means the cell is now empty
}

/** Views over the frame's bytes (no copy). Typed arrays read the platform's byte order, which
 * is little-endian on every browser that runs deck.gl, as livebinary.ts assumes too. */
export function decodeHexFrame(buf: ArrayBuffer): HexFrame {
  const view = new DataView(buf);
  if (buf.byteLength < HEX_HEADER_BYTES || view.getUint16(0, true) !== HEX_MAGIC || view.getUint8(2) !== HEX_VERSION) {
    throw new Error('not an aggregate frame (version 1)');
  }
  const n = view.getUint32(4, true);
  if (buf.byteLength !== HEX_HEADER_BYTES + 12 * n) throw new Error('aggregate frame of the wrong length');
  return {
    t: view.getFloat64(8, true),
    full: (view.getUint8(3) & 1) === 1,
    n,
    halves: new Uint32Array(buf, HEX_HEADER_BYTES, 2 * n),
    counts: new Uint32Array(buf, HEX_HEADER_BYTES + 8 * n, n)
  };
}

/** The JSON form of the same frame ({"type":"hexes",…}), for viewers without binary frames. */
export interface HexJson {
  full: boolean;
  cells: [string, number][];
}

export interface AggregateHex {
  hex: string;
  n: number;
  position: [number, number]; // the cell's centre, lon/lat (labels)
}

export function isHexFrame(buf: ArrayBuffer): boolean {
  return buf.byteLength >= 2 && new DataView(buf).getUint16(0, true) === HEX_MAGIC;
}

/** The cells held, by H3 index; `version` moves on every change (layers rebuild only then). */
export class LiveAggregates {
  private byHex = new Map<string, AggregateHex>();
  hexes: AggregateHex[] = [];
  total = 0;
  maxCount = 1;
  version = 0;

  apply(f: HexFrame): void {
    if (f.full) this.byHex.clear();
    for (let k = 0; k < f.n; k++) this.set(splitLongToH3Index(f.halves[2 * k], f.halves[2 * k + 1]), f.counts[k]);
    this.changed();
  }

  applyJson(f: HexJson): void {
    if (f.full) this.byHex.clear();
    for (const [hex, n] of f.cells ?? []) this.set(hex, n);
    this.changed();
  }

  clear(): void {
    this.byHex.clear();
    this.changed();
  }

  private set(hex: string, n: number): void {
    if (!n) {
      this.byHex.delete(hex);
      return;
    }
    const h = this.byHex.get(hex);
    if (h) {
      h.n = n;
      return;
    }
    try {
      const [lat, lon] = cellToLatLng(hex);
      this.byHex.set(hex, {hex, n, position: [lon, lat]});
    } catch {
      /* not a valid cell: skip it */
    }
  }

  private changed(): void {
    this.hexes = [...this.byHex.values()];
    this.total = 0;
    this.maxCount = 1;
    for (const h of this.hexes) {
      this.total += h.n;
      if (h.n > this.maxCount) this.maxCount = h.n;
    }
    this.version++;
  }
}
