import { afterEach, describe, expect, it } from 'vitest';
import { playedOn, startSurveyHotline, waitFor } from './survey-harness.ts';
import type { SurveyHotline } from './survey-harness.ts';

/** Every prompt plays for 300 ms in the simulator; the citizen's keys are timed against that. */
const PROMPT_MS = 300;
let h: SurveyHotline | undefined;
afterEach(async () => { await h?.close(); h = undefined; });

async function hotline(config: Parameters<typeof startSurveyHotline>[0] = {}) {
  h = await startSurveyHotline({ defaultSoundMs: PROMPT_MS, ...config, config: { silenceMs: 400, ...config.config } });
  return h;
}

const jobOf = (s: SurveyHotline, ticketId: string) => s.parts.repo.latestJob(ticketId)!;
const settled = (s: SurveyHotline, ticketId: string) => waitFor(`the survey of ${ticketId} to settle`, () => {
  const job = jobOf(s, ticketId);
  return job.status !== 'dialing' && job.attempts > 0 ? job : undefined;
});

describe('a survey call through the simulator', () => {
  it('when the citizen presses 1 during q1 and 2 during q2, then each prompt is stopped, and the ticket is resolved and basically satisfied', async () => {
    const s = await hotline();
    s.sim.control.setCitizen('13900000001', { mode: 'answer', ringMs: 100, keys: [{ afterMs: 500, digit: '1' }, { afterMs: 700, digit: '2' }] });
    s.addTicket('T1', '13900000001', { category: 'water/outage' });
    expect(s.feature.scheduleSurvey({ ticketId: 'T1', closedAt: s.clock.now() }).scheduled).toBe(true);
    const job = await settled(s, 'T1');
    expect(job).toMatchObject({ status: 'done', attempts: 1, lastOutcome: 'answered_completed' });
    const result = s.parts.repo.result(job.id)!;
    expect(result).toMatchObject({ ticketId: 'T1', resolved: 'resolved', satisfaction: 'basically_satisfied', keys: '12', completed: true, reopen: false });
    expect(result.endedAt).not.toBeNull();
    const channelId = result.channelId;
    expect(channelId).toMatch(/^hl-survey-/);
    const origin = s.requests.find((r) => r.method === 'POST' && r.path === '/channels')!;
    expect(origin.status).toBe(200);
    expect(playedOn(s.events, channelId)).toEqual([
      'sound:hotline/survey-intro', 'sound:hotline/category-utilities', 'sound:hotline/q1', 'sound:hotline/q2', 'sound:hotline/thanks',
    ]);
    const stops = s.requests.filter((r) => r.method === 'DELETE' && r.path.startsWith('/playbacks/'));
    expect(stops.map((r) => r.status)).toEqual([204, 204]);
    await waitFor('the channel to be gone', () => s.sim.control.channels().length === 0);
    expect(s.unresolved).toEqual([]);
  });

  it('when the citizen presses a wrong key and then stays silent, then q1 is asked again with the right prompts before moving on', async () => {
    const s = await hotline({ config: { repeats: 2 } });
    s.sim.control.setCitizen('13900000002', { mode: 'answer', ringMs: 100, keys: [{ afterMs: 500, digit: '9' }] });
    s.addTicket('T2', '13900000002');
    s.db.prepare('UPDATE tickets SET category = NULL WHERE id = ?').run('T2');
    s.feature.scheduleSurvey({ ticketId: 'T2', closedAt: s.clock.now() });
    const job = await settled(s, 'T2');
    expect(job.lastOutcome).toBe('answered_partial');
    const result = s.parts.repo.result(job.id)!;
    expect(result).toMatchObject({ resolved: null, satisfaction: null, keys: '9', completed: false });
    expect(playedOn(s.events, result.channelId)).toEqual([
      'sound:hotline/survey-intro-generic', 'sound:hotline/q1',
      'sound:hotline/invalid-key', 'sound:hotline/q1',
      'sound:hotline/no-input', 'sound:hotline/q1',
      'sound:hotline/q2', 'sound:hotline/no-input', 'sound:hotline/q2', 'sound:hotline/no-input', 'sound:hotline/q2',
      'sound:hotline/thanks',
    ]);
  });

  it('when the citizen hangs up after answering q1 "not resolved", then the partial answer is kept and the ticket is flagged for a second round', async () => {
    const s = await hotline();
    s.sim.control.setCitizen('13900000003', { mode: 'answer', ringMs: 100, talkMs: 1000, keys: [{ afterMs: 500, digit: '2' }] });
    s.addTicket('T3', '13900000003');
    s.feature.scheduleSurvey({ ticketId: 'T3', closedAt: s.clock.now() });
    const job = await settled(s, 'T3');
    expect(job).toMatchObject({ status: 'done', lastOutcome: 'answered_partial' });
    expect(s.parts.repo.result(job.id)).toMatchObject({ resolved: 'unresolved', satisfaction: null, completed: false, reopen: true });
    expect(s.unresolved).toEqual([expect.objectContaining({ ticketId: 'T3', resolved: 'unresolved' })]);
  });

  it('when the citizen is busy and then does not answer, then each attempt is retried after the spacing, and the third call is answered', async () => {
    const s = await hotline({ config: { ringTimeoutSeconds: 1, policy: { spacingMinutes: 0.01, maxAttempts: 3 } } });
    s.sim.control.setCitizen('13900000004', { mode: 'busy', ringMs: 200 });
    s.addTicket('T4', '13900000004');
    s.feature.scheduleSurvey({ ticketId: 'T4', closedAt: s.clock.now() });
    const first = await settled(s, 'T4');
    expect(first).toMatchObject({ status: 'pending', attempts: 1, lastOutcome: 'busy' });
    expect(first.notBefore! - first.lastAttemptAt!).toBe(600);
    s.sim.control.setCitizen('13900000004', { mode: 'no-answer' });
    const second = await waitFor('the second attempt', () => { const j = jobOf(s, 'T4'); return j.attempts === 2 && j.status === 'pending' ? j : undefined; }, 10_000);
    expect(second.lastOutcome).toBe('no_answer');
    s.sim.control.setCitizen('13900000004', { mode: 'answer', ringMs: 50, keys: [{ afterMs: 800, digit: '1' }, { afterMs: 1300, digit: '1' }] });
    const third = await waitFor('the third attempt', () => { const j = jobOf(s, 'T4'); return j.status === 'done' ? j : undefined; }, 10_000);
    expect(third).toMatchObject({ attempts: 3, lastOutcome: 'answered_completed' });
    const attempts = s.db.prepare('SELECT outcome, cause FROM survey_attempts ORDER BY started_at').all();
    expect(attempts).toEqual([{ outcome: 'busy', cause: 17 }, { outcome: 'no_answer', cause: 19 }, { outcome: 'answered_completed', cause: null }]);
  });

  it('when the dial string names an endpoint Asterisk does not know, then the 500 "Allocation failed" counts as a failed attempt', async () => {
    const s = await hotline({ config: { endpoint: 'PJSIP/{number}' } });
    s.addTicket('T5', '13900000005');
    s.feature.scheduleSurvey({ ticketId: 'T5', closedAt: s.clock.now() });
    const job = await settled(s, 'T5');
    expect(job).toMatchObject({ status: 'pending', attempts: 1, lastOutcome: 'failed' });
    expect(s.requests.find((r) => r.method === 'POST' && r.path === '/channels')?.status).toBe(500);
    expect(s.parts.stasis!.activeCount()).toBe(0);
  });
});

