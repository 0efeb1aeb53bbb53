// 批量导入 Import (part of Accounts): choose a CSV file, 预检 (dry run) showing every row's errors, then 导入.
// The generated one-time passwords come back once and are offered as a CSV download built in the browser;
// they are kept only in this closure until the panel is cleared or the page is left.
import { el, t, zh, note, errorText, sendText, readFileText, downloadText, table, ApiError, fill, add } from './common.js';

const COLUMNS = ['username', 'display_name', 'role', 'seat', 'skills', 'desk', 'unit_code', 'initial_password'];
const TEMPLATE = `${COLUMNS.join(',')}\r\nzhangsan,张三,agent,8001,general:3,main,,\r\nchaoyang01,朝阳区接诉即办,unit,,,,110105,\r\n`;

/** The column's name in the reader's language (`(row)`, `(header)` and `(file)` too). */
function columnText(column) {
  const key = `adm.col.${column.replace(/[()]/g, '')}`;
  const text = t(key);
  return text === key ? column : text;
}

function stamp() {
  const d = new Date(Date.now() + 8 * 3_600_000).toISOString();
  return `${d.slice(0, 10).replaceAll('-', '')}-${d.slice(11, 16).replace(':', '')}`;
}

export function mountImport(panel, imported) {
  let text = null;
  let passwords = null;
  const file = el('input', { type: 'file', id: 'import-file', accept: '.csv,text/csv' });
  const checkBtn = el('button', { type: 'button', id: 'import-check', disabled: true }, t('adm.import.check'));
  const runBtn = el('button', { type: 'button', class: 'primary', id: 'import-run', disabled: true }, t('adm.import.run'));
  const msg = el('p', { class: 'note', id: 'import-note', role: 'status', hidden: true });
  const result = el('div', { id: 'import-result' });
  const after = el('div', { id: 'import-passwords', class: 'import-passwords', hidden: true });

  const showErrors = (rows, errors) => {
    note(msg, 'error', t('adm.import.has_errors', { rows, errors: errors.length }));
    fill(result, table(['adm.import.row', 'adm.import.column', 'adm.import.reason'],
      errors.map((e) => el('tr', { 'data-row': e.row, 'data-column': e.column },
        el('td', { class: 'mono' }, String(e.row)), el('td', {}, columnText(e.column)), el('td', { class: 'reason' }, zh() ? e.reason : e.reason_en || e.reason))),
      { id: 'import-errors' }));
  };

  file.addEventListener('change', async () => {
    text = null;
    runBtn.disabled = true;
    fill(result);
    note(msg, 'info', '');
    const chosen = file.files?.[0];
    if (!chosen) { checkBtn.disabled = true; return; }
    text = await readFileText(chosen);
    checkBtn.disabled = false;
  });

  checkBtn.addEventListener('click', async () => {
    if (text === null) return;
    checkBtn.disabled = true;
    runBtn.disabled = true;
    try {
      const r = await sendText('POST', '/api/admin/users/import?dryRun=true', text, 'text/csv; charset=utf-8');
      if (r.ok) {
        fill(result);
        note(msg, 'ok', t('adm.import.check_ok', { rows: r.rows }));
        runBtn.disabled = r.rows === 0;
      } else showErrors(r.rows, r.errors);
    } catch (error) { note(msg, 'error', errorText(error)); } finally { checkBtn.disabled = false; }
  });

  runBtn.addEventListener('click', async () => {
    if (text === null) return;
    runBtn.disabled = true;
    checkBtn.disabled = true;
    note(msg, 'info', t('adm.import.running'));
    try {
      const r = await sendText('POST', '/api/admin/users/import?dryRun=false', text, 'text/csv; charset=utf-8');
      text = null;
      file.value = '';
      fill(result);
      note(msg, 'ok', t('adm.import.done', { created: r.created }));
      passwords = r.passwords && r.passwords.split(/\r?\n/).filter(Boolean).length > 1 ? r.passwords : null;
      after.hidden = passwords === null;
      imported();
    } catch (error) {
      const context = error instanceof ApiError ? error.body?.error?.context : undefined;
      if (Array.isArray(context?.errors)) showErrors(context.rows ?? 0, context.errors);
      else note(msg, 'error', errorText(error));
    } finally { checkBtn.disabled = text === null; }
  });

  add(after, 
    el('p', { class: 'warn-text' }, t('adm.import.passwords_once')),
    el('button', { type: 'button', class: 'primary', id: 'import-download', onclick: () => { if (passwords) downloadText(`initial-passwords-${stamp()}.csv`, `\uFEFF${passwords}`); } }, t('adm.import.download')),
    el('button', { type: 'button', id: 'import-forget', onclick: () => { passwords = null; after.hidden = true; } }, t('adm.import.forget')));

  add(panel, 
    el('h2', {}, t('adm.import.title')),
    el('p', { class: 'muted' }, t('adm.import.help')),
    el('p', { class: 'muted mono columns' }, COLUMNS.join(',')),
    el('div', { class: 'import-bar' }, file, checkBtn, runBtn,
      el('button', { type: 'button', class: 'link-button', id: 'import-template', onclick: () => downloadText('accounts-template.csv', `\uFEFF${TEMPLATE}`) }, t('adm.import.template'))),
    msg, result, after);
}
