// Dispatch: the server's optimal suggestions of which team to send where (and why), refreshed on
// the campaign's timer (dispatch settings, refresh_s) and on demand ("Refresh"). Each says itself
// in one line ("Team Belleville → 20-12: rank 14 of 902, 18 % covered, 650 m, 8 min walk") and
// shows as an arc on the map. A coordinator accepts (the team is sent: stored, pushed to its
// phones), rejects, or changes the station; every decision is kept server-side for the day's
// report (server/dispatch/routes.py). Every team is listed, teams out in the street first.

import {apiGet, apiPost, ApiError} from '../api';
import {t} from '../i18n';
import type {SuggestionGeo} from '../layers/dispatch';
import {byId} from './dom';

interface Suggestion extends SuggestionGeo {
  team_name: string;
  station_name: string | null;
  distance_m: number | null;
  live_members: number;
  current: string | null;
  summary: string;
  why: string[];
  value: number;
}

interface Suggestions {
  suggestions: Suggestion[];
  rules: {refresh_s: number};
}

type Decision = 'accepted' | 'rejected' | 'changed';

export function startDispatch(campaign: string, onPick: (code: string) => void,
                              onSuggestions: (items: Suggestion[]) => void): {refreshText: () => void; refresh: () => void} {
  const base = `/api/campaigns/${encodeURIComponent(campaign)}`;
  const list = byId('dispatch-list');
  const note = byId('dispatch-note');
  let items: Suggestion[] | null = null;
  let last: string | null = null;
  let timer = 0;
  let refreshMs = 60_000;

  byId('dispatch-refresh').addEventListener('click', () => void refresh());

  list.addEventListener('click', async ev => {
    const target = ev.target as HTMLElement;
    const li = target.closest<HTMLElement>('li[data-team]');
    if (!li) return;
    const button = target.closest<HTMLButtonElement>('button[data-decision]');
    if (!button) {
      if (!target.closest('input')) onPick(li.dataset.station!);
      return;
    }
    const decision = button.dataset.decision as Decision;
    const s = items?.find(x => String(x.team) === li.dataset.team);
    if (!s) return;
    if (decision === 'changed') {
      const input = li.querySelector<HTMLInputElement>('input.change');
      if (input && input.hidden) {
        input.hidden = false;
        input.focus();
        return;
      }
      if (!input || !input.value.trim()) return;
    }
    await decide(li, button, s, decision);
  });

  async function decide(li: HTMLElement, button: HTMLButtonElement, s: Suggestion, decision: Decision): Promise<void> {
    button.disabled = true;
    const station = li.querySelector<HTMLInputElement>('input.change')?.value.trim() || null;
    try {
      await apiPost(`${base}/dispatch/decisions`, {
        team: s.team, suggested: s.station, decision, station: decision === 'changed' ? station : null,
        suggestion: {summary: s.summary, value: s.value, distance_m: s.distance_m, why: s.why}
      });
      const where = decision === 'changed' ? station! : s.station;
      last = decision === 'rejected' ? t('dispatch_rejected', {team: s.team_name, station: s.station})
        : t('dispatch_sent', {team: s.team_name, station: where});
      note.textContent = last;
      await refresh();
    } catch (err) {
      button.disabled = false;
      note.textContent = err instanceof ApiError ? err.message : String(err);
    }
  }

  async function refresh(): Promise<void> {
    window.clearTimeout(timer);
    try {
      const body = await apiGet<Suggestions>(`${base}/dispatch/suggestions`);
      items = body.suggestions;
      refreshMs = Math.max(5, body.rules.refresh_s) * 1000;
      onSuggestions(items);
      list.dataset.refreshedAt = String(Date.now());
    } catch (err) {
      if (err instanceof ApiError && err.status === 403) {
        byId('dispatch').hidden = true; // not HQ: no dispatch panel
        return;
      }
    }
    timer = window.setTimeout(() => void refresh(), refreshMs);
    render();
  }

  function render(): void {
    if (last) note.textContent = last;
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

  function button(decision: Decision, label: string): HTMLButtonElement {
    const b = document.createElement('button');
    b.type = 'button';
    b.dataset.decision = decision;
    b.className = decision;
    b.textContent = label;
    return b;
  }

  function item(s: Suggestion): HTMLLIElement {
    const li = document.createElement('li');
    li.dataset.team = String(s.team);
    li.dataset.teamName = s.team_name;
    li.dataset.station = s.station;
    const head = document.createElement('div');
    head.className = 'head';
    const what = document.createElement('span');
    what.className = 'summary';
    what.textContent = s.summary; // the server's one line (English)
    const dist = document.createElement('span');
    dist.className = 'dist';
    dist.textContent = s.distance_m === null ? t('dispatch_no_position')
      : t('dispatch_km', {km: (s.distance_m / 1000).toFixed(1)});
    head.append(what, dist);
    const actions = document.createElement('div');
    actions.className = 'actions';
    const change = document.createElement('input');
    change.className = 'change';
    change.hidden = true;
    change.placeholder = t('dispatch_change_to');
    actions.append(button('accepted', t('dispatch_send')), button('rejected', t('dispatch_reject')),
                   button('changed', t('dispatch_change')), change);
    const why = document.createElement('div');
    why.className = 'why';
    why.textContent = s.why.join(' · '); // the server's reasons (English)
    li.append(head, actions, why);
    return li;
  }

  void refresh();
  return {refreshText: render, refresh: () => void refresh()};
}
