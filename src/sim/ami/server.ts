import { createServer } from 'node:net';
import type { AddressInfo, Socket } from 'node:net';
import { realClock } from '../../clock.ts';
import type { Clock } from '../../clock.ts';
import { createPjsipState, eventTv } from './pjsip.ts';
import type { AmiEndpointSpec, ContactOptions, Headers, SimDeviceState } from './pjsip.ts';

export type { AmiEndpointSpec, ContactOptions, SimDeviceState } from './pjsip.ts';

export interface AmiServerOptions {
  host?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  users: Array<{ username: string; secret: string }>;
  clock?: Clock;
  /** Default `22.10.1`. */
  asteriskVersion?: string;
}

export interface AmiServer {
  readonly port: number;
  close(): Promise<void>;
  /** Destroys every connection at once (no Goodbye), as a crash or a network cut does. */
  dropAll(): void;
  setEndpoints(list: AmiEndpointSpec[]): void;
  /** A phone registers its contact: ChallengeSent, SuccessfulAuth, PeerStatus, DeviceStateChange, ContactStatus. Creates the endpoint if unknown. */
  contactRegistered(resource: string, contact?: ContactOptions): void;
  /** A phone unregisters: ChallengeSent, SuccessfulAuth, PeerStatus, ContactStatus Removed, DeviceStateChange. */
  contactRemoved(resource: string): void;
  /** A call rings or is up on the device: a DeviceStateChange when the state changed. */
  setDeviceState(resource: string, state: SimDeviceState, activeChannels?: number): void;
  /** `core stop`/`core restart`: a Shutdown event to every session, then every connection is closed. */
  shutdown(opts?: { restart?: boolean }): void;
  /** Writes text as is to every logged-in session (to feed a client broken frames). */
  sendRaw(text: string): void;
  /** Number of open connections. */
  connections(): number;
}

interface Session {
  socket: Socket;
  buffer: string;
  lines: string[];
  authenticated: boolean;
  /** Event classes this session receives; 'all' or none. */
  events: Set<string> | 'all';
  id: string;
}

const BANNER = 'Asterisk Call Manager/11.0.0\r\n';
const MAX_PENDING = 64 * 1024;

export function frame(headers: Headers): string {
  return headers.map(([k, v]) => `${k}: ${v}`).join('\r\n') + '\r\n\r\n';
}

