import type { Logger } from 'pino';
import type { Clock } from '../../clock.ts';
import { err, hotlineError, ok } from '../../domain/errors.ts';
import type { Result } from '../../domain/errors.ts';
import { maskPhone } from '../../domain/phone.ts';
import { AriError } from '../../pbx/ari/client.types.ts';
import type { AriClient, AriSnapshot } from '../../pbx/ari/client.types.ts';
import { newId, parseId } from '../../pbx/ari/ids.ts';
import { teardownSteps } from '../monitoring/ari-steps.ts';
import type { LiveCallControl } from '../monitoring/live-calls.ts';
import { createSerial } from '../monitoring/serial.ts';
import type { Serial } from '../monitoring/serial.ts';
import type { ConferenceRepo, ConferenceRow } from './conference.repo.ts';

export interface ConferenceSettings {
  app: string;
  /** How the unit's number is dialled; `${number}` is replaced. */
  dialString: string;
  ringSeconds: number;
}

export const DEFAULT_CONFERENCE_SETTINGS: Omit<ConferenceSettings, 'app'> = { dialString: 'PJSIP/${number}@trunk', ringSeconds: 30 };

/** What the agent's desktop is told about the unit's leg. */
export type ConferenceStatus =
  | 'dialing' | 'ringing' | 'connected' | 'busy' | 'no_answer' | 'failed' | 'dropped' | 'unit_left' | 'agent_left' | 'ended';

export interface ConferenceView {
  id: string; callId: string; agentId: string; unitCode: string | null; unitName: string | null; number: string;
  status: ConferenceStatus; startedAt: number; answeredAt: number | null; agentLeft: boolean;
}

interface Conference extends ConferenceView {
  agentLeftAt: number | null;
  endedAt: number | null;
  channelId: string;
  callerChannelId: string;
  agentChannelId: string;
  bridgeId: string;
  over: boolean;
  serial: Serial;
  log: Logger;
}

export interface ConferenceAgent { userId: string; agentId: string | null }

const NUMBER = /^\+?[0-9]{3,20}$/;

const STATUSES: readonly ConferenceStatus[] = ['dialing', 'ringing', 'connected', 'busy', 'no_answer', 'failed', 'dropped', 'unit_left', 'agent_left', 'ended'];

/** What a restart did with the conferences the database still had open, for the log and the tests. */
export interface ConferenceRecovery { open: number; resumed: number; ended: number }

export type ConferenceService = ReturnType<typeof createConferenceService>;

/**
 * 三方通话: the agent calls a unit's contact into the call's mixing bridge (the bridge recording goes on).
 * The agent can drop the unit, or leave the citizen and the unit connected; the desktop hears every
 * step of the unit's leg (ringing, answered, busy, no answer).
 */
