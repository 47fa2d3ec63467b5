// Choropleth metrics and the colour ramp used to paint polling stations.

import type {AreaFeature, AreaProperties} from '../api';
import {fmtInt, fmtPct, t} from '../i18n';

export type RGBA = [number, number, number, number];

/** 'registered' | 'turnout' | 'abstention_rate' | 'priority' | 'coverage' | 'list:<name>' */
export type MetricId = string;

export const BASE_METRICS: MetricId[] = ['registered', 'turnout', 'abstention_rate'];
/** Offered once the HQ page has the server's ranking (priority score, volunteers today). */
export const STATS_METRICS: MetricId[] = ['priority', 'coverage'];
const LIST_PREFIX = 'list:';

export function listMetric(name: string): MetricId {
  return LIST_PREFIX + name;
}

export function metricLabel(id: MetricId): string {
  if (id.startsWith(LIST_PREFIX)) return t('metric_list', {name: id.slice(LIST_PREFIX.length)});
  if (id === 'registered') return t('metric_registered');
  if (id === 'turnout') return t('metric_turnout');
  if (id === 'priority') return t('metric_priority');
  if (id === 'coverage') return t('metric_coverage');
  return t('metric_abstention_rate');
}

export function metricValue(p: AreaProperties, id: MetricId): number | null {
  let v: number | null | undefined;
  if (id.startsWith(LIST_PREFIX)) v = p.lists?.[id.slice(LIST_PREFIX.length)];
  else if (id === 'registered') v = p.registered;
  else if (id === 'turnout') v = p.turnout;
  else if (id === 'abstention_rate') v = p.abstention_rate;
  else if (id === 'priority') v = p.priority;
  else if (id === 'coverage') v = p.coverage;
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

export function formatMetric(id: MetricId, v: number | null): string {
  return id === 'registered' || id === 'priority' || id === 'coverage' ? fmtInt(v) : fmtPct(v);
}

/** List names found in the data, most supported first (sum of shares). */
export function listNames(features: AreaFeature[]): string[] {
  const totals = new Map<string, number>();
  for (const f of features) {
    for (const [name, share] of Object.entries(f.properties.lists ?? {})) {
      totals.set(name, (totals.get(name) ?? 0) + (typeof share === 'number' ? share : 0));
    }
  }
  return [...totals.entries()].sort((a, b) => b[1] - a[1]).map(([name]) => name);
}

export interface Domain {
  min: number;
  max: number;
}

export function metricDomain(features: AreaFeature[], id: MetricId): Domain | null {
  let min = Infinity;
  let max = -Infinity;
  for (const f of features) {
    const v = metricValue(f.properties, id);
    if (v === null) continue;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return min <= max ? {min, max} : null;
}

// Viridis, sampled: readable on a dark background and colour-blind safe.
const RAMP: [number, number, number][] = [
  [68, 1, 84],
  [72, 40, 120],
  [62, 73, 137],
  [49, 104, 142],
  [38, 130, 142],
  [31, 158, 137],
  [53, 183, 121],
  [109, 205, 89],
  [180, 222, 44],
  [253, 231, 37]
];

export const NO_DATA_COLOR: RGBA = [90, 90, 100, 110];
const FILL_ALPHA = 200;

export function rampColor(t01: number, alpha = FILL_ALPHA): RGBA {
  const x = Math.min(1, Math.max(0, t01)) * (RAMP.length - 1);
  const i = Math.min(RAMP.length - 2, Math.floor(x));
  const f = x - i;
  const a = RAMP[i];
  const b = RAMP[i + 1];
  return [
    Math.round(a[0] + (b[0] - a[0]) * f),
    Math.round(a[1] + (b[1] - a[1]) * f),
    Math.round(a[2] + (b[2] - a[2]) * f),
    alpha
  ];
}

export function colorFor(p: AreaProperties, id: MetricId, domain: Domain | null): RGBA {
  const v = metricValue(p, id);
  if (v === null || !domain) return NO_DATA_COLOR;
  const span = domain.max - domain.min;
  return rampColor(span > 0 ? (v - domain.min) / span : 0.5);
}

/** CSS gradient matching the ramp, for the legend. */
export function rampCss(): string {
  const stops = RAMP.map((c, i) => `rgb(${c.join(',')}) ${(i / (RAMP.length - 1)) * 100}%`);
  return `linear-gradient(to right, ${stops.join(', ')})`;
}
