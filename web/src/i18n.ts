// Tiny FR/EN dictionary. Language: localStorage choice, else navigator.language.

export type Lang = 'fr' | 'en';
const LANG_KEY = 'quadriller.lang';

const en = {
  app_title: 'Quadriller — HQ map',
  layers: 'Layers',
  level_district: 'District',
  level_neighbourhood: 'Neighbourhood',
  level_polling_station: 'Polling station',
  metric: 'Colour polling stations by',
  metric_registered: 'Registered voters',
  metric_turnout: 'Turnout',
  metric_abstention_rate: 'Abstention rate',
  metric_priority: 'Priority (votes a visit can win)',
  metric_coverage: 'Volunteers there today',
  priority_rank: 'Priority rank',
  coverage_today: 'Volunteers there today',
  metric_list: 'Share: {name}',
  legend_no_data: 'no data',
  registered: 'Registered',
  voters: 'Voters',
  turnout: 'Turnout',
  abstention_rate: 'Abstention',
  leading_lists: 'Leading lists',
  code: 'Code',
  election: 'Election',
  search: 'Find a polling station',
  search_placeholder: 'Code or name, e.g. 18-60',
  search_none: 'No match',
  loading: 'Loading…',
  loaded_counts: '{district} districts · {neighbourhood} neighbourhoods · {polling_station} polling stations',
  login_title: 'Sign in',
  login_help: 'Paste the access token you were given.',
  login_token: 'Access token',
  login_submit: 'Open the map',
  login_rejected: 'This token was rejected. Paste a valid token.',
  logout: 'Sign out',
  campaign: 'Campaign',
  no_campaign: 'Your account belongs to no campaign.',
  role_admin: 'admin',
  role_coordinator: 'coordinator',
  role_volunteer: 'volunteer',
  selection: 'Selected area',
  selection_hint: 'Click an area to see its details.',
  close: 'Close',
  lang_switch: 'Passer en français',
  live: 'Live',
  live_volunteers: 'Volunteers',
  live_count_on_shift: 'Volunteers on shift',
  dispatch_title: 'Dispatch',
  dispatch_hint: 'Which team to send where, and why',
  dispatch_send: 'Send',
  dispatch_km: '{km} km',
  dispatch_no_position: 'no live position',
  dispatch_empty: 'No suggestion: no team, or every station is covered.',
  dispatch_sent: '{team} sent to {station}: their phones show it now.',
  target_title: 'Targeting',
  target_hint: "Build a target: the map's priority follows it",
  target_camp: 'Camp (lists)',
  target_mode: 'Mode',
  target_mode_mobilisation: 'Mobilisation',
  target_mode_persuasion: 'Persuasion',
  target_mode_model: 'Model',
  target_model: 'Fitted model (model mode)',
  target_no_model: 'No usable model: fit one (quadriller model fit)',
  target_pick_model: 'Pick a fitted model for the model mode',
  target_model_r2: 'R² {r2} (baseline {base})',
  target_moved: 'What moved the prediction most',
  target_near: 'Lists near the camp (persuasion)',
  target_factor: 'Farther than (m) from layer',
  target_min: 'At least (% of the station)',
  target_apply: 'Show',
  target_save: 'Use for dispatch',
  target_clear: 'Reset',
  target_pick_camp: 'Pick at least one list for the camp',
  target_saved: 'Saved: dispatch now uses this target',
  target_score: 'score',
  next_title: 'Where to go next',
  next_hint: 'Most abstainers, not canvassed today',
  next_abstainers: '{n} abstainers ({rate})',
  next_empty: 'Every polling station was canvassed today.',
  live_count_live: 'Live',
  live_count_stale: 'Stale',
  live_count_ppm: 'Pings / min',
  live_count_stations: 'Stations covered',
  live_connecting: 'Connecting to the live feed…',
  live_connected: 'Live feed connected',
  live_offline: 'Live feed offline',
  live_retry: 'Live feed offline — retrying in {s} s',
  live_denied: 'Live feed refused: {reason}',
  live_feed: 'Activity',
  live_feed_empty: 'No activity yet.',
  ev_joined: '{id} joined',
  ev_entered: '{id} entered station {ps}',
  ev_left: '{id} left station {ps}',
  ev_left_none: '{id} left their station',
  ev_stale: '{id} went stale',
  ev_gone: '{id} is gone',
  ev_shift_start: '{id} started a shift',
  ev_shift_end: '{id} ended their shift',
  ev_shift_end_hq: '{id}’s shift was ended by HQ',
  ev_shift_end_timeout: '{id}’s shift timed out',
  ev_paused: '{id} paused sharing',
  ev_resumed: '{id} resumed sharing',
  ev_report: '{id} reported {knocked} doors, {opened} opened, {contacts} contacts at {ps}',
  ev_report_none: '{id} reported {knocked} doors, {opened} opened, {contacts} contacts',
  live_count_doors: 'Doors knocked today',
  live_count_contacts: 'New contacts today',
  live_filter: 'Show volunteers of',
  live_filter_all: 'All districts and teams',
  live_filter_team: 'Team {team}',
  volunteer: 'Volunteer',
  team: 'Team',
  no_team: 'no team',
  battery: 'Battery',
  last_seen: 'Last seen',
  seconds_ago: '{s} s ago',
  accuracy: 'Accuracy',
  low_accuracy: 'low accuracy',
  stale: 'stale',
  hex_title: 'Volunteers in this cell',
  hex_live: 'Live',
  hex_stale: 'Stale',
  presence: 'Live presence',
  presence_title: 'Volunteers live in this cell',
  presence_res: 'H3 resolution',
  history: 'History',
  replay_day: 'Day',
  replay_from: 'From',
  replay_to: 'To',
  replay_to_hint: 'Empty: now',
  coverage: 'Coverage over the period',
  replay_play: 'Replay',
  replay_pause: 'Pause',
  replay_resume: 'Resume',
  replay_stop: 'Live',
  replay_speed: 'Replay speed',
  replay_slider: 'Replay time',
  replay_loading: 'Loading the period…',
  replay_loaded: '{volunteers} volunteers · {points} positions',
  replay_empty: 'No position recorded in this period.',
  replay_done: 'End of the recording.',
  replay_bad_period: 'The period must end after it starts, and not in the future.'
};

