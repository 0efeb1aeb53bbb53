// What the console's sections share: elements, the API with the CSRF header, errors in the reader's language,
// field errors, times in Beijing time, paging, dialogs and downloads built in the browser.
import { api, get, post, ApiError } from '../desktop/api.js';
import { t, tOr, getLang } from '../i18n.js';

export { get, post, ApiError, t, tOr };
export const $ = (id) => document.getElementById(id);
export const zh = () => getLang() !== 'en';
export const patch = (path, body) => api('PATCH', path, body);
export const put = (path, body) => api('PUT', path, body);
export const del = (path) => api('DELETE', path);

/** The signed-in session: set by main.js (csrfToken for the few requests that are not JSON). */
export const session = { me: null, csrfToken: '' };

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') node.className = v;
    else if (k === 'text') node.textContent = v;
    else if (k === 'value') node.value = v;
    else if (k === 'checked') node.checked = Boolean(v);
    else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) node.append(c instanceof window.Node ? c : String(c));
  return node;
}

/** A query string of the set values. */
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

const TIME = new Intl.DateTimeFormat('zh-CN', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false });
export function when(ms) { return ms ? TIME.format(new Date(ms)).replaceAll('/', '-') : '—'; }

/** `YYYY-MM-DDTHH:mm` in Beijing time (a datetime-local value) ⇄ epoch ms. */
export function toLocalInput(ms) {
  if (!ms) return '';
  return new Date(ms + 8 * 3_600_000).toISOString().slice(0, 16);
}
export function fromLocalInput(value) {
  if (!value) return undefined;
  const ms = Date.parse(`${value}:00+08:00`);
  return Number.isFinite(ms) ? ms : undefined;
}

/** The error in the reader's language; the server's own words for this case (context zh/en) when it gave them. */
export function errorText(error) {
  if (error instanceof ApiError && error.status) {
    const context = error.body?.error?.context ?? {};
    const zhText = typeof context.zh === 'string' ? context.zh : error.zh;
    const enText = typeof context.en === 'string' ? context.en : error.en;
    return zh() ? zhText || enText : enText || zhText;
  }
  return t('error.network');
}

