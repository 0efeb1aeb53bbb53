// The intake form: fills from the call's draft, autosaves it (debounced) with the handling choices, offers
// merging into an open ticket, and saves the ticket dispatched, answered or merged in one step.
import { get, put, post, ApiError } from './api.js';
import { t, getLang } from '../i18n.js';
import { attachKbSuggest } from './kb-suggest.js';
import { createDispatchPart, deadlineText } from './dispatch-part.js';
import { createMergeOffer } from './merge-offer.js';

const $ = (id) => document.getElementById(id);
const TYPES = ['consultation', 'help', 'complaint', 'report', 'suggestion', 'praise'];
const AUTOSAVE_MS = 600;

function option(value, label) {
  const o = document.createElement('option');
  o.value = value;
  o.textContent = label;
  return o;
}

export function createTicketForm({ categories, units }) {
  let callId = null;
  let version = 0;
  let saved = false;
  let timer = null;
  let saving = Promise.resolve();
  let dirty = false;
  const zh = () => getLang() !== 'en';
  const label = (x) => (zh() ? x.zh ?? x.name : x.en ?? x.name_en ?? x.name);

  function fillSelect(select, items, keep) {
    const value = keep ? select.value : '';
    select.replaceChildren(option('', t('form.choose')), ...items.map(([v, l]) => option(v, l)));
    select.value = items.some(([v]) => v === value) ? value : '';
  }

  function fillTypes() { fillSelect($('f-type'), TYPES.map((c) => [c, t(`type.${c}`)]), true); }
  function fillGroups() { fillSelect($('f-category-group'), categories.map((g) => [g.code, label(g)]), true); }
  function fillItems(keep) {
    const group = categories.find((g) => g.code === $('f-category-group').value);
    fillSelect($('f-category-item'), (group?.items ?? []).map((i) => [i.code, label(i)]), keep);
  }
  function fillDistricts() { fillSelect($('f-district'), units.map((d) => [d.code, d.name]), true); }
  function fillTownships(keep) {
    const district = units.find((d) => d.code === $('f-district').value);
    fillSelect($('f-township'), (district?.units ?? []).map((u) => [u.code, u.name]), keep);
  }

  const part = createDispatchPart({ onChange: () => schedule() });
  const kb = attachKbSuggest($('f-description'), { onChoose: (article) => part.answerFrom(article) });
  const offer = createMergeOffer({ onMerge: (candidate) => part.mergeInto(candidate) });

  /** The server's suggestion and the merge offer follow the category and the place. */
  function placeChanged() {
    if (!callId || saved) return;
    const f = read();
    part.placeChanged({ category: f.category, townshipCode: f.townshipCode });
    offer.update({ callId, category: f.category, townshipCode: f.townshipCode, address: f.address });
  }

  function read() {
    const group = $('f-category-group').value;
    const item = $('f-category-item').value;
    return {
      type: $('f-type').value,
      category: group && item ? `${group}/${item}` : group,
      description: $('f-description').value,
      districtCode: $('f-district').value,
      townshipCode: $('f-township').value,
      address: $('f-address').value,
      contactName: $('f-contact-name').value,
      contactPhone: $('f-contact-phone').value,
      confidential: $('f-confidential-yes').checked,
      handling: part.read(),
    };
  }

  function write(data) {
    $('f-type').value = data.type ?? '';
    const [group = '', item = ''] = String(data.category ?? '').split('/');
    $('f-category-group').value = group;
    fillItems(false);
    $('f-category-item').value = item;
    $('f-description').value = data.description ?? '';
    $('f-district').value = data.districtCode ?? '';
    fillTownships(false);
    $('f-township').value = data.townshipCode ?? '';
    $('f-address').value = data.address ?? '';
    $('f-contact-name').value = data.contactName ?? '';
    $('f-contact-phone').value = data.contactPhone ?? '';
    $('f-confidential-yes').checked = data.confidential === true;
    $('f-confidential-no').checked = data.confidential !== true;
    part.write(data.handling);
  }

  function status(key, vars) { $('draft-status').textContent = key ? t(key, vars) : ''; }
  function message(text, kind) { const m = $('form-message'); m.textContent = text; m.dataset.kind = kind || ''; }

  function clearErrors() {
    for (const el of document.querySelectorAll('#ticket-form [data-field]')) {
      el.classList.remove('invalid');
      const small = el.querySelector('.field-error');
      if (small) small.textContent = '';
    }
  }

  function showErrors(details) {
    clearErrors();
    for (const d of details) {
      const el = document.querySelector(`#ticket-form [data-field="${window.CSS.escape(String(d.field).split('.')[0])}"]`);
      if (!el) continue;
      el.classList.add('invalid');
      const small = el.querySelector('.field-error');
      if (small) small.textContent = zh() ? d.message : d.message_en || d.message;
    }
  }

  async function saveDraft() {
    if (!callId || saved) return;
    const target = callId;
    const data = read();
    status('draft.saving');
    try {
      let result;
      try {
        result = await put(`/api/calls/${encodeURIComponent(target)}/draft`, { data, version });
      } catch (error) {
        if (!(error instanceof ApiError) || error.status !== 409) throw error;
        const server = await get(`/api/calls/${encodeURIComponent(target)}/draft`);
        result = await put(`/api/calls/${encodeURIComponent(target)}/draft`, { data, version: server.version });
      }
      if (target === callId) { version = result.version; dirty = false; status('draft.saved'); }
    } catch {
      if (target === callId) { status('draft.failed'); schedule(); }
    }
  }

  function schedule() {
    dirty = true;
    clearTimeout(timer);
    timer = setTimeout(() => { saving = saving.then(saveDraft); }, AUTOSAVE_MS);
  }

  async function flush() {
    clearTimeout(timer);
    if (dirty) saving = saving.then(saveDraft);
    await saving;
  }

  $('f-category-group').addEventListener('change', () => fillItems(false));
  $('f-district').addEventListener('change', () => fillTownships(false));
  $('ticket-form').addEventListener('input', schedule);
  $('ticket-form').addEventListener('change', schedule);
  $('ticket-form').addEventListener('input', placeChanged);
  $('ticket-form').addEventListener('change', placeChanged);
  $('ticket-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!callId || saved) return;
    await flush();
    clearErrors();
    message(t('form.saving'));
    $('save-ticket').disabled = true;
    try {
      const { handling, ...fields } = read();
      const ticket = await post('/api/tickets/intake', { callId, ...fields, handling: part.choice() });
      saved = true;
      kb.linkTicket(ticket.id).catch(() => {});
      offer.reset();
      $('ticket-fields').disabled = true;
      message(`${t('form.saved', { number: ticket.number })} · ${outcome(ticket, handling)}`, 'ok');
      status('');
    } catch (error) {
      if (error instanceof ApiError && error.details.length) showErrors(error.details);
      const text = error instanceof ApiError && error.status ? (zh() ? error.zh : error.en) : t('error.network');
      message(error instanceof ApiError && error.details.length ? t('desk.failed') : text, 'error');
    } finally {
      $('save-ticket').disabled = false;
    }
  });

  function outcome(ticket, handling) {
    if (ticket.status === 'dispatched' && ticket.dispatch) {
      const units = [ticket.dispatch.leadUnitName, ...ticket.dispatch.cooperating.map((c) => c.name)].join('、');
      return t('desk.saved.dispatched', { unit: units, accept: deadlineText(ticket.dispatch.acceptBy), complete: deadlineText(ticket.dispatch.completeBy) });
    }
    if (ticket.status === 'answered_directly') return t('desk.saved.answered');
    if (ticket.status === 'merged') return t('desk.saved.merged', { number: handling.masterNumber ?? '' });
    return t('desk.saved.intake');
  }

  fillTypes(); fillGroups(); fillItems(false); fillDistricts(); fillTownships(false);

  return {
    /** Opens the form for a call and restores whatever draft the server holds for it. */
    async open(nextCallId, { defaults = {} } = {}) {
      if (callId === nextCallId) return;
      if (callId) await flush();
      callId = nextCallId;
      version = 0; saved = false; dirty = false;
      clearErrors(); message(''); status('');
      write(defaults);
      kb.reset();
      offer.reset();
      $('ticket-fields').disabled = false;
      try {
        const draft = await get(`/api/calls/${encodeURIComponent(nextCallId)}/draft`);
        if (callId !== nextCallId) return;
        version = draft.version;
        if (draft.ticketNumber) {
          write(draft.data);
          saved = true;
          $('ticket-fields').disabled = true;
          message(t('form.saved', { number: draft.ticketNumber }), 'ok');
        } else if (draft.version > 0) {
          write(draft.data);
          status('draft.restored');
          placeChanged();
        }
      } catch (error) {
        message(error instanceof ApiError && error.status ? (zh() ? error.zh : error.en) : t('error.network'), 'error');
      }
    },
    current: () => callId,
    relabel() { fillTypes(); fillGroups(); fillItems(true); part.relabel(); offer.relabel(); },
    flush,
  };
}
