// Live section of the side panel: status line, volunteer toggle, filter,
// counters and the activity feed.

import type {AreaFeature} from '../api';
import {fmtInt, getLang, t, type MessageKey} from '../i18n';
import type {LiveEvent, LiveFilter, LiveStatus, LiveStore} from '../live';
import {byId} from './dom';

let status: LiveStatus = {state: 'connecting'};
let retryAt = 0;
let ticker: number | undefined;

export function initLivePanel(opts: {
  onToggle: (visible: boolean) => void;
  onFilter: (filter: LiveFilter) => void;
}): void {
  const box = byId<HTMLInputElement>('toggle-volunteers');
  box.addEventListener('change', () => opts.onToggle(box.checked));
  const sel = byId<HTMLSelectElement>('live-filter');
  sel.addEventListener('change', () => opts.onFilter(parseFilter(sel.value)));
  renderFilterOptions([], []);
  renderLiveStatus(status);
}

function parseFilter(value: string): LiveFilter {
  if (value.startsWith('d:')) return {district: value.slice(2)};
  if (value.startsWith('t:')) return {team: value.slice(2)};
  return {};
}

let districtCodes: {code: string; name: string}[] = [];
let teamIds: string[] = [];

/** (Re)fill #live-filter: all, each district, each team seen so far. */
export function renderFilterOptions(districts: AreaFeature[] | null, teams: string[]): void {
  if (districts) {
    districtCodes = districts
      .map(f => ({code: f.properties.code, name: f.properties.name || f.properties.code}))
      .sort((a, b) => a.code.localeCompare(b.code, undefined, {numeric: true}));
  }
  teamIds = teams;
  const sel = byId<HTMLSelectElement>('live-filter');
  const current = sel.value;
  const opt = (value: string, text: string) => {
    const o = document.createElement('option');
    o.value = value;
    o.textContent = text;
    return o;
  };
  const opts = [opt('', t('live_filter_all'))];
  for (const d of districtCodes) opts.push(opt(`d:${d.code}`, `${t('level_district')} ${d.name}`));
  for (const id of teamIds) opts.push(opt(`t:${id}`, t('live_filter_team', {team: id})));
  sel.replaceChildren(...opts);
  sel.value = opts.some(o => o.value === current) ? current : '';
}

/** Team ids seen in the store, sorted; the caller refreshes options when they change. */
export function teamsOf(store: LiveStore): string[] {
  const ids = new Set<string>();
  for (const s of store.volunteers.values()) if (s.v.team !== null && s.v.team !== undefined) ids.add(String(s.v.team));
  for (const id of teamIds) ids.add(id); // keep teams that went quiet selectable
  return [...ids].sort((a, b) => a.localeCompare(b, undefined, {numeric: true}));
}

export function currentTeams(): string[] {
  return teamIds;
}

export function renderLiveStatus(s: LiveStatus): void {
  status = s;
  window.clearInterval(ticker);
  ticker = undefined;
  if (s.state === 'offline') {
    retryAt = Date.now() + s.retryIn;
    ticker = window.setInterval(paintStatus, 1000);
  }
  paintStatus();
}

function paintStatus(): void {
  const box = byId('live-status');
  box.dataset.state = status.state;
  let text: string;
  switch (status.state) {
    case 'live':
      text = t('live_connected');
      break;
    case 'connecting':
      text = t('live_connecting');
      break;
    case 'denied':
      text = t('live_denied', {reason: status.reason});
      break;
    case 'offline': {
      const s = Math.max(0, Math.ceil((retryAt - Date.now()) / 1000));
      text = s > 0 ? t('live_retry', {s}) : t('live_offline');
    }
  }
  byId('live-status-text').textContent = text;
}

export function renderLiveCounters(store: LiveStore): void {
  const st = store.stats();
  for (const [k, v] of Object.entries(st)) {
    const el = document.querySelector<HTMLElement>(`[data-live="${k}"]`);
    if (el) el.textContent = fmtInt(v);
  }
  const count = document.querySelector<HTMLElement>('[data-count="volunteers"]');
  if (count) count.textContent = fmtInt(st.live + st.stale); // the campaign's, not only the view's
}

let lastFeedKey = '';

export function renderFeed(events: LiveEvent[], force = false): void {
  const key = events.length ? `${events.length}:${events[0].at}:${events[0].id}:${events[0].kind}` : '0';
  if (key === lastFeedKey && !force) return;
  lastFeedKey = key;
  const list = byId('live-feed');
  if (!events.length) {
    const li = document.createElement('li');
    li.className = 'empty';
    li.textContent = t('live_feed_empty');
    list.replaceChildren(li);
    return;
  }
  const fmt = new Intl.DateTimeFormat(getLang() === 'fr' ? 'fr-FR' : 'en-GB', {
    hour: '2-digit', minute: '2-digit', second: '2-digit'
  });
  list.replaceChildren(
    ...events.map(e => {
      const li = document.createElement('li');
      li.className = `ev-${e.kind}`;
      li.dataset.kind = e.kind;
      li.dataset.volunteer = e.id;
      const time = document.createElement('span');
      time.className = 'time';
      time.textContent = fmt.format(e.at);
      const txt = document.createElement('span');
      txt.className = 'txt';
      txt.textContent = eventText(e);
      li.append(time, txt);
      return li;
    })
  );
}

function eventText(e: LiveEvent): string {
  let key = `ev_${e.kind}` as MessageKey;
  if (e.kind === 'left' && !e.ps) key = 'ev_left_none';
  else if (e.kind === 'shift_end' && e.by === 'hq') key = 'ev_shift_end_hq';
  else if (e.kind === 'shift_end' && e.by === 'timeout') key = 'ev_shift_end_timeout';
  else if (e.kind === 'shift_end' && e.by === 'consent') key = 'ev_shift_end_consent';
  else if (e.kind === 'shift_end' && e.by === 'revoked') key = 'ev_shift_end_revoked';
  else if (e.kind === 'report' && !e.ps) key = 'ev_report_none';
  const d = e.doors;
  if (e.kind === 'door') key = `ev_door_${e.outcome ?? 'opened'}` as MessageKey;
  return t(key, {id: `#${e.id}`, ps: e.ps ?? '', knocked: fmtInt(d?.knocked ?? 0), opened: fmtInt(d?.opened ?? 0),
                 contacts: fmtInt(d?.contacts ?? 0), turf: String(e.turf ?? '')});
}

/** Re-render language-dependent parts (after a language switch). */
export function refreshLiveText(store: LiveStore): void {
  renderFilterOptions(null, teamIds);
  paintStatus();
  renderLiveCounters(store);
  renderFeed(store.events, true);
}
