// The screen pop: who is calling, on which line, how long they waited, and their recent tickets.
import { t, tOr } from '../i18n.js';

const $ = (id) => document.getElementById(id);

function duration(ms) {
  const s = Math.max(0, Math.round((ms || 0) / 1000));
  return `${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
}

function clock(at) {
  if (!at) return '';
  const d = new Date(at);
  return d.toLocaleTimeString('zh-CN', { hour12: false, timeZone: 'Asia/Shanghai' });
}

function day(at) {
  return new Date(at).toLocaleDateString('sv-SE', { timeZone: 'Asia/Shanghai' });
}

const OPEN = new Set(['intake', 'dispatched', 'accepted', 'replied', 'returned', 'disputed']);

export function createPopView({ categoryLabel, onNote = () => {} }) {
  let pop = null;
  let ended = false;

  function renderHistory() {
    const rows = $('history-rows');
    rows.replaceChildren();
    const history = pop?.history ?? [];
    $('history-none').hidden = !pop || history.length > 0;
    for (const ticket of history) {
      const tr = document.createElement('tr');
      const cells = [
        ticket.number,
        day(ticket.createdAt),
        tOr(`type.${ticket.type}`, ticket.type),
        categoryLabel(ticket.category),
        tOr(`ticket.status.${ticket.status}`, ticket.status),
        ticket.description,
      ];
      cells.forEach((text, i) => {
        const td = document.createElement('td');
        td.textContent = text ?? '';
        if (i === 0) td.className = 'mono';
        if (i === 5) { td.className = 'desc'; td.title = text ?? ''; }
        tr.append(td);
      });
      const action = document.createElement('td');
      if (OPEN.has(ticket.status)) {
        const button = document.createElement('button');
        button.type = 'button';
        button.className = 'note-open';
        button.dataset.ticket = ticket.id;
        button.textContent = t('desk.note.add');
        button.addEventListener('click', () => onNote(ticket, pop));
        action.append(button);
      }
      tr.dataset.ticket = ticket.id;
      tr.append(action);
      rows.append(tr);
    }
  }

  function render() {
    $('pop').dataset.active = pop && !ended ? 'true' : 'false';
    $('pop-empty').hidden = !!pop;
    $('pop-body').hidden = !pop;
    if (pop) {
      $('pop-number').textContent = pop.callerNumber;
      $('pop-name').textContent = pop.callerName || '';
      $('pop-line').textContent = pop.lineName && pop.lineName !== pop.line ? `${pop.lineName} (${pop.line})` : pop.line;
      $('pop-waited').textContent = duration(pop.waitedMs);
      $('pop-answered').textContent = clock(pop.answeredAt);
      const state = $('pop-call-state');
      state.textContent = ended ? t('pop.ended') : t('pop.live');
      state.dataset.ended = ended ? 'true' : 'false';
    }
    renderHistory();
  }

  return {
    show(next, { ended: isEnded = false } = {}) { pop = next; ended = isEnded; render(); },
    ended(callId) { if (pop && pop.callId === callId) { ended = true; render(); } },
    clear() { pop = null; ended = false; render(); },
    current() { return pop; },
    render,
  };
}
