// HQ's "people and rights" page (/rights): invites with their QR code, contacts (filtered, CSV
// export), who consented to location sharing, the campaign's topics, and the audit trail. Every
// read here goes through the API, which audits contacts and exports.

import '../style.css';
import {apiGet, apiPost, fetchMe, getToken, pickCampaign} from '../api';
import {openSession} from './session';
import {getLang, onLangChange, toggleLang} from '../i18n';

const en = {
  title: 'People and rights', back: 'Back to the map', invites: 'Invites', invite_make: 'Make an invite link',
  team: 'team (optional)', contacts: 'Contacts', any_tag: 'any topic', station: 'polling station', show: 'Show',
  export: 'Export CSV', consents: 'Consent to location sharing', tags: 'Topics (closed vocabulary)',
  tags_upload: 'Replace from a CSV (tag, label_fr, label_en)', audit: 'Audit trail (last 7 days)',
  used: 'used by {who}', unused: 'unused, until {when}', none: 'none'
};
const fr: typeof en = {
  title: 'Personnes et droits', back: 'Retour à la carte', invites: 'Invitations', invite_make: 'Créer un lien d’invitation',
  team: 'équipe (facultatif)', contacts: 'Contacts', any_tag: 'tout sujet', station: 'bureau de vote', show: 'Afficher',
  export: 'Exporter en CSV', consents: 'Accord au partage de position', tags: 'Sujets (vocabulaire fermé)',
  tags_upload: 'Remplacer depuis un CSV (tag, label_fr, label_en)', audit: 'Journal des accès (7 derniers jours)',
  used: 'utilisée par {who}', unused: 'non utilisée, jusqu’au {when}', none: 'aucun'
};
type Key = keyof typeof en;
const tr = (k: Key, vars: Record<string, string> = {}) =>
  (getLang() === 'fr' ? fr : en)[k].replace(/\{(\w+)\}/g, (m, v) => vars[v] ?? m);
const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;

let base = '';

function table(id: string, head: string[], rows: (string | number | null)[][]): void {
  const t = $(id);
  const tr_ = (cells: (string | number | null)[], tag: 'th' | 'td') => {
    const row = document.createElement('tr');
    for (const c of cells) {
      const cell = document.createElement(tag);
      cell.textContent = c === null ? '' : String(c);
      row.append(cell);
    }
    return row;
  };
  t.replaceChildren(tr_(head, 'th'), ...rows.map(r => tr_(r, 'td')));
}

function translate(): void {
  document.documentElement.lang = getLang();
  document.querySelectorAll<HTMLElement>('[data-r]').forEach(el => (el.textContent = tr(el.dataset.r as Key)));
  document.querySelectorAll<HTMLInputElement>('[data-rp]').forEach(el => (el.placeholder = tr(el.dataset.rp as Key)));
}

async function guarded(work: () => Promise<void>): Promise<void> {
  try {
    $('error').textContent = '';
    await work();
  } catch (err) {
    $('error').textContent = (err as Error).message;
  }
}

async function loadInvites(): Promise<void> {
  const rows = await apiGet<any[]>(`${base}/invites`);
  table('inv-list', ['#', 'role', 'team', 'created', 'status'], rows.map(i => [
    i.id, i.role, i.team, i.created_at.slice(0, 16),
    i.used_at ? tr('used', {who: i.used_by ?? '—'}) : tr('unused', {when: i.expires_at.slice(0, 16)})]));
}

function contactQuery(): string {
  const q = new URLSearchParams();
  if ($<HTMLSelectElement>('cf-tag').value) q.set('tag', $<HTMLSelectElement>('cf-tag').value);
  if ($<HTMLInputElement>('cf-station').value.trim()) q.set('station', $<HTMLInputElement>('cf-station').value.trim());
  q.set('since', $<HTMLInputElement>('cf-since').value || new Date(Date.now() - 30 * 86400e3).toISOString().slice(0, 10));
  return q.toString();
}

async function loadContacts(): Promise<void> {
  const got = await apiGet<{contacts: any[]}>(`${base}/contacts?${contactQuery()}`);
  table('contact-list', ['#', 'name', 'phone', 'e-mail', 'topics', 'support', 'station', 'consent', 'date'],
    got.contacts.map(c => [c.id, c.name, c.phone, c.email, c.topics.join(' '), c.support, c.station,
                          `${c.consent_version} (${c.consent_lang})`, c.created_at.slice(0, 10)]));
}

