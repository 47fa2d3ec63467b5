// Small DOM helpers: element lookup, error banner, login box.

import {signIn} from './session';
import {t} from '../i18n';

export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`#${id} missing from the page`);
  return el as T;
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, c => `&#${c.charCodeAt(0)};`);
}

export function showError(message: string): void {
  byId('error-text').textContent = message;
  byId('error-banner').hidden = false;
}

export function hideError(): void {
  byId('error-banner').hidden = true;
}

export function initErrorBanner(): void {
  byId('error-close').addEventListener('click', hideError);
}

/** Show the paste-a-token box (with why, if a token was refused or the session ended); submitting
 * trades the token for a session (hq/session.ts) and reloads. */
export function showLogin(why: 'rejected' | 'expired' | null = null): void {
  const box = byId('login');
  const err = byId('login-error');
  err.textContent = why === 'rejected' ? t('login_rejected') : why === 'expired' ? t('session_expired') : '';
  err.hidden = why === null;
  box.hidden = false;
  byId('app').classList.add('locked');
  const form = byId<HTMLFormElement>('login-form');
  const input = byId<HTMLInputElement>('login-token');
  form.onsubmit = ev => {
    ev.preventDefault();
    const token = input.value.trim();
    if (!token) return;
    signIn(token).then(
      () => window.location.reload(),
      () => {
        err.textContent = t('login_rejected');
        err.hidden = false;
      }
    );
  };
  input.focus();
}
