// Turfs of the selected polling station: cut it into turfs of about N doors (HQ), list them with
// their route length against the street-side order, today's coverage (doors knocked and opened),
// and their walk lists (CSV, printable PDF), and draw each turf's route on the map (server/turfs).
// A station without addresses is cut by households instead: its turfs are H3 cells, drawn as
// hexagons coloured by turf. Where the campaign has layers, HQ may pick the one the households
// come from (the cut then goes by households even if the station has addresses); "automatic"
// leaves the choice to the server.

import {H3HexagonLayer} from '@deck.gl/geo-layers';
import {PathLayer} from '@deck.gl/layers';
import type {Layer} from '@deck.gl/core';
import {apiGet, apiPost, ApiError, getToken} from '../api';
import {t} from '../i18n';
import {byId} from './dom';

interface Turf {
  id: number;
  number: number;
  doors: number;
  route_m: number;
  walk_m: number;
  team: string | null;
  households: number | null; // cut by households (no addresses): its H3 cells
  cells: string[];
  knocked: number; // coverage today (UTC): distinct doors with an outcome
  opened: number;
}

interface Route {
  turf: number;
  number: number;
  stops: {lon: number; lat: number}[];
}

const COLORS: [number, number, number][] = [[255, 176, 32], [0, 200, 255], [180, 120, 255], [80, 220, 120],
  [255, 90, 140], [240, 240, 90]];

export function startTurfs(campaign: string, onLayers: (layers: Layer[]) => void): {show: (code: string | null) => void} {
  const base = `/api/campaigns/${encodeURIComponent(campaign)}`;
  const section = byId('turfs');
  const list = byId('turf-list');
  const note = byId('turf-note');
  const layer = byId<HTMLSelectElement>('turf-layer');
  let code: string | null = null;

  void apiGet<{name: string}[]>(`${base}/layers`).then(layers => {
    const auto = new Option(t('turf_layer_auto'), '');
    auto.dataset.i18n = 'turf_layer_auto'; // follows a change of language
    layer.replaceChildren(auto, ...layers.map(l => new Option(l.name, l.name)));
    byId('turf-layer-label').hidden = !layers.length;
  }, () => undefined); // no layers, or not HQ: the cut stays automatic

  byId('turf-cut').addEventListener('click', async () => {
    if (!code) return;
    const doors = Number((byId('turf-doors') as HTMLInputElement).value);
    try {
      const households = layer.value || null;
      await apiPost(`${base}/stations/${encodeURIComponent(code)}/turfs`, households ? {doors, households} : {doors});
      note.textContent = '';
    } catch (err) {
      note.textContent = err instanceof ApiError ? err.message : String(err);
    }
    await load(code);
  });

  async function load(station: string): Promise<void> {
    let turfs: Turf[] = [];
    try {
      turfs = (await apiGet<{turfs: Turf[]}>(`${base}/stations/${encodeURIComponent(station)}/turfs`)).turfs;
    } catch (err) {
      if (err instanceof ApiError && err.status === 403) section.hidden = true; // not HQ
      return;
    }
    if (station !== code) return;
    list.replaceChildren(...turfs.map(item));
    const withDoors = turfs.filter(x => x.doors > 0);
    const routes = await Promise.all(withDoors.map(x => apiGet<Route>(`${base}/turfs/${x.id}/route`).catch(() => null)));
    if (station !== code) return;
    const cells = turfs.flatMap(x => x.cells.map(h => ({h, n: x.number})));
    const color = (n: number) => COLORS[(n - 1) % COLORS.length];
    onLayers([new H3HexagonLayer<{h: string; n: number}>({
      id: 'turf-cells',
      data: cells,
      getHexagon: c => c.h,
      getFillColor: c => [...color(c.n), 90] as [number, number, number, number],
      extruded: false,
      stroked: false,
      pickable: false
    }), new PathLayer<Route>({
      id: 'turf-routes',
      data: routes.filter((r): r is Route => r !== null),
      getPath: r => r.stops.map(s => [s.lon, s.lat] as [number, number]),
      getColor: r => [...COLORS[(r.number - 1) % COLORS.length], 230] as [number, number, number, number],
      getWidth: 3,
      widthUnits: 'pixels',
      pickable: false
    })]);
  }

  function item(x: Turf): HTMLLIElement {
    const li = document.createElement('li');
    li.dataset.turf = String(x.id);
    const text = document.createElement('span');
    if (x.households !== null && x.doors === 0) {
      text.textContent = t('turf_line_households', {n: x.number, households: Math.round(x.households),
                                                    cells: x.cells.length, team: x.team ?? '—'});
      li.append(text);
    } else {
      text.textContent = t('turf_line', {n: x.number, doors: x.doors, route: Math.round(x.route_m),
                                          walk: Math.round(x.walk_m), team: x.team ?? '—'});
      const coverage = document.createElement('span');
      coverage.className = 'turf-coverage';
      coverage.textContent = t('turf_coverage', {knocked: x.knocked, doors: x.doors, opened: x.opened});
      li.append(text, ' ', coverage);
    }
    for (const ext of x.doors > 0 ? ['csv', 'pdf'] : []) {
      const a = document.createElement('a');
      a.href = `${base}/turfs/${x.id}/walklist.${ext}`;
      a.textContent = ext.toUpperCase();
      a.addEventListener('click', async ev => { // the API wants the bearer token: fetch, then save
        ev.preventDefault();
        const res = await fetch(a.href, {headers: {Authorization: `Bearer ${getToken() ?? ''}`}});
        const url = URL.createObjectURL(await res.blob());
        const link = document.createElement('a');
        link.href = url;
        link.download = `walklist-${code}-turf${x.number}.${ext}`;
        link.click();
        URL.revokeObjectURL(url);
      });
      li.append(' ', a);
    }
    return li;
  }

  return {
    show(station: string | null): void {
      code = station;
      section.hidden = !station;
      list.replaceChildren();
      onLayers([]);
      if (station) {
        byId('turf-station').textContent = station;
        void load(station);
      }
    }
  };
}
