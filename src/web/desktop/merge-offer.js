// The merge offer (并单): while the form is filled, the open tickets this request may repeat (same caller, or
// same place and category within the window), with "merge into this" and "do not merge".
import { get } from './api.js';
import { t, tOr } from '../i18n.js';

const $ = (id) => document.getElementById(id);
const DEBOUNCE_MS = 400;

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

export function createMergeOffer({ onMerge }) {
  let timer = null;
  let asked = '';
  let candidates = [];
  const dismissed = new Set();

  function render() {
    const shown = candidates.filter((c) => !dismissed.has(c.ticketId));
    $('merge-offers').hidden = shown.length === 0;
    $('merge-list').replaceChildren(...shown.map((c) => {
      const li = el('li', 'merge-candidate');
      li.dataset.ticket = c.ticketId;
      const button = el('button', 'merge-into', t('desk.merge.into'));
      button.type = 'button';
      button.addEventListener('click', () => { onMerge(c); dismissed.clear(); for (const x of candidates) dismissed.add(x.ticketId); render(); });
      li.append(
        el('span', 'mono', c.number), ' ',
        el('span', 'merge-reason', t(`desk.merge.reason.${c.reason}`)), ' ',
        el('span', 'merge-status', tOr(`ticket.status.${c.status}`, c.status)), ' ',
        el('span', 'merge-desc', c.description), ' ', button,
      );
      return li;
    }));
  }

  async function ask(q) {
    const params = new URLSearchParams({ callId: q.callId, category: q.category });
    if (q.townshipCode) params.set('townshipCode', q.townshipCode);
    if (q.address) params.set('address', q.address);
    const key = params.toString();
    if (key === asked) return;
    asked = key;
    try {
      const reply = await get(`/api/tickets/merge-offers?${params}`);
      if (asked === key) { candidates = reply.candidates ?? []; render(); }
    } catch {
      if (asked === key) asked = '';
    }
  }

  $('merge-dismiss').addEventListener('click', () => { for (const c of candidates) dismissed.add(c.ticketId); render(); });

  return {
    /** The form changed: ask again (debounced) once the caller, category and place are known. */
    update(q) {
      clearTimeout(timer);
      if (!q.callId || !q.category || !q.category.includes('/')) { candidates = []; render(); return; }
      timer = setTimeout(() => { void ask(q); }, DEBOUNCE_MS);
    },
    reset() { clearTimeout(timer); asked = ''; candidates = []; dismissed.clear(); render(); },
    relabel: render,
  };
}
