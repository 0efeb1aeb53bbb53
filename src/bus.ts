/**
 * The in-process bus on which features publish what happened (a call queued, an agent's state changed,
 * a screen pop). Handlers run synchronously in publish order; one that throws is reported and does not
 * stop the others. Typed by topic: add a topic by extending HotlineEvents.
 */
export interface TicketSummary {
  id: string;
  number: string;            // readable ticket number, e.g. 2026112500001
  createdAt: number;
  type: string;
  category: string;
  status: string;
  description: string;       // shortened for the pop
}

/** What the agent's desktop shows the moment the agent answers. */
export interface ScreenPop {
  callId: string;
  line: string;              // the dialled number, e.g. 12345
  lineName: string;
  callerNumber: string;      // full number: the pop goes only to the agent on the call
  callerName: string;
  waitedMs: number;          // from arrival to the agent's answer
  answeredAt: number;
  history: TicketSummary[];  // this caller's tickets of the last 90 days, newest first
}

/** 未诉先办: enough tickets of one category in one street within the window to act before more people call. */
export interface HotspotAlertEvent {
  id: string;
  unitCode: string;
  unitName: string;
  category: string;
  windowStart: number;
  windowHours: number;
  count: number;
  ticketIds: string[];
  raisedAt: number;
}

export interface HotlineEvents {
  'agent.state': { agentId: string; state: string; reason?: string; since: number };
  'agent.pop': { agentId: string; pop: ScreenPop };
  'agent.call_ended': { agentId: string; callId: string; endedAt: number };
  'call.changed': { callId: string; state: string; line: string; at: number };
  'hotspot.alert': HotspotAlertEvent;
  /** A callback survey's answers ask for a second round of handling (二次办理): not resolved, or (by policy) not satisfied. */
  'survey.unresolved': {
    ticketId: string;
    jobId: string;
    resolved: 'resolved' | 'unresolved' | null;
    satisfaction: 'satisfied' | 'basically_satisfied' | 'unsatisfied' | null;
  };
}

export type Topic = keyof HotlineEvents;
type Handler<T extends Topic> = (payload: HotlineEvents[T]) => void;

export interface Bus {
  publish<T extends Topic>(topic: T, payload: HotlineEvents[T]): void;
  subscribe<T extends Topic>(topic: T, handler: Handler<T>): () => void;
}

export function createBus(onHandlerError: (topic: string, error: unknown) => void = () => {}): Bus {
  const handlers = new Map<Topic, Set<Handler<Topic>>>();
  return {
    publish(topic, payload) {
      const set = handlers.get(topic);
      if (!set) return;
      for (const h of [...set]) {
        try { (h as Handler<typeof topic>)(payload); } catch (e) { onHandlerError(topic, e); }
      }
    },
    subscribe(topic, handler) {
      let set = handlers.get(topic);
      if (!set) { set = new Set(); handlers.set(topic, set); }
      set.add(handler as Handler<Topic>);
      return () => { set.delete(handler as Handler<Topic>); };
    },
  };
}
