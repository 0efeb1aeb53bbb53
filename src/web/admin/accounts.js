// 账号 Accounts: search and filters, paging with the total, create, edit, disable/enable, reset the password
// (the one-time password shown once), sign out everywhere; the CSV import and export below (import.js).
import {
  $, el, get, post, patch, t, query, when, errorText, showFieldErrors, note, pager, table, confirmAction, openDialog,
  copyText, loadDesks, deskSelect, roleText, fill, add,
} from './common.js';
import { mountImport } from './import.js';

const ROLES = ['agent', 'supervisor', 'unit', 'admin'];
const filters = { q: '', role: '', unit: '', desk: '', state: '', offset: 0, limit: 50 };

export default { titleKey: 'adm.accounts.title', mount };

function stateText(u) {
  if (u.disabled) return el('span', { class: 'tag tag-bad', 'data-state': 'disabled' }, t('adm.state.disabled'));
  if (u.mustChangePassword) return el('span', { class: 'tag tag-warn', 'data-state': 'must_change' }, t('adm.state.must_change'));
  return el('span', { class: 'tag tag-ok', 'data-state': 'active' }, t('adm.state.active'));
}

/** The one-time password, shown once with a copy button. */
export function showOneTimePassword(username, password) {
  openDialog((close) => {
    const value = el('input', { id: 'otp-value', class: 'otp-value mono', readonly: true, value: password, 'aria-label': t('adm.otp.title') });
    const copied = el('span', { class: 'muted', id: 'otp-copied' });
    return el('div', { class: 'otp' },
      el('h2', {}, t('adm.otp.title')),
      el('p', {}, t('adm.otp.for', { username })),
      el('div', { class: 'otp-row' }, value,
        el('button', { type: 'button', id: 'otp-copy', onclick: async () => { copied.textContent = (await copyText(password, value)) ? t('adm.otp.copied') : t('adm.otp.copy_failed'); } }, t('adm.otp.copy')),
        copied),
      el('p', { class: 'warn-text', id: 'otp-once' }, t('adm.otp.once')),
      el('div', { class: 'dialog-actions' }, el('button', { type: 'button', class: 'primary', id: 'otp-close', onclick: close }, t('adm.otp.done'))));
  }, { id: 'otp-dialog' });
}

function parseSkills(text) {
  const skills = {};
  for (const part of text.split(/[;；,，]/).map((p) => p.trim()).filter(Boolean)) {
    const [name, level] = part.split(/[:：]/).map((p) => p.trim());
    const n = level === undefined ? 3 : Number(level);
    if (!/^[a-z0-9_-]{1,32}$/.test(name || '') || !Number.isInteger(n) || n < 1 || n > 5) return null;
    skills[name] = n;
  }
  return skills;
}

const field = (name, key, input, hint) => el('label', { class: 'field', 'data-field': name },
  el('span', {}, t(key)), input, hint ? el('small', { class: 'muted' }, t(hint)) : null, el('small', { class: 'field-error' }));