async function exportContacts(): Promise<void> {
  const res = await fetch(`${base}/contacts/export.csv?${contactQuery()}`, {headers: {Authorization: `Bearer ${getToken()}`}});
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  const a = document.createElement('a');
  a.href = URL.createObjectURL(await res.blob());
  a.download = 'contacts.csv';
  a.click();
  URL.revokeObjectURL(a.href);
}

async function loadTags(): Promise<void> {
  const v = await apiGet<{tags: {tag: string; label_fr: string; label_en: string}[]}>(`${base}/tags`);
  table('tag-list', ['tag', 'FR', 'EN'], v.tags.map(t => [t.tag, t.label_fr, t.label_en]));
  const select = $<HTMLSelectElement>('cf-tag');
  select.replaceChildren(select.options[0], ...v.tags.map(t => new Option(getLang() === 'fr' ? t.label_fr : t.label_en, t.tag)));
}

/** A plain CSV (comma or semicolon, a header line): the server checks every tag again. */
async function uploadTags(file: File): Promise<void> {
  const lines = (await file.text()).split(/\r?\n/).filter(l => l.trim());
  const sep = lines[0].includes(';') ? ';' : ',';
  const head = lines[0].split(sep).map(h => h.trim());
  const tags = lines.slice(1).map(l => {
    const cells = l.split(sep).map(c => c.trim());
    return {tag: cells[head.indexOf('tag')], label_fr: cells[head.indexOf('label_fr')], label_en: cells[head.indexOf('label_en')]};
  });
  const res = await fetch(`${base}/tags`, {method: 'PUT', body: JSON.stringify({tags}),
    headers: {Authorization: `Bearer ${getToken()}`, 'Content-Type': 'application/json'}});
  if (!res.ok) throw new Error((await res.json()).detail ?? `HTTP ${res.status}`);
  await loadTags();
}

async function boot(): Promise<void> {
  // As on the map: the API token becomes a session at once; sign-in happens on the map.
  const toMap = () => window.location.assign(`/${window.location.search}`);
  if ((await openSession(toMap)) !== 'ok') return toMap();
  const me = await fetchMe();
  const slug = pickCampaign(me)!;
  const role = me.campaigns.find(c => c.slug === slug)?.role;
  base = `/api/campaigns/${encodeURIComponent(slug)}`;
  $<HTMLAnchorElement>('back').href = `/?campaign=${encodeURIComponent(slug)}`;
  $('audit').hidden = role !== 'admin';
  await Promise.all([loadInvites(), loadTags(), loadContacts()]);
  const consents = await apiGet<any[]>(`${base}/consents`);
  table('consent-list', ['name', 'role', 'version', 'agreed', 'withdrawn'], consents.map(c => [
    c.name, c.role, c.version ?? tr('none'), c.agreed_at?.slice(0, 16) ?? null, c.withdrawn_at?.slice(0, 16) ?? null]));
  if (role === 'admin') {
    const since = new Date(Date.now() - 7 * 86400e3).toISOString();
    const audit = await apiGet<{reads: any[]}>(`${base}/audit?since=${encodeURIComponent(since)}`);
    table('audit-list', ['when', 'who', 'what', 'scope'], audit.reads.map(r => [
      r.at.slice(0, 19), r.login ?? '—', r.action, JSON.stringify(r.scope)]));
  }
}

$('lang-toggle').addEventListener('click', () => toggleLang());
onLangChange(translate);
$('invite-form').addEventListener('submit', ev => {
  ev.preventDefault();
  void guarded(async () => {
    const body: Record<string, string> = {role: $<HTMLSelectElement>('inv-role').value};
    if ($<HTMLInputElement>('inv-team').value.trim()) body.team = $<HTMLInputElement>('inv-team').value.trim();
    const made = await apiPost<{url: string; qr_svg: string}>(`${base}/invites`, body);
    $<HTMLAnchorElement>('inv-url').href = made.url;
    $('inv-url').textContent = made.url;
    $('inv-qr').innerHTML = made.qr_svg; // from our server (segno), not user input
    $('inv-made').hidden = false;
    await loadInvites();
  });
});
$('contact-filter').addEventListener('submit', ev => {
  ev.preventDefault();
  void guarded(loadContacts);
});
$('cf-export').addEventListener('click', () => void guarded(exportContacts));
$('tags-file').addEventListener('change', ev => {
  const f = (ev.target as HTMLInputElement).files?.[0];
  if (f) void guarded(() => uploadTags(f));
});
translate();
void guarded(boot);
