// The new-contact form, opened by a door's "new contact" outcome: name, phone and/or e-mail,
// topics from the campaign's vocabulary, a support level, and the consent box under the text
// the person is shown (versioned, FR/EN, from the server). No box ticked, nothing is stored,
// here or on the server. Saved contacts go through the phone's outbox (sent once).

import {apiGet} from '../api';
import {getLang} from '../i18n';
import {tr} from './messages';
import {Outbox, uuid4} from './outbox';
import {checkedTags, renderTags} from './tags';

interface ConsentText {
  version: string;
  fr: string;
  en: string;
}

interface ContactBody {
  name: string;
  phone?: string;
  email?: string;
  topics: string[];
  support?: number;
  consent: {version: string; lang: 'fr' | 'en'; agreed: true};
  address?: number;
  client_id: string;
}

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;

export class ContactForm {
  private text: ConsentText | null = null;
  private address: number | null = null;
  private outbox: Outbox<ContactBody>;
  private readonly textKey: string;

  constructor(campaign: string) {
    const base = `/api/campaigns/${encodeURIComponent(campaign)}/contacts`;
    this.textKey = `quadriller.phone.${campaign}.contact_consent`;
    this.outbox = new Outbox<ContactBody>(`quadriller.phone.${campaign}.contacts`, base, (waiting, refused) => {
      $('contact-status').textContent = refused ?? (waiting ? tr('contact_waiting', {n: waiting}) : '');
    });
    $('contact-form').addEventListener('submit', ev => {
      ev.preventDefault();
      this.save();
    });
    $('c-cancel').addEventListener('click', () => this.close());
    try {
      this.text = JSON.parse(localStorage.getItem(this.textKey) ?? 'null') as ConsentText | null;
    } catch {
      this.text = null;
    }
    void apiGet<ConsentText>(`${base}/consent-text`).then(t => {
      this.text = t; // kept on the phone, so that the form works offline
      localStorage.setItem(this.textKey, JSON.stringify(t));
      this.render();
    }).catch(() => undefined);
    void this.outbox.flush();
  }

  open(address: number | null): void {
    this.address = address;
    ($<HTMLFormElement>('contact-form')).reset();
    $('contact').hidden = false;
    this.render();
    $('contact').scrollIntoView({behavior: 'smooth', block: 'start'});
  }

  private close(): void {
    $('contact').hidden = true;
  }

  render(): void {
    renderTags('c-tags');
    $('c-consent-text').textContent = this.text ? (getLang() === 'fr' ? this.text.fr : this.text.en) : '';
  }

  private save(): void {
    const val = (id: string) => $<HTMLInputElement>(id).value.trim();
    const err = (key: Parameters<typeof tr>[0]) => {
      $('contact-status').textContent = tr(key);
    };
    if (!$<HTMLInputElement>('c-consent').checked || !this.text) return err('contact_no_consent');
    if (!val('c-name')) return err('contact_no_name');
    if (!val('c-phone') && !val('c-email')) return err('contact_no_way');
    const body: ContactBody = {
      name: val('c-name'), topics: checkedTags('c-tags'), client_id: uuid4(),
      consent: {version: this.text.version, lang: getLang() === 'fr' ? 'fr' : 'en', agreed: true}
    };
    if (val('c-phone')) body.phone = val('c-phone');
    if (val('c-email')) body.email = val('c-email');
    if (val('c-support')) body.support = Number(val('c-support'));
    if (this.address !== null) body.address = this.address;
    this.outbox.add(body);
    $('contact-status').textContent = tr('contact_saved');
    this.close();
  }
}
