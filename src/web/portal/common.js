// Shared by the unit portal and the centre view: sign-in, the top bar, times in Beijing time, deadline badges, field errors.
import { get, post, setCsrfToken, ApiError } from '../desktop/api.js';
import { t, getLang, setLang, applyI18n, onLangChange } from '../i18n.js';

export const $ = (id) => document.getElementById(id);

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') node.className = v;
    else if (k === 'text') node.textContent = v;
    else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) if (c !== null && c !== undefined) node.append(c instanceof window.Node ? c : String(c));
  return node;
}

const TIME = new Intl.DateTimeFormat('zh-CN', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false });
export function when(ms) { return ms ? TIME.format(new Date(ms)).replaceAll('/', '-') : '—'; }

export const zh = () => getLang() !== 'en';

/** The state of one clock as a coloured badge: pending, warning, overdue, met, missed. */
export function clockBadge(due, state) {
  return el('span', { class: `clock clock-${state}`, 'data-clock': state, title: t(`clock.${state}`) }, when(due), ' ', el('small', { text: t(`clock.${state}`) }));
}

export function statusText(ticket) { return t(`portal.status.${ticket.status}`); }

export function errorText(error) {
  if (error instanceof ApiError && error.status) {
    const reason = error.body?.error?.context?.zh;
    return zh() ? reason || error.zh : error.en;
  }
  return t('error.network');
}

/** Puts each field error under its input (elements with data-field inside form); returns the text for the form's message. */
export function showFieldErrors(form, error) {
  for (const small of form.querySelectorAll('.field-error')) small.textContent = '';
  for (const f of form.querySelectorAll('[data-field]')) f.classList.remove('invalid');
  const details = error instanceof ApiError ? error.details : [];
  for (const d of details) {
    const field = form.querySelector(`[data-field="${window.CSS.escape(String(d.field))}"]`);
    if (!field) continue;
    field.classList.add('invalid');
    const small = field.querySelector('.field-error');
    if (small) small.textContent = zh() ? d.message : d.message_en || d.message;
  }
  return details.length ? t('portal.fix_fields') : errorText(error);
}

/** Signs in (or resumes the session) and calls start(me); the page title follows the language. */
export async function bootPortal({ titleKey, start, roles }) {
  const retitle = () => { applyI18n(); document.title = t(titleKey); };
  retitle();
  onLangChange(retitle);
  $('lang-switch').addEventListener('click', () => setLang(getLang() === 'zh' ? 'en' : 'zh'));
  $('logout').addEventListener('click', async () => { try { await post('/api/logout'); } catch { /* gone */ } location.reload(); });
  const begin = async (session) => {
    setCsrfToken(session.csrfToken);
    const me = await get('/api/portal/me');
    if (!roles.includes(me.user.role)) { $('login-error').textContent = t('portal.wrong_role'); showLogin(); return; }
    $('login-view').hidden = true;
    $('main-view').hidden = false;
    $('logout').hidden = false;
    $('who').textContent = `${me.unit ? `${me.unit.name} · ` : ''}${me.user.displayName}`;
    await start(me);
  };
  const showLogin = () => { $('login-view').hidden = false; $('main-view').hidden = true; $('logout').hidden = true; };
  $('login-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    $('login-error').textContent = '';
    $('login-submit').disabled = true;
    try {
      await begin(await post('/api/login', { username: $('login-username').value.trim(), password: $('login-password').value }));
    } catch (error) {
      $('login-error').textContent = error instanceof ApiError && error.status === 401 ? t('login.failed') : errorText(error);
    } finally {
      $('login-submit').disabled = false;
    }
  });
  try {
    await begin(await get('/api/me'));
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 401) console.error(error);
    showLogin();
  }
}

export { get, post, t };
