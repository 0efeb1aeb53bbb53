// 知识库 Knowledge: the articles agents answer from (/api/knowledge/*): list with state, write, edit (with the
// version the editor read, so two editors never overwrite each other), review as the agent will read it, retire.
// Supervisors and admins both edit articles (the API lets both).
import { el, get, post, put, del, t, when, errorText, showFieldErrors, note, pager, table, confirmAction, query, fill, add } from './common.js';

const filters = { category: '', includeRetired: true, offset: 0, limit: 50 };
const DAY_MS = 86_400_000;

export default { titleKey: 'adm.knowledge.title', supervisorNoteKey: 'adm.knowledge.supervisor_note', mount };

function stateOf(a, now) {
  if (a.retiredAt) return 'retired';
  if (a.validFrom > now) return 'pending';
  if (a.validTo !== null && a.validTo <= now) return 'expired';
  return 'active';
}

/** `YYYY-MM-DD` (Beijing) ⇄ the first millisecond of that day in Beijing. */
const dayInput = (ms) => (ms ? new Date(ms + 8 * 3_600_000).toISOString().slice(0, 10) : '');
const dayMs = (value) => (value ? Date.parse(`${value}T00:00:00+08:00`) : null);

function editor(article, done, cancel) {
  const f = {
    title: el('input', { id: 'kb-title', value: article?.title ?? '', maxlength: 200 }),
    category: el('input', { id: 'kb-category', value: article?.category ?? '', maxlength: 100, placeholder: 'water/outage' }),
    validFrom: el('input', { id: 'kb-valid-from', type: 'date', value: dayInput(article?.validFrom) }),
    validTo: el('input', { id: 'kb-valid-to', type: 'date', value: dayInput(article?.validTo) }),
    body: el('textarea', { id: 'kb-body', rows: 14, maxlength: 20000 }),
  };
  f.body.value = article?.body ?? '';
  const preview = el('div', { class: 'kb-preview', id: 'kb-preview' });
  const drawPreview = () => fill(preview, el('h3', {}, f.title.value || t('adm.knowledge.untitled')),
    el('p', { class: 'muted' }, [f.category.value, f.validFrom.value && `${t('adm.knowledge.valid_from')} ${f.validFrom.value}`, f.validTo.value && `${t('adm.knowledge.valid_to')} ${f.validTo.value}`].filter(Boolean).join(' · ')),
    el('div', { class: 'kb-body-text' }, f.body.value));
  for (const input of Object.values(f)) input.addEventListener('input', drawPreview);
  drawPreview();
  const message = el('p', { class: 'form-error', role: 'alert' });
  const others = el('ul', { class: 'error-list' });
  const field = (name, key, input) => el('label', { class: 'field', 'data-field': name }, el('span', {}, t(key)), input, el('small', { class: 'field-error' }));
  const form = el('form', { class: 'kb-editor panel', id: 'kb-form', novalidate: true },
    el('h2', {}, article ? t('adm.knowledge.edit_one', { id: article.id, version: article.version }) : t('adm.knowledge.new')),
    el('div', { class: 'kb-columns' },
      el('div', {}, field('title', 'adm.knowledge.f.title', f.title), field('category', 'adm.knowledge.f.category', f.category),
        el('div', { class: 'two' }, field('validFrom', 'adm.knowledge.valid_from', f.validFrom), field('validTo', 'adm.knowledge.valid_to', f.validTo)),
        field('body', 'adm.knowledge.f.body', f.body)),
      el('div', {}, el('h3', { class: 'muted' }, t('adm.knowledge.review')), preview,
        article ? el('p', { class: 'muted small' }, t('adm.knowledge.meta', { by: article.updatedBy ?? article.createdBy ?? '—', at: when(article.updatedAt) })) : null)),
    message, others,
    el('div', { class: 'dialog-actions' }, el('button', { type: 'button', onclick: cancel }, t('adm.cancel')),
      el('button', { type: 'submit', class: 'primary', id: 'kb-save' }, t('adm.save'))));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const body = { title: f.title.value.trim(), body: f.body.value, category: f.category.value.trim() || null, validFrom: dayMs(f.validFrom.value), validTo: dayMs(f.validTo.value) };
    if (body.validTo !== null) body.validTo += DAY_MS - 1;
    if (body.validFrom === null) delete body.validFrom;
    try {
      const saved = article ? await put(`/api/knowledge/articles/${article.id}`, { ...body, version: article.version }) : await post('/api/knowledge/articles', body);
      done(t(article ? 'adm.knowledge.saved' : 'adm.knowledge.created', { title: saved.title }));
    } catch (error) {
      message.textContent = error?.status === 409 ? t('adm.knowledge.conflict') : showFieldErrors(form, error, others);
    }
  });
  return form;
}

