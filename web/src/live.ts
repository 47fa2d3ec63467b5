// Live feed: the /ws/live socket client (auth frame, reconnect with backoff)
// and the volunteer store it feeds (state, short trails, stale flags, events).

import {getToken} from './api';

/** One volunteer position as sent by the server. */
export interface LiveVolunteer {
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

export type LiveEventKind = 'joined' | 'entered' | 'left' | 'stale' | 'gone';

export interface LiveEvent {
  at: number; // local ms
  kind: LiveEventKind;
  id: string;
  ps: string | null;
}

export interface LiveFilter {
  district?: string;
  team?: string;
}

const TRAIL = 10;
const FEED = 30;
const RATE_WINDOW = 60_000;

export class LiveStore {
  readonly volunteers = new Map<string, VolunteerState>();
  readonly events: LiveEvent[] = [];
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

  snapshot(t: number, list: LiveVolunteer[]): void {
    this.clockOffset = typeof t === 'number' ? t - Date.now() : 0;
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
    this.version++;
  }

  deltas(t: number, list: LiveVolunteer[], stale: unknown[], gone: unknown[]): void {
    const now = Date.now();
    if (typeof t === 'number') this.clockOffset = t - now;
    for (const v of list ?? []) {
      const id = String(v.v);
      const prev = this.volunteers.get(id);
      if (!prev) this.event('joined', id, v.ps);
      if (v.ev === 'enter') this.event('entered', id, v.ps);
      else if (v.ev === 'exit') this.event('left', id, v.ps ?? prev?.v.ps ?? null);
      this.volunteers.set(id, {id, v, trail: pushTrail(prev?.trail ?? [], v), stale: false});
    }
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
        this.event('gone', id, s.v.ps);
      }
    }
    if (list?.length) this.pings.push([now, list.length]);
    while (this.pings.length && this.pings[0][0] < now - RATE_WINDOW) this.pings.shift();
    this.version++;
  }

  clear(): void {
    this.volunteers.clear();
    this.pings = [];
    this.version++;
  }

  private event(kind: LiveEventKind, id: string, ps: string | null): void {
    this.events.unshift({at: Date.now(), kind, id, ps});
    if (this.events.length > FEED) this.events.length = FEED;
  }

  /** Counters for the panel. */
  stats(): {live: number; stale: number; perMinute: number; stations: number} {
    let stale = 0;
    const stations = new Set<string>();
    for (const s of this.volunteers.values()) {
      if (s.stale) stale++;
      else if (s.v.ps && s.v.zone !== 'out') stations.add(s.v.ps);
    }
    const now = Date.now();
    let n = 0;
    for (const [at, c] of this.pings) if (at >= now - RATE_WINDOW) n += c;
    // Extrapolate while the window is not yet full (at least 5 s of history).
    const span = Math.max(5_000, Math.min(RATE_WINDOW, now - this.since));
    return {
      live: this.volunteers.size - stale,
      stale,
      perMinute: Math.round((n * 60_000) / span),
      stations: stations.size
    };
  }
}

function pushTrail(trail: [number, number][], v: LiveVolunteer): [number, number][] {
  if (!Number.isFinite(v.lon) || !Number.isFinite(v.lat)) return trail;
  const last = trail[trail.length - 1];
  if (last && last[0] === v.lon && last[1] === v.lat) return trail;
  const next = trail.concat([[v.lon, v.lat]]);
  return next.length > TRAIL ? next.slice(next.length - TRAIL) : next;
}

export type LiveStatus =
  | {state: 'connecting'}
  | {state: 'live'}
  | {state: 'offline'; retryIn: number}
  | {state: 'denied'; reason: string};

export interface LiveHandle {
  connected: boolean;
  volunteers: number;
  lastFrameAt: number;
}

const BACKOFF_MIN = 1_000;
const BACKOFF_MAX = 30_000;
const SILENCE = 60_000; // no frame for this long on an open socket: reconnect

export class LiveClient {
  private ws: WebSocket | null = null;
  private timer: number | undefined;
  private watchdog: number | undefined;
  private attempt = 0;
  private filter: LiveFilter = {};
  readonly handle: LiveHandle = {connected: false, volunteers: 0, lastFrameAt: 0};

  constructor(
    private campaign: string,
    readonly store: LiveStore,
    private onChange: () => void,
    private onStatus: (s: LiveStatus) => void,
    private url = defaultUrl()
  ) {}

  start(filter: LiveFilter = this.filter): void {
    this.filter = filter;
    this.attempt = 0;
    this.stop();
    this.connect();
  }

  stop(): void {
    window.clearTimeout(this.timer);
    window.clearTimeout(this.watchdog);
    const ws = this.ws;
    this.ws = null;
    if (ws) {
      ws.onopen = ws.onmessage = ws.onclose = ws.onerror = null;
      ws.close(1000);
    }
    this.handle.connected = false;
  }

  private connect(): void {
    this.onStatus({state: 'connecting'});
    let ws: WebSocket;
    try {
      ws = new WebSocket(this.url);
    } catch {
      return this.retry();
    }
    this.ws = ws;
    ws.onopen = () => {
      const auth: Record<string, string> = {type: 'auth', token: getToken() ?? '', campaign: this.campaign};
      if (this.filter.district) auth.district = this.filter.district;
      if (this.filter.team) auth.team = this.filter.team;
      ws.send(JSON.stringify(auth));
      this.arm();
    };
    ws.onmessage = ev => this.frame(ev.data);
    ws.onclose = ev => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.handle.connected = false;
      window.clearTimeout(this.watchdog);
      if (ev.code === 1008) {
        this.onStatus({state: 'denied', reason: ev.reason || 'policy violation'});
        return; // not allowed: retrying would not help until the filter/token changes
      }
      this.retry();
    };
    ws.onerror = () => {
      /* onclose follows */
    };
  }

  private arm(): void {
    window.clearTimeout(this.watchdog);
    this.watchdog = window.setTimeout(() => this.ws?.close(4000, 'silent'), SILENCE);
  }

  private frame(data: unknown): void {
    let msg: any;
    try {
      msg = JSON.parse(String(data));
    } catch {
      return;
    }
    if (!msg || typeof msg !== 'object') return;
    if (msg.type === 'snapshot') {
      this.store.snapshot(msg.t, msg.volunteers);
      this.attempt = 0;
      this.handle.connected = true;
      this.onStatus({state: 'live'});
    } else if (msg.type === 'deltas') {
      this.store.deltas(msg.t, msg.volunteers, msg.stale, msg.gone);
    } else return;
    this.arm();
    this.handle.lastFrameAt = Date.now();
    this.handle.volunteers = this.store.volunteers.size;
    this.onChange();
  }

  private retry(): void {
    const base = Math.min(BACKOFF_MAX, BACKOFF_MIN * 2 ** this.attempt);
    const delay = Math.round(base * (0.75 + Math.random() * 0.5));
    this.attempt++;
    this.onStatus({state: 'offline', retryIn: delay});
    window.clearTimeout(this.timer);
    this.timer = window.setTimeout(() => this.connect(), delay);
  }
}

function defaultUrl(): string {
  const proto = window.location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${proto}//${window.location.host}/ws/live`;
}
