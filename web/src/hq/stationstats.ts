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
  visits: {volunteers: number};
}

const REFRESH_MS = 60_000;

export function startStationStats(campaign: string, onStats: (stats: Map<string, StationStats>) => void): void {
  const url = `/api/campaigns/${encodeURIComponent(campaign)}/priorities?limit=100000`;
  let timer = 0;
  async function refresh(): Promise<void> {
    try {
      const body = await apiGet<{stations: Ranked[]}>(url);
      onStats(new Map(body.stations.map(s => [s.code, {priority: s.score, rank: s.rank, coverage: s.visits.volunteers}])));
    } catch (err) {
      if (err instanceof ApiError && err.status === 403) window.clearInterval(timer);
      // otherwise keep the last figures: a failed refresh must not blank the map
    }
  }
  void refresh();
  timer = window.setInterval(() => void refresh(), REFRESH_MS);
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
