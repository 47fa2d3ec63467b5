// The targeting panel: a coordinator builds a target (camp, mode, an open-data factor such as
// "farther than 250 m from green spaces"), sees it as the map's priority choropleth, the zone
// layer, a ranked table and each station's explanation (components and reasons, all from
// GET /priorities with a camp, see server/targeting/score.py), and can store it as the campaign's
// target, which dispatch uses (PUT /target). The model mode scores with a stored fitted model
// (GET /models) and each station's explanation lists the features that moved its prediction most.

import {GeoJsonLayer} from '@deck.gl/layers';
import type {Layer} from '@deck.gl/core';
import {apiGet, apiSend} from '../api';
import {fmtInt, fmtPct, t} from '../i18n';
import {byId} from './dom';

interface Targeted {
  code: string;
  name: string | null;
  score: number | null;
  rank: number;
  components: Record<string, number | string | null>;
  reasons: string[];
  explanation?: {feature: string; moved: number}[];
}

interface ModelInfo {
  target: string;
  r2: number | null;
  baseline_r2: number | null;
}

interface LayerInfo {
  name: string;
}

const SHOWN = 10;

export interface TargetingCallbacks {
  apply: (query: URLSearchParams | null) => Promise<void>; // re-rank the map's priority metric
  zone: (layers: Layer[]) => void;
  pick: (code: string) => void;
}

