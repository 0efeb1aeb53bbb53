import { createHash } from 'node:crypto';
import type { Clock } from '../../clock.ts';

/** One AMI message as ordered header pairs. */
export type Headers = Array<[string, string]>;

export type SimDeviceState =
  | 'UNKNOWN' | 'NOT_INUSE' | 'INUSE' | 'BUSY' | 'INVALID' | 'UNAVAILABLE' | 'RINGING' | 'RINGINUSE' | 'ONHOLD';

export interface AmiEndpointSpec {
  name: string;
  /** Default: the endpoint's name. null: no AOR (a trunk identified by IP). */
  aor?: string | null;
  /** Default: the endpoint's name. null: no inbound auth. */
  auth?: string | null;
  /** Default `<name>pass`. */
  password?: string;
  /** Default `agents`. */
  context?: string;
  /** A contact configured on the AOR (e.g. `sip:citizen@127.0.0.1:5070`): always present, never registered. */
  staticContact?: string;
}

export interface ContactOptions { uri?: string; userAgent?: string; expiresSec?: number }

interface Endpoint {
  name: string; aor: string | null; auth: string | null; password: string; context: string;
  staticContact?: string; port: number; registrations: number; busy?: SimDeviceState; activeChannels: number;
}
interface Contact { uri: string; userAgent: string; callId: string; expiresAt: number; port: number }

const DEVSTATE_WORDS: Record<SimDeviceState, string> = {
  UNKNOWN: 'Unknown', NOT_INUSE: 'Not in use', INUSE: 'In use', BUSY: 'Busy', INVALID: 'Invalid',
  UNAVAILABLE: 'Unavailable', RINGING: 'Ringing', RINGINUSE: 'Ring+Inuse', ONHOLD: 'On Hold',
};

export function eventTv(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+0000');
}

