// The form's handling part: dispatch (the suggested lead unit, cooperating units, the urgency class with the
// deadlines the server computes on its business calendar), answer on the spot, or merge into an open ticket.
import { get } from './api.js';
import { t } from '../i18n.js';
import { createUnitPicker, loadUnitCatalog } from './unit-picker.js';

const $ = (id) => document.getElementById(id);
const URGENCIES = ['life_safety', 'utilities', 'general', 'complex'];
const TIME = new Intl.DateTimeFormat('zh-CN', { timeZone: 'Asia/Shanghai', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false });
export const deadlineText = (ms) => TIME.format(new Date(ms)).replaceAll('/', '-');

function option(value, label) {
  const o = document.createElement('option');
  o.value = value;
  o.textContent = label;
  return o;
}

export function createDispatchPart({ onChange }) {
  const lead = createUnitPicker({ prefix: 'lead', onChange: () => { leadTouched = true; onChange(); } });
  const cooperating = createUnitPicker({ prefix: 'coop', multi: true, onChange });
  let suggestion = null;
  let leadTouched = false;
  let urgencyTouched = false;
  let merge = null;             // { ticketId, number } once the agent chose to merge
  let asked = '';
  let deadlineAsked = '';

  loadUnitCatalog().then((units) => { lead.setCatalog(units); cooperating.setCatalog(units); }).catch(() => {});

  function fillUrgencies() {
    const keep = $('f-urgency').value;
    $('f-urgency').replaceChildren(option('', t('form.choose')), ...URGENCIES.map((u) => option(u, t(`desk.urgency.${u}`))));
    $('f-urgency').value = keep;
  }

  function mode() {
    if (merge) return 'merge';
    return document.querySelector('input[name="handlingMode"]:checked')?.value ?? 'dispatch';
  }

  function renderMode() {
    const m = mode();
    $('dispatch-fields').hidden = m !== 'dispatch';
    $('answer-fields').hidden = m !== 'answer';
    $('merge-chosen').hidden = m !== 'merge';
    for (const r of document.querySelectorAll('input[name="handlingMode"]')) r.disabled = m === 'merge';
    $('merge-chosen-text').textContent = merge ? t('desk.merge.chosen', { number: merge.number }) : '';
  }

  function renderSuggestion() {
    $('suggested-unit').textContent = suggestion ? t('desk.suggested', { name: suggestion.name }) : t('desk.suggested.none');
    $('use-suggested').hidden = !suggestion;
    $('suggested-unit').dataset.code = suggestion?.unitCode ?? '';
  }

  async function showDeadlines() {
    const urgency = $('f-urgency').value;
    const box = $('deadlines');
    if (!urgency) { box.textContent = t('desk.deadlines.none'); deadlineAsked = ''; return; }
    deadlineAsked = urgency;
    try {
      const reply = await get(`/api/dispatch/deadlines?urgency=${encodeURIComponent(urgency)}`);
      if (deadlineAsked !== urgency) return;
      const c = reply.classes[0];
      box.dataset.acceptBy = String(c.acceptBy);
      box.dataset.completeBy = String(c.completeBy);
      // A year without its holidays in the calendar counts them as working days: the deadline comes out too early.
      const endYear = new Date(c.completeBy + 8 * 3_600_000).getUTCFullYear();   // the Shanghai year
      const unknown = (reply.calendarMissing ?? []).filter((year) => year <= endYear);
      box.dataset.calendarMissing = unknown.join(',');
      box.textContent = `${t('desk.accept_by')} ${deadlineText(c.acceptBy)} · ${t('desk.complete_by')} ${deadlineText(c.completeBy)}`
        + (unknown.length > 0 ? ` · ${t('desk.calendar_missing', { years: unknown.join('、') })}` : '');
    } catch {
      box.textContent = t('error.network');
    }
  }

  /** Asks for the suggested unit and urgency when the category or the place changed. */
  async function placeChanged({ category, townshipCode }) {
    const key = `${category}|${townshipCode}`;
    if (!category || !category.includes('/') || key === asked) return;
    asked = key;
    try {
      const params = new URLSearchParams({ category });
      if (townshipCode) params.set('townshipCode', townshipCode);
      const reply = await get(`/api/dispatch/suggestion?${params}`);
      if (asked !== key) return;
      suggestion = reply.suggestion;
      renderSuggestion();
      if (suggestion && !leadTouched) lead.set([suggestion.unitCode]);
      if (!urgencyTouched && reply.urgency) { $('f-urgency').value = reply.urgency; void showDeadlines(); }
      onChange();
    } catch {
      asked = '';
    }
  }

  for (const r of document.querySelectorAll('input[name="handlingMode"]')) r.addEventListener('change', renderMode);
  $('f-urgency').addEventListener('change', () => { urgencyTouched = true; void showDeadlines(); });
  $('use-suggested').addEventListener('click', () => { if (suggestion) { lead.set([suggestion.unitCode]); leadTouched = true; onChange(); } });
  $('merge-cancel').addEventListener('click', () => { merge = null; renderMode(); onChange(); });

  fillUrgencies();
  renderSuggestion();
  renderMode();
  void showDeadlines();
  // The deadlines run from the moment of sending: the preview follows the clock while the form stays open.
  setInterval(() => { if ($('f-urgency').value) { deadlineAsked = ''; void showDeadlines(); } }, 60_000);

  return {
    placeChanged,
    /** The handling choice as the server takes it (and as the draft keeps it). */
    read() {
      return {
        mode: mode(),
        urgency: $('f-urgency').value,
        leadUnit: lead.value()[0] ?? '',
        cooperatingUnits: cooperating.value(),
        answer: $('f-answer').value,
        ...(merge ? { masterId: merge.ticketId, masterNumber: merge.number } : {}),
        leadTouched, urgencyTouched,
      };
    },
    write(h = {}) {
      merge = h.masterId ? { ticketId: h.masterId, number: h.masterNumber ?? '' } : null;
      const m = URGENCIES.includes(h.urgency) ? h.urgency : '';
      $('f-urgency').value = m;
      const radio = document.querySelector(`input[name="handlingMode"][value="${h.mode === 'answer' || h.mode === 'none' ? h.mode : 'dispatch'}"]`);
      if (radio) radio.checked = true;
      lead.set(h.leadUnit ? [h.leadUnit] : []);
      cooperating.set(h.cooperatingUnits ?? []);
      $('f-answer').value = h.answer ?? '';
      leadTouched = h.leadTouched === true;
      urgencyTouched = h.urgencyTouched === true;
      suggestion = null; asked = '';
      lead.clear(); cooperating.clear();
      renderSuggestion(); renderMode(); void showDeadlines();
    },
    /** The body's `handling`: only what the chosen mode needs. */
    choice() {
      const h = this.read();
      const urgency = h.urgency ? { urgency: h.urgency } : {};
      if (h.mode === 'dispatch') return { mode: 'dispatch', leadUnit: h.leadUnit, cooperatingUnits: h.cooperatingUnits, ...urgency };
      if (h.mode === 'answer') return { mode: 'answer', answer: h.answer, ...urgency };
      if (h.mode === 'merge') return { mode: 'merge', masterId: h.masterId, ...urgency };
      return { mode: 'none', ...urgency };
    },
    mergeInto(candidate) { merge = { ticketId: candidate.ticketId, number: candidate.number }; renderMode(); onChange(); },
    /** Fills the answer from a knowledge article the agent chose, unless an answer is already written. */
    answerFrom(article) {
      if (!article || $('f-answer').value.trim()) return;
      $('f-answer').value = t('desk.answer.from_article', { title: article.title });
      onChange();
    },
    unitName: (code) => lead.label(code),
    relabel() { fillUrgencies(); renderSuggestion(); renderMode(); lead.relabel(); cooperating.relabel(); void showDeadlines(); },
  };
}
