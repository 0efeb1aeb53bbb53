// 审计 Audit: every administrative change and every refused attempt, searched by actor, action and time, with
// what changed (before and after), and the same search exported as CSV.
import { el, get, t, tOr, query, when, errorText, pager, table, fromLocalInput, toLocalInput, fill, add } from './common.js';

const filters = { actor: '', action: '', from: undefined, to: undefined, offset: 0, limit: 50 };
const ACTIONS = [
  'user.create', 'user.update', 'user.disable', 'user.enable', 'user.reset_password', 'user.sign_out', 'users.import',
  'unit.create', 'unit.update', 'unit.retire', 'unit.restore', 'calendar.put', 'categories.update', 'lines.update',
  'agent.skills', 'knowledge.create', 'knowledge.update', 'knowledge.retire', 'do_not_call.add', 'do_not_call.remove',
];

export default { titleKey: 'adm.audit.title', mount };

const actionText = (action) => tOr(`adm.action.${action}`, action);

function details(entry) {
  const show = (label, value) => (value === null || value === undefined ? null
    : el('div', {}, el('strong', {}, t(label)), el('pre', { class: 'json' }, JSON.stringify(value, null, 1))));
  return el('details', {}, el('summary', {}, t('adm.audit.details')), show('adm.audit.before', entry.before), show('adm.audit.after', entry.after));
}

async function mount(root) {
  const list = el('div', { id: 'audit-list' });
  const inputs = {
    actor: el('input', { id: 'audit-actor', value: filters.actor, placeholder: t('adm.audit.actor'), maxlength: 64 }),
    action: el('select', { id: 'audit-action' }, el('option', { value: '' }, t('adm.audit.all_actions')),
      ACTIONS.map((a) => el('option', { value: a, selected: a === filters.action }, actionText(a)))),
    from: el('input', { id: 'audit-from', type: 'datetime-local', value: toLocalInput(filters.from) }),
    to: el('input', { id: 'audit-to', type: 'datetime-local', value: toLocalInput(filters.to) }),
  };
  const exportLink = el('a', { class: 'button', id: 'audit-export', download: 'admin-audit.csv' }, t('adm.export_csv'));
  const searchQuery = () => query({ actor: filters.actor, action: filters.action, from: filters.from, to: filters.to });
  async function load() {
    exportLink.href = `/api/admin/audit/export.csv${searchQuery()}`;
    try {
      const r = await get(`/api/admin/audit${query(filters)}`);
      fill(list, 
        table(['adm.audit.at', 'adm.audit.actor', 'adm.audit.client', 'adm.audit.action', 'adm.audit.target', 'adm.audit.outcome', 'adm.audit.reason', ''],
          r.entries.map((e) => el('tr', { 'data-action': e.action, 'data-outcome': e.outcome },
            el('td', {}, when(e.at)), el('td', { class: 'mono' }, e.actor), el('td', { class: 'mono' }, e.client ?? ''),
            el('td', {}, actionText(e.action)), el('td', { class: 'mono' }, e.target ?? ''),
            el('td', {}, el('span', { class: `tag tag-${e.outcome === 'ok' ? 'ok' : 'bad'}` }, t(`adm.audit.outcome.${e.outcome}`))),
            el('td', { class: 'mono' }, e.reason ?? ''), el('td', {}, details(e)))), { id: 'audit-table' }),
        r.entries.length ? null : el('p', { class: 'muted empty' }, t('adm.none_found')),
        pager({ total: r.total, offset: filters.offset, limit: filters.limit }, (offset) => { filters.offset = offset; void load(); }));
    } catch (error) { fill(list, el('p', { class: 'bar-error', role: 'alert' }, errorText(error))); }
  }
  const search = (event) => {
    event?.preventDefault();
    Object.assign(filters, { actor: inputs.actor.value.trim(), action: inputs.action.value, from: fromLocalInput(inputs.from.value), to: fromLocalInput(inputs.to.value), offset: 0 });
    void load();
  };
  inputs.action.addEventListener('change', search);
  add(root, 
    el('form', { class: 'filters', id: 'audit-filters', onsubmit: search }, inputs.actor, inputs.action,
      el('label', { class: 'inline' }, el('span', {}, t('adm.audit.from')), inputs.from),
      el('label', { class: 'inline' }, el('span', {}, t('adm.audit.to')), inputs.to),
      el('button', { type: 'submit', id: 'audit-search' }, t('adm.search')), el('span', { class: 'spacer' }), exportLink),
    list);
  await load();
}
