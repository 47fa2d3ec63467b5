// Alerts at HQ: out of zone, idle, stale, low battery and SOS (server/alerts), listed newest
// first with an "Acknowledge" button, and on the map: a red ring at each SOS, amber dots for the
// others. An SOS stays listed and on the map until a person acknowledges it; the others leave
// when their cause ends. Polled every few seconds (an alert is rare; the list is small).

import {ScatterplotLayer} from '@deck.gl/layers';
import type {Layer} from '@deck.gl/core';
import {apiGet, apiPost, ApiError} from '../api';
import {t} from '../i18n';
import {byId} from './dom';

interface Alert {
  id: number;
  kind: 'out_of_zone' | 'idle' | 'stale' | 'low_battery' | 'sos';
  volunteer_name: string | null;
  team_name: string | null;
  lon: number | null;
  lat: number | null;
  detail: string;
  raised_at: string;
  acked_at: string | null;
  coordinator: string | null; // the team's coordinator's login: told too
}

const POLL_MS = 5000;

function layers(items: Alert[]): Layer[] {
  const placed = items.filter(a => a.lon !== null && a.lat !== null);
  return [
    new ScatterplotLayer<Alert>({
      id: 'alerts',
      data: placed,
      getPosition: a => [a.lon!, a.lat!],
      getFillColor: a => (a.kind === 'sos' ? [230, 30, 30, 90] : [255, 176, 32, 160]),
      getLineColor: a => (a.kind === 'sos' ? [255, 40, 40, 255] : [255, 176, 32, 255]),
      stroked: true,
      lineWidthUnits: 'pixels',
      getLineWidth: a => (a.kind === 'sos' ? 4 : 1),
      radiusUnits: 'pixels',
      getRadius: a => (a.kind === 'sos' ? 16 : 6),
      pickable: true
    })
  ];
}

export function startAlerts(campaign: string, onLayers: (layers: Layer[]) => void): void {
  const base = `/api/campaigns/${encodeURIComponent(campaign)}`;
  const list = byId('alerts-list');

  list.addEventListener('click', async ev => {
    const button = (ev.target as HTMLElement).closest<HTMLButtonElement>('button[data-alert]');
    if (!button) return;
    button.disabled = true;
    try {
      await apiPost(`${base}/alerts/${button.dataset.alert}/ack`);
    } catch {
      button.disabled = false;
    }
    await refresh();
  });

  function item(a: Alert): HTMLLIElement {
    const li = document.createElement('li');
    li.dataset.alert = String(a.id);
    li.dataset.kind = a.kind;
    li.className = a.kind === 'sos' ? 'sos' : '';
    const text = document.createElement('span');
    const who = [a.volunteer_name, a.team_name].filter(Boolean).join(', ');
    const coordinator = a.coordinator ? ` ${t('alert_for', {login: a.coordinator})}` : '';
    text.textContent =
      `${t(`alert_${a.kind}` as Parameters<typeof t>[0])}: ${who} (${a.detail || a.raised_at.slice(11, 16)})${coordinator}`;
    if (a.coordinator) li.dataset.coordinator = a.coordinator;
    li.append(text);
    if (!a.acked_at) {
      const b = document.createElement('button');
      b.type = 'button';
      b.dataset.alert = String(a.id);
      b.textContent = t('alert_ack');
      li.append(b);
    }
    return li;
  }

  // "Only my teams'": the alerts of the teams the signed-in coordinator coordinates
  const mine = byId<HTMLInputElement>('alerts-mine');
  let timer = 0;
  mine.addEventListener('change', () => void refresh());

  async function refresh(): Promise<void> {
    window.clearTimeout(timer);
    try {
      const items = await apiGet<Alert[]>(`${base}/alerts${mine.checked ? '?mine=true' : ''}`);
      list.replaceChildren(...items.map(item));
      byId('alerts').dataset.open = String(items.length);
      onLayers(layers(items));
    } catch (err) {
      if (err instanceof ApiError && err.status === 403) {
        byId('alerts').hidden = true; // not HQ
        return;
      }
    }
    timer = window.setTimeout(() => void refresh(), POLL_MS);
  }

  void refresh();
}
