// The admin console: sign-in (the shared form and its forced password change), the role check, and the
// sections reached by hash (#accounts, #agents, #units, #reference, #calendar, #lines, #knowledge, #audit).
// Admins change everything; a supervisor reads every section and changes only what the server lets them
// (agents' skills, knowledge articles).
import './words.js';
import { setCsrfToken } from '../desktop/api.js';
import { t, getLang, setLang, applyI18n, onLangChange } from '../i18n.js';
import { $, el, get, post, session, errorText, ApiError } from './common.js';
import accounts from './accounts.js';
import agents from './agents.js';
import units from './units.js';
import categories from './categories.js';
import calendar from './calendar.js';
import lines from './lines.js';
import knowledge from './knowledge.js';
import audit from './audit.js';

const SECTIONS = { accounts, agents, units, reference: categories, calendar, lines, knowledge, audit };
const CONSOLE_ROLES = ['admin', 'supervisor'];
let current = null;

function sectionName() {
  const name = location.hash.replace(/^#/, '').split('?')[0];
  return Object.hasOwn(SECTIONS, name) ? name : 'accounts';
}

/** Builds the section named by the hash from scratch (also after a language switch). */
function show() {
  if (!session.me) return;
  const name = sectionName();
  const section = SECTIONS[name];
  for (const a of document.querySelectorAll('.admin-nav a')) {
    if (a.dataset.section === name) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
  }
  const role = session.me.user.role;
  const ctx = { role, admin: role === 'admin', me: session.me };
  const body = el('div', { class: 'section-body' });
  const root = el('section', { class: 'section', id: `section-${name}`, 'data-section': name },
    el('h1', { class: 'section-title' }, t(section.titleKey),
      ctx.admin ? null : el('small', { class: 'readonly-note' }, t(section.supervisorNoteKey ?? 'adm.readonly.note'))),
    body);
  $('section').replaceChildren(root);
  current = name;
  document.title = `${t(section.titleKey)} · ${t('adm.title')}`;
  Promise.resolve(section.mount(body, ctx)).catch((error) => {
    if (error instanceof ApiError && error.status === 401) showLogin(t('adm.session_ended'));
    else body.append(el('p', { class: 'bar-error', role: 'alert' }, errorText(error)));
  });
}

function showLogin(message) {
  session.me = null;
  $('login-view').hidden = false;
  $('admin-view').hidden = true;
  $('refused-view').hidden = true;
  $('logout').hidden = true;
  $('readonly-badge').hidden = true;
  $('who').textContent = '';
  $('login-error').textContent = message ?? '';
  $('login-username').focus();
}

function enter(me) {
  setCsrfToken(me.csrfToken);
  session.csrfToken = me.csrfToken;
  $('login-view').hidden = true;
  $('logout').hidden = false;
  $('who').textContent = `${me.user.displayName} (${me.user.username})`;
  if (!CONSOLE_ROLES.includes(me.user.role)) {
    session.me = null;
    $('admin-view').hidden = true;
    $('refused-view').hidden = false;
    return;
  }
  session.me = me;
  $('refused-view').hidden = true;
  $('admin-view').hidden = false;
  $('readonly-badge').hidden = me.user.role === 'admin';
  show();
}

async function boot() {
  applyI18n();
  document.title = t('adm.title');
  onLangChange(() => { applyI18n(); document.title = t('adm.title'); if (current) show(); });
  $('lang-switch').addEventListener('click', () => setLang(getLang() === 'zh' ? 'en' : 'zh'));
  $('logout').addEventListener('click', async () => { try { await post('/api/logout'); } catch { /* gone */ } location.reload(); });
  window.addEventListener('hashchange', show);
  // A request refused because the session ended (signed out elsewhere, disabled): back to the sign-in form.
  window.addEventListener('unhandledrejection', (event) => {
    if (event.reason instanceof ApiError && event.reason.status === 401) showLogin(t('adm.session_ended'));
  });
  $('login-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    $('login-error').textContent = '';
    $('login-submit').disabled = true;
    try {
      enter(await post('/api/login', { username: $('login-username').value.trim(), password: $('login-password').value }));
    } catch (error) {
      $('login-error').textContent = error instanceof ApiError && error.status === 401 ? t('login.failed') : errorText(error);
    } finally {
      $('login-submit').disabled = false;
    }
  });
  try {
    enter(await get('/api/me'));
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 401) console.error(error);
    showLogin();
  }
}

void boot();
