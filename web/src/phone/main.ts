// The volunteer's phone page (/volunteer): join by invite or sign in with the access code, agree
// to share (recorded on the server, rights.ts), start and end a shift, pause at any time, record
// door outcomes and contacts. Sharing itself is in sharing.ts.

import './phone.css';
import {
  ApiError, apiGet, captureTokenFromFragment, clearToken, fetchMe, getToken, pickCampaign, setToken, type Me
} from '../api';
import {getLang, onLangChange, toggleLang} from '../i18n';
import {isKey, tr, type PhoneKey} from './messages';
import {ContactForm} from './contact';
import {TourReport} from './report';
import {
  acceptInvite, consentText, downloadMyData, inviteSecret, loadConsent, setConsent,
  type LocationConsent
} from './rights';
import {loadTags, renderTags} from './tags';
import {WalkList} from './walklist';
import {ShiftSharing, type ShareStatus} from './sharing';
import {renderAppSettings, wireAppSettings} from './apps';
import {SosOutbox} from './sos';

interface PhoneConfig {
  ingest_ws_url: string;
  ingest_http_url: string;
  retention_days: number;
  shift_max_hours: number;
}

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;

let sharing: ShiftSharing | null = null;
let report: TourReport | null = null;
let walk: WalkList | null = null;
let sos: SosOutbox | null = null;
let contact: ContactForm | null = null;
let consent: LocationConsent | null = null;
let consentAsked: boolean | null = null; // the box's state while a change awaits the server
let lastState = '';
let config: PhoneConfig | null = null;
let me: Me | null = null;
let campaign = '';

declare global {
  interface Window {
    __phone?: {status: ShareStatus | null};
  }
}
window.__phone = {status: null};

function translate(): void {
  document.documentElement.lang = getLang();
  document.title = tr('title');
  document.querySelectorAll<HTMLElement>('[data-t]').forEach(el => {
    const k = el.dataset.t!;
    if (isKey(k)) el.textContent = tr(k);
  });
  document.querySelectorAll<HTMLElement>('#lang-toggle [data-lang]').forEach(el =>
    el.classList.toggle('active', el.dataset.lang === getLang())
  );
  if (config) {
    $('privacy-retention').textContent = tr('privacy_retention', {
      days: config.retention_days, hours: config.shift_max_hours
    });
  }
  if (me) {
    const c = me.campaigns.find(x => x.slug === campaign);
    $('who').textContent = tr('who', {name: me.name, campaign: c?.name ?? campaign});
  }
  $('consent-text').textContent = consentText(consent);
  render(sharing?.status ?? null);
  report?.render();
  walk?.render();
  contact?.render();
  if (report) renderTags('rep-tags');
}

function render(s: ShareStatus | null): void {
  window.__phone = {status: s ? {...s} : null};
  const state = s?.state ?? 'loading';
  document.body.dataset.state = state;
  const consented = !!consent?.agreed;
  const box = $<HTMLInputElement>('consent-box');
  // While the server has not answered a tick, the box shows what the volunteer asked for: a
  // render meanwhile (a status change) must not untick it under their finger.
  box.checked = consentAsked ?? consented;
  const off = state === 'idle' || state === 'ended';
  $('consent').hidden = !s || !off;
  let key: PhoneKey = `st_${state}` as PhoneKey;
  if (state === 'ended' && s?.endedBy === 'hq') key = 'st_ended_hq';
  if (state === 'ended' && s?.endedBy === 'timeout') key = 'st_ended_timeout';
  if (state === 'ended' && s?.endedBy === 'consent') key = 'st_ended_consent';
  $('status-text').textContent = state === 'denied' ? tr('st_denied', {reason: s?.problem ?? ''}) : tr(key);
  const start = $<HTMLButtonElement>('start');
  start.hidden = !off;
  start.disabled = !consented;
  $('pause').hidden = state !== 'on' && state !== 'offline';
  $('resume').hidden = state !== 'paused';
  $('end').hidden = !(state === 'on' || state === 'paused' || state === 'offline');
  const fig = (name: string, text: string) => {
    const el = document.querySelector<HTMLElement>(`[data-fig="${name}"]`);
    if (el) el.textContent = text;
  };
  const clock = new Intl.DateTimeFormat(getLang() === 'fr' ? 'fr-FR' : 'en-GB', {hour: '2-digit', minute: '2-digit'});
  fig('since', s?.since ? clock.format(s.since * 1000) : '—');
  const f = s?.lastFix;
  fig('fix', f ? tr('fix_age', {s: Math.max(0, Math.round(Date.now() / 1000 - f.t)), acc: Math.round(f.acc)}) : '—');
  fig('acked', String(s?.acked ?? 0));
  fig('pending', String(s?.pending ?? 0));
  const alert = s?.teamAlert;
  $('coord-alert').hidden = !alert;
  if (alert) {
    const who = [alert.volunteer_name, alert.team_name].filter(Boolean).join(', ');
    $('coord-alert-text').textContent = `${alert.kind.toUpperCase()} ${who} ${alert.detail}`.trim();
    const map = $<HTMLAnchorElement>('coord-alert-map');
    map.hidden = alert.lat === null || alert.lon === null;
    if (alert.lat !== null && alert.lon !== null) {
      map.href = `https://www.openstreetmap.org/?mlat=${alert.lat}&mlon=${alert.lon}#map=18/${alert.lat}/${alert.lon}`;
    }
  }
  const a = s?.assignment;
  $('assignment').hidden = !a;
  if (a) {
    $('assignment-station').textContent = a.name ? `${a.station} · ${a.name}` : a.station;
    $('assignment').dataset.station = a.station;
    const link = $<HTMLAnchorElement>('assignment-map');
    link.hidden = a.lat === null || a.lon === null;
    if (a.lat !== null && a.lon !== null) {
      link.href = `https://www.openstreetmap.org/?mlat=${a.lat}&mlon=${a.lon}#map=18/${a.lat}/${a.lon}`;
    }
  }
  // The tour ended here: ask for the report (it can be sent at any time all the same).
  if (state === 'ended' && lastState && lastState !== 'ended' && report) {
    $('report-prompt').hidden = false;
    const knocked = $<HTMLInputElement>('rep-knocked');
    if (!knocked.value && walk?.doneCount) { // the day's door outcomes on this phone
      const t = walk.tally;
      knocked.value = String(t.knocked);
      $<HTMLInputElement>('rep-opened').value = String(t.opened);
      $<HTMLInputElement>('rep-contacts').value = String(t.contacts);
    }
    $('report').scrollIntoView({behavior: 'smooth', block: 'start'});
  }
  lastState = state;
  $<HTMLInputElement>('rep-station').placeholder = a?.station ?? '';
  void walk?.show(a?.station ?? null, f ? {lon: f.lon, lat: f.lat} : null);
  const problem = s?.problem && state !== 'denied' ? s.problem : '';
  $('message').textContent = problem && isKey(problem) ? tr(problem) : problem;
}

