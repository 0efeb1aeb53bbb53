// The unit portal: the unit's inbox with both deadlines, each ticket's page (#ticket/<id>), and the unit's notices pushed live.
import './words.js';
import { $, el, bootPortal, clockBadge, errorText, get, statusText, t } from './common.js';
import { onLangChange } from '../i18n.js';
import { showTicket } from './ticket.js';
import { mountNotices } from './notices.js';

async function loadInbox() {
  const params = new URLSearchParams({ status: $('filter-status').value });
  if ($('filter-overdue').checked) params.set('overdue', 'true');
  if ($('filter-history').checked) params.set('scope', 'all');
  $('inbox-error').textContent = '';
  try {
    const inbox = await get(`/api/portal/inbox?${params}`);
    const rows = inbox.tickets.map((x) => {
      const d = x.dispatch;
      const overdue = d.clockStatus.acceptance === 'overdue' || d.clockStatus.completion === 'overdue';
      const warning = d.clockStatus.acceptance === 'warning' || d.clockStatus.completion === 'warning';
      return el('tr', { class: overdue ? 'row-overdue' : warning ? 'row-warning' : '', 'data-ticket': x.id },
        el('td', { class: 'mono' }, el('a', { href: `#ticket/${x.id}`, text: x.number })),
        el('td', { text: x.categoryLabel }),
        el('td', { text: x.description }),
        el('td', { text: statusText(x) }),
        el('td', { text: t(`portal.role.${x.role}`) }),
        el('td', {}, clockBadge(d.acceptBy, d.clockStatus.acceptance)),
        el('td', {}, clockBadge(d.completeBy, d.clockStatus.completion)));
    });
    $('inbox-rows').replaceChildren(...rows);
    $('inbox-none').hidden = rows.length > 0;
  } catch (error) {
    $('inbox-error').textContent = errorText(error);
  }
}

async function route() {
  const m = /^#ticket\/(.+)$/.exec(location.hash);
  $('inbox-view').hidden = Boolean(m);
  $('ticket-view').hidden = !m;
  if (m) await showTicket(decodeURIComponent(m[1]), $('ticket-body'), { onChange: () => {} });
  else await loadInbox();
}

void bootPortal({
  titleKey: 'portal.title',
  roles: ['unit'],
  async start() {
    for (const id of ['filter-status', 'filter-overdue', 'filter-history']) $(id).addEventListener('change', loadInbox);
    $('refresh').addEventListener('click', loadInbox);
    $('back').addEventListener('click', (e) => { e.preventDefault(); location.hash = ''; });
    window.addEventListener('hashchange', route);
    const notices = mountNotices({
      // A new dispatch, a rework or a withdrawal changes the list: the open inbox is read again.
      onNotice: () => { if (!$('inbox-view').hidden) void loadInbox(); },
    });
    onLangChange(() => { notices.relabel(); void route(); });
    await route();
  },
});
