// HQ's teams panel: every team with the coordinator its alerts go to (a select of the campaign's
// coordinators and admins, GET …/members), changed in place (PUT …/teams/{id}/coordinator), and a
// form to create a team with its coordinator (POST …/teams). The API's refusals (not a
// coordinator, no such team, a bad name) are shown under the form as it words them.

import {apiGet, apiSend, ApiError} from '../api';
import {t} from '../i18n';
import {byId} from './dom';
import {memberLabels, type HqMember} from './rules';

interface Team {
  id: number;
  name: string;
  members: number[];
  coordinator: string | null;
}

export function startTeams(campaign: string): {refreshText: () => void} {
  const base = `/api/campaigns/${encodeURIComponent(campaign)}`;
  const section = byId('teams');
  const list = byId('team-list');
  const note = byId('team-note');
  const form = byId<HTMLFormElement>('team-form');
  const name = byId<HTMLInputElement>('team-name');
  const pick = byId<HTMLSelectElement>('team-coordinator');
  let teams: Team[] = [];
  let members: HqMember[] = [];

  const say = (text: string) => (note.textContent = text);
  const failed = (err: unknown) => say(err instanceof ApiError ? err.message : String(err));

  function options(current: string | null): HTMLOptionElement[] {
    const labels = memberLabels(members);
    const out = [new Option(t('team_no_coordinator'), ''), ...members.map(m => new Option(labels.get(m.login)!, m.login))];
    if (current && !labels.has(current)) out.push(new Option(current, current)); // no longer HQ: still shown
    for (const o of out) o.selected = o.value === (current ?? '');
    return out;
  }

  function item(team: Team): HTMLLIElement {
    const li = document.createElement('li');
    li.dataset.team = String(team.id);
    const text = document.createElement('span');
    text.textContent = t('team_line', {team: team.name, members: team.members.length});
    const select = document.createElement('select');
    select.className = 'team-coordinator';
    select.setAttribute('aria-label', t('team_coordinator'));
    select.append(...options(team.coordinator));
    select.addEventListener('change', () => void setCoordinator(team, select));
    li.append(text, ' ', select);
    return li;
  }

  async function setCoordinator(team: Team, select: HTMLSelectElement): Promise<void> {
    select.disabled = true;
    let done: string | null = null;
    try {
      const saved = await apiSend<Team>('PUT', `${base}/teams/${team.id}/coordinator`, {coordinator: select.value || null});
      const label = memberLabels(members).get(saved.coordinator ?? '') ?? saved.coordinator;
      done = saved.coordinator ? t('team_coordinator_set', {team: saved.name, who: label ?? ''})
        : t('team_coordinator_cleared', {team: saved.name});
    } catch (err) {
      failed(err);
    }
    await load(); // the list as the server has it, a refused change undone
    select.disabled = false; // still the one shown if that reload failed: never leave it locked
    if (done) {
      // Said once the list shows it: whoever reads the note can use the list at once.
      say(done);
      section.dataset.saved = String(Date.now());
    }
  }

  form.addEventListener('submit', async ev => {
    ev.preventDefault();
    if (!name.value.trim()) {
      say(t('team_name_missing'));
      return;
    }
    try {
      const made = await apiSend<Team>('POST', `${base}/teams`, {name: name.value.trim(), coordinator: pick.value || null});
      say(t('team_created', {team: made.name}));
      name.value = '';
    } catch (err) {
      failed(err);
    }
    await load();
  });

  function render(): void {
    list.replaceChildren(...teams.map(item));
    pick.replaceChildren(...options(pick.value || null));
  }

  async function load(): Promise<void> {
    try {
      [teams, members] = await Promise.all([
        apiGet<Team[]>(`${base}/teams`),
        apiGet<HqMember[]>(`${base}/members?role=coordinator,admin`)
      ]);
    } catch (err) {
      if (err instanceof ApiError && err.status === 403) section.hidden = true; // not HQ
      else failed(err);
      return;
    }
    render();
    section.dataset.loaded = 'true';
  }

  void load();
  return {refreshText: render};
}
