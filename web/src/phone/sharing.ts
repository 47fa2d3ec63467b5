// A volunteer's shift from the phone's browser: the ingest websocket (protocol 1, see
// docs/protocol.md), an outbox of fixes kept until the server acknowledges them (an ack means
// "committed"), and the browser's geolocation, watched only while on shift and not paused.
//
// The outbox and the seq counter live in localStorage, so a reload or a tunnel loses nothing:
// unacknowledged fixes are sent again on the next connection and the server stores each once.

export type ShareState = 'idle' | 'connecting' | 'on' | 'paused' | 'offline' | 'ended' | 'denied';

export interface Fix {
  seq: number;
  t: number; // device time, epoch s
  lat: number;
  lon: number;
  acc: number;
  alt?: number;
  spd?: number;
  hdg?: number;
}

export interface TeamAssignment {
  team: number;
  station: string;
  name: string | null;
  lon: number | null;
  lat: number | null;
}

export interface ShareStatus {
  state: ShareState;
  since: number | null; // shift start, epoch s
  acked: number;
  pending: number;
  lastFix: Fix | null;
  problem: string | null; // a message key for the page, or a server reason
  endedBy: string | null;
  assignment: TeamAssignment | null; // where HQ sent the volunteer's team
  teamAlert: TeamAlert | null; // the last alert in a team this person coordinates (an SOS…)
}

/** An alert raised in a team the signed-in person coordinates (ingest relays it: `alert` frame). */
export interface TeamAlert {
  kind: string;
  volunteer_name: string | null;
  team_name: string | null;
  lon: number | null;
  lat: number | null;
  detail: string;
}

type Listener = (s: ShareStatus) => void;

const MIN_FIX_INTERVAL_MS = 3000; // a fix every 3 s at most: battery and data
const BATCH_MAX = 100;

export class ShiftSharing {
  private ws: WebSocket | null = null;
  private outbox = new Map<number, Fix>();
  private watchId: number | null = null;
  private lastFixAt = 0;
  private later: GeolocationPosition | null = null; // the newest position, held by the throttle
  private laterTimer: number | undefined;
  private backoff = 1000;
  private retry: number | undefined;
  private wantOn = false; // the volunteer asked for a shift (until they or HQ end it)
  private paused = false;
  private endRequested = false; // asked to end while the server could not be reached
  private ready = false; // the server answered auth on the current connection
  private ending: ((ok: boolean) => void) | null = null;
  readonly status: ShareStatus = {
    state: 'idle', since: null, acked: 0, pending: 0, lastFix: null, problem: null, endedBy: null,
    assignment: null, teamAlert: null
  };

  /** The assignment known before connecting (GET /dispatch/mine). */
  setAssignment(a: TeamAssignment | null): void {
    this.status.assignment = a;
    this.set(this.status.state);
  }

  constructor(
    private readonly url: string,
    private readonly token: string,
    private readonly campaign: string,
    private readonly onStatus: Listener,
    private readonly geo: Geolocation = navigator.geolocation
  ) {
    for (const f of this.load<Fix[]>('outbox') ?? []) this.outbox.set(f.seq, f);
    this.status.pending = this.outbox.size;
  }

  /** Connect and learn whether a shift is open (after a reload it carries on). */
  connect(): void {
    this.open();
  }

  startShift(): void {
    this.wantOn = true;
    this.endRequested = false;
    this.status.endedBy = null;
    this.send({type: 'shift', action: 'start'});
    if (!this.ws) this.open();
  }

  pause(): void {
    this.paused = true;
    this.stopWatch();
    this.send({type: 'pause'});
    this.set('paused');
  }

  resume(): void {
    this.paused = false;
    this.send({type: 'resume'});
  }

  /** Send what waits, then end the shift; resolves false if the server could not be reached. */
  endShift(timeoutMs = 8000): Promise<boolean> {
    this.wantOn = false;
    this.endRequested = true;
    this.stopWatch();
    return new Promise(resolve => {
      const timer = window.setTimeout(() => {
        this.ending = null;
        resolve(false);
      }, timeoutMs);
      this.ending = ok => {
        window.clearTimeout(timer);
        resolve(ok);
      };
      this.send({type: 'shift', action: 'end'});
    });
  }