/** The create (user undefined) or edit dialog. */
async function editDialog(user, done) {
  const { desks } = await loadDesks();
  openDialog((close) => {
    const creating = !user;
    const role = user?.role ?? 'agent';
    const roleSel = el('select', { id: 'acc-role', disabled: !creating }, ROLES.map((r) => el('option', { value: r, selected: r === role }, roleText(r))));
    const inputs = {
      username: el('input', { id: 'acc-username', value: user?.username ?? '', disabled: !creating, maxlength: 32, required: true, autocomplete: 'off' }),
      displayName: el('input', { id: 'acc-display-name', value: user?.displayName ?? '', maxlength: 64, required: true }),
      seat: el('input', { id: 'acc-seat', value: user?.seat ?? '', maxlength: 40 }),
      desk: deskSelect(desks, user?.desk ?? '', 'adm.none', { id: 'acc-desk' }),
      skills: el('input', { id: 'acc-skills', placeholder: 'general:3;market:2', maxlength: 400 }),
      unitCode: el('input', { id: 'acc-unit', value: user?.unitCode ?? '', maxlength: 32 }),
      password: el('input', { id: 'acc-password', type: 'password', maxlength: 256, autocomplete: 'new-password' }),
    };
    const message = el('p', { class: 'form-error', role: 'alert' });
    const others = el('ul', { class: 'error-list' });
    const form = el('form', { class: 'adm-form', id: 'account-form', novalidate: true },
      el('h2', {}, t(creating ? 'adm.accounts.create' : 'adm.accounts.edit')),
      field('username', 'adm.f.username', inputs.username, creating ? 'adm.f.username.hint' : null),
      field('displayName', 'adm.f.display_name', inputs.displayName),
      field('role', 'adm.f.role', roleSel),
      el('div', { class: 'agent-only' }, field('seat', 'adm.f.seat', inputs.seat), field('desk', 'adm.f.desk', inputs.desk),
        creating ? field('skills', 'adm.f.skills', inputs.skills, 'adm.f.skills.hint') : null),
      el('div', { class: 'unit-only' }, field('unitCode', 'adm.f.unit_code', inputs.unitCode)),
      creating ? field('password', 'adm.f.password', inputs.password, 'adm.f.password.hint') : null,
      message, others,
      el('div', { class: 'dialog-actions' },
        el('button', { type: 'button', onclick: close }, t('adm.cancel')),
        el('button', { type: 'submit', class: 'primary', id: 'account-save' }, t('adm.save'))));
    const byRole = () => {
      form.querySelector('.agent-only').hidden = roleSel.value !== 'agent';
      form.querySelector('.unit-only').hidden = roleSel.value !== 'unit';
    };
    roleSel.addEventListener('change', byRole);
    byRole();
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const r = roleSel.value;
      const body = {};
      const v = (k) => inputs[k].value.trim();
      if (creating) { body.username = v('username'); body.role = r; }
      if (creating || v('displayName') !== user.displayName) body.displayName = v('displayName');
      if (r === 'agent') {
        if (v('seat') && v('seat') !== (user?.seat ?? '')) body.seat = v('seat');
        if (inputs.desk.value !== (user?.desk ?? '')) body.desk = inputs.desk.value || (creating ? undefined : null);
        if (creating && v('skills')) {
          const skills = parseSkills(v('skills'));
          if (!skills) { form.querySelector('[data-field="skills"] .field-error').textContent = t('adm.f.skills.bad'); return; }
          body.skills = skills;
        }
      }
      if (r === 'unit' && v('unitCode') && v('unitCode') !== (user?.unitCode ?? '')) body.unitCode = v('unitCode');
      if (creating && inputs.password.value) body.password = inputs.password.value;
      for (const k of Object.keys(body)) if (body[k] === undefined) delete body[k];
      if (!creating && Object.keys(body).length === 0) { close(); return; }
      try {
        const result = creating ? await post('/api/admin/users', body) : await patch(`/api/admin/users/${encodeURIComponent(user.id)}`, body);
        close();
        if (result.initialPassword) showOneTimePassword(result.user.username, result.initialPassword);
        done(t(creating ? 'adm.accounts.created' : 'adm.accounts.saved', { username: result.user.username }));
      } catch (error) {
        message.textContent = showFieldErrors(form, error, others);
      }
    });
    return form;
  }, { id: 'account-dialog' });
}

async function act(user, action, msg) {
  const path = `/api/admin/users/${encodeURIComponent(user.id)}/${action}`;
  const questions = { disable: 'adm.confirm.disable', 'reset-password': 'adm.confirm.reset', 'sign-out': 'adm.confirm.sign_out' };
  if (questions[action] && !(await confirmAction(t(questions[action], { username: user.username, name: user.displayName })))) return false;
  try {
    const result = await post(path);
    if (action === 'reset-password') showOneTimePassword(user.username, result.initialPassword);
    note(msg, 'ok', t(`adm.done.${action}`, { username: user.username }));
    return true;
  } catch (error) {
    note(msg, 'error', errorText(error));
    return false;
  }
}

