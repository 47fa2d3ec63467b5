// The live volunteer store: state per volunteer, short trails, stale flags,
// the activity feed and the counters shown in the panel.

import {known, type BinaryFrame} from './livebinary';

/** One volunteer position as sent by the server. */
export interface LiveVolunteer {
  type?: 'ping';
  v: number | string;
  team: number | string | null;
  t: number; // device epoch seconds
  rt: number; // server receive time, ms
  lon: number;
  lat: number;
  acc: number | null;
  hdg: number | null;
  spd: number | null;
  bat: number | null;
  cell: string | null;
  ps: string | null;
  nb: string | null;
  ds: string | null;
  zone: 'in' | 'out' | null;
  ev: 'enter' | 'exit' | null;
  low_acc: boolean;
  stale?: boolean;
}

export interface VolunteerState {
  id: string;
  v: LiveVolunteer;
  trail: [number, number][];
  stale: boolean;
}

export type LiveEventKind =
  | 'joined' | 'entered' | 'left' | 'stale' | 'gone'
  | 'shift_start' | 'shift_end' | 'paused' | 'resumed' | 'report' | 'door' | 'turf_finished';

export interface LiveEvent {
  at: number; // local ms
  kind: LiveEventKind;
  id: string;
  ps: string | null;
  by?: string | null; // shift_end: volunteer, hq, timeout, consent or revoked
  doors?: DoorCounts; // report
  outcome?: string; // door: not_home, opened, refused, later or contact
  turf?: number; // turf_finished: the turf's number in its station
}

export interface DoorCounts {
  knocked: number;
  opened: number;
  contacts: number;
}

/** A shift start or end, a pause, a resume or a tour report, as the server relays it in `events`. */
export interface ActivityEvent {
  type: 'shift' | 'pause' | 'resume' | 'report' | 'door' | 'turf_finished';
  v: number | string;
  turf?: number;
  outcome?: string;
  on?: boolean;
  since?: number;
  by?: string | null;
  station?: string | null;
  knocked?: number;
  opened?: number;
  contacts?: number;
}

/** Who is on shift, as the snapshot lists it (from the database). */
export interface OnShift {
  v: number | string;
  since: number; // epoch seconds
  team: number | string | null;
}

export interface LiveFilter {
  district?: string;
  team?: string;
}

const TRAIL = 10;
const FEED = 30;
const RATE_WINDOW = 60_000;

/** Volunteers live and stale, and stations with a live volunteer inside (server/live/totals.py). */
export interface CampaignCounts {
  live: number;
  stale: number;
  stations: number;
}

export class LiveStore {
  readonly volunteers = new Map<string, VolunteerState>();
  readonly events: LiveEvent[] = [];
  /** Volunteers on shift (id → start, epoch s), whether or not they have sent a ping yet. */
  readonly onShift = new Map<string, number>();
  /** Bumped on every change: layers and panel rebuild only when it moves. */
  version = 0;
  /** server clock minus local clock, ms (from frame "t"). */
  clockOffset = 0;
  private pings: [number, number][] = []; // [local ms, volunteer updates in a deltas frame]
  private since = Date.now();

  /** Server "now" in ms, estimated from the last frame's timestamp. */
  serverNow(): number {
    return Date.now() + this.clockOffset;
  }

  snapshot(t: number, list: LiveVolunteer[], onShift?: OnShift[] | null): void {
    this.clockOffset = typeof t === 'number' ? t - Date.now() : 0;
    if (Array.isArray(onShift)) {
      // null: the server could not read shifts (database down); keep what we knew.
      this.onShift.clear();
      for (const s of onShift) this.onShift.set(String(s.v), s.since);
    }
    const old = this.volunteers;
    const next = new Map<string, VolunteerState>();
    for (const v of list ?? []) {
      const id = String(v.v);
      const prev = old.get(id);
      const trail = prev ? prev.trail : [];
      next.set(id, {id, v, trail: pushTrail(trail, v), stale: !!v.stale});
    }
    old.clear();
    for (const [k, s] of next) old.set(k, s);
    this.pings = [];
    this.since = Date.now();
    this.campaignCounts = null; // a new connection: its own counts follow if it sent a view
    this.version++;
  }

