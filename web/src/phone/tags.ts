// The campaign's closed vocabulary of topics (GET /tags), shown as checkboxes: a volunteer picks
// topics, never types about a person.

import {apiGet} from '../api';
import {getLang} from '../i18n';

export interface Tag {
  tag: string;
  label_fr: string;
  label_en: string;
}

let vocabulary: Tag[] = [];

export async function loadTags(campaign: string): Promise<void> {
  try {
    vocabulary = (await apiGet<{tags: Tag[]}>(`/api/campaigns/${encodeURIComponent(campaign)}/tags`)).tags;
  } catch {
    vocabulary = []; // offline at start: no topics to pick until the next load
  }
}

/** Render the vocabulary as checkboxes in the container `id`, keeping what was ticked. */
export function renderTags(id: string): void {
  const box = document.getElementById(id)!;
  const ticked = new Set(checkedTags(id));
  box.replaceChildren(...vocabulary.map(t => {
    const label = document.createElement('label');
    label.className = 'tag';
    const input = document.createElement('input');
    input.type = 'checkbox';
    input.value = t.tag;
    input.checked = ticked.has(t.tag);
    const span = document.createElement('span');
    span.textContent = getLang() === 'fr' ? t.label_fr : t.label_en;
    label.append(input, span);
    return label;
  }));
}

export function checkedTags(id: string): string[] {
  return [...document.querySelectorAll<HTMLInputElement>(`#${id} input:checked`)].map(i => i.value);
}

export function clearTags(id: string): void {
  document.querySelectorAll<HTMLInputElement>(`#${id} input:checked`).forEach(i => (i.checked = false));
}
