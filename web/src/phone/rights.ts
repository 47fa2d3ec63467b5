// The volunteer's side of their rights: consent to location sharing recorded on the server
// (GET/POST/DELETE /consent: no shift starts without it, withdrawing ends the shift), the
// download of everything held about them (GET /privacy/me), and joining through an invite link
// (POST /api/invites/{secret}/accept), which also shows the OwnTracks and Traccar settings.

import {apiGet, apiPost, getToken, setToken} from '../api';
import {getLang} from '../i18n';

export interface LocationConsent {
  version: string;
  fr: string;
  en: string;
  agreed: boolean;
}

interface Accepted {
  campaign: string;
  login: string;
  token: string;
  devices: {owntracks: {url: string; user: string; password: string}; traccar: {server_url: string; device_identifier: string}};
  devices_qr_svg: {owntracks: string; traccar: string};
}

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;
const DEVICES_KEY = 'quadriller.phone.devices';

export async function loadConsent(campaign: string): Promise<LocationConsent | null> {
  try {
    return await apiGet<LocationConsent>(`/api/campaigns/${encodeURIComponent(campaign)}/consent`);
  } catch {
    return null;
  }
}

/** Agree (POST) or withdraw (DELETE); the server's answer is the truth. */
export async function setConsent(campaign: string, consent: LocationConsent, agree: boolean): Promise<void> {
  const url = `/api/campaigns/${encodeURIComponent(campaign)}/consent`;
  if (agree) {
    await apiPost(url, {version: consent.version});
    return;
  }
  const res = await fetch(url, {method: 'DELETE', headers: {Authorization: `Bearer ${getToken()}`}});
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
}

export function consentText(c: LocationConsent | null): string {
  return c ? (getLang() === 'fr' ? c.fr : c.en) : '';
}

export async function downloadMyData(campaign: string): Promise<void> {
  const doc = await apiGet<unknown>(`/api/campaigns/${encodeURIComponent(campaign)}/privacy/me`);
  const a = document.createElement('a');
  a.href = URL.createObjectURL(new Blob([JSON.stringify(doc, null, 2)], {type: 'application/json'}));
  a.download = `quadriller-${campaign}-my-data.json`;
  a.click();
  URL.revokeObjectURL(a.href);
}

export function inviteSecret(): string | null {
  return new URLSearchParams(window.location.search).get('invite');
}

/** Use the invite link: the phone gets its token; the link is spent. */
export async function acceptInvite(secret: string, name: string): Promise<string> {
  const done = await apiPost<Accepted>(`/api/invites/${encodeURIComponent(secret)}/accept`, {name});
  setToken(done.token);
  localStorage.setItem(DEVICES_KEY, JSON.stringify({devices: done.devices, qr: done.devices_qr_svg}));
  const params = new URLSearchParams(window.location.search);
  params.delete('invite');
  params.set('campaign', done.campaign);
  history.replaceState(history.state, '', `${window.location.pathname}?${params}`);
  return done.campaign;
}

/** The tracking apps' settings, as text and QR codes, kept since the invite was used. */
export function renderDevices(): void {
  let saved: {devices: Accepted['devices']; qr: Accepted['devices_qr_svg']} | null = null;
  try {
    saved = JSON.parse(localStorage.getItem(DEVICES_KEY) ?? 'null');
  } catch {
    saved = null;
  }
  $('devices').hidden = !saved;
  if (!saved) return;
  const o = saved.devices.owntracks;
  const t = saved.devices.traccar;
  $('dev-owntracks').textContent = `URL: ${o.url}\nUser: ${o.user}\nPassword: ${o.password}`;
  $('dev-traccar').textContent = `Server URL: ${t.server_url}\nDevice identifier: ${t.device_identifier}`;
  // The SVGs come from our own server (segno), not from user input.
  $('dev-owntracks-qr').innerHTML = saved.qr.owntracks;
  $('dev-traccar-qr').innerHTML = saved.qr.traccar;
}

/** The invite's app settings are stale once the phone asks for a new device token (apps.ts):
 * forget them, so the page never shows a token that stopped working. */
export function forgetDevices(): void {
  localStorage.removeItem(DEVICES_KEY);
  $('devices').hidden = true;
}
