import type { WebSocket } from 'ws';
import type { Logger } from 'pino';
import type { Bus, ScreenPop } from '../../bus.ts';
import type { Clock, TimerHandle } from '../../clock.ts';
import { badMessage, parseInbound } from './live.messages.ts';
import type { AgentStateView, LiveInbound, LiveOutbound, LivePrincipal } from './live.messages.ts';

export interface LiveLimits {
  maxBufferedBytes: number;     // a socket whose send buffer stays above this ...
  slowGraceMs: number;          // ... for this long is dropped with 1013
  closeGraceMs: number;         // after the 1013 close frame, the socket is destroyed this long later
  heartbeatMs: number;          // ping interval; a socket that missed a whole interval is terminated
  maxMessageBytes: number;      // inbound frames above this are answered with ERR_BAD_MESSAGE
  maxMessagesPerSecond: number; // inbound frames above this rate are answered with ERR_BAD_MESSAGE
}

export const DEFAULT_LIVE_LIMITS: LiveLimits = {
  maxBufferedBytes: 1024 * 1024,
  slowGraceMs: 2000,
  closeGraceMs: 5000,
  heartbeatMs: 25_000,
  maxMessagesPerSecond: 50,
  maxMessageBytes: 64 * 1024,
};

export interface LiveReplyError { code: string; message: string; message_en: string; details?: Array<{ field: string; message: string }> }

export interface LiveMessageContext { who: LivePrincipal; send(frame: LiveOutbound): void }
export type LiveMessageHandler = (message: LiveInbound, ctx: LiveMessageContext) => Promise<LiveOutbound | void> | LiveOutbound | void;

export interface LiveHubDeps {
  bus: Bus;
  clock: Clock;
  log: Logger;
  limits?: Partial<LiveLimits>;
  /** The agent's state as the agents feature knows it; the last `agent.state` seen on the bus otherwise. */
  agentState?: (agentId: string) => AgentStateView | undefined;
  /** Turns a thrown error into the error frame's fields. */
  describeError: (error: unknown) => LiveReplyError;
}

export interface LiveHubStats { sockets: number; agentsConnected: number; dropped: number; badMessages: number; framesSent: number }

export interface LiveHub {
  attach(socket: WebSocket, who: LivePrincipal): void;
  onMessage(type: string, handler: LiveMessageHandler): void;
  /** Frames a feature sends a desktop right after its `hello` (what it is in the middle of: a three-way call, say). */
  afterHello(frames: (who: LivePrincipal) => LiveOutbound[]): void;
  sendToAgent(agentId: string, frame: LiveOutbound): number;
  sendToUser(userId: string, frame: LiveOutbound): number;
  lastPop(agentId: string): ScreenPop | undefined;
  stats(): LiveHubStats;
  close(): void;
}

interface Peer {
  socket: WebSocket;
  who: LivePrincipal;
  alive: boolean;
  overSince: number | undefined;
  dropping: boolean;
  windowStart: number;
  windowCount: number;
}

