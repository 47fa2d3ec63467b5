// Priority and coverage per polling station, for the choropleth and the station cards: the
// server's ranking (GET /priorities, every station, see server/priorities/ranking.py) merged into
// the station features, refreshed every minute. Only HQ roles may read it; for others (403) the
// two metrics are simply not offered.

import {apiGet, ApiError, type AreaCollection} from '../api';

export interface StationStats {
  priority: number | null;
  rank: number;
  coverage: number; // distinct volunteers who canvassed it today
}

interface Ranked {
  rank: number;
  code: string;
  score: number | null;
  visits?: {volunteers: number}; // the default ranking
  components?: {volunteers?: number}; // a target's ranking (server/targeting)
}

const REFRESH_MS = 60_000;

/** Returns a setter for the target's query (GET /priorities parameters, see hq/targeting.ts):
 * with one, "priority" is the target's score; with null, the default ranking. */
export function startStationStats(
  campaign: string,
  onStats: (stats: Map<string, StationStats>) => void,
  after: Promise<unknown> = Promise.resolve() // the first reading waits for it (the map's first draw)
): (target: URLSearchParams | null) => Promise<void> {
  let target: URLSearchParams | null = null;
  let timer = 0;
  async function refresh(): Promise<void> {
    const q = new URLSearchParams(target ?? undefined);
    q.set('limit', '100000');
    try {
      const body = await apiGet<{stations: Ranked[]}>(`/api/campaigns/${encodeURIComponent(campaign)}/priorities?${q}`);
      const volunteers = (s: Ranked) => s.visits?.volunteers ?? s.components?.volunteers ?? 0;
      onStats(new Map(body.stations.map(s => [s.code, {priority: s.score, rank: s.rank, coverage: volunteers(s)}])));
    } catch (err) {
      if (err instanceof ApiError && err.status === 403) window.clearInterval(timer);
      // otherwise keep the last figures: a failed refresh must not blank the map
    }
  }
  void after.then(() => {
    void refresh();
    timer = window.setInterval(() => void refresh(), REFRESH_MS);
  });
  return async (next: URLSearchParams | null) => {
    target = next;
    await refresh();
  };
}

/** Write the figures into the features' properties (in place: the layer's data stays the same
 * object, so deck.gl only recomputes the colours, see AreaLayerState.statsVersion). */
export function mergeStationStats(fc: AreaCollection, stats: Map<string, StationStats>): void {
  for (const f of fc.features) {
    const s = stats.get(f.properties.code);
    f.properties.priority = s ? s.priority : null;
    f.properties.priority_rank = s?.rank;
    f.properties.coverage = s?.coverage;
  }
}
