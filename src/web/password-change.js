// The forced password change, shared by every page through desktop/api.js: a session signed in with a one-time
// password (set by an administrator) must set a new one before anything else (POST /api/me/password).
import { DICTIONARY, t, getLang, onLangChange } from './i18n.js';

const WORDS = {
  zh: {
    'pwc.title': '设置新密码',
    'pwc.intro': '您正在使用管理员设置的一次性密码。请先设置自己的新密码，然后才能继续使用系统。',
    'pwc.current': '当前密码（一次性密码）',
    'pwc.new': '新密码',
    'pwc.again': '再次输入新密码',
    'pwc.policy': '密码要求：',
    'pwc.policy.length': '至少 10 个字符；',
    'pwc.policy.username': '不能是用户名，也不能包含用户名；',
    'pwc.policy.common': '不能是常见密码，也不能是连续或重复的数字、字母或键盘序列（如 1234567890、qwertyuiop、aaaaaaaaaa）；',
    'pwc.policy.same': '不能与当前密码相同。',
    'pwc.mismatch': '两次输入的新密码不一致',
    'pwc.submit': '保存新密码',
    'pwc.saving': '保存中…',
    'pwc.logout': '退出登录',
    'pwc.failed': '未能修改密码，请检查标红字段',
    'pwc.network': '网络错误，请稍后重试',
  },
  en: {
    'pwc.title': 'Set a new password',
    'pwc.intro': 'You signed in with a one-time password set by an administrator. Set your own password before you go on.',
    'pwc.current': 'Current (one-time) password',
    'pwc.new': 'New password',
    'pwc.again': 'New password again',
    'pwc.policy': 'The password must:',
    'pwc.policy.length': 'have at least 10 characters;',
    'pwc.policy.username': 'not be the username nor contain it;',
    'pwc.policy.common': 'not be a common password nor a run or repetition of digits, letters or keys (such as 1234567890, qwertyuiop, aaaaaaaaaa);',
    'pwc.policy.same': 'differ from the current password.',
    'pwc.mismatch': 'The two new passwords differ',
    'pwc.submit': 'Save the new password',
    'pwc.saving': 'Saving…',
    'pwc.logout': 'Sign out',
    'pwc.failed': 'The password was not changed: see the fields in red',
    'pwc.network': 'Network error, please try again',
  },
};
for (const lang of ['zh', 'en']) for (const [k, v] of Object.entries(WORDS[lang])) DICTIONARY[lang][k] ??= v;

/** True when a /api/login or /api/me answer says the password must be changed first. */
export function mustChangePassword(session) {
  return Boolean(session && (session.mustChangePassword || session.user?.mustChangePassword));
}

let pending = null;

function node(tag, attrs = {}, ...children) {
  const n = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'text') n.textContent = v; else if (k === 'class') n.className = v; else n.setAttribute(k, v);
  }
  n.append(...children);
  return n;
}

function field(id, key, name) {
  return node('label', { class: 'pwc-field', 'data-field': name },
    node('span', { 'data-pwc': key, text: t(key) }),
    node('input', { id, type: 'password', autocomplete: name === 'currentPassword' ? 'current-password' : 'new-password', required: '', maxlength: '256' }),
    node('small', { class: 'pwc-error', 'data-for': name }));
}

function ensureStyles() {
  if (document.querySelector('link[data-pwc-style]')) return;
  document.head.append(node('link', { rel: 'stylesheet', href: '/password-change.css', 'data-pwc-style': '' }));
}

/**
 * Shows the 设置新密码 form over the page and resolves once the password is changed.
 * `submit(body)` posts to /api/me/password (throws the API's error); `logout()` ends the session.
 */
export function askForNewPassword({ submit, logout }) {
  if (pending) return pending;
  pending = new Promise((resolve) => {
    ensureStyles();
    const policy = node('ul', { class: 'pwc-policy' },
      ...['pwc.policy.length', 'pwc.policy.username', 'pwc.policy.common', 'pwc.policy.same'].map((k) => node('li', { 'data-pwc': k, text: t(k) })));
    const error = node('p', { class: 'pwc-form-error', role: 'alert', id: 'pwc-error' });
    const save = node('button', { type: 'submit', class: 'primary', id: 'pwc-submit', 'data-pwc': 'pwc.submit', text: t('pwc.submit') });
    const out = node('button', { type: 'button', id: 'pwc-logout', 'data-pwc': 'pwc.logout', text: t('pwc.logout') });
    const form = node('form', { class: 'pwc-card', id: 'pwc-form', novalidate: '' },
      node('h1', { 'data-pwc': 'pwc.title', text: t('pwc.title') }),
      node('p', { class: 'pwc-intro', 'data-pwc': 'pwc.intro', text: t('pwc.intro') }),
      field('pwc-current', 'pwc.current', 'currentPassword'), field('pwc-new', 'pwc.new', 'newPassword'), field('pwc-again', 'pwc.again', 'again'),
      node('p', { class: 'pwc-policy-title', 'data-pwc': 'pwc.policy', text: t('pwc.policy') }), policy, error,
      node('div', { class: 'pwc-actions' }, out, save));
    const overlay = node('div', { class: 'pwc-overlay', id: 'password-change', role: 'dialog', 'aria-modal': 'true', 'aria-labelledby': 'pwc-title' }, form);
    form.querySelector('h1').id = 'pwc-title';
    document.body.append(overlay);
    const stop = onLangChange(() => { for (const e of overlay.querySelectorAll('[data-pwc]')) e.textContent = t(e.getAttribute('data-pwc')); });
    const value = (id) => form.querySelector(`#${id}`).value;
    const show = (name, text) => {
      const small = form.querySelector(`[data-for="${name}"]`);
      small.textContent = small.textContent ? `${small.textContent} ${text}` : text;
      small.closest('[data-field]').classList.add('invalid');
    };
    const clear = () => {
      error.textContent = '';
      for (const s of form.querySelectorAll('.pwc-error')) s.textContent = '';
      for (const f of form.querySelectorAll('[data-field]')) f.classList.remove('invalid');
    };
    out.addEventListener('click', async () => { try { await logout(); } catch { /* gone already */ } location.reload(); });
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      clear();
      if (value('pwc-new') !== value('pwc-again')) { show('again', t('pwc.mismatch')); error.textContent = t('pwc.failed'); return; }
      save.disabled = true;
      save.textContent = t('pwc.saving');
      try {
        await submit({ currentPassword: value('pwc-current'), newPassword: value('pwc-new') });
        stop();
        overlay.remove();
        pending = null;
        resolve();
      } catch (e) {
        const en = getLang() === 'en';
        const details = Array.isArray(e?.details) ? e.details : [];
        for (const d of details) show(d.field === 'newPassword' || d.field === 'currentPassword' ? d.field : 'newPassword', en ? d.message_en || d.message : d.message);
        error.textContent = details.length ? t('pwc.failed') : (en ? e?.en : e?.zh) || t('pwc.network');
      } finally {
        save.disabled = false;
        save.textContent = t('pwc.submit');
      }
    });
    form.querySelector('#pwc-current').focus();
  });
  return pending;
}
