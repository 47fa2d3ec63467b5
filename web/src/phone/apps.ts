// The one place for the OwnTracks / Traccar Client settings (URL, user, device token), as text
// and QR codes. They come either with the invite (POST /api/invites/{secret}/accept) or from the
// "new device code" button (POST /api/campaigns/{slug}/apps): both answers have the same shape,
// are kept in this phone's storage and shown by the same code, so the page never shows two
// sets of settings, one of them with a token that stopped working.
// The device token is a credential of its own, accepted only by the ingest service: the apps
// carry it in URLs and settings screens, so it must never be the access code of HQ's API.

import {apiPost} from '../api';
import {tr} from './messages';

export interface AppSettings {
  devices: {owntracks: {url: string; user: string; password: string}; traccar: {server_url: string; device_identifier: string}};
  devices_qr_svg: {owntracks: string; traccar: string};
}

const $ = (id: string) => document.getElementById(id) as HTMLElement;
const KEY = 'quadriller.phone.devices';

/** Keep the latest settings (the previous device token no longer works) and show them. */
export function keepAppSettings(s: AppSettings): void {
  localStorage.setItem(KEY, JSON.stringify({devices: s.devices, devices_qr_svg: s.devices_qr_svg}));
  renderAppSettings();
}

function saved(): AppSettings | null {
  try {
    const s = JSON.parse(localStorage.getItem(KEY) ?? 'null');
    return s?.devices && s?.devices_qr_svg ? (s as AppSettings) : null;
  } catch {
    return null;
  }
}

export function renderAppSettings(): void {
  const s = saved();
  $('apps-settings').hidden = !s;
  if (!s) return;
  const o = s.devices.owntracks;
  const t = s.devices.traccar;
  $('apps-owntracks-url').textContent = o.url;
  $('apps-login').textContent = o.user;
  $('apps-traccar-url').textContent = t.server_url;
  document.querySelectorAll<HTMLElement>('[data-device-token]').forEach(el => (el.textContent = t.device_identifier));
  // The SVGs come from our own server (segno), not from user input.
  $('apps-owntracks-qr').innerHTML = s.devices_qr_svg.owntracks;
  $('apps-traccar-qr').innerHTML = s.devices_qr_svg.traccar;
}

export function wireAppSettings(getCampaign: () => string): void {
  $('apps-show').addEventListener('click', async () => {
    // A new device token each time: the previous one stops working (shown once, stored hashed).
    if (!$('apps-settings').hidden && !window.confirm(tr('apps_confirm'))) return;
    try {
      keepAppSettings(await apiPost<AppSettings>(`/api/campaigns/${encodeURIComponent(getCampaign())}/apps`, {}));
      $('apps-error').textContent = '';
    } catch (err) {
      $('apps-error').textContent = (err as Error).message;
    }
  });
}