export function createConferenceService(deps: {
  ari: AriClient; calls: LiveCallControl; repo: ConferenceRepo; clock: Clock; log: Logger;
  settings: ConferenceSettings; notify: (agentId: string, frame: { type: 'conference.status' } & Record<string, unknown>) => void;
}) {
  const { ari, calls, repo, clock, settings } = deps;
  const log = deps.log.child({ component: 'conference' });
  const steps = teardownSteps(ari, log);
  const conferences = new Map<string, Conference>();

  const view = (c: Conference): ConferenceView => ({
    id: c.id, callId: c.callId, agentId: c.agentId, unitCode: c.unitCode, unitName: c.unitName, number: c.number,
    status: c.status, startedAt: c.startedAt, answeredAt: c.answeredAt, agentLeft: c.agentLeft,
  });

  /** The conference's row follows every change; a write the database refuses costs only the recovery after a restart. */
  function persist(c: Conference, write: () => void): void {
    try { write(); } catch (error) { c.log.error({ err: error }, 'conference row could not be written'); }
  }
  const save = (c: Conference) => persist(c, () => repo.save({ id: c.id, status: c.status, answeredAt: c.answeredAt, agentLeftAt: c.agentLeftAt, endedAt: c.endedAt }));

  function report(c: Conference, status: ConferenceStatus): void {
    c.status = status;
    save(c);
    if (!c.agentLeft || status === 'agent_left') deps.notify(c.agentId, { type: 'conference.status', conference: view(c) });
    c.log.info({ status }, 'three-way call status');
  }

  function audit(c: Conference, action: string, actorId: string, details: Record<string, unknown> = {}): void {
    try { repo.audit({ at: clock.now(), actorId, action, callId: c.callId, details: { conferenceId: c.id, unitCode: c.unitCode, ...details } }); } catch (error) {
      c.log.error({ err: error, action }, 'conference audit entry could not be written');
    }
  }

  async function start(input: { callId: string; number?: string; unitCode?: string; agent: ConferenceAgent }): Promise<Result<ConferenceView>> {
    const { callId, agent } = input;
    const call = calls.find(callId);
    if (!call) return err(hotlineError('ERR_NO_SUCH_CALL'));
    if (!agent.agentId || call.agentId !== agent.agentId) return err(hotlineError('ERR_FORBIDDEN', { reason: 'not_your_call' }));
    if (call.state !== 'connected' || !call.bridgeId || !call.callerChannelId || !call.agentChannelId) return err(hotlineError('ERR_CALL_STATE', { state: call.state }));
    for (const c of conferences.values()) if (c.callId === callId && !c.over) return err(hotlineError('ERR_CONFLICT', { conferenceId: c.id }));
    let number = input.number?.replace(/[\s-]/g, '');
    let unitName: string | null = null;
    if (input.unitCode) {
      const unit = repo.unitContact(input.unitCode);
      if (!unit) return err(hotlineError('ERR_NO_SUCH_UNIT'));
      if (!unit.number) return err(hotlineError('ERR_VALIDATION', { fields: [{ field: 'unitCode', message: 'unitCode：该单位没有联系电话', message_en: 'unitCode: the unit has no contact number' }] }));
      number = unit.number;
      unitName = unit.name;
    }
    if (!number || !NUMBER.test(number)) return err(hotlineError('ERR_VALIDATION', { fields: [{ field: 'number', message: 'number：请填写正确的电话号码', message_en: 'number must be a phone number' }] }));

    const id = newId('outbound').slice('hl-outbound-'.length);
    const c: Conference = {
      id, callId, agentId: agent.agentId, unitCode: input.unitCode ?? null, unitName, number, status: 'dialing',
      startedAt: clock.now(), answeredAt: null, agentLeft: false, agentLeftAt: null, endedAt: null,
      channelId: `hl-outbound-${id}`, callerChannelId: call.callerChannelId, agentChannelId: call.agentChannelId, bridgeId: call.bridgeId,
      over: false,
      serial: createSerial((error) => log.error({ err: error, conferenceId: id }, 'conference step failed')),
      log: log.child({ conferenceId: id, callId, unit: input.unitCode ?? null, number: maskPhone(number) }),
    };
    conferences.set(id, c);
    persist(c, () => repo.insert(rowOf(c)));
    audit(c, 'conference.start', agent.userId, { number: maskPhone(number) });
    return c.serial.run(async (): Promise<Result<ConferenceView>> => {
      try {
        await ari.channels.originate({
          endpoint: settings.dialString.replaceAll('${number}', number), app: settings.app, appArgs: `conference,${id}`,
          channelId: c.channelId, timeout: settings.ringSeconds, callerId: `"${call.line}" <${call.line}>`,
        });
      } catch (error) {
        c.log.warn({ err: error }, 'unit could not be called');
        await finish(c, 'failed');
        return error instanceof AriError && error.status === 500 ? ok(view(c)) : err(hotlineError('ERR_PBX_UNAVAILABLE'));
      }
      report(c, 'dialing');
      return ok(view(c));
    });
  }

  /** Ends the conference: the unit's leg is hung up (unless it is gone), the outcome told to the agent. In the queue. */
  async function finish(c: Conference, status: ConferenceStatus, opts: { hangUpCaller?: boolean } = {}): Promise<void> {
    if (c.over) return;
    c.over = true;
    c.endedAt = clock.now();
    conferences.delete(c.id);
    report(c, status);
    await steps.hangUp(c.channelId);
    if (opts.hangUpCaller) await steps.hangUp(c.callerChannelId);
    audit(c, 'conference.end', 'system', { status, answeredAt: c.answeredAt, agentLeft: c.agentLeft });
  }

  const rowOf = (c: Conference): ConferenceRow => ({
    id: c.id, call_id: c.callId, agent_id: c.agentId, unit_code: c.unitCode, unit_name: c.unitName, number: c.number,
    channel_id: c.channelId, caller_channel_id: c.callerChannelId, agent_channel_id: c.agentChannelId, bridge_id: c.bridgeId,
    status: c.status, started_at: c.startedAt, answered_at: c.answeredAt, agent_left_at: c.agentLeftAt, ended_at: c.endedAt,
  });

  function fromRow(r: ConferenceRow): Conference {
    const status = (STATUSES as readonly string[]).includes(r.status) ? (r.status as ConferenceStatus) : (r.answered_at === null ? 'dialing' : 'connected');
    return {
      id: r.id, callId: r.call_id, agentId: r.agent_id, unitCode: r.unit_code, unitName: r.unit_name, number: r.number, status,
      startedAt: r.started_at, answeredAt: r.answered_at, agentLeft: r.agent_left_at !== null, agentLeftAt: r.agent_left_at, endedAt: null,
      channelId: r.channel_id, callerChannelId: r.caller_channel_id, agentChannelId: r.agent_channel_id, bridgeId: r.bridge_id, over: false,
      serial: createSerial((error) => log.error({ err: error, conferenceId: r.id }, 'conference step failed')),
      log: log.child({ conferenceId: r.id, callId: r.call_id, unit: r.unit_code, number: maskPhone(r.number) }),
    };
  }

  /**
   * After the service itself restarted (the first reconcile of the process): each conference the database
   * still has open is taken up again when its legs are still there (the unit in the call bridge with the
   * citizen, and the agent unless they had left), a unit that answered during the gap joining the bridge;
   * one whose legs went away ends as it would have, the citizen hung up when they were left alone with nobody.
   */
  async function recover(snapshot: AriSnapshot): Promise<ConferenceRecovery> {
    const counts: ConferenceRecovery = { open: 0, resumed: 0, ended: 0 };
    let rows: ConferenceRow[];
    try { rows = repo.open(); } catch (error) { log.error({ err: error }, 'open conferences could not be read'); return counts; }
    const alive = new Map(snapshot.channels.map((ch) => [ch.id, ch]));
    for (const row of rows) {
      counts.open++;
      const c = fromRow(row);
      conferences.set(c.id, c);
      const unit = alive.get(c.channelId);
      const bridge = snapshot.bridges.find((b) => b.id === c.bridgeId);
      const together = unit !== undefined && alive.has(c.callerChannelId) && bridge !== undefined && (c.agentLeft || alive.has(c.agentChannelId));
      await c.serial.run(async () => {
        if (!together) {
          const status: ConferenceStatus = c.answeredAt === null ? 'failed' : unit === undefined && !c.agentLeft ? 'unit_left' : 'ended';
          counts.ended++;
          await finish(c, status, { hangUpCaller: c.agentLeft });
          return;
        }
        const answeredInGap = c.answeredAt === null && unit.state === 'Up' && (unit.dialplan?.app_data ?? '').includes(`,conference,${c.id}`);
        if ((c.answeredAt !== null || answeredInGap) && !bridge.channels.includes(c.channelId)) {
          try { await ari.bridges.addChannel(c.bridgeId, c.channelId); } catch (error) {
            c.log.warn({ err: error }, 'unit could not join the call again');
            counts.ended++;
            await finish(c, 'failed', { hangUpCaller: c.agentLeft });
            return;
          }
        }
        if (answeredInGap) { c.answeredAt = clock.now(); audit(c, 'conference.connected', 'system'); }
        counts.resumed++;
        report(c, c.agentLeft ? 'agent_left' : c.answeredAt !== null ? 'connected' : c.status);
      });
    }
    log.info({ ...counts }, 'conferences recovered after a restart');
    return counts;
  }
  let recovered = false;

  function byChannel(channelId: string): Conference | undefined {
    for (const c of conferences.values()) if (c.channelId === channelId) return c;
    return undefined;
  }

  function owned(conferenceId: string, agent: ConferenceAgent): Result<Conference> {
    const c = conferences.get(conferenceId);
    if (!c || c.over) return err(hotlineError('ERR_NOT_FOUND', { conferenceId }));
    if (c.agentId !== agent.agentId) return err(hotlineError('ERR_FORBIDDEN', { reason: 'not_your_call' }));
    return ok(c);
  }

  return {
    start,
    get: (id: string): ConferenceView | undefined => { const c = conferences.get(id); return c ? view(c) : undefined; },
    /** The three-way calls the agent is on now (a desktop that connects is told of them). */
    openFor: (agentId: string): ConferenceView[] => [...conferences.values()].filter((c) => c.agentId === agentId && !c.over && !c.agentLeft).map(view),

    unitRinging(channelId: string): void {
      const c = byChannel(channelId);
      if (c) void c.serial.run(() => { if (!c.over && c.status === 'dialing') report(c, 'ringing'); });
    },

    unitAnswered(channelId: string, conferenceId: string): void {
      const c = conferences.get(conferenceId);
      if (!c || c.over || c.channelId !== channelId) { void steps.hangUp(channelId); return; }
      void c.serial.run(async () => {
        if (c.over) return;
        try {
          await ari.bridges.addChannel(c.bridgeId, c.channelId);
        } catch (error) {
          c.log.warn({ err: error }, 'unit could not join the call');
          await finish(c, 'failed');
          return;
        }
        c.answeredAt = clock.now();
        report(c, 'connected');
        audit(c, 'conference.connected', 'system');
      });
    },

    /** The unit's leg failed before answering (busy, no answer, unreachable). */
    unitFailed(channelId: string, status: 'busy' | 'no_answer' | 'failed'): void {
      const c = byChannel(channelId);
      if (c) void c.serial.run(() => finish(c, c.answeredAt === null ? status : (c.agentLeft ? 'ended' : 'unit_left'), { hangUpCaller: c.agentLeft }));
    },

    /** Any channel went away: the unit's leg, the caller or the agent. */
    channelGone(channelId: string): void {
      for (const c of [...conferences.values()]) {
        if (c.over) continue;
        if (channelId === c.channelId) {
          if (c.answeredAt === null) continue;
          void c.serial.run(() => finish(c, c.agentLeft ? 'ended' : 'unit_left', { hangUpCaller: c.agentLeft }));
        } else if (channelId === c.callerChannelId || (channelId === c.agentChannelId && !c.agentLeft)) {
          void c.serial.run(() => finish(c, 'ended'));
        }
      }
    },

    async dropUnit(conferenceId: string, agent: ConferenceAgent): Promise<Result<ConferenceView>> {
      const found = owned(conferenceId, agent);
      if (!found.ok) return found;
      const c = found.value;
      await c.serial.run(async () => {
        audit(c, 'conference.drop_unit', agent.userId);
        await finish(c, 'dropped');
      });
      return ok(view(c));
    },

    async leave(conferenceId: string, agent: ConferenceAgent): Promise<Result<ConferenceView>> {
      const found = owned(conferenceId, agent);
      if (!found.ok) return found;
      const c = found.value;
      return c.serial.run(async (): Promise<Result<ConferenceView>> => {
        if (c.over || c.answeredAt === null || c.agentLeft) return err(hotlineError('ERR_CALL_STATE', { status: c.status }));
        if (!(await calls.releaseAgent(c.callId, c.agentChannelId))) return err(hotlineError('ERR_CALL_STATE', { reason: 'call_moved_on' }));
        c.agentLeft = true;
        c.agentLeftAt = clock.now();
        report(c, 'agent_left');
        audit(c, 'conference.agent_left', agent.userId);
        await steps.hangUp(c.agentChannelId);
        return ok(view(c));
      });
    },

    callEnded(callId: string): void {
      for (const c of [...conferences.values()]) if (c.callId === callId) void c.serial.run(() => finish(c, c.answeredAt === null ? 'failed' : 'ended'));
    },

    /**
     * After a (re)connect: the first of the process takes up the conferences the database has open;
     * then conferences whose legs vanished end, and unit legs nobody owns are hung up.
     */
    async reconcile(snapshot: AriSnapshot): Promise<void> {
      if (!recovered) { recovered = true; await recover(snapshot); }
      const alive = new Set(snapshot.channels.map((ch) => ch.id));
      for (const c of [...conferences.values()]) {
        if (!alive.has(c.callerChannelId) || !alive.has(c.channelId)) await c.serial.run(() => finish(c, 'ended', { hangUpCaller: c.agentLeft }));
      }
      const mine = new Set([...conferences.values()].map((c) => c.channelId));
      for (const ch of snapshot.channels) {
        const ours = parseId(ch.id)?.kind === 'outbound' && (ch.dialplan?.app_data ?? '').includes(',conference,');
        if (ours && !mine.has(ch.id)) await steps.hangUp(ch.id);
      }
    },

    /**
     * The service stops: like the calls, three-way calls are left talking in Asterisk, and the next start takes
     * them up from their rows. Steps under way finish first.
     */
    async close(): Promise<void> {
      await Promise.all([...conferences.values()].map((c) => c.serial.run(() => undefined)));
      conferences.clear();
    },
  };
}