  /**
   * Apply one deltas frame. The server coalesces several pings of a volunteer into its latest
   * state, so enter/exit pings also come in `events` (all of them, in order); a volunteer's
   * `ev` is used only when `events` does not already carry that same ping.
   */
  deltas(t: number, list: LiveVolunteer[], stale: unknown[], gone: unknown[],
         events?: (LiveVolunteer | ActivityEvent)[], out?: unknown[]): void {
    const frame = this.begin(t, events, (list ?? []).map(v => String(v.v)));
    for (const v of list ?? []) {
      const id = String(v.v);
      const prev = this.volunteers.get(id);
      if (v.ev && !frame.seen.has(`${v.v}:${v.t}:${v.ev}`)) this.stationEvent(v);
      this.volunteers.set(id, {id, v, trail: pushTrail(prev?.trail ?? [], v), stale: false});
    }
    this.end(frame, stale, gone, list?.length ?? 0, out);
  }

  /**
   * Apply one binary deltas frame (livebinary.ts): each update is written into the volunteer's
   * state in place; an object is made only for a volunteer seen for the first time. Enter/exit
   * transitions come in `events` only.
   */
  binaryDeltas(f: BinaryFrame, ids: string[]): void {
    const c = f.updates;
    const updated: string[] = [];
    for (let k = 0; k < c.n; k++) updated.push(ids[c.index[k]]);
    const frame = this.begin(f.t, f.events as (LiveVolunteer | ActivityEvent)[], updated);
    for (let k = 0; k < c.n; k++) {
      const id = updated[k];
      let s = this.volunteers.get(id);
      if (!s) {
        s = {id, v: blankVolunteer(id), trail: [], stale: false};
        this.volunteers.set(id, s);
      }
      const v = s.v;
      v.lon = c.lon[k];
      v.lat = c.lat[k];
      v.rt = c.rt[k];
      v.t = c.t[k];
      v.acc = known(c.acc[k]);
      v.hdg = known(c.hdg[k]);
      v.spd = known(c.spd[k]);
      v.bat = known(c.bat[k]);
      v.low_acc = c.lowAcc[k] === 1;
      v.cell = null; // the position moved: the cell is worked out again from it when needed
      v.ev = null;
      s.stale = false;
      s.trail = pushTrail(s.trail, v);
    }
    for (const [i, a] of f.attrs) {
      const s = this.volunteers.get(ids[i]);
      if (s) Object.assign(s.v, {team: a.team, ps: a.ps, nb: a.nb, ds: a.ds, zone: a.zone});
    }
    this.end(frame, f.stale, f.gone, c.n, f.out);
  }

  /** What every deltas frame does before its updates: activity, joins, station events. */
  private begin(t: number, events: (LiveVolunteer | ActivityEvent)[] | undefined, updated: string[]) {
    const now = Date.now();
    if (typeof t === 'number') this.clockOffset = t - now;
    const seen = new Set<string>();
    const explained = new Set<string>(); // gone because they paused or ended their shift
    const all = Array.isArray(events) ? events : [];
    for (const e of all) if (isActivity(e)) this.activity(e, explained);
    const fresh = new Set<string>();
    for (const id of updated) if (!this.volunteers.has(id)) fresh.add(id);
    for (const id of fresh) this.event('joined', id, null);
    for (const e of all) {
      if (isActivity(e)) continue;
      seen.add(`${e.v}:${e.t}:${e.ev}`);
      this.stationEvent(e);
    }
    return {now, seen, explained};
  }

  /** ... and after them: stale, gone, the rate window. */
  private end(frame: {now: number; explained: Set<string>}, stale: unknown[], gone: unknown[], updates: number,
              out?: unknown[]): void {
    // Out of the view (viewport scoping): dropped without a "gone" in the feed; counted in the hexes.
    for (const raw of out ?? []) this.volunteers.delete(String(raw));
    for (const raw of stale ?? []) {
      const s = this.volunteers.get(String(raw));
      if (s && !s.stale) {
        s.stale = true;
        this.event('stale', s.id, s.v.ps);
      }
    }
    for (const raw of gone ?? []) {
      const id = String(raw);
      const s = this.volunteers.get(id);
      if (s) {
        this.volunteers.delete(id);
        if (!frame.explained.has(id)) this.event('gone', id, s.v.ps);
      }
    }
    const now = frame.now;
    if (updates) this.pings.push([now, updates]);
    while (this.pings.length && this.pings[0][0] < now - RATE_WINDOW) this.pings.shift();
    this.version++;
  }

  clear(): void {
    this.volunteers.clear();
    this.onShift.clear();
    this.campaignCounts = null;
    this.pings = [];
    this.version++;
  }