export type MessageKey = keyof typeof en;

const fr: Record<MessageKey, string> = {
  app_title: 'Quadriller — carte QG',
  layers: 'Couches',
  level_district: 'Arrondissement',
  level_neighbourhood: 'Quartier',
  level_polling_station: 'Bureau de vote',
  metric: 'Colorer les bureaux selon',
  metric_registered: 'Inscrits',
  metric_turnout: 'Participation',
  metric_abstention_rate: 'Taux d’abstention',
  metric_priority: 'Priorité (voix à gagner)',
  metric_coverage: 'Militants passés aujourd’hui',
  priority_rank: 'Rang de priorité',
  coverage_today: 'Militants passés aujourd’hui',
  metric_list: 'Part : {name}',
  legend_no_data: 'pas de données',
  registered: 'Inscrits',
  voters: 'Votants',
  turnout: 'Participation',
  abstention_rate: 'Abstention',
  leading_lists: 'Listes en tête',
  code: 'Code',
  election: 'Scrutin',
  search: 'Trouver un bureau de vote',
  search_placeholder: 'Code ou nom, ex. 18-60',
  search_none: 'Aucun résultat',
  loading: 'Chargement…',
  loaded_counts: '{district} arrondissements · {neighbourhood} quartiers · {polling_station} bureaux',
  login_title: 'Connexion',
  login_help: 'Collez le jeton d’accès qui vous a été remis.',
  login_token: 'Jeton d’accès',
  login_submit: 'Ouvrir la carte',
  login_rejected: 'Ce jeton a été refusé. Collez un jeton valide.',
  logout: 'Se déconnecter',
  campaign: 'Campagne',
  no_campaign: 'Votre compte n’appartient à aucune campagne.',
  role_admin: 'admin',
  role_coordinator: 'coordinateur',
  role_volunteer: 'bénévole',
  selection: 'Zone sélectionnée',
  selection_hint: 'Cliquez sur une zone pour voir le détail.',
  close: 'Fermer',
  lang_switch: 'Switch to English',
  live: 'En direct',
  live_volunteers: 'Bénévoles',
  live_count_on_shift: 'Bénévoles en service',
  dispatch_title: 'Envoi des équipes',
  dispatch_hint: 'Quelle équipe envoyer où, et pourquoi',
  dispatch_send: 'Envoyer',
  dispatch_km: '{km} km',
  dispatch_no_position: 'pas de position',
  dispatch_empty: 'Aucune suggestion : pas d’équipe, ou tous les bureaux sont couverts.',
  dispatch_sent: '{team} envoyée au bureau {station} : ses téléphones l’affichent déjà.',
  target_title: 'Ciblage',
  target_hint: 'Construire une cible : la priorité de la carte la suit',
  target_camp: 'Camp (listes)',
  target_mode: 'Mode',
  target_mode_mobilisation: 'Mobilisation',
  target_mode_persuasion: 'Persuasion',
  target_mode_model: 'Modèle',
  target_model: 'Modèle ajusté (mode modèle)',
  target_no_model: 'Aucun modèle utilisable : en ajuster un (quadriller model fit)',
  target_pick_model: 'Choisissez un modèle ajusté pour le mode modèle',
  target_model_r2: 'R² {r2} (référence {base})',
  target_moved: 'Ce qui a le plus pesé sur la prédiction',
  target_near: 'Listes proches du camp (persuasion)',
  target_factor: 'À plus de (m) de la couche',
  target_min: 'Au moins (% du bureau)',
  target_apply: 'Afficher',
  target_save: 'Utiliser pour le dispatch',
  target_clear: 'Réinitialiser',
  target_pick_camp: 'Choisissez au moins une liste pour le camp',
  target_saved: 'Enregistré : le dispatch utilise cette cible',
  target_score: 'score',
  next_title: 'Où aller ensuite',
  next_hint: 'Le plus d’abstentionnistes, pas encore visités aujourd’hui',
  next_abstainers: '{n} abstentionnistes ({rate})',
  next_empty: 'Tous les bureaux ont été visités aujourd’hui.',
  live_count_live: 'En direct',
  live_count_stale: 'Inactifs',
  live_count_ppm: 'Positions / min',
  live_count_stations: 'Bureaux couverts',
  live_connecting: 'Connexion au direct…',
  live_connected: 'Direct connecté',
  live_offline: 'Direct hors ligne',
  live_retry: 'Direct hors ligne — nouvel essai dans {s} s',
  live_denied: 'Direct refusé : {reason}',
  live_feed: 'Activité',
  live_feed_empty: 'Aucune activité pour l’instant.',
  ev_joined: '{id} a rejoint',
  ev_entered: '{id} est entré au bureau {ps}',
  ev_left: '{id} a quitté le bureau {ps}',
  ev_left_none: '{id} a quitté son bureau',
  ev_stale: '{id} ne répond plus',
  ev_gone: '{id} est parti',
  ev_shift_start: '{id} a pris son service',
  ev_shift_end: '{id} a terminé son service',
  ev_shift_end_hq: 'Le QG a mis fin au service de {id}',
  ev_shift_end_timeout: 'Le service de {id} a expiré',
  ev_paused: '{id} a mis le partage en pause',
  ev_resumed: '{id} a repris le partage',
  ev_report: '{id} : {knocked} portes, {opened} ouvertes, {contacts} contacts au bureau {ps}',
  ev_report_none: '{id} : {knocked} portes, {opened} ouvertes, {contacts} contacts',
  live_count_doors: 'Portes frappées aujourd’hui',
  live_count_contacts: 'Nouveaux contacts aujourd’hui',
  live_filter: 'Afficher les bénévoles de',
  live_filter_all: 'Tous arrondissements et équipes',
  live_filter_team: 'Équipe {team}',
  volunteer: 'Bénévole',
  team: 'Équipe',
  no_team: 'sans équipe',
  battery: 'Batterie',
  last_seen: 'Vu il y a',
  seconds_ago: '{s} s',
  accuracy: 'Précision',
  low_accuracy: 'précision faible',
  stale: 'inactif',
  hex_title: 'Bénévoles dans cette maille',
  hex_live: 'En direct',
  hex_stale: 'Inactifs',
  presence: 'Présence en direct',
  presence_title: 'Bénévoles en direct dans cette maille',
  presence_res: 'Résolution H3',
  history: 'Historique',
  replay_day: 'Jour',
  replay_from: 'De',
  replay_to: 'À',
  replay_to_hint: 'Vide : maintenant',
  coverage: 'Couverture sur la période',
  replay_play: 'Rejouer',
  replay_pause: 'Pause',
  replay_resume: 'Reprendre',
  replay_stop: 'Direct',
  replay_speed: 'Vitesse de relecture',
  replay_slider: 'Heure de la relecture',
  replay_loading: 'Chargement de la période…',
  replay_loaded: '{volunteers} bénévoles · {points} positions',
  replay_empty: 'Aucune position enregistrée sur cette période.',
  replay_done: 'Fin de l’enregistrement.',
  replay_bad_period: 'La période doit finir après son début, et pas dans le futur.'
};

