// The OwnTracks / Traccar Client settings: server URLs and the device token. The device token is
// a credential of its own, accepted only by the ingest service: the apps carry it in URLs and
// settings screens, so it must never be the access code that opens HQ's API.

import {apiPost} from '../api';
import {tr} from './messages';
import {forgetDevices} from './rights';

interface DeviceToken {
  login: string;
  device_token: string;
}

const $ = (id: string) => document.getElementById(id) as HTMLElement;

export function wireAppSettings(getBase: () => string | null, getCampaign: () => string): void {
  $('apps-show').addEventListener('click', async () => {
    const base = getBase();
    if (!base) return;
    // A new device token each time: the previous one stops working (shown once, stored hashed).
    if (!$('apps-settings').hidden && !window.confirm(tr('apps_confirm'))) return;
    try {
      const t = await apiPost<DeviceToken>('/api/me/device-token');
      const q = `?campaign=${encodeURIComponent(getCampaign())}`;
      $('apps-owntracks-url').textContent = `${base}/api/owntracks${q}`;
      $('apps-login').textContent = t.login;
      $('apps-traccar-url').textContent = `${base}/api/osmand`;
      document.querySelectorAll<HTMLElement>('[data-device-token]').forEach(el => (el.textContent = t.device_token));
      $('apps-settings').hidden = false;
      forgetDevices();
      $('apps-error').textContent = '';
    } catch (err) {
      $('apps-error').textContent = (err as Error).message;
    }
  });
}