function row(u, ctx, msg, reload) {
  const id = (a) => `acc-${a}-${u.username}`;
  const actions = ctx.admin ? el('td', { class: 'actions' },
    el('button', { type: 'button', id: id('edit'), 'data-action': 'edit', onclick: () => editDialog(u, (text) => { note(msg, 'ok', text); void reload(); }) }, t('adm.edit')),
    u.disabled
      ? el('button', { type: 'button', id: id('enable'), 'data-action': 'enable', onclick: async () => { if (await act(u, 'enable', msg)) void reload(); } }, t('adm.enable'))
      : el('button', { type: 'button', id: id('disable'), 'data-action': 'disable', class: 'danger', onclick: async () => { if (await act(u, 'disable', msg)) void reload(); } }, t('adm.disable')),
    el('button', { type: 'button', id: id('reset'), 'data-action': 'reset-password', onclick: async () => { if (await act(u, 'reset-password', msg)) void reload(); } }, t('adm.reset_password')),
    el('button', { type: 'button', id: id('signout'), 'data-action': 'sign-out', onclick: () => act(u, 'sign-out', msg) }, t('adm.sign_out'))) : null;
  return el('tr', { 'data-username': u.username },
    el('td', { class: 'mono' }, u.username), el('td', {}, u.displayName), el('td', {}, roleText(u.role)),
    el('td', { class: 'mono' }, u.seat ?? ''), el('td', {}, u.desk ?? ''), el('td', {}, u.unitName ?? u.unitCode ?? ''),
    el('td', {}, stateText(u)), el('td', {}, when(u.lastLoginAt)), actions);
}

async function mount(root, ctx) {
  const { desks } = await loadDesks();
  const msg = el('p', { class: 'note', id: 'accounts-note', role: 'status', hidden: true });
  const list = el('div', { id: 'accounts-list' });
  const inputs = {
    q: el('input', { id: 'acc-q', type: 'search', value: filters.q, placeholder: t('adm.accounts.search'), maxlength: 64 }),
    role: el('select', { id: 'acc-f-role' }, el('option', { value: '' }, t('adm.all_roles')), ROLES.map((r) => el('option', { value: r, selected: r === filters.role }, roleText(r)))),
    unit: el('input', { id: 'acc-f-unit', value: filters.unit, placeholder: t('adm.f.unit_code'), maxlength: 32, size: 10 }),
    desk: deskSelect(desks, filters.desk, 'adm.all_desks', { id: 'acc-f-desk' }),
    state: el('select', { id: 'acc-f-state' }, ['', 'active', 'disabled', 'must_change'].map((s) => el('option', { value: s, selected: s === filters.state }, t(s ? `adm.state.${s}` : 'adm.all_states')))),
  };
  async function load() {
    try {
      const r = await get(`/api/admin/users${query(filters)}`);
      fill(list, 
        table(['adm.f.username', 'adm.f.display_name', 'adm.f.role', 'adm.f.seat', 'adm.f.desk', 'adm.f.unit', 'adm.f.state', 'adm.f.last_login', ctx.admin ? 'adm.actions' : ''],
          r.users.map((u) => row(u, ctx, msg, load)), { id: 'accounts-table' }),
        r.users.length ? null : el('p', { class: 'muted empty' }, t('adm.none_found')),
        pager({ total: r.total, offset: filters.offset, limit: filters.limit }, (offset) => { filters.offset = offset; void load(); }));
    } catch (error) { fill(list, el('p', { class: 'bar-error', role: 'alert' }, errorText(error))); }
  }
  const search = (event) => {
    event?.preventDefault();
    Object.assign(filters, { q: inputs.q.value.trim(), role: inputs.role.value, unit: inputs.unit.value.trim(), desk: inputs.desk.value, state: inputs.state.value, offset: 0 });
    void load();
  };
  for (const k of ['role', 'desk', 'state']) inputs[k].addEventListener('change', search);
  const importPanel = el('div', { class: 'panel import-panel', id: 'import-panel', hidden: true });
  add(root, 
    el('form', { class: 'filters', id: 'accounts-filters', onsubmit: search },
      inputs.q, inputs.role, inputs.unit, inputs.desk, inputs.state,
      el('button', { type: 'submit', id: 'acc-search' }, t('adm.search')),
      el('span', { class: 'spacer' }),
      ctx.admin ? el('button', { type: 'button', class: 'primary', id: 'acc-new', onclick: () => editDialog(undefined, (text) => { note(msg, 'ok', text); void load(); }) }, t('adm.accounts.create')) : null,
      ctx.admin ? el('button', { type: 'button', id: 'acc-import', onclick: () => { importPanel.hidden = !importPanel.hidden; } }, t('adm.import.open')) : null,
      el('a', { class: 'button', id: 'acc-export', href: '/api/admin/users/export.csv', download: 'accounts.csv' }, t('adm.export_csv'))),
    importPanel, msg, list);
  if (ctx.admin) mountImport(importPanel, () => { filters.offset = 0; void load(); });
  await load();
  if ($('acc-q')) inputs.q.focus();
}
