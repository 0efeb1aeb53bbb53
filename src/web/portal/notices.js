// Notices pushed live, to a unit over /ws/portal or to the centre's review desk over /ws/centre: a badge
// with the unread count, the list of unread notices (each opens its ticket and is marked read), and a
// hook so the page's lists refresh when one arrives.
import { connectLive } from '../desktop/live.js';
import { $, el, errorText, post, t, when, zh } from './common.js';

export function mountNotices({ onNotice, path = '/ws/portal', readUrl = '/api/portal/notices/read' }) {
  let notices = [];
  let unread = 0;
  let online = false;

  function render() {
    const badge = $('notice-badge');
    badge.textContent = String(unread);
    badge.dataset.count = String(unread);
    $('notice-toggle').hidden = false;
    $('notice-status').textContent = t(online ? 'notice.live' : 'notice.offline');
    $('notice-status').dataset.state = online ? 'online' : 'offline';
    $('notice-none').hidden = notices.length > 0;
    $('notice-list').replaceChildren(...notices.map((n) => el('li', { class: `notice notice-${n.about}`, 'data-notice': n.id, 'data-ticket': n.ticketId },
      el('span', { class: 'mono notice-time', text: when(n.at) }), ' ',
      el('a', { href: `#ticket/${n.ticketId}`, class: 'notice-text', text: zh() ? n.text : n.text_en, onclick: () => { void markRead([n.id]); } }), ' ',
      el('button', { type: 'button', class: 'notice-read', text: t('notice.read_one'), onclick: () => { void markRead([n.id]); } }))));
  }

  async function markRead(ids) {
    $('notice-error').textContent = '';
    try {
      const reply = await post(readUrl, ids === 'all' ? { all: true } : { ids });
      notices = ids === 'all' ? [] : notices.filter((n) => !ids.includes(n.id));
      unread = reply.unread;
      render();
    } catch (error) {
      $('notice-error').textContent = errorText(error);
    }
  }

  $('notice-read-all').addEventListener('click', () => { void markRead('all'); });
  $('notice-toggle').addEventListener('click', () => { $('notice-panel').hidden = !$('notice-panel').hidden; });

  const live = connectLive({
    path,
    onStatus(state) { online = state === 'online'; render(); },
    onFrame(frame) {
      if (frame.type === 'hello') {
        notices = frame.notices ?? [];
        unread = frame.unread ?? notices.length;
      } else if (frame.type === 'notice') {
        notices = [frame.notice, ...notices.filter((n) => n.id !== frame.notice.id)];
        unread = frame.unread;
        onNotice(frame.notice);
      } else if (frame.type === 'notices.read') {
        unread = frame.unread;
        if (unread === 0) notices = [];
      } else {
        return;
      }
      render();
    },
  });
  render();
  return { relabel: render, close: () => live.close() };
}