async function mount(root) {
  const msg = el('p', { class: 'note', id: 'knowledge-note', role: 'status', hidden: true });
  const list = el('div', { id: 'knowledge-list' });
  const side = el('div', { id: 'knowledge-editor' });
  const category = el('input', { id: 'kb-filter-category', value: filters.category, placeholder: t('adm.knowledge.f.category'), maxlength: 100 });
  const retired = el('input', { type: 'checkbox', id: 'kb-filter-retired', checked: filters.includeRetired });
  const close = () => fill(side);
  const saved = (text) => { close(); note(msg, 'ok', text); void load(); };
  const open = async (id) => {
    try {
      const a = id ? await get(`/api/knowledge/articles/${id}`) : undefined;
      fill(side, editor(a, saved, close));
      side.scrollIntoView({ block: 'nearest' });
    } catch (error) { note(msg, 'error', errorText(error)); }
  };
  const retire = async (a) => {
    if (!(await confirmAction(t('adm.knowledge.confirm_retire', { title: a.title })))) return;
    try { await del(`/api/knowledge/articles/${a.id}`); note(msg, 'ok', t('adm.knowledge.retired_done', { title: a.title })); void load(); } catch (error) { note(msg, 'error', errorText(error)); }
  };
  async function load() {
    try {
      const r = await get(`/api/knowledge/articles${query(filters)}`);
      const now = Date.now();
      fill(list, 
        table(['adm.knowledge.f.title', 'adm.knowledge.f.category', 'adm.knowledge.version', 'adm.f.state', 'adm.knowledge.updated', 'adm.actions'],
          r.items.map((a) => {
            const s = stateOf(a, now);
            return el('tr', { 'data-article': a.id },
              el('td', {}, a.title), el('td', { class: 'mono' }, a.category ?? ''), el('td', { class: 'num' }, `v${a.version}`),
              el('td', {}, el('span', { class: `tag tag-${s === 'active' ? 'ok' : s === 'retired' ? 'bad' : 'warn'}`, 'data-state': s }, t(`adm.knowledge.state.${s}`))),
              el('td', {}, when(a.updatedAt)),
              el('td', { class: 'actions' },
                el('button', { type: 'button', 'data-action': 'edit', onclick: () => open(a.id) }, t(a.retiredAt ? 'adm.knowledge.view' : 'adm.edit')),
                a.retiredAt ? null : el('button', { type: 'button', class: 'danger', 'data-action': 'retire', onclick: () => retire(a) }, t('adm.knowledge.retire'))));
          }), { id: 'knowledge-table' }),
        r.items.length ? null : el('p', { class: 'muted empty' }, t('adm.none_found')),
        pager({ total: r.total, offset: filters.offset, limit: filters.limit }, (offset) => { filters.offset = offset; void load(); }));
    } catch (error) { fill(list, el('p', { class: 'bar-error', role: 'alert' }, errorText(error))); }
  }
  const search = (event) => { event?.preventDefault(); Object.assign(filters, { category: category.value.trim(), includeRetired: retired.checked, offset: 0 }); void load(); };
  retired.addEventListener('change', search);
  add(root, 
    el('form', { class: 'filters', onsubmit: search }, category, el('label', { class: 'inline' }, retired, el('span', {}, t('adm.knowledge.include_retired'))),
      el('button', { type: 'submit' }, t('adm.search')), el('span', { class: 'spacer' }),
      el('button', { type: 'button', class: 'primary', id: 'kb-new', onclick: () => open() }, t('adm.knowledge.new'))),
    msg, side, list);
  await load();
}
