// The centre's review desk for supervisors: returned and disputed tickets, replies to close or send back, extension requests.
import './words.js';
import { $, el, bootPortal, errorText, get, zh } from './common.js';
import { onLangChange } from '../i18n.js';
import { mountNotices } from './notices.js';
import { showTicket } from './ticket.js';

const QUEUES = {
  intake: (x) => x.suggestedUnit?.name ?? '—',
  returned: (x) => x.lastReason ?? '',
  disputed: (x) => x.lastReason ?? '',
  replied: (x) => x.dispatch?.replyResult ?? '',
  extensions: (x) => (x.dispatch?.pendingExtension ? `${x.dispatch.pendingExtension.amount} · ${x.dispatch.pendingExtension.reason}` : ''),
};

let loading;
let again = false;

/** Reads the queues again; a call while a reading is under way brings one more reading after it, not one each. */
async function loadQueues() {
  if (loading) { again = true; return loading; }
  loading = readQueues();
  try { await loading; } finally { loading = undefined; }
  if (again) { again = false; await loadQueues(); }
}

async function readQueues() {
  $('inbox-error').textContent = '';
  try {
    const centre = await get('/api/portal/centre');
    for (const [name, last] of Object.entries(QUEUES)) {
      const section = $(`queue-${name}`);
      const rows = centre[name].map((x) => el('tr', { 'data-ticket': x.id },
        el('td', { class: 'mono' }, el('a', { href: `#ticket/${x.id}`, text: x.number })),
        el('td', { text: x.categoryLabel }), el('td', { text: x.description }),
        el('td', { text: x.dispatch?.leadUnitName ?? '—' }), el('td', { text: last(x) })));
      section.querySelector('tbody').replaceChildren(...rows);
      section.querySelector('.none').hidden = rows.length > 0;
    }
  } catch (error) {
    $('inbox-error').textContent = errorText(error);
  }
}

/** A year the deadlines may run into without its holidays in the calendar: named until it is configured. */
async function showCalendarWarning() {
  try {
    const coverage = await get('/api/dispatch/calendar');
    const box = $('calendar-warning');
    box.hidden = coverage.warning === null;
    box.dataset.missing = coverage.missing.join(',');
    box.textContent = coverage.warning ? (zh() ? coverage.warning.text : coverage.warning.text_en) : '';
  } catch (error) {
    $('inbox-error').textContent = errorText(error);
  }
}

async function route() {
  const m = /^#ticket\/(.+)$/.exec(location.hash);
  $('inbox-view').hidden = Boolean(m);
  $('ticket-view').hidden = !m;
  if (m) await showTicket(decodeURIComponent(m[1]), $('ticket-body'), { onChange: () => {} });
  else await loadQueues();
}

void bootPortal({
  titleKey: 'centre.title',
  roles: ['supervisor', 'agent'],
  async start() {
    $('refresh').addEventListener('click', loadQueues);
    $('back').addEventListener('click', (e) => { e.preventDefault(); location.hash = ''; });
    window.addEventListener('hashchange', route);
    const notices = mountNotices({
      path: '/ws/centre',
      readUrl: '/api/centre/notices/read',
      // A reply, a return, a dispute or an extension request changes the queues: the open ones are read again.
      onNotice: () => { if (!$('inbox-view').hidden) void loadQueues(); },
    });
    onLangChange(() => { notices.relabel(); void route(); void showCalendarWarning(); });
    await Promise.all([route(), showCalendarWarning()]);
  },
});
