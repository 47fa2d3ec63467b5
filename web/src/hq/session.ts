// HQ sessions: the HQ pages trade the long-lived API token (from `#token=…` or the sign-in box)
// for a short-lived session token at once, and keep only that one (and its expiry) in
// localStorage: an XSS or a shared computer then leaks minutes of access, not a permanent token.
// The session is renewed (its token rotated) before it expires, on a timer and when the page
// comes back after a sleep; past its maximum lifetime the person signs in again.

import {ApiError, TOKEN_KEY, problemOf, takeTokenFromFragment, useCredential} from '../api';

export const SESSION_KEY = 'quadriller.hq.session';

/** What is stored, with times on this browser's clock (from the server's relative seconds). */
export interface StoredSession {
  token: string;
  expiresAt: number; // ms
  endsAt: number; // ms: no renewal past this
  ttlMs: number; // the lifetime given at the last sign-in or renewal
}

interface SessionBody {
  token: string;
  expires_in_s: number;
  ends_in_s: number;
}

const MIN_DELAY_MS = 500;

/** When to renew: with a third of the lifetime left; null when renewing cannot extend it. */
export function renewAt(s: StoredSession): number | null {
  if (s.endsAt <= s.expiresAt) return null;
  return s.expiresAt - s.ttlMs / 3;
}

export function loadSession(): StoredSession | null {
  try {
    const s = JSON.parse(localStorage.getItem(SESSION_KEY) ?? 'null');
    return s && typeof s.token === 'string' && typeof s.expiresAt === 'number' ? s : null;
  } catch {
    return null;
  }
}

export function sessionToken(): string | null {
  const s = loadSession();
  return s && s.expiresAt > Date.now() ? s.token : null;
}

function save(body: SessionBody): StoredSession {
  const now = Date.now();
  const s = {
    token: body.token,
    expiresAt: now + body.expires_in_s * 1000,
    endsAt: now + body.ends_in_s * 1000,
    ttlMs: body.expires_in_s * 1000
  };
  localStorage.setItem(SESSION_KEY, JSON.stringify(s));
  return s;
}

export function forgetSession(): void {
  localStorage.removeItem(SESSION_KEY);
}

async function call(method: 'POST' | 'DELETE', path: string, token: string): Promise<Response> {
  let res: Response;
  try {
    res = await fetch(path, {method, headers: {Accept: 'application/json', Authorization: `Bearer ${token}`}});
  } catch (err) {
    throw new ApiError(`Network error: ${(err as Error).message}`, 0);
  }
  if (!res.ok) throw await problemOf(res, false);
  return res;
}

/** Create a session from the API token, which is not kept anywhere. */
export async function signIn(apiToken: string): Promise<void> {
  save(await (await call('POST', '/api/sessions', apiToken.trim())).json());
}

/** Sign out on the server (best effort: the session expires anyway) and forget the session. */
export async function signOut(): Promise<void> {
  const token = sessionToken();
  forgetSession();
  if (token) await call('DELETE', '/api/sessions/current', token).catch(() => undefined);
}

/**
 * Sign in from `#token=…` (or an API token older versions of the page stored), then send the
 * session token on every request. 'none': no session, show the sign-in; 'rejected': the token
 * given was refused.
 */
export async function openSession(onEnded: () => void): Promise<'ok' | 'none' | 'rejected'> {
  useCredential(sessionToken, () => ended(onEnded));
  let apiToken = takeTokenFromFragment();
  const legacy = localStorage.getItem(TOKEN_KEY);
  if (!apiToken && legacy?.startsWith('qd_') && !sessionToken()) apiToken = legacy;
  if (legacy?.startsWith('qd_')) localStorage.removeItem(TOKEN_KEY); // never keep an API token
  if (apiToken) {
    try {
      await signIn(apiToken);
    } catch (err) {
      if (err instanceof ApiError && (err.status === 401 || err.status === 403)) return 'rejected';
      throw err;
    }
  }
  if (!sessionToken()) return 'none';
  keepRenewed(() => ended(onEnded));
  return 'ok';
}

let endedOnce = false;
function ended(onEnded: () => void): void {
  if (endedOnce) return;
  endedOnce = true;
  window.clearTimeout(timer);
  forgetSession();
  onEnded();
}

let timer: number | undefined;

/** Renew before expiry, on a timer and whenever the page comes back (timers sleep with the laptop). */
function keepRenewed(onEnded: () => void): void {
  let busy = false; // one renewal at a time: a second one with the same token would be refused
  const tick = async (): Promise<void> => {
    if (busy) return;
    window.clearTimeout(timer);
    const s = loadSession();
    const now = Date.now();
    if (!s || s.expiresAt <= now) return onEnded();
    const at = renewAt(s);
    if (at === null) return schedule(s.expiresAt - now); // at its maximum: it ends then
    if (now < at) return schedule(at - now); // not yet (or another tab renewed it)
    busy = true;
    try {
      save(await (await call('POST', '/api/sessions/renew', s.token)).json());
      schedule(0);
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) {
        // Tabs share the session: if another one renewed first, ours was a replaced token.
        await new Promise(done => window.setTimeout(done, 1000));
        const other = loadSession();
        if (other && other.token !== s.token && other.expiresAt > Date.now()) schedule(0);
        else onEnded();
      } else {
        // offline or the server away: try again, while the session lasts
        schedule(Math.min(30_000, (s.expiresAt - Date.now()) / 4));
      }
    } finally {
      busy = false;
    }
  };
  const schedule = (ms: number) => {
    window.clearTimeout(timer);
    timer = window.setTimeout(() => void tick(), Math.max(MIN_DELAY_MS, ms));
  };
  const wake = () => {
    if (document.visibilityState === 'visible') void tick();
  };
  window.addEventListener('focus', wake);
  document.addEventListener('visibilitychange', wake);
  void tick();
}
