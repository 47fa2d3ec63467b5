// Small DOM helpers: element lookup, error banner, login box.

import {setToken} from '../api';
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

/** Show the paste-a-token box; submitting stores the token and reloads. */
export function showLogin(rejected = false): void {
  const box = byId('login');
  const err = byId('login-error');
  err.textContent = rejected ? t('login_rejected') : '';
  err.hidden = !rejected;
  box.hidden = false;
  byId('app').classList.add('locked');
  const form = byId<HTMLFormElement>('login-form');
  const input = byId<HTMLInputElement>('login-token');
  form.onsubmit = ev => {
    ev.preventDefault();
    const token = input.value.trim();
    if (!token) return;
    setToken(token);
    window.location.reload();
  };
  input.focus();
}
