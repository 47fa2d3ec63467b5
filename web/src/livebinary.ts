// Binary live deltas (auth "encoding": "binary"; layout in server/live/binary.py): 20 bytes per
// volunteer update instead of ~270 in JSON. Records are decoded into typed columns that are kept
// from frame to frame (grown when needed), and the store applies them to its volunteers in place:
// no object is built per update.

export const MAGIC = 0x4c51; // "QL", little-endian
export const VERSION = 1;
export const HEADER_BYTES = 28;
export const RECORD_BYTES = 20;
const UNKNOWN = 255;
const BATTERY_UNKNOWN = 127;

/** Attributes the server sends only when they change for this viewer. */
export interface LiveAttrs {
  team: number | string | null;
  ps: string | null;
  nb: string | null;
  ds: string | null;
  zone: 'in' | 'out' | null;
}

/** One frame's updates as columns (the first `n` entries are this frame's). */
export class BinaryColumns {
  n = 0;
  index = new Uint32Array(0);
  lon = new Float64Array(0);
  lat = new Float64Array(0);
  rt = new Float64Array(0); // server receive time, ms
  t = new Float64Array(0); // device time, epoch s
  acc = new Float64Array(0); // NaN: unknown
  hdg = new Float64Array(0);
  spd = new Float64Array(0);
  bat = new Float64Array(0);
  lowAcc = new Uint8Array(0);

  reserve(n: number): void {
    this.n = n;
    if (this.index.length >= n) return;
    const size = Math.max(n, Math.ceil(this.index.length * 1.5));
    this.index = new Uint32Array(size);
    this.lon = new Float64Array(size);
    this.lat = new Float64Array(size);
    this.rt = new Float64Array(size);
    this.t = new Float64Array(size);
    this.acc = new Float64Array(size);
    this.hdg = new Float64Array(size);
    this.spd = new Float64Array(size);
    this.bat = new Float64Array(size);
    this.lowAcc = new Uint8Array(size);
  }
}

/** A decoded binary frame. `ids[i]` names index i of the connection's dictionary. */
export interface BinaryFrame {
  t: number;
  updates: BinaryColumns;
  stale: number[];
  gone: number[];
  /** Left this viewer's view (viewport scoping): drop the dot, nothing happened to them. */
  out: number[];
  attrs: [number, LiveAttrs][];
  events: unknown[];
}

/** One connection's dictionary (index → volunteer id); a new connection starts a new one. */
export class BinarySession {
  readonly ids: string[] = [];
  private columns = new BinaryColumns();

  decode(buf: ArrayBuffer): BinaryFrame {
    const view = new DataView(buf);
    if (buf.byteLength < HEADER_BYTES || view.getUint16(0, true) !== MAGIC || view.getUint8(2) !== VERSION) {
      throw new Error('not a binary live frame (version 1)');
    }
    const t = view.getFloat64(4, true);
    const n = view.getUint32(12, true);
    const nStale = view.getUint32(16, true);
    const nGone = view.getUint32(20, true);
    const nJson = view.getUint32(24, true);
    const end = HEADER_BYTES + n * RECORD_BYTES + 4 * (nStale + nGone) + nJson;
    if (end !== buf.byteLength) throw new Error('binary live frame of the wrong length');
    const c = this.columns;
    c.reserve(n);
    let o = HEADER_BYTES;
    for (let k = 0; k < n; k++, o += RECORD_BYTES) {
      c.index[k] = view.getUint32(o, true);
      c.lon[k] = view.getInt32(o + 4, true) / 1e5;
      c.lat[k] = view.getInt32(o + 8, true) / 1e5;
      c.rt[k] = t - 10 * view.getUint16(o + 12, true);
      c.t[k] = c.rt[k] / 1000 - view.getInt16(o + 14, true);
      const acc = view.getUint8(o + 16);
      const hdg = view.getUint8(o + 17);
      const spd = view.getUint8(o + 18);
      const flags = view.getUint8(o + 19);
      c.acc[k] = acc === UNKNOWN ? NaN : acc;
      c.hdg[k] = hdg === UNKNOWN ? NaN : 2 * hdg;
      c.spd[k] = spd === UNKNOWN ? NaN : spd / 4;
      c.bat[k] = (flags & 0x7f) === BATTERY_UNKNOWN ? NaN : (flags & 0x7f) / 100;
      c.lowAcc[k] = flags >> 7;
    }
    const stale = Array.from(new Uint32Array(buf.slice(o, o + 4 * nStale)));
    o += 4 * nStale;
    const gone = Array.from(new Uint32Array(buf.slice(o, o + 4 * nGone)));
    o += 4 * nGone;
    let side: {dict?: [number, number][]; attrs?: [number, LiveAttrs][]; events?: unknown[]; out?: number[]} = {};
    if (nJson) side = JSON.parse(new TextDecoder().decode(new Uint8Array(buf, o, nJson)));
    for (const [i, v] of side.dict ?? []) this.ids[i] = String(v);
    return {t, updates: c, stale, gone, out: side.out ?? [], attrs: side.attrs ?? [], events: side.events ?? []};
  }
}

/** NaN (unknown on the wire) → null, as in JSON states. */
export function known(x: number): number | null {
  return Number.isNaN(x) ? null : x;
}