  // --- the connection ----------------------------------------------------------------------
  private open(): void {
    window.clearTimeout(this.retry);
    if (this.ws) return;
    this.set(this.status.state === 'idle' || this.status.state === 'ended' ? this.status.state : 'connecting');
    const ws = new WebSocket(this.url);
    this.ws = ws;
    ws.onopen = () => ws.send(JSON.stringify({type: 'auth', token: this.token, protocol: 1, campaign: this.campaign}));
    ws.onmessage = ev => this.onFrame(JSON.parse(String(ev.data)));
    ws.onclose = ev => {
      this.ws = null;
      this.ready = false;
      if (ev.code === 1008) {
        this.stopWatch();
        this.status.problem = ev.reason || 'denied';
        this.set('denied');
        return;
      }
      if (this.ending) {
        this.ending(false);
        this.ending = null;
      }
      if (this.status.state !== 'idle' && this.status.state !== 'ended') this.set('offline');
      // Jittered exponential backoff: a restarted server is not hit by every phone at once.
      this.retry = window.setTimeout(() => this.open(), this.backoff * (0.5 + Math.random()));
      this.backoff = Math.min(this.backoff * 2, 30_000);
    };
  }

  private send(frame: object): boolean {
    if (this.ws?.readyState !== WebSocket.OPEN || !this.ready) return false;
    this.ws.send(JSON.stringify(frame));
    return true;
  }

  private onFrame(msg: any): void {
    switch (msg.type) {
      case 'ready':
        this.ready = true;
        this.backoff = 1000;
        if (this.paused) this.send({type: 'pause'}); // paused belongs to the connection
        if (this.endRequested) {
          if (msg.shift) this.send({type: 'shift', action: 'end'});
          else this.shiftEnded('volunteer');
        } else if (msg.shift) this.onShift(msg.shift.since);
        else if (this.wantOn && this.status.since !== null) this.shiftEnded('hq'); // ended elsewhere
        else if (this.wantOn) this.send({type: 'shift', action: 'start'});
        else this.set('idle');
        break;
      case 'shift':
        if (msg.state === 'on') this.onShift(msg.shift.since);
        else {
          this.endRequested = false;
          this.shiftEnded(msg.ended_by ?? 'volunteer');
          this.ending?.(true);
          this.ending = null;
        }
        break;
      case 'paused':
        this.set('paused');
        break;
      case 'resumed':
        if (this.status.since !== null) this.onShift(this.status.since);
        break;
      case 'ack':
        for (const seq of msg.seqs ?? []) if (this.outbox.delete(seq)) this.status.acked++;
        this.saveOutbox();
        this.set(this.status.state);
        break;
      case 'error':
        if (msg.seq !== null && msg.seq !== undefined) this.outbox.delete(msg.seq); // refused for good
        this.saveOutbox();
        if (msg.code === 'off_shift' && this.status.since !== null) this.shiftEnded('hq');
        else if (msg.seq === null || msg.seq === undefined) this.status.problem = msg.reason;
        this.set(this.status.state);
        break;
      case 'assignment':
        this.status.assignment = {team: msg.team, station: msg.station, name: msg.name ?? null,
          lon: msg.lon ?? null, lat: msg.lat ?? null};
        this.set(this.status.state);
        break;
      case 'alert':
        this.status.teamAlert = {kind: msg.kind, volunteer_name: msg.volunteer_name ?? null,
          team_name: msg.team_name ?? null, lon: msg.lon ?? null, lat: msg.lat ?? null, detail: msg.detail ?? ''};
        this.set(this.status.state);
        break;
      case 'throttle':
        window.setTimeout(() => this.flush(), msg.retry_after_ms ?? 1000);
        break;
    }
  }