describe('the survey API', () => {
  it('when a supervisor lists, blocks and unblocks numbers, then the list follows and agents are refused', async () => {
    const s = await hotline({ config: { enabled: false } });
    const boss = await s.token('boss', 'supervisor');
    const agent = await s.token('agent7', 'agent');
    s.addTicket('T6', '13900000006');
    s.feature.scheduleSurvey({ ticketId: 'T6', closedAt: s.clock.now() });
    const call = (token: string, method: string, path: string, body?: unknown) => fetch(`${s.url}${path}`, {
      method, headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined,
    });
    const list = await call(boss, 'GET', '/api/surveys?ticketId=T6');
    expect(list.status).toBe(200);
    const { jobs } = await list.json() as { jobs: Array<{ ticketId: string; status: string; phoneNumber: string }> };
    expect(jobs).toEqual([expect.objectContaining({ ticketId: 'T6', status: 'pending', phoneNumber: '139****0006' })]);
    expect((await call(agent, 'GET', '/api/surveys')).status).toBe(403);
    expect((await call(boss, 'POST', '/api/surveys/do-not-call', { phoneNumber: '139 0000 0006', reason: '本人要求' })).status).toBe(201);
    expect(s.parts.repo.isDoNotCall('13900000006')).toBe(true);
    expect((await call(boss, 'POST', '/api/surveys/do-not-call', { phoneNumber: 'abc' })).status).toBe(400);
    const stats = await (await call(boss, 'GET', '/api/surveys/jobs/stats')).json() as { jobs: Record<string, number> };
    expect(stats.jobs).toEqual({ pending: 1 });
    expect((await call(boss, 'DELETE', '/api/surveys/do-not-call/13900000006')).status).toBe(204);
    expect((await call(boss, 'DELETE', '/api/surveys/do-not-call/13900000006')).status).toBe(404);
  });
});
