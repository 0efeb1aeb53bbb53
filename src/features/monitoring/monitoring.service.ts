import type { Logger } from 'pino';
import type { Clock } from '../../clock.ts';
import { err, hotlineError, ok } from '../../domain/errors.ts';
import type { Result } from '../../domain/errors.ts';
import { AriError } from '../../pbx/ari/client.types.ts';
import type { AriClient, AriSnapshot } from '../../pbx/ari/client.types.ts';
import { newId, parseId } from '../../pbx/ari/ids.ts';
import type { Role } from '../auth/auth.service.ts';
import { createStasisWaiter, teardownSteps } from './ari-steps.ts';
import type { LiveCallLookup } from './live-calls.ts';
import type { MonitoringRepo } from './monitoring.repo.ts';
import { createSerial } from './serial.ts';
import type { Serial } from './serial.ts';

export const MONITOR_MODES = ['listen', 'whisper', 'barge'] as const;
export type MonitorMode = (typeof MONITOR_MODES)[number];

export interface MonitoringSettings {
  app: string;
  /** How long the supervisor's phone rings before Asterisk gives up. */
  ringSeconds: number;
  /** Roles that may listen to calls whose ticket is confidential. */
  confidentialRoles: Role[];
  /** How long to wait for a snoop channel to enter Stasis. */
  snoopStartMs: number;
}

export const DEFAULT_MONITORING_SETTINGS: Omit<MonitoringSettings, 'app'> = {
  ringSeconds: 30, confidentialRoles: ['admin'], snoopStartMs: 5000,
};

export interface Supervisor { id: string; role: Role }

export interface MonitorView {
  id: string; callId: string; mode: MonitorMode; state: 'dialing' | 'active' | 'ended'; seat: string;
  startedAt: number; answeredAt: number | null; supervisorId: string;
}

interface Monitor extends MonitorView {
  bridgeId: string;
  supervisorChannelId: string;
  snoopId: string | null;
  retiring: Set<string>;
  /** Where the supervisor's channel is: nowhere yet, the monitor bridge, or the call's own bridge (barge). */
  where: 'none' | 'monitor' | 'call';
  callerChannelId: string;
  agentChannelId: string;
  callBridgeId: string;
  serial: Serial;
  log: Logger;
}

const SEAT = /^[A-Za-z0-9_.-]{1,64}$/;

export type MonitoringService = ReturnType<typeof createMonitoringService>;

/**
 * Listen, whisper and barge on a live call. The supervisor's phone is called; once it answers, a snoop
 * channel on the caller (listen: spy both, whisper none) or on the agent (whisper: spy both, whisper out)
 * is bridged with it in a monitor bridge; barge puts the supervisor into the call's own mixing bridge.
 * A switch sets up the new path before the old snoop is hung up. Any leg going away ends the monitor.
 */