  private activity(e: ActivityEvent, explained: Set<string>): void {
    const id = String(e.v);
    if (e.type === 'shift' && e.on) {
      this.onShift.set(id, typeof e.since === 'number' ? e.since : this.serverNow() / 1000);
      this.event('shift_start', id, null);
    } else if (e.type === 'shift') {
      this.onShift.delete(id);
      explained.add(id);
      this.event('shift_end', id, this.volunteers.get(id)?.v.ps ?? null, e.by ?? null);
    } else if (e.type === 'report') {
      const doors = {knocked: e.knocked ?? 0, opened: e.opened ?? 0, contacts: e.contacts ?? 0};
      this.event('report', id, e.station ?? null, undefined, doors);
      if (this.doorsToday) {
        this.doorsToday.knocked += doors.knocked;
        this.doorsToday.contacts += doors.contacts;
      }
    } else if (e.type === 'door') {
      this.event('door', id, e.station ?? null, undefined, undefined, e.outcome);
    } else if (e.type === 'turf_finished') {
      this.event('turf_finished', id, e.station ?? null);
      if (typeof e.turf === 'number') this.events[0].turf = e.turf;
    } else if (e.type === 'pause') {
      explained.add(id);
      this.event('paused', id, this.volunteers.get(id)?.v.ps ?? null);
    } else {
      this.event('resumed', id, null);
    }
  }

  private stationEvent(v: LiveVolunteer): void {
    const id = String(v.v);
    if (v.ev === 'enter') this.event('entered', id, v.ps);
    else if (v.ev === 'exit') this.event('left', id, v.ps ?? this.volunteers.get(id)?.v.ps ?? null);
  }

  private event(kind: LiveEventKind, id: string, ps: string | null, by?: string | null, doors?: DoorCounts,
                outcome?: string): void {
    const e: LiveEvent = {at: Date.now(), kind, id, ps};
    if (by !== undefined) e.by = by;
    if (doors) e.doors = doors;
    if (outcome) e.outcome = outcome;
    this.events.unshift(e);
    if (this.events.length > FEED) this.events.length = FEED;
  }

  /** Counters for the panel. */
  /** The campaign's reported doors today (GET …/reports/totals), then counted on from the feed's
   * reports until the next reading; null when unknown (not HQ). Not cleared by a filter change. */
  doorsToday: DoorCounts | null = null;

  /** The campaign's counts from the server ({"type":"totals"}), for a viewer that sent a view:
   * it holds volunteers one by one only near that view, so it cannot count the campaign itself.
   * Null until the server sends them (a viewer without a view never gets any). */
  campaignCounts: CampaignCounts | null = null;

  stats(): {onShift: number; live: number; stale: number; perMinute: number; stations: number;
            doorsKnocked: number | null; contacts: number | null} {
    let stale = 0;
    const stations = new Set<string>();
    for (const s of this.volunteers.values()) {
      if (s.stale) stale++;
      else if (s.v.ps && s.v.zone !== 'out') stations.add(s.v.ps);
    }
    const held = {live: this.volunteers.size - stale, stale, stations: stations.size};
    const counts = this.campaignCounts ?? held;
    const now = Date.now();
    let n = 0;
    for (const [at, c] of this.pings) if (at >= now - RATE_WINDOW) n += c;
    // Extrapolate while the window is not yet full (at least 5 s of history).
    const span = Math.max(5_000, Math.min(RATE_WINDOW, now - this.since));
    return {
      onShift: this.onShift.size,
      live: counts.live,
      stale: counts.stale,
      perMinute: Math.round((n * 60_000) / span),
      stations: counts.stations,
      doorsKnocked: this.doorsToday?.knocked ?? null,
      contacts: this.doorsToday?.contacts ?? null
    };
  }
}

function blankVolunteer(id: string): LiveVolunteer {
  return {v: /^\d+$/.test(id) ? Number(id) : id, team: null, t: 0, rt: 0, lon: NaN, lat: NaN, acc: null,
          hdg: null, spd: null, bat: null, cell: null, ps: null, nb: null, ds: null, zone: null, ev: null,
          low_acc: false};
}

function isActivity(e: LiveVolunteer | ActivityEvent): e is ActivityEvent {
  return e.type === 'shift' || e.type === 'pause' || e.type === 'resume' || e.type === 'report' || e.type === 'door' ||
    e.type === 'turf_finished';
}

function pushTrail(trail: [number, number][], v: LiveVolunteer): [number, number][] {
  if (!Number.isFinite(v.lon) || !Number.isFinite(v.lat)) return trail;
  const last = trail[trail.length - 1];
  if (last && last[0] === v.lon && last[1] === v.lat) return trail;
  const next = trail.concat([[v.lon, v.lat]]);
  return next.length > TRAIL ? next.slice(next.length - TRAIL) : next;
}

