import type { Logger } from 'pino';
import { ARI_EVENT_TYPES } from './models.ts';
import type { AriEvent } from './models.ts';
import type { AriClientStats } from './client.types.ts';

const KNOWN_TYPES: ReadonlySet<string> = new Set(ARI_EVENT_TYPES);

/**
 * True when the event's type is one events.json defines. Events of any other type (a newer Asterisk)
 * are still handed to onEvent handlers, typed as AriEvent but with a `type` outside AriEventType:
 * handlers that switch on `type` see them only in their `default` branch.
 */
export function isKnownAriEvent(event: { type: string }): event is AriEvent {
  return KNOWN_TYPES.has(event.type);
}

export type MalformedKind = 'not-json' | 'not-an-object' | 'no-type';

export interface EventDispatch {
  /** Parses one websocket frame and hands it to every handler; never throws. */
  deliver(frame: string): void;
  subscribe(handler: (event: AriEvent) => void): () => void;
}

type DispatchStats = Pick<AriClientStats, 'eventsReceived' | 'eventsMalformed' | 'eventsUnknown' | 'eventsDuplicate'>;

/**
 * How many recent frames a repeat is looked for in. A real Asterisk sends one event once for every
 * subscription of the app that covers it (the channel, and its endpoint when the app subscribed to
 * endpoint:PJSIP), byte for byte the same and back to back; a handler must see it once.
 */
const DUPLICATE_WINDOW = 16;

export function createEventDispatch(deps: { log: Logger; stats: DispatchStats }): EventDispatch {
  const { log, stats } = deps;
  const handlers = new Set<(event: AriEvent) => void>();
  const malformedSeen = new Set<MalformedKind>();
  const unknownSeen = new Set<string>();
  const recent: string[] = [];

  function isRepeat(frame: string): boolean {
    if (recent.includes(frame)) return true;
    recent.push(frame);
    if (recent.length > DUPLICATE_WINDOW) recent.shift();
    return false;
  }

  function malformed(kind: MalformedKind, frame: string): void {
    stats.eventsMalformed += 1;
    if (malformedSeen.has(kind)) return;
    malformedSeen.add(kind);
    log.warn({ kind, frame: frame.slice(0, 200), length: frame.length }, 'ari malformed event ignored');
  }

  return {
    deliver(frame) {
      stats.eventsReceived += 1;
      let parsed: unknown;
      try { parsed = JSON.parse(frame); } catch { malformed('not-json', frame); return; }
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) { malformed('not-an-object', frame); return; }
      const type = (parsed as { type?: unknown }).type;
      if (typeof type !== 'string') { malformed('no-type', frame); return; }
      if (!KNOWN_TYPES.has(type)) {
        stats.eventsUnknown += 1;
        if (!unknownSeen.has(type)) {
          unknownSeen.add(type);
          log.warn({ type }, 'ari event of unknown type delivered as is');
        }
      }
      if (isRepeat(frame)) {
        stats.eventsDuplicate += 1;
        return;
      }
      const event = parsed as AriEvent;
      for (const h of handlers) {
        try { h(event); } catch (err) { log.error({ err, type }, 'ari event handler failed'); }
      }
    },
    subscribe(handler) {
      handlers.add(handler);
      return () => { handlers.delete(handler); };
    },
  };
}