export function createMonitoringService(deps: {
  ari: AriClient; calls: LiveCallLookup; repo: MonitoringRepo; clock: Clock; log: Logger; settings: MonitoringSettings;
}) {
  const { ari, calls, repo, clock, settings } = deps;
  const log = deps.log.child({ component: 'monitoring' });
  const steps = teardownSteps(ari, log);
  const snoops = createStasisWaiter(clock);
  const monitors = new Map<string, Monitor>();

  const view = (m: Monitor): MonitorView => ({
    id: m.id, callId: m.callId, mode: m.mode, state: m.state, seat: m.seat, startedAt: m.startedAt, answeredAt: m.answeredAt, supervisorId: m.supervisorId,
  });

  function audit(m: Monitor, action: 'monitor.start' | 'monitor.mode' | 'monitor.end', actorId: string, details: Record<string, unknown>): void {
    try {
      repo.audit({ at: clock.now(), actorId, action, callId: m.callId, details: { monitorId: m.id, mode: m.mode, seat: m.seat, ...details } });
    } catch (error) {
      m.log.error({ err: error, action }, 'monitor audit entry could not be written');
    }
  }

  async function start(input: { callId: string; mode: MonitorMode; seat?: string; supervisor: Supervisor }): Promise<Result<MonitorView>> {
    const { callId, mode, supervisor } = input;
    const call = calls.find(callId);
    if (!call) return err(hotlineError('ERR_NO_SUCH_CALL'));
    if (call.state !== 'connected' || !call.bridgeId || !call.callerChannelId || !call.agentChannelId) {
      return err(hotlineError('ERR_CALL_STATE', { state: call.state }));
    }
    if (repo.callIsConfidential(callId) && !settings.confidentialRoles.includes(supervisor.role)) {
      repo.audit({ at: clock.now(), actorId: supervisor.id, action: 'monitor.refused', callId, details: { mode, reason: 'confidential' } });
      return err(hotlineError('ERR_FORBIDDEN', { reason: 'confidential_ticket' }));
    }
    for (const m of monitors.values()) {
      if (m.callId === callId && m.supervisorId === supervisor.id && m.state !== 'ended') return err(hotlineError('ERR_CONFLICT', { monitorId: m.id }));
    }
    const seat = repo.seatOfUser(supervisor.id) ?? input.seat;
    if (!seat) return err(hotlineError('ERR_VALIDATION', { fields: [{ field: 'seat', message: 'seat：请填写监听用的座席号', message_en: 'seat is required: this user has no seat of their own' }] }));
    if (!SEAT.test(seat)) return err(hotlineError('ERR_VALIDATION', { fields: [{ field: 'seat', message: 'seat：格式不正确', message_en: 'seat has the wrong format' }] }));

    const id = newId('monitor').slice('hl-monitor-'.length);
    const m: Monitor = {
      id, callId, mode, state: 'dialing', seat, startedAt: clock.now(), answeredAt: null, supervisorId: supervisor.id,
      bridgeId: `hl-monitor-${id}`, supervisorChannelId: newId('supervisor'), snoopId: null, retiring: new Set(), where: 'none',
      callerChannelId: call.callerChannelId, agentChannelId: call.agentChannelId, callBridgeId: call.bridgeId,
      serial: createSerial((error) => log.error({ err: error, monitorId: id }, 'monitor step failed')),
      log: log.child({ monitorId: id, callId, supervisorId: supervisor.id }),
    };
    monitors.set(id, m);
    audit(m, 'monitor.start', supervisor.id, { role: supervisor.role });
    return m.serial.run(async (): Promise<Result<MonitorView>> => {
      try {
        await ari.bridges.create({ type: 'mixing', bridgeId: m.bridgeId, name: `monitor-${callId}` });
        await ari.channels.originate({
          endpoint: `PJSIP/${seat}`, app: settings.app, appArgs: `supervisor,${id}`, channelId: m.supervisorChannelId,
          timeout: settings.ringSeconds, callerId: `"${call.line}" <${call.line}>`,
        });
      } catch (error) {
        m.log.warn({ err: error, seat }, 'supervisor phone could not be called');
        await finish(m, 'supervisor_unreachable', supervisor.id);
        if (error instanceof AriError && error.status === 500) return err(hotlineError('ERR_AGENT_STATE', { reason: 'supervisor_phone_unreachable', seat }));
        return err(hotlineError('ERR_PBX_UNAVAILABLE'));
      }
      m.log.info({ mode, seat }, 'monitor started, calling the supervisor');
      return ok(view(m));
    });
  }

  /** Builds the audio path for `mode`, the new one before the old one goes. Runs in the monitor's serial queue. */
  async function attach(m: Monitor, mode: MonitorMode): Promise<void> {
    const old = m.snoopId;
    if (mode === 'barge') {
      await ari.bridges.addChannel(m.callBridgeId, m.supervisorChannelId);
      m.where = 'call';
      m.snoopId = null;
    } else {
      const snoopId = newId('snoop');
      const target = mode === 'listen' ? m.callerChannelId : m.agentChannelId;
      const entered = snoops.expect(snoopId, settings.snoopStartMs);
      m.snoopId = snoopId;
      try {
        await ari.channels.snoop(target, { spy: 'both', whisper: mode === 'listen' ? 'none' : 'out', app: settings.app, appArgs: `snoop,${m.id}`, snoopId });
        if (!(await entered)) throw new Error('snoop channel did not enter Stasis');
        if (m.state === 'ended') return;
        await ari.bridges.addChannel(m.bridgeId, m.where === 'monitor' ? snoopId : [snoopId, m.supervisorChannelId]);
      } catch (error) {
        snoops.gone(snoopId);
        m.snoopId = old;
        m.retiring.add(snoopId);
        await steps.hangUp(snoopId);
        throw error;
      }
      m.where = 'monitor';
    }
    if (old && old !== m.snoopId) {
      m.retiring.add(old);
      await steps.hangUp(old);
    }
  }

  function supervisorAnswered(channelId: string, monitorId: string): void {
    const m = monitors.get(monitorId);
    if (!m || m.state === 'ended' || m.supervisorChannelId !== channelId) { void steps.hangUp(channelId); return; }
    void m.serial.run(async () => {
      if (m.state !== 'dialing') return;
      m.state = 'active';
      m.answeredAt = clock.now();
      try {
        await attach(m, m.mode);
        m.log.info({ mode: m.mode }, 'supervisor connected to the call');
      } catch (error) {
        m.log.warn({ err: error }, 'monitor could not be connected');
        await finish(m, 'connect_failed', 'system');
      }
    });
  }

  function owned(monitorId: string, supervisor: Supervisor): Result<Monitor> {
    const m = monitors.get(monitorId);
    if (!m || m.state === 'ended') return err(hotlineError('ERR_NOT_FOUND', { monitorId }));
    if (m.supervisorId !== supervisor.id && supervisor.role !== 'admin') return err(hotlineError('ERR_FORBIDDEN', { reason: 'not_your_monitor' }));
    return ok(m);
  }

  async function switchMode(monitorId: string, mode: MonitorMode, supervisor: Supervisor): Promise<Result<MonitorView>> {
    const found = owned(monitorId, supervisor);
    if (!found.ok) return found;
    const m = found.value;
    return m.serial.run(async (): Promise<Result<MonitorView>> => {
      if (m.state === 'ended') return err(hotlineError('ERR_NOT_FOUND', { monitorId }));
      const from = m.mode;
      if (from === mode) return ok(view(m));
      if (m.state === 'active') {
        try { await attach(m, mode); } catch (error) {
          m.log.warn({ err: error, from, to: mode }, 'monitor mode switch failed');
          return err(hotlineError('ERR_PBX_UNAVAILABLE'));
        }
      }
      if ((m.state as MonitorView['state']) === 'ended') return err(hotlineError('ERR_NOT_FOUND', { monitorId }));
      m.mode = mode;
      audit(m, 'monitor.mode', supervisor.id, { from, to: mode });
      m.log.info({ from, to: mode }, 'monitor mode switched');
      return ok(view(m));
    });
  }

  async function stop(monitorId: string, supervisor: Supervisor): Promise<Result<MonitorView>> {
    const found = owned(monitorId, supervisor);
    if (!found.ok) return found;
    const m = found.value;
    await end(m, 'stopped', supervisor.id);
    return ok(view(m));
  }

  /** Takes everything of the monitor down; idempotent. Must run inside the monitor's queue. */
  async function finish(m: Monitor, reason: string, actorId: string): Promise<void> {
    if (m.state === 'ended') return;
    const wasActive = m.answeredAt !== null;
    m.state = 'ended';
    for (const id of [m.snoopId, ...m.retiring]) if (id) snoops.gone(id);
    if (m.snoopId) { m.retiring.add(m.snoopId); await steps.hangUp(m.snoopId); }
    await steps.hangUp(m.supervisorChannelId);
    await steps.destroyBridge(m.bridgeId);
    monitors.delete(m.id);
    const endedAt = clock.now();
    audit(m, 'monitor.end', actorId, { reason, startedAt: m.startedAt, answeredAt: m.answeredAt, endedAt, listenedMs: wasActive ? endedAt - (m.answeredAt ?? endedAt) : 0 });
    m.log.info({ reason }, 'monitor ended');
  }

  function end(m: Monitor, reason: string, actorId = 'system'): Promise<void> {
    return m.serial.run(() => finish(m, reason, actorId));
  }

  /** Any sign that a channel went away: ChannelHangupRequest, StasisEnd, ChannelDestroyed, a failed Dial. */
  function channelGone(channelId: string, why?: string): void {
    snoops.gone(channelId);
    for (const m of [...monitors.values()]) {
      if (m.state === 'ended') continue;
      if (m.retiring.has(channelId)) continue;
      if (channelId === m.supervisorChannelId) void end(m, why ?? 'supervisor_hangup');
      else if (channelId === m.snoopId) void end(m, 'snooped_channel_gone');
      else if (channelId === m.callerChannelId) void end(m, 'caller_hangup');
      else if (channelId === m.agentChannelId) void end(m, 'agent_hangup');
    }
  }

  function callEnded(callId: string): void {
    for (const m of [...monitors.values()]) if (m.callId === callId) void end(m, 'call_ended');
  }

  /** After a (re)connect: monitors that lost a leg end; our snoop, supervisor and monitor objects nobody owns go. */
  async function reconcile(snapshot: AriSnapshot): Promise<void> {
    const alive = new Set(snapshot.channels.map((c) => c.id));
    for (const m of [...monitors.values()]) {
      const legs = [m.callerChannelId, m.agentChannelId, m.supervisorChannelId, ...(m.state === 'active' && m.snoopId ? [m.snoopId] : [])];
      if (legs.some((id) => !alive.has(id))) await end(m, 'lost_during_reconnect');
    }
    const channels = new Set<string>();
    const bridges = new Set<string>();
    for (const m of monitors.values()) {
      channels.add(m.supervisorChannelId);
      if (m.snoopId) channels.add(m.snoopId);
      for (const id of m.retiring) channels.add(id);
      bridges.add(m.bridgeId);
    }
    for (const c of snapshot.channels) {
      const kind = parseId(c.id)?.kind;
      if ((kind === 'supervisor' || kind === 'snoop') && !channels.has(c.id)) await steps.hangUp(c.id);
    }
    for (const b of snapshot.bridges) {
      if (parseId(b.id)?.kind === 'monitor' && !bridges.has(b.id)) await steps.destroyBridge(b.id);
    }
  }

  return {
    start, switchMode, stop, supervisorAnswered, channelGone, callEnded, reconcile,
    snoopStarted: (channelId: string) => snoops.started(channelId),
    get: (monitorId: string): MonitorView | undefined => { const m = monitors.get(monitorId); return m ? view(m) : undefined; },
    list: (): MonitorView[] => [...monitors.values()].map(view),
    async close(): Promise<void> {
      await Promise.all([...monitors.values()].map((m) => end(m, 'service_stopping')));
    },
  };
}