const dictionaries: Record<Lang, Record<MessageKey, string>> = {en, fr};

function initialLang(): Lang {
  const stored = localStorage.getItem(LANG_KEY);
  if (stored === 'fr' || stored === 'en') return stored;
  return (navigator.language || 'en').toLowerCase().startsWith('fr') ? 'fr' : 'en';
}

let current: Lang = initialLang();
const listeners: (() => void)[] = [];

export function getLang(): Lang {
  return current;
}

export function setLang(lang: Lang): void {
  current = lang;
  localStorage.setItem(LANG_KEY, lang);
  document.documentElement.lang = lang;
  for (const fn of listeners) fn();
}

export function toggleLang(): void {
  setLang(current === 'fr' ? 'en' : 'fr');
}

export function onLangChange(fn: () => void): void {
  listeners.push(fn);
}

/** Translate `key`, filling `{name}` placeholders from `vars`. */
export function t(key: MessageKey, vars: Record<string, string | number> = {}): string {
  const s = dictionaries[current][key] ?? en[key] ?? key;
  return s.replace(/\{(\w+)\}/g, (m, k) => (k in vars ? String(vars[k]) : m));
}

const locale = () => (current === 'fr' ? 'fr-FR' : 'en-GB');

export function fmtInt(n: number | null | undefined): string {
  return n === null || n === undefined ? '—' : new Intl.NumberFormat(locale()).format(Math.round(n));
}

export function fmtPct(x: number | null | undefined, digits = 1): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '—';
  return new Intl.NumberFormat(locale(), {
    style: 'percent',
    minimumFractionDigits: digits,
    maximumFractionDigits: digits
  }).format(x);
}

/** Fill every element carrying data-i18n / data-i18n-placeholder / data-i18n-title. */
export function applyStaticText(root: ParentNode = document): void {
  root.querySelectorAll<HTMLElement>('[data-i18n]').forEach(el => {
    el.textContent = t(el.dataset.i18n as MessageKey);
  });
  root.querySelectorAll<HTMLInputElement>('[data-i18n-placeholder]').forEach(el => {
    el.placeholder = t(el.dataset.i18nPlaceholder as MessageKey);
  });
  root.querySelectorAll<HTMLElement>('[data-i18n-title]').forEach(el => {
    el.title = t(el.dataset.i18nTitle as MessageKey);
  });
  document.title = t('app_title');
  document.documentElement.lang = current;
}
