// The phone page's words, FR/EN; the language choice is shared with HQ's page (../i18n).

import {getLang} from '../i18n';

const en = {
  title: 'Quadriller — volunteer',
  token_label: 'Your access code',
  sign_in: 'Sign in',
  bad_token: 'This access code is not valid.',
  no_campaign: 'This account belongs to no campaign.',
  who: '{name} · {campaign}',
  privacy_title: 'Your location, your choice',
  privacy_shift: 'Your location is shared with the campaign’s HQ only while your shift is on.',
  privacy_pause: 'You can pause sharing or end your shift at any time.',
  privacy_retention: 'Positions are kept {days} days, then only as counts per map cell. A shift left open ends after {hours} hours.',
  privacy_screen: 'This page shares only while it is open. For all-day tracking, use OwnTracks or Traccar Client.',
  consent: 'I agree to share my location during my shifts.',
  start: 'Start my shift',
  pause: 'Pause sharing',
  resume: 'Resume sharing',
  end: 'End my shift',
  fig_since: 'On shift since',
  fig_fix: 'Last position',
  fig_stored: 'Stored',
  fig_waiting: 'Waiting to send',
  fix_age: '{s} s ago, ±{acc} m',
  st_loading: 'Loading…',
  st_idle: 'Off shift: your location is not shared',
  st_connecting: 'Connecting…',
  st_on: 'On shift: sharing your location',
  st_paused: 'Paused: your location is not shared',
  st_offline: 'No connection: positions wait on this phone',
  st_ended: 'Shift ended: your location is not shared',
  st_ended_hq: 'HQ ended your shift: your location is not shared',
  st_ended_timeout: 'Your shift timed out: your location is not shared',
  st_denied: 'Refused: {reason}',
  geo_denied: 'Location permission is off for this page: allow it in the browser to share.',
  geo_unavailable: 'No position yet (no GPS signal?).',
  no_geolocation: 'This browser cannot share a location.',
  insecure: 'Browsers share a location only with https pages: ask HQ for the https address.',
  end_failed: 'Could not reach the server: your shift will end as soon as it is reachable.',
  assigned: 'Your team is sent to',
  directions: 'Directions'
};

type Key = keyof typeof en;

const fr: Record<Key, string> = {
  title: 'Quadriller — bénévole',
  token_label: 'Votre code d’accès',
  sign_in: 'Se connecter',
  bad_token: 'Ce code d’accès n’est pas valide.',
  no_campaign: 'Ce compte n’appartient à aucune campagne.',
  who: '{name} · {campaign}',
  privacy_title: 'Votre position, votre choix',
  privacy_shift: 'Votre position n’est partagée avec le QG de la campagne que pendant votre service.',
  privacy_pause: 'Vous pouvez suspendre le partage ou terminer votre service à tout moment.',
  privacy_retention: 'Les positions sont conservées {days} jours, puis seulement en comptages par maille. Un service resté ouvert se termine après {hours} heures.',
  privacy_screen: 'Cette page ne partage que tant qu’elle est ouverte. Pour toute la journée, utilisez OwnTracks ou Traccar Client.',
  consent: 'J’accepte de partager ma position pendant mes services.',
  start: 'Commencer mon service',
  pause: 'Suspendre le partage',
  resume: 'Reprendre le partage',
  end: 'Terminer mon service',
  fig_since: 'En service depuis',
  fig_fix: 'Dernière position',
  fig_stored: 'Enregistrées',
  fig_waiting: 'En attente d’envoi',
  fix_age: 'il y a {s} s, ±{acc} m',
  st_loading: 'Chargement…',
  st_idle: 'Hors service : votre position n’est pas partagée',
  st_connecting: 'Connexion…',
  st_on: 'En service : votre position est partagée',
  st_paused: 'En pause : votre position n’est pas partagée',
  st_offline: 'Pas de connexion : les positions attendent sur ce téléphone',
  st_ended: 'Service terminé : votre position n’est pas partagée',
  st_ended_hq: 'Le QG a mis fin à votre service : votre position n’est pas partagée',
  st_ended_timeout: 'Votre service a expiré : votre position n’est pas partagée',
  st_denied: 'Refusé : {reason}',
  geo_denied: 'La localisation est refusée pour cette page : autorisez-la dans le navigateur.',
  geo_unavailable: 'Pas encore de position (pas de signal GPS ?).',
  no_geolocation: 'Ce navigateur ne peut pas partager de position.',
  insecure: 'Les navigateurs ne partagent la position qu’avec les pages https : demandez l’adresse https au QG.',
  end_failed: 'Serveur injoignable : votre service se terminera dès qu’il sera joignable.',
  assigned: 'Votre équipe est envoyée au',
  directions: 'Itinéraire'
};

export type PhoneKey = Key;

export function isKey(k: string): k is Key {
  return k in en;
}

export function tr(key: Key, vars: Record<string, string | number> = {}): string {
  const s = (getLang() === 'fr' ? fr : en)[key];
  return s.replace(/\{(\w+)\}/g, (m, k) => (k in vars ? String(vars[k]) : m));
}