  private onShift(since: number): void {
    this.wantOn = true;
    this.status.since = since;
    this.status.problem = null;
    if (this.paused) {
      this.set('paused');
      return;
    }
    this.set('on');
    this.startWatch();
    this.flush();
  }

  private shiftEnded(by: string): void {
    this.wantOn = false;
    this.paused = false;
    this.stopWatch();
    this.status.since = null;
    this.status.endedBy = by;
    this.set('ended');
  }

  // --- fixes -------------------------------------------------------------------------------
  private startWatch(): void {
    if (this.watchId !== null) return;
    if (!this.geo || !window.isSecureContext) {
      // Browsers give a location only to https pages (and to localhost).
      this.status.problem = window.isSecureContext ? 'no_geolocation' : 'insecure';
      this.set(this.status.state);
      return;
    }
    this.watchId = this.geo.watchPosition(
      pos => this.onPosition(pos),
      err => {
        this.status.problem = err.code === err.PERMISSION_DENIED ? 'geo_denied' : 'geo_unavailable';
        this.set(this.status.state);
      },
      {enableHighAccuracy: true, maximumAge: 5000, timeout: 60_000}
    );
  }

  private stopWatch(): void {
    if (this.watchId !== null) this.geo.clearWatch(this.watchId);
    this.watchId = null;
    window.clearTimeout(this.laterTimer);
    this.laterTimer = undefined;
    this.later = null; // a position held back must not be taken after a pause or an end
  }

  private onPosition(pos: GeolocationPosition): void {
    if (this.status.state !== 'on' && this.status.state !== 'offline') return;
    const wait = this.lastFixAt + MIN_FIX_INTERVAL_MS - Date.now();
    if (wait > 0) {
      // Too soon: keep the newest and take it when the interval is over (a phone that stops
      // moving sends no more updates, so its last position must not be dropped).
      this.later = pos;
      if (this.laterTimer === undefined) {
        this.laterTimer = window.setTimeout(() => {
          this.laterTimer = undefined;
          const held = this.later;
          this.later = null;
          if (held) this.onPosition(held);
        }, wait);
      }
      return;
    }
    this.lastFixAt = Date.now();
    const c = pos.coords;
    const fix: Fix = {seq: this.nextSeq(), t: pos.timestamp / 1000, lat: c.latitude, lon: c.longitude, acc: c.accuracy};
    if (c.altitude !== null) fix.alt = c.altitude;
    if (c.speed !== null && Number.isFinite(c.speed)) fix.spd = c.speed;
    if (c.heading !== null && Number.isFinite(c.heading)) fix.hdg = c.heading;
    this.outbox.set(fix.seq, fix);
    this.status.lastFix = fix;
    this.saveOutbox();
    this.status.problem = null;
    this.set(this.status.state);
    this.flush();
  }

  /** Send the outbox, oldest first, in batches. */
  private flush(): void {
    const fixes = [...this.outbox.values()].sort((a, b) => a.seq - b.seq);
    for (let i = 0; i < fixes.length; i += BATCH_MAX) {
      if (!this.send({type: 'pings', pings: fixes.slice(i, i + BATCH_MAX)})) return;
    }
  }

  /** Increasing across reloads: at least the clock in ms, and above the last one used. */
  private nextSeq(): number {
    const seq = Math.max(Date.now(), (this.load<number>('seq') ?? 0) + 1);
    this.save('seq', seq);
    return seq;
  }

  // --- state and storage -------------------------------------------------------------------
  private set(state: ShareState): void {
    this.status.state = state;
    this.status.pending = this.outbox.size;
    this.onStatus(this.status);
  }

  private saveOutbox(): void {
    this.save('outbox', [...this.outbox.values()]);
  }

  private key(name: string): string {
    return `quadriller.phone.${this.campaign}.${name}`;
  }

  private load<T>(name: string): T | null {
    try {
      const raw = localStorage.getItem(this.key(name));
      return raw ? (JSON.parse(raw) as T) : null;
    } catch {
      return null;
    }
  }

  private save(name: string, value: unknown): void {
    localStorage.setItem(this.key(name), JSON.stringify(value));
  }
}