/** A field name in any of the forms the API uses (`a.0.b`, `a/0/b`, `a[0].b`) as `a.0.b`. */
export const fieldKey = (name) => String(name).replace(/^\//, '').replace(/\[(\d+)\]/g, '.$1').replaceAll('/', '.');

/**
 * Puts each field error of `error` under the element with the same data-field inside `root`; the ones with no
 * such element are listed in `list` (an element) when given. Returns the text for the form's message.
 */
export function showFieldErrors(root, error, list) {
  for (const small of root.querySelectorAll('.field-error')) small.textContent = '';
  for (const f of root.querySelectorAll('[data-field]')) f.classList.remove('invalid');
  if (list) list.replaceChildren();
  const details = error instanceof ApiError ? error.details : [];
  for (const d of details) {
    const text = zh() ? d.message : d.message_en || d.message;
    const key = window.CSS.escape(fieldKey(d.field));
    const field = root.querySelector(`[data-field="${key}"]`) ?? root.querySelector(`[data-field^="${key}."]`);
    if (field) {
      field.classList.add('invalid');
      const small = field.querySelector('.field-error') ?? field.parentElement?.querySelector('.field-error');
      if (small) { small.textContent = small.textContent ? `${small.textContent}；${text}` : text; continue; }
    }
    list?.append(el('li', { 'data-error-field': d.field }, text));
  }
  return details.length ? `${errorText(error)}（${t('adm.fix_fields')}）` : errorText(error);
}

export function clearFieldErrors(root) {
  for (const small of root.querySelectorAll('.field-error')) small.textContent = '';
  for (const f of root.querySelectorAll('[data-field]')) f.classList.remove('invalid');
}

/** A message line that says what happened: `ok`, `error` or `info`. */
export function note(node, kind, text) {
  node.textContent = text ?? '';
  node.dataset.kind = kind;
  node.hidden = !text;
}

/** `共 N 条 · 第 p/q 页` with previous and next; `go(offset)` loads a page. */
export function pager({ total, offset, limit }, go) {
  const pages = Math.max(1, Math.ceil(total / limit));
  const page = Math.floor(offset / limit) + 1;
  return el('div', { class: 'pager' },
    el('span', { class: 'pager-total', 'data-total': total }, t('adm.page.total', { total, page, pages })),
    el('button', { type: 'button', class: 'pager-prev', disabled: offset <= 0, onclick: () => go(Math.max(0, offset - limit)) }, t('adm.page.prev')),
    el('button', { type: 'button', class: 'pager-next', disabled: offset + limit >= total, onclick: () => go(offset + limit) }, t('adm.page.next')));
}

/** A table with a header row of text keys and body rows (arrays of cells or ready rows). */
export function table(headKeys, rows, attrs = {}) {
  return el('table', { class: 'grid', ...attrs },
    el('thead', {}, el('tr', {}, headKeys.map((k) => el('th', {}, k ? t(k) : '')))),
    el('tbody', {}, rows.map((r) => (r instanceof window.Node ? r : el('tr', {}, r.map((c) => (c instanceof window.Node && c.tagName === 'TD' ? c : el('td', {}, c))))))));
}

/** Asks a yes/no question in the shared dialog; resolves true on 确定. */
export function confirmAction(text, okKey = 'adm.ok') {
  const dialog = $('confirm-dialog');
  $('confirm-text').textContent = text;
  $('confirm-ok').textContent = t(okKey);
  dialog.showModal();
  return new Promise((resolve) => {
    const done = (yes) => { dialog.close(); $('confirm-ok').onclick = null; $('confirm-cancel').onclick = null; resolve(yes); };
    $('confirm-ok').onclick = () => done(true);
    $('confirm-cancel').onclick = () => done(false);
    dialog.oncancel = () => done(false);
  });
}

/** Opens a dialog built by `build(close)`; the dialog element is removed when it closes. */
export function openDialog(build, attrs = {}) {
  const dialog = el('dialog', { class: 'adm-dialog', ...attrs });
  const close = () => dialog.close();
  dialog.append(build(close));
  dialog.addEventListener('close', () => dialog.remove());
  document.body.append(dialog);
  dialog.showModal();
  return dialog;
}

/** Saves text as a file from the browser (nothing stored on the server or in the page after the click). */
export function downloadText(filename, text, type = 'text/csv;charset=utf-8') {
  const url = URL.createObjectURL(new window.Blob([text], { type }));
  const a = el('a', { href: url, download: filename, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 30_000);
}

/** Copies text to the clipboard; falls back to selecting it in `input` when the browser refuses. */
export async function copyText(text, input) {
  try { await navigator.clipboard.writeText(text); return true; } catch {
    input?.select();
    try { return document.execCommand('copy'); } catch { return false; }
  }
}

/** Sends a body that is not JSON (CSV text) with the session's CSRF header. */
export async function sendText(method, path, text, contentType) {
  let response;
  try {
    response = await fetch(path, {
      method, body: text, credentials: 'same-origin',
      headers: { accept: 'application/json', 'content-type': contentType, 'x-csrf-token': session.csrfToken },
    });
  } catch { throw new ApiError(0, null); }
  const raw = await response.text();
  let data;
  try { data = raw ? JSON.parse(raw) : null; } catch { data = null; }
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}

/** Text of a file as UTF-8 (with or without BOM), or GBK when it is not UTF-8 (files saved by older Excel). */
export async function readFileText(file) {
  const bytes = await file.arrayBuffer();
  try { return new window.TextDecoder('utf-8', { fatal: true }).decode(bytes); } catch {
    return new window.TextDecoder('gbk').decode(bytes);
  }
}

/** The role's word. */
export const roleText = (role) => t(`adm.role.${role}`);

let desksOnce = null;
/** The desks (queues) and the skills they ask for, from the lines API; empty when it cannot be read. */
export function loadDesks() {
  desksOnce ??= get('/api/admin/lines').then((r) => {
    const queues = Array.isArray(r?.queues) ? r.queues : [];
    const skills = new Set();
    for (const q of queues) {
      for (const s of q.target?.skills ?? []) skills.add(s);
      for (const o of q.overflowRules ?? []) for (const s of o.widenTo?.skills ?? []) skills.add(s);
    }
    return { desks: queues.map((q) => ({ id: q.id, name: q.name || q.id })), skills: [...skills] };
  }).catch(() => { desksOnce = null; return { desks: [], skills: [] }; });
  return desksOnce;
}
/** Forgets the desks read before (after the lines and desks are saved). */
export function forgetDesks() { desksOnce = null; }

/** A select of the desks, with a first option (all / none) when `first` is a text key. */
export function deskSelect(desks, value, first, attrs = {}) {
  return el('select', attrs,
    first ? el('option', { value: '' }, t(first)) : null,
    desks.map((d) => el('option', { value: d.id, selected: d.id === value }, d.name === d.id ? d.id : `${d.name}（${d.id}）`)),
    value && !desks.some((d) => d.id === value) ? el('option', { value, selected: true }, value) : null);
}

const present = (xs) => xs.flat().filter((x) => x !== null && x !== undefined && x !== false);
/** Replaces the children of `node` (nulls and falses left out). */
export function fill(node, ...xs) { node.replaceChildren(...present(xs)); return node; }
/** Appends to `node` (nulls and falses left out). */
export function add(node, ...xs) { node.append(...present(xs)); return node; }