/** PJSIP endpoints, AORs and contacts as the AMI PJSIPShow* actions and registration events show them. */
export function createPjsipState(clock: Clock) {
  const endpoints = new Map<string, Endpoint>();
  const contacts = new Map<string, Contact>();
  let nextPort = 5081;
  let callSeq = 31165;

  function define(spec: AmiEndpointSpec): Endpoint {
    const old = endpoints.get(spec.name);
    const ep: Endpoint = {
      name: spec.name,
      aor: spec.aor === undefined ? spec.name : spec.aor,
      auth: spec.auth === undefined ? spec.name : spec.auth,
      password: spec.password ?? `${spec.name}pass`,
      context: spec.context ?? 'agents',
      port: old?.port ?? nextPort++,
      registrations: old?.registrations ?? 0,
      activeChannels: old?.activeChannels ?? 0,
      ...(spec.staticContact ? { staticContact: spec.staticContact } : {}),
      ...(old?.busy ? { busy: old.busy } : {}),
    };
    endpoints.set(ep.name, ep);
    return ep;
  }

  function endpoint(name: string): Endpoint {
    return endpoints.get(name) ?? define({ name });
  }

  function reachable(ep: Endpoint): boolean {
    return ep.staticContact !== undefined || contacts.has(ep.name);
  }

  function deviceState(ep: Endpoint): SimDeviceState {
    if (!reachable(ep)) return 'UNAVAILABLE';
    return ep.busy ?? 'NOT_INUSE';
  }

  function contactUri(ep: Endpoint): string | undefined {
    return contacts.get(ep.name)?.uri ?? ep.staticContact;
  }

  function objectName(aor: string, uri: string): string {
    return `${aor};@${createHash('md5').update(uri).digest('hex')}`;
  }

  function authEvents(ep: Endpoint): Headers[] {
    const tv = eventTv(clock.now());
    const session = `1-${callSeq++}@127.0.0.1`;
    const common: Headers = [
      ['EventTV', tv], ['Severity', 'Informational'], ['Service', 'PJSIP'], ['EventVersion', '1'],
      ['AccountID', ep.name], ['SessionID', session], ['LocalAddress', 'IPV4/UDP/127.0.0.1/5060'],
      ['RemoteAddress', `IPV4/UDP/127.0.0.1/${ep.port}`],
    ];
    return [
      [['Event', 'ChallengeSent'], ['Privilege', 'security,all'], ...common, ['Challenge', '']],
      [['Event', 'SuccessfulAuth'], ['Privilege', 'security,all'], ...common, ['UsingPassword', '1']],
    ];
  }

  function peerStatus(ep: Endpoint, status: string): Headers {
    return [['Event', 'PeerStatus'], ['Privilege', 'system,all'], ['ChannelType', 'PJSIP'],
      ['Peer', `PJSIP/${ep.name}`], ['PeerStatus', status]];
  }

  function deviceStateChange(ep: Endpoint): Headers {
    return [['Event', 'DeviceStateChange'], ['Privilege', 'call,all'], ['Device', `PJSIP/${ep.name}`],
      ['State', deviceState(ep)]];
  }

  function contactStatus(ep: Endpoint, uri: string, status: string): Headers {
    return [['Event', 'ContactStatus'], ['Privilege', 'system,all'], ['URI', uri], ['ContactStatus', status],
      ['AOR', ep.aor ?? ep.name], ['EndpointName', ep.name], ['RoundtripUsec', '0']];
  }

  return {
    setEndpoints(list: AmiEndpointSpec[]): void {
      const keep = new Set(list.map((s) => s.name));
      for (const name of [...endpoints.keys()]) if (!keep.has(name)) { endpoints.delete(name); contacts.delete(name); }
      for (const spec of list) define(spec);
    },

    /** A REGISTER with digest auth; returns the events Asterisk sends, in its order. */
    register(name: string, opts: ContactOptions = {}): Headers[] {
      const ep = endpoint(name);
      const auth = authEvents(ep);
      const refresh = contacts.has(name);
      const uri = opts.uri ?? `sip:${name}@127.0.0.1:${ep.port}`;
      contacts.set(name, {
        uri, userAgent: opts.userAgent ?? `sim-${name}`, callId: header(auth[0], 'SessionID'),
        expiresAt: Math.floor(clock.now() / 1000) + (opts.expiresSec ?? 3600), port: ep.port,
      });
      if (refresh) return auth;
      return [...auth, peerStatus(ep, 'Reachable'), deviceStateChange(ep), contactStatus(ep, uri, 'NonQualified')];
    },

    /** A REGISTER with `Contact: *` and `Expires: 0`; no events when nothing was registered. */
    unregister(name: string): Headers[] {
      const ep = endpoints.get(name);
      const c = contacts.get(name);
      if (!ep || !c) return [];
      const auth = authEvents(ep);
      contacts.delete(name);
      return [...auth, peerStatus(ep, 'Unreachable'), contactStatus(ep, c.uri, 'Removed'), deviceStateChange(ep)];
    },

    /** A call starts or ends on the device; returns a DeviceStateChange when the state changed. */
    setDeviceState(name: string, state: SimDeviceState, activeChannels?: number): Headers[] {
      const ep = endpoint(name);
      const before = deviceState(ep);
      if (state === 'NOT_INUSE') delete ep.busy; else ep.busy = state;
      if (activeChannels !== undefined) ep.activeChannels = activeChannels;
      return deviceState(ep) === before ? [] : [deviceStateChange(ep)];
    },

    endpointList(): Headers[] {
      return [...endpoints.values()].sort((a, b) => a.name.localeCompare(b.name)).map((ep) => {
        const uri = contactUri(ep);
        const h: Headers = [['Event', 'EndpointList'], ['ObjectType', 'endpoint'], ['ObjectName', ep.name], ['Transport', ''],
          ['Aor', ep.aor ?? ''], ['Auths', ep.auth ?? ''], ['OutboundAuths', '']];
        if (ep.aor !== null) h.push(['Contacts', uri ? `${ep.aor}/${uri},` : '']);
        h.push(['DeviceState', DEVSTATE_WORDS[deviceState(ep)]], ['ActiveChannels', String(ep.activeChannels)]);
        return h;
      });
    },

    contactList(): Headers[] {
      const rows: Array<{ key: string; h: Headers }> = [];
      for (const [name, c] of contacts) {
        const ep = endpoints.get(name);
        if (!ep) continue;
        const key = objectName(ep.aor ?? name, c.uri);
        rows.push({ key, h: [['Event', 'ContactList'], ['ObjectType', 'contact'], ['ObjectName', key], ['ViaAddr', '127.0.0.1'],
          ['QualifyTimeout', '3.000000'], ['Qualify2xxOnly', 'false'], ['CallId', c.callId], ['RegServer', ''],
          ['PruneOnBoot', 'no'], ['Path', ''], ['Endpoint', name], ['ViaPort', String(c.port)],
          ['AuthenticateQualify', 'no'], ['Uri', c.uri], ['QualifyFrequency', '0'], ['UserAgent', c.userAgent],
          ['ExpirationTime', String(c.expiresAt)], ['OutboundProxy', ''], ['Status', 'NonQualified'],
          ['RoundtripUsec', 'N/A']] });
      }
      return rows.sort((a, b) => a.key.localeCompare(b.key)).map((r) => r.h);
    },

    /** EndpointDetail, AuthDetail, AorDetail (reduced to the keys the service and an operator read); undefined when unknown. */
    endpointDetail(name: string): Headers[] | undefined {
      const ep = endpoints.get(name);
      if (!ep) return undefined;
      const uri = contactUri(ep);
      const out: Headers[] = [[['Event', 'EndpointDetail'], ['ObjectType', 'endpoint'], ['ObjectName', ep.name], ['Aors', ep.aor ?? ''],
        ['IdentifyBy', 'username,ip'], ['Context', ep.context], ['Transport', ''], ['Allow', '(ulaw|alaw|gsm)'],
        ['Auth', ep.auth ?? ''], ['DtmfMode', 'rfc4733'], ['DirectMedia', 'false'], ['RewriteContact', 'true'],
        ['MohSuggest', 'default'], ['Callerid', '<unknown>'], ['DeviceState', DEVSTATE_WORDS[deviceState(ep)]],
        ['ActiveChannels', String(ep.activeChannels)]]];
      if (ep.auth !== null) {
        out.push([['Event', 'AuthDetail'], ['ObjectType', 'auth'], ['ObjectName', ep.auth], ['Username', ep.auth], ['Realm', ''],
          ['AuthType', 'userpass'], ['Password', ep.password], ['EndpointName', ep.name]]);
      }
      if (ep.aor !== null) {
        const n = uri ? 1 : 0;
        out.push([['Event', 'AorDetail'], ['ObjectType', 'aor'], ['ObjectName', ep.aor], ['MinimumExpiration', '60'],
          ['DefaultExpiration', '3600'], ['QualifyTimeout', '3.000000'], ['MaxContacts', '1'],
          ['Contacts', uri ? `${ep.aor}/${uri},` : ''], ['MaximumExpiration', '7200'], ['QualifyFrequency', '0'],
          ['RemoveExisting', 'true'], ['TotalContacts', String(n)], ['ContactsRegistered', String(contacts.has(ep.name) ? 1 : 0)],
          ['EndpointName', ep.name]]);
      }
      return out;
    },
  };
}

export type PjsipState = ReturnType<typeof createPjsipState>;

function header(h: Headers | undefined, key: string): string {
  return h?.find(([k]) => k === key)?.[1] ?? '';
}
