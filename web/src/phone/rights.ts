// The volunteer's side of their rights: consent to location sharing recorded on the server
// (GET/POST/DELETE /consent: no shift starts without it, withdrawing ends the shift), the
// download of everything held about them (GET /privacy/me), and joining through an invite link
// (POST /api/invites/{secret}/accept), which also brings the OwnTracks and Traccar settings (apps.ts).

import {apiGet, apiPost, getToken, setToken} from '../api';
import {getLang} from '../i18n';
import {type AppSettings, keepAppSettings} from './apps';

export interface LocationConsent {
  version: string;
  fr: string;
  en: string;
  agreed: boolean;
}

interface Accepted extends AppSettings {
  campaign: string;
  login: string;
  token: string;
}


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
  keepAppSettings(done); // the apps' settings section (apps.ts)
  const params = new URLSearchParams(window.location.search);
  params.delete('invite');
  params.set('campaign', done.campaign);
  history.replaceState(history.state, '', `${window.location.pathname}?${params}`);
  return done.campaign;
}