export async function startAmiServer(opts: AmiServerOptions): Promise<AmiServer> {
  const clock = opts.clock ?? realClock;
  const version = opts.asteriskVersion ?? '22.10.1';
  const startedAt = clock.now();
  const pjsip = createPjsipState(clock);
  const sessions = new Set<Session>();
  let sessionSeq = 0x7fa628001160;

  const server = createServer((socket) => {
    const s: Session = {
      socket, buffer: '', lines: [], authenticated: false, events: 'all', id: `0x${(sessionSeq += 0x40).toString(16)}`,
    };
    sessions.add(s);
    socket.setNoDelay(true);
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => onData(s, chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => sessions.delete(s));
    socket.write(BANNER);
  });

  function write(s: Session, headers: Headers): void {
    if (!s.socket.destroyed && s.socket.writable) s.socket.write(frame(headers));
  }

  function wants(s: Session, headers: Headers): boolean {
    if (!s.authenticated) return false;
    if (s.events === 'all') return true;
    const privilege = headers.find(([k]) => k === 'Privilege')?.[1] ?? '';
    const cls = privilege.split(',')[0] ?? '';
    return s.events.has(cls);
  }

  function broadcast(events: Headers[]): void {
    for (const e of events) for (const s of sessions) if (wants(s, e)) write(s, e);
  }

  function onData(s: Session, chunk: string): void {
    s.buffer += chunk;
    const parts = s.buffer.split(/\r?\n/);
    s.buffer = parts.pop() ?? '';
    if (s.buffer.length > MAX_PENDING) { s.socket.destroy(); return; }
    for (const line of parts) {
      if (line.length > 0) { s.lines.push(line); continue; }
      if (s.lines.length === 0) continue;
      const msg = s.lines;
      s.lines = [];
      handle(s, msg);
    }
  }

  function handle(s: Session, lines: string[]): void {
    const get = (key: string): string => {
      const lower = key.toLowerCase();
      for (const line of lines) {
        const colon = line.indexOf(':');
        if (colon > 0 && line.slice(0, colon).trim().toLowerCase() === lower) return line.slice(colon + 1).trim();
      }
      return '';
    };
    const actionId = get('ActionID');
    const id: Headers = actionId ? [['ActionID', actionId]] : [];
    const reply = (response: string, rest: Headers): void => write(s, [['Response', response], ...id, ...rest]);
    const error = (message: string): void => reply('Error', [['Message', message]]);
    const withId = (h: Headers): Headers => [h[0] as [string, string], ...id, ...h.slice(1)];
    const list = (items: Headers[], startMessage: string, completeEvent: string): void => {
      reply('Success', [['EventList', 'start'], ['Message', startMessage]]);
      for (const item of items) write(s, withId(item));
      write(s, [['Event', completeEvent], ...id, ['EventList', 'Complete'], ['ListItems', String(items.length)]]);
    };

    const action = get('Action').toLowerCase();
    if (!action) return error('Missing action in request');
    if (!s.authenticated && action !== 'login' && action !== 'logoff' && action !== 'challenge') {
      return error('Permission denied');
    }
    switch (action) {
      case 'login': {
        if (s.authenticated) return reply('Success', [['Message', 'Already authenticated']]);
        const user = opts.users.find((u) => u.username === get('Username'));
        if (!user || user.secret !== get('Secret')) {
          error('Authentication failed');
          s.socket.end();
          return;
        }
        s.authenticated = true;
        s.events = eventMask(get('Events'));
        reply('Success', [['Message', 'Authentication accepted']]);
        const uptime = String(Math.floor((clock.now() - startedAt) / 1000));
        const booted: Headers = [['Event', 'FullyBooted'], ['Privilege', 'system,all'], ['Uptime', uptime],
          ['LastReload', uptime], ['Status', 'Fully Booted']];
        if (wants(s, booted)) write(s, booted);
        const tv = eventTv(clock.now());
        const local = s.socket.address() as AddressInfo;
        broadcast([[['Event', 'SuccessfulAuth'], ['Privilege', 'security,all'], ['EventTV', tv],
          ['Severity', 'Informational'], ['Service', 'AMI'], ['EventVersion', '1'], ['AccountID', user.username],
          ['SessionID', s.id], ['LocalAddress', `IPV4/TCP/${local.address}/${local.port}`],
          ['RemoteAddress', `IPV4/TCP/${s.socket.remoteAddress ?? ''}/${s.socket.remotePort ?? 0}`],
          ['UsingPassword', '0'], ['SessionTV', tv]]]);
        return;
      }
      case 'logoff':
        reply('Goodbye', [['Message', 'Thanks for all the fish.']]);
        s.socket.end();
        return;
      case 'ping': {
        const now = clock.now();
        return reply('Success', [['Ping', 'Pong'], ['Timestamp', `${Math.floor(now / 1000)}.${String((now % 1000) * 1000).padStart(6, '0')}`]]);
      }
      case 'events': {
        s.events = eventMask(get('EventMask'));
        return reply('Success', [['Events', s.events === 'all' || s.events.size > 0 ? 'On' : 'Off']]);
      }
      case 'coresettings':
        return reply('Success', [
          ['AMIversion', '11.0.0'], ['AsteriskVersion', version], ['SystemName', ''], ['CoreMaxCalls', '0'],
          ['CoreMaxLoadAvg', '0.000000'], ['CoreRunUser', ''], ['CoreRunGroup', ''], ['CoreMaxFilehandles', '0'],
          ['CoreRealTimeEnabled', 'No'], ['CoreCDRenabled', 'Yes'], ['CoreHTTPenabled', 'No'],
          ['SoundsSearchCustomDir', 'No'],
        ]);
      case 'pjsipshowcontacts': {
        const items = pjsip.contactList();
        if (items.length === 0) return error('No Contacts found');
        return list(items, 'A listing of Contacts follows, presented as ContactList events', 'ContactListComplete');
      }
      case 'pjsipshowendpoints': {
        const items = pjsip.endpointList();
        if (items.length === 0) return error('No endpoints found');
        return list(items, 'A listing of Endpoints follows, presented as EndpointList events', 'EndpointListComplete');
      }
      case 'pjsipshowendpoint': {
        const name = get('Endpoint');
        if (!name) return error('PJSIPShowEndpoint requires an endpoint name');
        const items = pjsip.endpointDetail(name);
        if (!items) return error(`Unable to retrieve endpoint ${name}`);
        return list(items, 'Following are Events for each object associated with the Endpoint', 'EndpointDetailComplete');
      }
      default:
        return error('Invalid/unknown command');
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => { server.off('error', reject); resolve(); });
  });
  const port = (server.address() as AddressInfo).port;

  return {
    port,
    async close() {
      for (const s of sessions) s.socket.destroy();
      sessions.clear();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
    dropAll() {
      for (const s of sessions) s.socket.destroy();
    },
    setEndpoints: (list) => pjsip.setEndpoints(list),
    contactRegistered: (resource, contact) => broadcast(pjsip.register(resource, contact)),
    contactRemoved: (resource) => broadcast(pjsip.unregister(resource)),
    setDeviceState: (resource, state, active) => broadcast(pjsip.setDeviceState(resource, state, active)),
    shutdown(o = {}) {
      broadcast([[['Event', 'Shutdown'], ['Privilege', 'system,all'], ['Shutdown', 'Cleanly'],
        ['Restart', o.restart ? 'True' : 'False']]]);
      for (const s of sessions) s.socket.end();
    },
    sendRaw(text) {
      for (const s of sessions) if (s.authenticated && s.socket.writable) s.socket.write(text);
    },
    connections: () => sessions.size,
  };
}

function eventMask(value: string): Set<string> | 'all' {
  const v = value.trim().toLowerCase();
  if (v === '' || v === 'on' || v === 'all') return 'all';
  if (v === 'off') return new Set();
  return new Set(v.split(',').map((c) => c.trim()).filter(Boolean));
}
