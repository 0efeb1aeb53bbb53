// The state bar: 签入 / 示闲 / 示忙 (reason) / 签出 through the agent-state HTTP API.
import { get, post, ApiError } from './api.js';
import { t, tOr, getLang } from '../i18n.js';

const $ = (id) => document.getElementById(id);

export function createStateBar() {
  let agent = null;
  let tick = null;

  function showError(error) {
    const box = $('state-error');
    if (!error) { box.hidden = true; box.textContent = ''; return; }
    box.hidden = false;
    if (error instanceof ApiError && (error.status === 404 || error.status === 405) && error.code !== 'ERR_NO_SUCH_AGENT') {
      box.textContent = t('agent.api_missing', { status: error.status });
    } else if (error instanceof ApiError && error.status !== 0) {
      box.textContent = (getLang() === 'en' ? error.en : error.zh) || error.message;
    } else {
      box.textContent = t('error.network');
    }
  }

  function render() {
    const state = agent?.state ?? 'offline';
    const badge = $('agent-state');
    badge.dataset.state = state;
    badge.textContent = tOr(`state.${state}`, state);
    $('agent-reason').textContent = state === 'paused' && agent?.reason ? tOr(`reason.${agent.reason}`, agent.reason) : '';
    if (agent?.seat && document.activeElement !== $('agent-seat')) $('agent-seat').value = agent.seat;
    const offline = state === 'offline';
    $('btn-signin').disabled = !offline && !!agent;
    $('btn-ready').disabled = offline || state === 'ready' || state === 'on_call' || state === 'ringing';
    $('btn-pause').disabled = offline || state === 'paused' || state === 'on_call' || state === 'ringing';
    $('btn-signout').disabled = offline || state === 'on_call' || state === 'ringing';
    renderSince();
  }

  function renderSince() {
    const since = agent?.since;
    if (!since) { $('agent-since').textContent = '00:00'; return; }
    const s = Math.max(0, Math.floor((Date.now() - since) / 1000));
    const mm = String(Math.floor(s / 60)).padStart(2, '0');
    const ss = String(s % 60).padStart(2, '0');
    $('agent-since').textContent = s >= 3600 ? `${Math.floor(s / 3600)}:${mm.slice(-2)}:${ss}` : `${mm}:${ss}`;
  }

  // The HTTP answer to a click and the live connection can arrive in either order: the newer state wins.
  function apply(view) {
    if (agent && view.since && agent.since && view.since < agent.since) return;
    agent = { ...(agent ?? {}), ...view };
    if (view.reason === undefined) delete agent.reason;
  }

  async function act(fn) {
    showError(null);
    try {
      const result = await fn();
      if (result && typeof result === 'object' && 'state' in result) apply(result);
      else await refresh();
      render();
    } catch (error) {
      showError(error);
    }
  }

  async function refresh() {
    try {
      agent = await get('/api/agents/me');
      showError(null);
    } catch (error) {
      showError(error);
    }
    render();
  }

  $('btn-signin').addEventListener('click', () => act(() => {
    const seat = $('agent-seat').value.trim();
    return post('/api/agents/me/login', seat ? { seat } : {});
  }));
  $('btn-ready').addEventListener('click', () => act(() => post('/api/agents/me/state', { state: 'ready' })));
  $('btn-pause').addEventListener('click', () => act(() => post('/api/agents/me/state', { state: 'paused', reason: $('pause-reason').value })));
  $('btn-signout').addEventListener('click', () => act(() => post('/api/agents/me/logout')));
  tick = setInterval(renderSince, 1000);

  return {
    refresh,
    render,
    /** A state pushed over the live connection. */
    update(view) {
      if (!view) return;
      apply(view);
      render();
    },
    stop() { clearInterval(tick); },
  };
}
