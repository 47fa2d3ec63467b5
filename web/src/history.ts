// History: typed fetches of /hexes and /replay, and the replay tracks (positions interpolated
// at any clock, with a cursor per volunteer so that playing forward costs O(volunteers)).

import {apiGet} from './api';

export interface HistoryHex {
  h3: string;
  pings: number;
  volunteers: number;
  first?: number | null; // epoch s of the cell's first ping in the window (history only)
}

export interface HexesResponse {
  res: number;
  source: 'live' | 'history';
  approximate?: boolean;
  hexes: HistoryHex[];
}

interface ReplayResponse {
  t0: number;
  step_s: number;
  points: number;
  volunteers: Record<string, {team: number | null; t: number[]; lon: number[]; lat: number[]}>;
}

const base = (campaign: string) => `/api/campaigns/${encodeURIComponent(campaign)}`;
const iso = (ms: number) => new Date(ms).toISOString();

export function fetchHistoryHexes(campaign: string, since: number, until: number, res: number,
                                  signal?: AbortSignal): Promise<HexesResponse> {
  const q = new URLSearchParams({source: 'history', since: iso(since), until: iso(until), res: String(res)});
  return apiGet<HexesResponse>(`${base(campaign)}/hexes?${q}`, signal);
}

/** Volunteers live now per H3 cell at `res` (non-stale states in Redis, rolled up server-side). */
export function fetchLiveHexes(campaign: string, res: number, signal?: AbortSignal): Promise<HexesResponse> {
  const q = new URLSearchParams({source: 'live', res: String(res)});
  return apiGet<HexesResponse>(`${base(campaign)}/hexes?${q}`, signal);
}

/** One point per volunteer per `stepS` at most: ~2,000 points per volunteer for any period. */
export function replayStep(periodMs: number): number {
  return Math.min(60, Math.max(10, Math.round(periodMs / 1000 / 2160)));
}

export async function fetchReplay(campaign: string, since: number, until: number,
                                  signal?: AbortSignal): Promise<ReplayTracks> {
  const q = new URLSearchParams({since: iso(since), until: iso(until), step_s: String(replayStep(until - since))});
  const body = await apiGet<ReplayResponse>(`${base(campaign)}/replay?${q}`, signal);
  return new ReplayTracks(body, since, until);
}

/** A replayed volunteer at the replay clock. */
export interface ReplayPoint {
  id: string;
  team: number | null;
  lon: number;
  lat: number;
}

interface Track {
  id: string;
  team: number | null;
  t: Float64Array; // epoch ms
  lon: Float64Array;
  lat: Float64Array;
  i: number; // cursor: last index with t[i] <= clock
}

/** Beyond this gap between two fixes, a volunteer is not interpolated but shown where last seen… */
export const GAP_MS = 120_000;
/** …for at most this long, like the live map's staleness. */
export const HOLD_MS = 300_000;

export class ReplayTracks {
  readonly tracks: Track[] = [];
  readonly points: number;
  /** Time of the first and last recorded positions (epoch ms); since/until when none. */
  readonly start: number;
  readonly end: number;

  constructor(body: ReplayResponse, readonly since: number, readonly until: number) {
    const t0 = body.t0 * 1000;
    let start = Infinity;
    let end = -Infinity;
    for (const [id, v] of Object.entries(body.volunteers ?? {})) {
      if (!v.t?.length) continue;
      const t = Float64Array.from(v.t, s => t0 + s * 1000);
      this.tracks.push({id, team: v.team, t, lon: Float64Array.from(v.lon), lat: Float64Array.from(v.lat), i: 0});
      start = Math.min(start, t[0]);
      end = Math.max(end, t[t.length - 1]);
    }
    this.points = body.points ?? 0;
    this.start = Number.isFinite(start) ? start : since;
    this.end = Number.isFinite(end) ? end : until;
  }

  /** Every volunteer shown at `clock`, linearly interpolated between its two fixes around it. */
  at(clock: number): ReplayPoint[] {
    const out: ReplayPoint[] = [];
    for (const tr of this.tracks) {
      const {t, lon, lat} = tr;
      if (clock < t[0] || clock > t[t.length - 1] + HOLD_MS) continue;
      let i = tr.i;
      if (t[i] > clock) i = 0; // went back in time: search again from the start
      while (i + 1 < t.length && t[i + 1] <= clock) i++;
      tr.i = i;
      const j = i + 1;
      if (j < t.length && t[j] - t[i] <= GAP_MS) {
        const f = (clock - t[i]) / (t[j] - t[i]);
        out.push({id: tr.id, team: tr.team, lon: lon[i] + (lon[j] - lon[i]) * f, lat: lat[i] + (lat[j] - lat[i]) * f});
      } else if (clock - t[i] <= HOLD_MS) {
        out.push({id: tr.id, team: tr.team, lon: lon[i], lat: lat[i]});
      }
    }
    return out;
  }
}
