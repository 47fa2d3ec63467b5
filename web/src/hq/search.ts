// Polling-station search (#search): match by code or name, fly to the pick.

import type {AreaFeature} from '../api';
import {t} from '../i18n';
import {byId} from './dom';

const MAX_RESULTS = 8;

const norm = (s: string | null | undefined) =>
  (s ?? '')
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .trim();

export function searchStations(features: AreaFeature[], query: string): AreaFeature[] {
  const q = norm(query);
  if (!q) return [];
  const scored: [number, AreaFeature][] = [];
  for (const f of features) {
    const code = norm(f.properties.code);
    const name = norm(f.properties.name);
    let score = -1;
    if (code === q) score = 0;
    else if (code.startsWith(q)) score = 1;
    else if (name.startsWith(q)) score = 2;
    else if (name.includes(q) || code.includes(q)) score = 3;
    if (score >= 0) scored.push([score, f]);
  }
  scored.sort(
    (a, b) =>
      a[0] - b[0] ||
      a[1].properties.code.localeCompare(b[1].properties.code, undefined, {numeric: true})
  );
  return scored.slice(0, MAX_RESULTS).map(([, f]) => f);
}

export function initSearch(
  getFeatures: () => AreaFeature[],
  onPick: (f: AreaFeature) => void
): void {
  const input = byId<HTMLInputElement>('search');
  const list = byId<HTMLUListElement>('search-results');
  let results: AreaFeature[] = [];
  let active = 0;

  const close = () => {
    list.hidden = true;
    results = [];
  };
  const pick = (f: AreaFeature | undefined) => {
    if (!f) return;
    input.value = f.properties.code;
    close();
    onPick(f);
  };
  const render = () => {
    list.replaceChildren();
    if (!input.value.trim()) return close();
    if (!results.length) {
      const li = document.createElement('li');
      li.className = 'none';
      li.textContent = t('search_none');
      list.append(li);
    }
    results.forEach((f, i) => {
      const li = document.createElement('li');
      li.className = i === active ? 'active' : '';
      const code = document.createElement('strong');
      code.textContent = f.properties.code;
      li.append(code);
      if (f.properties.name) li.append(` ${f.properties.name}`);
      li.addEventListener('mousedown', ev => {
        ev.preventDefault();
        pick(f);
      });
      list.append(li);
    });
    list.hidden = false;
  };

  input.addEventListener('input', () => {
    results = searchStations(getFeatures(), input.value);
    active = 0;
    render();
  });
  input.addEventListener('keydown', ev => {
    if (ev.key === 'Enter') {
      ev.preventDefault();
      if (!results.length) results = searchStations(getFeatures(), input.value);
      pick(results[active] ?? results[0]);
    } else if (ev.key === 'ArrowDown' && results.length) {
      ev.preventDefault();
      active = (active + 1) % results.length;
      render();
    } else if (ev.key === 'ArrowUp' && results.length) {
      ev.preventDefault();
      active = (active - 1 + results.length) % results.length;
      render();
    } else if (ev.key === 'Escape') {
      close();
    }
  });
  input.addEventListener('blur', () => setTimeout(close, 100));
}
