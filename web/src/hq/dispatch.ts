// Dispatch: the server's live suggestions of which team to send where (and why), refreshed every
// 20 s, each with a "Send" button. Every team is listed (the list scrolls), teams out in the street
// first: a coordinator must be able to send any team, not only the best-placed ten. Sending stores the assignment and pushes it to the team's
// phones at once (server/dispatch/routes.py); the list then refreshes.

import {apiGet, apiPost, ApiError} from '../api';
import {t} from '../i18n';
import {byId} from './dom';

interface Suggestion {
  team: number;
  team_name: string;
  station: string;
  station_name: string | null;
  distance_m: number | null;
  live_members: number;
  current: string | null;
  why: string[];
}

const REFRESH_MS = 20_000;

export function startDispatch(campaign: string, onPick: (code: string) => void): {refreshText: () => void} {
  const base = `/api/campaigns/${encodeURIComponent(campaign)}`;
  const list = byId('dispatch-list');
  const note = byId('dispatch-note');
  let items: Suggestion[] | null = null;
  let sent: {team: string; station: string} | null = null;

  list.addEventListener('click', async ev => {
    const target = ev.target as HTMLElement;
    const li = target.closest<HTMLElement>('li[data-team]');
    if (!li) return;
    if (!target.closest('button')) {
      onPick(li.dataset.station!);
      return;
    }
    const button = target.closest('button')!;
    button.disabled = true;
    try {
      await apiPost(`${base}/dispatch/assignments`, {team: Number(li.dataset.team), station: li.dataset.station});
      sent = {team: li.dataset.teamName ?? li.dataset.team!, station: li.dataset.station!};
      note.textContent = t('dispatch_sent', sent);
      await refresh();
    } catch (err) {
      button.disabled = false;
      note.textContent = err instanceof ApiError ? err.message : String(err);
    }
  });

  async function refresh(): Promise<void> {
    try {
      const body = await apiGet<{suggestions: Suggestion[]}>(`${base}/dispatch/suggestions`);
      items = body.suggestions;
    } catch (err) {
      if (err instanceof ApiError && err.status === 403) {
        byId('dispatch').hidden = true; // not HQ: no dispatch panel
        return;
      }
    }
    render();
  }

  function render(): void {
    if (sent) note.textContent = t('dispatch_sent', sent);
    if (items === null) return;
    if (!items.length) {
      const li = document.createElement('li');
      li.className = 'empty';
      li.textContent = t('dispatch_empty');
      list.replaceChildren(li);
      return;
    }
    list.replaceChildren(...items.map(item));
  }

  function item(s: Suggestion): HTMLLIElement {
    const li = document.createElement('li');
    li.dataset.team = String(s.team);
    li.dataset.teamName = s.team_name;
    li.dataset.station = s.station;
    const head = document.createElement('div');
    head.className = 'head';
    const what = document.createElement('span');
    what.textContent = `${s.team_name} → ${s.station}`;
    const dist = document.createElement('span');
    dist.className = 'dist';
    dist.textContent = s.distance_m === null ? t('dispatch_no_position')
      : t('dispatch_km', {km: (s.distance_m / 1000).toFixed(1)});
    const send = document.createElement('button');
    send.type = 'button';
    send.textContent = t('dispatch_send');
    head.append(what, dist, send);
    const why = document.createElement('div');
    why.className = 'why';
    why.textContent = s.why.join(' · '); // the server's reasons (English)
    li.append(head, why);
    return li;
  }

  void refresh();
  window.setInterval(() => void refresh(), REFRESH_MS);
  return {refreshText: render};
}