export function createLiveHub(deps: LiveHubDeps): LiveHub {
  const limits: LiveLimits = { ...DEFAULT_LIVE_LIMITS, ...deps.limits };
  const { clock, log } = deps;
  const peers = new Set<Peer>();
  const byAgent = new Map<string, Set<Peer>>();
  const byUser = new Map<string, Set<Peer>>();
  const pops = new Map<string, ScreenPop>();
  const states = new Map<string, AgentStateView>();
  const handlers = new Map<string, LiveMessageHandler>();
  const helloFollowers: Array<(who: LivePrincipal) => LiveOutbound[]> = [];
  const counters = { dropped: 0, badMessages: 0, framesSent: 0 };
  let heartbeat: TimerHandle | undefined;
  let closed = false;

  handlers.set('ping', (m) => ({ type: 'pong', ...(m.ref ? { ref: m.ref } : {}), serverTime: clock.now() }));

  const unsubscribe = [
    deps.bus.subscribe('agent.pop', ({ agentId, pop }) => {
      pops.set(agentId, pop);
      sendToAgent(agentId, { type: 'pop', pop });
    }),
    deps.bus.subscribe('agent.state', ({ agentId, state, reason, since }) => {
      states.set(agentId, reason === undefined ? { state, since } : { state, reason, since });
      sendToAgent(agentId, reason === undefined ? { type: 'agent.state', agentId, state, since } : { type: 'agent.state', agentId, state, reason, since });
    }),
    deps.bus.subscribe('agent.call_ended', ({ agentId, callId, endedAt }) => {
      const pop = pops.get(agentId);
      if (pop && pop.callId === callId) pops.delete(agentId);
      sendToAgent(agentId, { type: 'call.ended', callId, endedAt });
    }),
  ];

  function index(map: Map<string, Set<Peer>>, key: string, peer: Peer, add: boolean): void {
    let set = map.get(key);
    if (add) {
      if (!set) { set = new Set(); map.set(key, set); }
      set.add(peer);
    } else if (set) {
      set.delete(peer);
      if (set.size === 0) map.delete(key);
    }
  }

  function drop(peer: Peer, why: string): void {
    if (peer.dropping) return;
    peer.dropping = true;
    counters.dropped++;
    log.warn({ userId: peer.who.userId, agentId: peer.who.agentId, bufferedAmount: peer.socket.bufferedAmount, why }, 'desktop socket dropped');
    try { peer.socket.close(1013, 'client too slow, reconnect'); } catch { /* already closing */ }
    clock.setTimeout(() => { peer.socket.terminate(); }, limits.closeGraceMs);
    forget(peer);
  }

  function forget(peer: Peer): void {
    if (!peers.delete(peer)) return;
    index(byUser, peer.who.userId, peer, false);
    if (peer.who.agentId) index(byAgent, peer.who.agentId, peer, false);
  }

  function checkBacklog(peer: Peer): boolean {
    if (peer.socket.bufferedAmount <= limits.maxBufferedBytes) { peer.overSince = undefined; return true; }
    const now = clock.now();
    if (peer.overSince === undefined) { peer.overSince = now; return true; }
    if (now - peer.overSince >= limits.slowGraceMs) { drop(peer, 'send buffer full'); return false; }
    return true;
  }

  function send(peer: Peer, frame: LiveOutbound): boolean {
    if (peer.dropping || peer.socket.readyState !== peer.socket.OPEN) return false;
    if (!checkBacklog(peer)) return false;
    peer.socket.send(JSON.stringify(frame));
    counters.framesSent++;
    return true;
  }

  function sendToAgent(agentId: string, frame: LiveOutbound): number {
    let n = 0;
    for (const peer of [...(byAgent.get(agentId) ?? [])]) if (send(peer, frame)) n++;
    return n;
  }

  function sendToUser(userId: string, frame: LiveOutbound): number {
    let n = 0;
    for (const peer of [...(byUser.get(userId) ?? [])]) if (send(peer, frame)) n++;
    return n;
  }

  function beat(): void {
    heartbeat = undefined;
    if (closed) return;
    for (const peer of [...peers]) {
      if (!peer.alive) { log.info({ userId: peer.who.userId }, 'desktop socket missed heartbeat'); forget(peer); peer.socket.terminate(); continue; }
      if (!checkBacklog(peer)) continue;
      peer.alive = false;
      try { peer.socket.ping(); } catch { /* closing */ }
    }
    heartbeat = clock.setTimeout(beat, limits.heartbeatMs);
  }

  async function receive(peer: Peer, raw: unknown, isBinary: boolean): Promise<void> {
    peer.alive = true;
    const now = clock.now();
    if (now - peer.windowStart >= 1000) { peer.windowStart = now; peer.windowCount = 0; }
    if (++peer.windowCount > limits.maxMessagesPerSecond) { counters.badMessages++; send(peer, badMessage('too_fast')); return; }
    const parsed = parseInbound(raw, isBinary, limits.maxMessageBytes);
    if (!parsed.ok) { counters.badMessages++; send(peer, badMessage(parsed.reason, parsed.ref)); return; }
    const { message } = parsed;
    const handler = handlers.get(message.type);
    if (!handler) { counters.badMessages++; send(peer, badMessage('unknown_type', message.ref)); return; }
    try {
      const reply = await handler(message, { who: peer.who, send: (f) => { send(peer, f); } });
      if (reply) send(peer, message.ref && !('ref' in reply) ? { ...reply, ref: message.ref } : reply);
    } catch (error) {
      const e = deps.describeError(error);
      send(peer, { type: 'error', ...e, ...(message.ref ? { ref: message.ref } : {}) });
    }
  }

  function hello(peer: Peer): LiveOutbound {
    const { who } = peer;
    let agent: ({ id: string } & AgentStateView) | null = null;
    if (who.agentId) {
      const view = deps.agentState?.(who.agentId) ?? states.get(who.agentId) ?? { state: 'offline', since: clock.now() };
      agent = { id: who.agentId, ...view };
    }
    return {
      type: 'hello',
      user: { id: who.userId, username: who.username, role: who.role, displayName: who.displayName },
      agent,
      pop: who.agentId ? pops.get(who.agentId) ?? null : null,
      serverTime: clock.now(),
    };
  }

  return {
    attach(socket, who) {
      if (closed) { socket.close(1001, 'service stopping'); return; }
      const peer: Peer = { socket, who, alive: true, overSince: undefined, dropping: false, windowStart: clock.now(), windowCount: 0 };
      peers.add(peer);
      index(byUser, who.userId, peer, true);
      if (who.agentId) index(byAgent, who.agentId, peer, true);
      socket.on('pong', () => { peer.alive = true; });
      socket.on('message', (raw, isBinary) => { void receive(peer, raw, isBinary); });
      socket.on('close', () => forget(peer));
      socket.on('error', (error) => { log.debug({ err: error, userId: who.userId }, 'desktop socket error'); forget(peer); });
      send(peer, hello(peer));
      for (const follow of helloFollowers) {
        try { for (const frame of follow(who)) send(peer, frame); } catch (error) { log.error({ err: error, userId: who.userId }, 'frames after hello failed'); }
      }
      if (!heartbeat) heartbeat = clock.setTimeout(beat, limits.heartbeatMs);
    },
    onMessage(type, handler) { handlers.set(type, handler); },
    afterHello(frames) { helloFollowers.push(frames); },
    sendToAgent,
    sendToUser,
    lastPop: (agentId) => pops.get(agentId),
    stats: () => ({ sockets: peers.size, agentsConnected: byAgent.size, ...counters }),
    close() {
      closed = true;
      for (const u of unsubscribe) u();
      clock.clearTimeout(heartbeat);
      heartbeat = undefined;
      for (const peer of [...peers]) {
        forget(peer);
        try { peer.socket.close(1001, 'service stopping'); } catch { peer.socket.terminate(); }
      }
    },
  };
}
