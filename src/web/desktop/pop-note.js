// 补充说明: a repeat caller's words added to their open ticket from the screen pop, instead of a new ticket.
// The note lands on the ticket's audit trail, the call is linked to it, and the unit sees it in the portal.
import { post, ApiError } from './api.js';
import { t, getLang } from '../i18n.js';

const $ = (id) => document.getElementById(id);

export function createPopNote() {
  let target = null;   // { ticket, callId }

  function fieldError(text) {
    const field = document.querySelector('#note-form [data-field="note"]');
    field.classList.toggle('invalid', Boolean(text));
    field.querySelector('.field-error').textContent = text;
  }

  function close() {
    target = null;
    $('note-form').hidden = true;
    $('note-text').value = '';
    fieldError('');
    $('note-message').textContent = '';
  }

  $('note-cancel').addEventListener('click', close);
  $('note-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!target) return;
    const { ticket, callId } = target;
    $('note-submit').disabled = true;
    fieldError('');
    $('note-message').textContent = '';
    try {
      await post(`/api/tickets/${encodeURIComponent(ticket.id)}/notes`, { note: $('note-text').value, ...(callId ? { callId } : {}) });
      close();
      $('note-done').hidden = false;
      $('note-done').textContent = t('desk.note.saved', { number: ticket.number });
    } catch (error) {
      const en = getLang() === 'en';
      const detail = error instanceof ApiError ? error.details.find((d) => d.field === 'note') : undefined;
      if (detail) fieldError(en ? detail.message_en || detail.message : detail.message);
      $('note-message').dataset.kind = 'error';
      $('note-message').textContent = detail ? t('desk.failed') : error instanceof ApiError && error.status ? (en ? error.en : error.zh) : t('error.network');
    } finally {
      $('note-submit').disabled = false;
    }
  });

  return {
    /** Opens the note form for an open ticket of the caller on the line. */
    open(ticket, pop) {
      target = { ticket, callId: pop?.callId ?? null };
      $('note-done').hidden = true;
      $('note-form').hidden = false;
      $('note-title').textContent = t('desk.note.title', { number: ticket.number });
      $('note-text').focus();
    },
    /** A new call: nothing of the last caller's note stays open. */
    reset() { close(); $('note-done').hidden = true; },
    relabel() { if (target) $('note-title').textContent = t('desk.note.title', { number: target.ticket.number }); },
  };
}
