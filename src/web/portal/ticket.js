// One ticket's page: what was asked, where it stands, both clocks, the actions this user may take now, and its audit trail.
import { el, clockBadge, errorText, get, post, showFieldErrors, statusText, t, when, zh } from './common.js';

let unitOptions = null;

/** Every unit a ticket may go to: streets and townships by district, then departments and utilities. */
export async function unitSelect(id) {
  unitOptions ??= Promise.all([get('/api/units'), get('/api/handling-units')]).then(([tree, handling]) => [
    ...handling.units.length ? [{ label: t('portal.departments'), units: handling.units }] : [],
    ...tree.districts.map((d) => ({ label: d.name, units: d.units })),
  ]);
  const groups = await unitOptions;
  return el('select', { id, name: 'leadUnit' }, el('option', { value: '', text: t('form.choose') }),
    groups.map((g) => el('optgroup', { label: g.label }, g.units.map((u) => el('option', { value: u.code, text: u.name })))));
}

function field(name, labelKey, input) {
  return el('label', { class: 'field wide', 'data-field': name }, el('span', { text: t(labelKey) }), input, el('small', { class: 'field-error' }));
}

const textarea = (id, name) => el('textarea', { id, name, rows: 3, maxlength: 2000 });

/** The form for one action: its fields, a submit button, and where its errors show. */
async function actionForm(ticketId, action, done) {
  const fields = [];
  const read = {};
  const add = (name, labelKey, input, value = () => input.value) => { fields.push(field(name, labelKey, input)); read[name] = value; };
  switch (action) {
    case 'reply':
      add('result', 'portal.reply.result', textarea('reply-result', 'result'));
      add('actions', 'portal.reply.actions', textarea('reply-actions', 'actions'));
      break;
    case 'return': case 'dispute': case 'rework':
      add('reason', `portal.${action}.reason`, textarea(`${action}-reason`, 'reason'));
      break;
    case 'request_extension': {
      const amount = el('input', { id: 'extension-amount', name: 'amount', type: 'number', min: '0', step: '1' });
      add('amount', 'portal.extension.amount', amount, () => (amount.value === '' ? undefined : Number(amount.value)));
      add('reason', 'portal.extension.reason', textarea('extension-reason', 'reason'));
      break;
    }
    case 'reassign': case 'dispatch': {
      const select = await unitSelect(`${action}-unit`);
      add('leadUnit', 'portal.lead_unit', select);
      break;
    }
    case 'uphold':
      add('note', 'portal.uphold.note', textarea('uphold-note', 'note'));
      break;
    case 'add_note':
      add('note', 'portal.note', textarea('note-text', 'note'));
      break;
    case 'sign': case 'close': case 'approve_extension': case 'reject_extension':
      break;
    default:
      return null;
  }
  const message = el('p', { class: 'form-message', role: 'status' });
  const button = el('button', { type: 'submit', class: 'primary', id: `do-${action}`, text: t(`portal.action.${action}`) });
  const form = el('form', { class: `action action-${action}`, 'data-action': action, novalidate: true }, ...fields, el('div', { class: 'form-actions' }, message, button));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    button.disabled = true;
    message.textContent = '';
    const body = {};
    for (const [name, value] of Object.entries(read)) { const v = value(); if (v !== undefined && v !== '') body[name] = v; }
    const path = { request_extension: 'extension', approve_extension: 'extension/approve', reject_extension: 'extension/reject', add_note: 'notes' }[action] ?? action;
    try {
      await post(`/api/tickets/${encodeURIComponent(ticketId)}/${path}`, body);
      await done();
    } catch (error) {
      message.textContent = showFieldErrors(form, error);
      message.dataset.kind = 'error';
    } finally {
      button.disabled = false;
    }
  });
  return form;
}

function historyRow(e) {
  const d = e.details ?? {};
  const what = d.reason ?? d.result ?? d.note ?? d.answer ?? (d.leadUnit ? `→ ${d.leadUnit}` : '');
  return el('tr', {}, el('td', { class: 'mono', text: when(e.at) }), el('td', { text: `${e.actorName || e.actorId}${e.unitCode ? ` (${e.unitCode})` : ''}` }),
    el('td', { text: t(`portal.audit.${e.action}`) }), el('td', { text: e.from === e.to ? '' : `${e.from} → ${e.to}` }), el('td', { text: String(what) }));
}

export async function showTicket(ticketId, container, { onChange }) {
  let file;
  try {
    file = await get(`/api/tickets/${encodeURIComponent(ticketId)}/handling`);
  } catch (error) {
    container.replaceChildren(el('p', { class: 'form-error', role: 'alert', text: errorText(error) }));
    return;
  }
  const x = file.ticket;
  const d = file.dispatch;
  const facts = [
    ['history.number', x.number], ['history.status', statusText(x)], ['history.category', x.categoryLabel],
    ['portal.urgency', zh() ? x.urgencyLabel : x.urgency], ['form.address', [x.address, x.community].filter(Boolean).join(' ')],
    ['form.contactName', x.confidential ? t('portal.confidential') : x.contactName ?? ''], ['form.contactPhone', x.confidential ? '' : x.contactPhone ?? ''],
    ['portal.last_reason', x.lastReason ?? ''],
  ];
  const parts = [
    el('h2', {}, `${t('portal.ticket')} ${x.number} `, el('span', { class: 'status-badge', id: 'ticket-status', text: statusText(x) })),
    el('dl', { class: 'facts' }, facts.flatMap(([k, v]) => [el('dt', { text: t(k) }), el('dd', { text: v || '—' })])),
    el('p', { class: 'description', text: x.description }),
  ];
  if (d) {
    parts.push(el('dl', { class: 'facts' },
      el('dt', { text: t('portal.lead_unit') }), el('dd', { text: d.leadUnitName }),
      el('dt', { text: t('portal.cooperating') }), el('dd', { text: d.cooperating.map((c) => c.name).join('、') || '—' }),
      el('dt', { text: t('portal.accept_by') }), el('dd', {}, clockBadge(d.acceptBy, d.clockStatus.acceptance)),
      el('dt', { text: t('portal.complete_by') }), el('dd', {}, clockBadge(d.completeBy, d.clockStatus.completion)),
      el('dt', { text: t('portal.reply.result') }), el('dd', { text: d.replyResult ?? '—' }),
      el('dt', { text: t('portal.reply.actions') }), el('dd', { text: d.replyActions ?? '—' }),
      ...(d.pendingExtension ? [el('dt', { text: t('portal.extension.pending') }), el('dd', { text: `${d.pendingExtension.amount} · ${d.pendingExtension.reason}` })] : [])));
  }
  const forms = (await Promise.all(file.allowedActions.map((a) => actionForm(x.id, a, async () => { await showTicket(ticketId, container, { onChange }); onChange(); })))).filter(Boolean);
  if (forms.length) parts.push(el('h3', { text: t('portal.actions') }), el('div', { class: 'actions' }, forms));
  parts.push(el('h3', { text: t('portal.history') }), el('table', { class: 'grid history-trail' },
    el('thead', {}, el('tr', {}, ['portal.audit.when', 'portal.audit.who', 'portal.audit.what', 'history.status', 'portal.audit.details'].map((k) => el('th', { text: t(k) })))),
    el('tbody', {}, file.history.map(historyRow))));
  container.replaceChildren(...parts);
}
