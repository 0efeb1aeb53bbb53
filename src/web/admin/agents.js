// 坐席 Agents: each agent's seat, desk and skills with levels (1–5), saved at once. Skills are changed by an
// admin (PATCH /api/admin/users/:id, audited) or a supervisor (PUT /api/agents/:id/skills); seat and desk by
// an admin only. Routing uses a change at once, without disturbing a call in progress.
import { el, get, patch, put, t, tOr, query, errorText, note, pager, table, loadDesks, deskSelect, fill, add } from './common.js';

const filters = { q: '', desk: '', offset: 0, limit: 50 };
const LEVELS = [1, 2, 3, 4, 5];

export default { titleKey: 'adm.agents.title', supervisorNoteKey: 'adm.agents.supervisor_note', mount };

function skillsEditor(user, agentId, ctx, status) {
  const box = el('div', { class: 'skills', 'data-skills': user.username });
  let skills = { ...(user.skills ?? {}) };
  async function save(next) {
    note(status, 'info', t('adm.saving'));
    try {
      if (ctx.admin) skills = { ...(await patch(`/api/admin/users/${encodeURIComponent(user.id)}`, { skills: next })).user.skills };
      else if (agentId) skills = { ...(await put(`/api/agents/${encodeURIComponent(agentId)}/skills`, { skills: next })).skills };
      else throw new Error(t('adm.agents.no_agent'));
      note(status, 'ok', t('adm.saved'));
    } catch (error) { note(status, 'error', error instanceof Error && !error.status && error.message ? error.message : errorText(error)); }
    draw();
  }
  function draw() {
    const chips = Object.entries(skills).sort(([a], [b]) => a.localeCompare(b)).map(([name, level]) => el('span', { class: 'chip', 'data-skill': name },
      el('span', { class: 'mono' }, name),
      el('select', {
        'aria-label': `${name} ${t('adm.agents.level')}`, 'data-skill-level': name,
        onchange: (e) => save({ ...skills, [name]: Number(e.target.value) }),
      }, LEVELS.map((l) => el('option', { value: l, selected: l === level }, String(l)))),
      el('button', { type: 'button', class: 'chip-x', 'data-remove-skill': name, title: t('adm.remove'), onclick: () => { const n = { ...skills }; delete n[name]; void save(n); } }, '×')));
    const name = el('input', { class: 'skill-name', list: 'known-skills', placeholder: t('adm.agents.skill'), maxlength: 32, size: 8, 'data-add-skill-name': user.username });
    const level = el('select', { 'data-add-skill-level': user.username }, LEVELS.map((l) => el('option', { value: l, selected: l === 3 }, String(l))));
    const add = el('button', {
      type: 'button', 'data-add-skill': user.username,
      onclick: () => { const n = name.value.trim(); if (n) void save({ ...skills, [n]: Number(level.value) }); },
    }, t('adm.add'));
    fill(box, ...chips, Object.keys(skills).length ? null : el('span', { class: 'muted' }, t('adm.agents.no_skills')), el('span', { class: 'skill-add' }, name, level, add));
  }
  draw();
  return box;
}

function row(user, live, ctx, desks) {
  const status = el('span', { class: 'note small', 'data-status': user.username, hidden: true });
  const agent = live.get(user.seat);
  const saveField = async (body) => {
    note(status, 'info', t('adm.saving'));
    try { await patch(`/api/admin/users/${encodeURIComponent(user.id)}`, body); note(status, 'ok', t('adm.saved')); } catch (error) { note(status, 'error', errorText(error)); }
  };
  const seat = ctx.admin
    ? el('input', { class: 'seat-input mono', value: user.seat ?? '', maxlength: 40, 'data-seat': user.username, onchange: (e) => saveField({ seat: e.target.value.trim() }) })
    : el('span', { class: 'mono' }, user.seat ?? '');
  const desk = ctx.admin
    ? deskSelect(desks, user.desk ?? '', 'adm.none', { 'data-desk': user.username, onchange: (e) => saveField({ desk: e.target.value || null }) })
    : el('span', {}, user.desk ?? '');
  const state = agent ? el('span', { class: 'state-badge', 'data-state': agent.state }, tOr(`state.${agent.state}`, agent.state)) : el('span', { class: 'muted' }, '—');
  return el('tr', { 'data-username': user.username },
    el('td', { class: 'mono' }, user.username), el('td', {}, user.displayName), el('td', {}, state),
    el('td', {}, seat), el('td', {}, desk), el('td', {}, skillsEditor(user, agent?.id, ctx, status)), el('td', {}, status));
}

async function mount(root, ctx) {
  const [{ desks, skills: deskSkills }, liveList] = await Promise.all([loadDesks(), get('/api/agents').catch(() => ({ agents: [] }))]);
  const live = new Map((liveList.agents ?? []).map((a) => [a.seat, a]));
  const known = new Set(deskSkills);
  const datalist = el('datalist', { id: 'known-skills' });
  const list = el('div', { id: 'agents-list' });
  const q = el('input', { id: 'agents-q', type: 'search', value: filters.q, placeholder: t('adm.accounts.search'), maxlength: 64 });
  const desk = deskSelect(desks, filters.desk, 'adm.all_desks', { id: 'agents-desk' });
  async function load() {
    try {
      const r = await get(`/api/admin/users${query({ role: 'agent', ...filters })}`);
      for (const u of r.users) for (const s of Object.keys(u.skills ?? {})) known.add(s);
      fill(datalist, ...[...known].sort().map((s) => el('option', { value: s })));
      fill(list, 
        table(['adm.f.username', 'adm.f.display_name', 'adm.agents.state', 'adm.f.seat', 'adm.f.desk', 'adm.f.skills', ''],
          r.users.map((u) => row(u, live, ctx, desks)), { id: 'agents-table' }),
        r.users.length ? null : el('p', { class: 'muted empty' }, t('adm.none_found')),
        pager({ total: r.total, offset: filters.offset, limit: filters.limit }, (offset) => { filters.offset = offset; void load(); }));
    } catch (error) { fill(list, el('p', { class: 'bar-error', role: 'alert' }, errorText(error))); }
  }
  const search = (event) => { event?.preventDefault(); Object.assign(filters, { q: q.value.trim(), desk: desk.value, offset: 0 }); void load(); };
  desk.addEventListener('change', search);
  add(root, 
    el('form', { class: 'filters', id: 'agents-filters', onsubmit: search }, q, desk, el('button', { type: 'submit' }, t('adm.search'))),
    el('p', { class: 'muted' }, t(ctx.admin ? 'adm.agents.help' : 'adm.agents.help_supervisor')),
    datalist, list);
  await load();
}
