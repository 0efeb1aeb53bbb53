import type { Clock } from '../../src/clock.ts';
import { dispatchFeature } from '../../src/features/dispatch/dispatch.feature.ts';
import type { DispatchOptions, DispatchParts } from '../../src/features/dispatch/dispatch.feature.ts';
import type { SurveyRequest } from '../../src/features/dispatch/dispatch.service.ts';
import { startDeskApp } from '../fixtures/desk-app.ts';
import type { DeskApp, Session } from '../fixtures/desk-app.ts';

export const JIANWAI = '110105001';   // 建外街道, 朝阳区
export const CHAOWAI = '110105002';   // 朝外街道, 朝阳区
export const WATER = 'util-water';    // 北京自来水集团

/** A reply body as the tests read it: the ticket file, a queue, or an error. */
export type HandlingReply = Record<string, any>;

export interface HandlingDesk {
  desk: DeskApp;
  parts: DispatchParts;
  surveys: SurveyRequest[];
  as: Record<'agent' | 'supervisor' | 'unitA' | 'unitB' | 'water', Session>;
  call(s: Session, method: string, path: string, body?: unknown): Promise<{ status: number; body: HandlingReply }>;
  /** Creates a ticket over HTTP as the agent and returns its id. */
  intake(form?: Record<string, unknown>): Promise<{ id: string; number: string; mergeCandidates: Array<{ ticketId: string; reason: string }> }>;
  relogin(): Promise<void>;
  close(): Promise<void>;
}

export const COMPLAINT = {
  callerNumber: '13900139000',
  type: 'complaint',
  category: 'sanitation/rubbish',
  description: '小区门口垃圾三天无人清运，气味很大',
  districtCode: '110105',
  townshipCode: JIANWAI,
  address: '建国门外大街 1 号院',
  contactName: '李女士',
  contactPhone: '13900139000',
};

export async function startHandlingDesk(opts: { clock?: Clock; dispatch?: Partial<DispatchOptions> } = {}): Promise<HandlingDesk> {
  let parts: DispatchParts | undefined;
  const surveys: SurveyRequest[] = [];
  const desk = await startDeskApp({
    ...(opts.clock ? { clock: opts.clock } : {}),
    features: [dispatchFeature({ ...opts.dispatch, scheduleSurvey: (r) => surveys.push(r), onReady: (p) => { parts = p; } })],
  });
  const units: Record<string, string> = { unitA: JIANWAI, unitB: CHAOWAI, water: WATER };
  await desk.addUser('agent', 'agent', 'agent001');
  await desk.addUser('supervisor', 'supervisor');
  for (const [name, code] of Object.entries(units)) {
    await desk.addUser(name, 'unit');
    parts!.repo.setUserUnit(desk.app.auth.findAccountByUsername(name)!.id, code);
  }
  const names = ['agent', 'supervisor', 'unitA', 'unitB', 'water'] as const;
  const as = {} as HandlingDesk['as'];
  const relogin = async () => { for (const n of names) as[n] = await desk.login(n); };
  await relogin();

  async function call(s: Session, method: string, path: string, body?: unknown) {
    const headers: Record<string, string> = { cookie: s.cookie, 'x-csrf-token': s.csrf };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${desk.url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  }

  return {
    desk, parts: parts!, surveys, as, call, relogin,
    async intake(form = {}) {
      const res = await call(as.agent, 'POST', '/api/tickets', { ...COMPLAINT, ...form });
      if (res.status !== 201) throw new Error(`intake -> ${res.status} ${JSON.stringify(res.body)}`);
      return res.body;
    },
    close: () => desk.close(),
  };
}
