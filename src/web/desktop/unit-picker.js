// A searchable picker over every unit a ticket can go to: the 16 districts' streets and townships, the
// city departments and the utilities. One unit (the lead) or several (cooperating units).
import { get } from './api.js';
import { t } from '../i18n.js';

const MAX_SHOWN = 20;
let catalog = null;

/** Every unit that takes tickets, with the group it is listed under; read once per page. */
export function loadUnitCatalog() {
  catalog ??= Promise.all([get('/api/units'), get('/api/handling-units')]).then(([tree, handling]) => [
    ...handling.units.map((u) => ({ code: u.code, name: u.name, groupKey: u.kind === 'utility' ? 'desk.group.utility' : 'desk.group.department' })),
    ...tree.districts.flatMap((d) => d.units.map((u) => ({ code: u.code, name: u.name, group: d.name }))),
  ]).catch((error) => { catalog = null; throw error; });
  return catalog;
}

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

/** The district a street is in, or what kind of unit a department or utility is, in the page's language. */
const groupOf = (u) => u.group ?? t(u.groupKey);

/** Units whose name, group or code holds every word of the query. */
export function matchUnits(units, query) {
  const words = String(query).trim().toLowerCase().split(/\s+/).filter(Boolean);
  if (!words.length) return [];
  return units.filter((u) => {
    const hay = `${u.name} ${groupOf(u)} ${u.code}`.toLowerCase();
    return words.every((w) => hay.includes(w));
  }).slice(0, MAX_SHOWN);
}

export function createUnitPicker({ prefix, multi = false, onChange = () => {} }) {
  const $ = (suffix) => document.getElementById(`${prefix}-${suffix}`);
  const search = $('search');
  const results = $('results');
  const chosenList = $('chosen');
  let units = [];
  let chosen = [];

  const nameOf = (code) => units.find((u) => u.code === code);

  function renderChosen() {
    chosenList.replaceChildren(...chosen.map((code) => {
      const u = nameOf(code);
      const li = el('li', 'unit-chip');
      li.dataset.code = code;
      li.append(el('span', '', u ? `${u.name}（${groupOf(u)}）` : code));
      const remove = el('button', 'unit-remove', '×');
      remove.type = 'button';
      remove.title = t('desk.remove');
      remove.setAttribute('aria-label', t('desk.remove'));
      remove.addEventListener('click', () => { chosen = chosen.filter((c) => c !== code); renderChosen(); onChange(); });
      li.append(remove);
      return li;
    }));
  }

  function renderResults() {
    const found = matchUnits(units, search.value);
    results.hidden = !search.value.trim();
    results.replaceChildren(...(found.length ? found.map((u) => {
      const li = el('li', 'unit-option');
      li.dataset.code = u.code;
      li.tabIndex = 0;
      li.append(el('strong', '', u.name), el('small', '', ` ${groupOf(u)}`));
      const pick = () => {
        chosen = multi ? [...new Set([...chosen, u.code])] : [u.code];
        search.value = '';
        renderResults(); renderChosen(); onChange();
      };
      li.addEventListener('click', pick);
      li.addEventListener('keydown', (e) => { if (e.key === 'Enter') { e.preventDefault(); pick(); } });
      return li;
    }) : [el('li', 'unit-none', t('desk.no_units'))]));
  }

  search.addEventListener('input', renderResults);
  search.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') { e.preventDefault(); results.querySelector('.unit-option')?.click(); }
  });

  return {
    setCatalog(list) { units = list; renderChosen(); },
    set(codes) { chosen = [...new Set((codes ?? []).filter(Boolean))].slice(0, multi ? 10 : 1); renderChosen(); },
    value: () => [...chosen],
    label: (code) => nameOf(code)?.name ?? code,
    relabel() { renderChosen(); if (search.value) renderResults(); },
    clear() { search.value = ''; renderResults(); },
  };
}