function showLogin(error = ''): void {
  const secret = inviteSecret();
  $('invite').hidden = !secret;
  $('login').hidden = !!secret;
  $('shift').hidden = true;
  $('login-error').textContent = error;
}

async function boot(): Promise<void> {
  captureTokenFromFragment();
  const token = getToken();
  if (!token) return showLogin();
  try {
    [me, config] = await Promise.all([fetchMe(), apiGet<PhoneConfig>('/api/config')]);
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) {
      clearToken();
      return showLogin(tr('bad_token'));
    }
    $('message').textContent = (err as Error).message;
    return;
  }
  const slug = pickCampaign(me);
  if (!slug) return showLogin(tr('no_campaign'));
  campaign = slug;
  // Ready before the SOS button shows: a press must never find no outbox.
  sos = new SosOutbox(campaign, () => (sharing?.status.lastFix ? {lon: sharing.status.lastFix.lon,
                                                                   lat: sharing.status.lastFix.lat} : null),
                      $('sos-status'));
  $('login').hidden = true;
  $('invite').hidden = true;
  $('shift').hidden = false;
  $('mydata').hidden = false;
  [consent] = await Promise.all([loadConsent(campaign), loadTags(campaign)]);
  sharing = new ShiftSharing(config.ingest_ws_url, token, campaign, render);
  report = new TourReport(campaign);
  contact = new ContactForm(campaign);
  walk = new WalkList(campaign, address => contact?.open(address));
  renderAppSettings();
  $('apps').hidden = false;
  translate();
  sharing.connect();
  void loadAssignment(sharing);
}

interface MyTeam {
  id: number;
  assignment: {station: string; name: string | null} | null;
}

/** Where the team was sent before this page opened (live ones arrive as frames). */
async function loadAssignment(s: ShiftSharing): Promise<void> {
  try {
    const team = await apiGet<MyTeam | null>(`/api/campaigns/${encodeURIComponent(campaign)}/dispatch/mine`);
    if (team?.assignment && !s.status.assignment) {
      s.setAssignment({team: team.id, station: team.assignment.station, name: team.assignment.name, lon: null, lat: null});
    }
  } catch {
    // no team, or offline: the next assignment frame fills it in
  }
}

function wire(): void {
  $('lang-toggle').addEventListener('click', () => toggleLang());
  onLangChange(translate);
  $('token-save').addEventListener('click', () => {
    const v = $<HTMLInputElement>('token-input').value.trim();
    if (!v) return;
    setToken(v);
    void boot();
  });
  $('consent-box').addEventListener('change', async ev => {
    const agree = (ev.target as HTMLInputElement).checked;
    consentAsked = agree;
    try {
      if (!consent) consent = await loadConsent(campaign);
      if (!consent) throw new Error('offline');
      await setConsent(campaign, consent, agree); // withdrawing also ends the open shift, server-side
      consent = await loadConsent(campaign);
      if (!agree) void sharing?.endShift();
    } catch {
      $('message').textContent = tr('consent_failed');
    } finally {
      consentAsked = null;
    }
    render(sharing?.status ?? null);
  });
  $('invite-join').addEventListener('click', async () => {
    const name = $<HTMLInputElement>('invite-name').value.trim();
    const secret = inviteSecret();
    if (!name || !secret) return;
    try {
      await acceptInvite(secret, name);
      void boot();
    } catch (err) {
      $('invite-error').textContent = (err as Error).message;
    }
  });
  $('mydata-download').addEventListener('click', () => void downloadMyData(campaign));
  $('start').addEventListener('click', () => sharing?.startShift());
  $('sos').addEventListener('click', () => void sos?.press());
  $('pause').addEventListener('click', () => sharing?.pause());
  $('resume').addEventListener('click', () => sharing?.resume());
  $('end').addEventListener('click', async () => {
    if (sharing && !(await sharing.endShift())) $('message').textContent = tr('end_failed');
  });
  wireAppSettings(() => campaign);
  // The "last position" age keeps moving between fixes.
  window.setInterval(() => render(sharing?.status ?? null), 5000);
}

wire();
translate();
void boot();