export function startTargeting(campaign: string, cb: TargetingCallbacks): {setLists: (lists: string[]) => void} {
  const base = `/api/campaigns/${encodeURIComponent(campaign)}`;
  const camp = byId<HTMLSelectElement>('target-camp');
  const mode = byId<HTMLSelectElement>('target-mode');
  const near = byId<HTMLSelectElement>('target-near');
  const model = byId<HTMLSelectElement>('target-model');
  const layer = byId<HTMLSelectElement>('target-layer');
  const metres = byId<HTMLInputElement>('target-metres');
  const minShare = byId<HTMLInputElement>('target-min');
  const list = byId('target-list');
  const explain = byId('target-explain');
  const panel = byId('targeting');
  let stations: Targeted[] = [];

  void apiGet<LayerInfo[]>(`${base}/layers`).then(
    layers => {
      layer.replaceChildren(new Option('—', ''), ...layers.map(l => new Option(l.name, l.name)));
    },
    () => undefined // no layers, or not an HQ role: the factor stays off
  );

  const r2 = (x: number | null) => (x === null ? '—' : x.toFixed(2));
  void apiGet<ModelInfo[]>(`${base}/models`).then(
    models => {
      model.replaceChildren(
        ...(models.length ? [] : [new Option(t('target_no_model'), '')]),
        ...models.map(m => new Option(`${m.target} · ${t('target_model_r2', {r2: r2(m.r2), base: r2(m.baseline_r2)})}`, m.target))
      );
    },
    () => undefined // not an HQ role: the model mode stays without a model
  );

  function query(): URLSearchParams | null {
    const chosen = [...camp.selectedOptions].map(o => o.value);
    if (!chosen.length) return null;
    const q = new URLSearchParams({camp: chosen.join(','), mode: mode.value});
    const nearby = [...near.selectedOptions].map(o => o.value).filter(n => !chosen.includes(n));
    if (nearby.length) q.set('near', nearby.join(','));
    if (mode.value === 'model' && model.value) q.set('model_target', model.value);
    if (layer.value && metres.value) {
      const min = minShare.value ? `>=${Number(minShare.value) / 100}` : '';
      q.set('factor', `${layer.value}:${Number(metres.value)}${min}`);
    }
    return q;
  }

  async function apply(): Promise<void> {
    const q = query();
    if (!q) return setNote(t('target_pick_camp'));
    if (q.get('mode') === 'model' && !q.get('model_target')) return setNote(t('target_pick_model'));
    setNote(t('loading'));
    try {
      const body = await apiGet<{stations: Targeted[]}>(`${base}/priorities?${q}&limit=100000`);
      stations = body.stations;
      await cb.apply(q);
      render();
      await showZone();
      setNote('');
      panel.dataset.applied = q.toString();
    } catch (err) {
      setNote(String((err as Error).message ?? err));
    }
  }

  async function showZone(): Promise<void> {
    if (!layer.value || !metres.value) return cb.zone([]);
    const zone = await apiGet<GeoJSON.Feature>(`${base}/layers/${encodeURIComponent(layer.value)}/zone?metres=${Number(metres.value)}`);
    cb.zone([
      new GeoJsonLayer({
        id: 'target-zone',
        data: zone as any,
        filled: true,
        stroked: true,
        getFillColor: [30, 120, 60, 50],
        getLineColor: [30, 120, 60, 200],
        lineWidthMinPixels: 1,
        pickable: false
      })
    ]);
    panel.dataset.zone = 'shown';
  }

  function render(): void {
    list.replaceChildren(
      ...stations.slice(0, SHOWN).map(s => {
        const li = document.createElement('li');
        li.dataset.code = s.code;
        li.tabIndex = 0;
        li.textContent = `${s.code} · ${s.score === null ? '—' : fmtInt(s.score)}`;
        li.title = s.name ?? s.code;
        return li;
      })
    );
  }

  function showExplanation(code: string): void {
    const s = stations.find(x => x.code === code);
    if (!s) return;
    const head = document.createElement('p');
    head.textContent = `#${s.rank} ${s.code} · ${t('target_score')}: ${s.score === null ? '—' : fmtInt(s.score)}`;
    const table = document.createElement('table');
    for (const [k, v] of Object.entries(s.components)) {
      if (v === null || v === undefined) continue;
      const tr = table.insertRow();
      tr.insertCell().textContent = k;
      tr.insertCell().textContent = typeof v === 'number' ? String(+v.toFixed(4)) : v;
    }
    const reasons = document.createElement('ul');
    for (const r of s.reasons) reasons.appendChild(document.createElement('li')).textContent = r;
    const parts: HTMLElement[] = [head, table];
    if (s.explanation?.length) {
      const title = document.createElement('p');
      title.textContent = t('target_moved');
      const moved = document.createElement('ul');
      moved.className = 'target-moved';
      for (const m of s.explanation) {
        moved.appendChild(document.createElement('li')).textContent =
          `${m.feature}: ${m.moved >= 0 ? '+' : ''}${fmtPct(m.moved)}`;
      }
      parts.push(title, moved);
    }
    explain.replaceChildren(...parts, reasons);
    explain.dataset.code = code;
  }

  list.addEventListener('click', ev => {
    const li = (ev.target as HTMLElement).closest<HTMLElement>('li[data-code]');
    if (!li?.dataset.code) return;
    showExplanation(li.dataset.code);
    cb.pick(li.dataset.code);
  });
  byId('target-apply').addEventListener('click', () => void apply());
  byId('target-clear').addEventListener('click', () => {
    stations = [];
    list.replaceChildren();
    explain.replaceChildren();
    cb.zone([]);
    void cb.apply(null);
    delete panel.dataset.applied;
  });
  byId('target-save').addEventListener('click', async () => {
    const q = query();
    if (!q) return setNote(t('target_pick_camp'));
    const factor = q.get('factor');
    const m = factor?.match(/^(.+):([\d.]+)(?:>=([\d.]+))?$/);
    const body = {
      camp: q.get('camp')!.split(','),
      mode: q.get('mode'),
      near: q.get('near')?.split(',') ?? [],
      factors: m ? [{layer: m[1], metres: Number(m[2]), min_share: m[3] ? Number(m[3]) : null}] : [],
      model_target: q.get('model_target')
    };
    try {
      await apiSend('PUT', `${base}/target`, body);
      setNote(t('target_saved'));
    } catch (err) {
      setNote(String((err as Error).message ?? err));
    }
  });

  function setNote(text: string): void {
    byId('target-note').textContent = text;
  }

  return {
    setLists(lists: string[]): void {
      for (const select of [camp, near]) {
        const keep = new Set([...select.selectedOptions].map(o => o.value));
        select.replaceChildren(...lists.map(n => new Option(n, n, false, keep.has(n))));
      }
    }
  };
}
