import type AsteriskManager from 'asterisk-manager';
import type {
  AmiEventMap, AmiEventName, ContactListItem, CoreSettings, DeviceState, EndpointListItem,
} from './types.ts';

type AmiMessage = AsteriskManager.AmiMessage;

/** A header as one string: the first of repeated values, '' when absent. */
export function header(msg: AmiMessage, key: string): string {
  const v = msg[key.toLowerCase()];
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return v[0] ?? '';
  return '';
}

function has(msg: AmiMessage, key: string): boolean {
  return msg[key.toLowerCase()] !== undefined;
}

function num(msg: AmiMessage, key: string): number | null {
  const s = header(msg, key).trim();
  if (s === '' || s === 'N/A') return null;
  const n = Number(s);
  return Number.isFinite(n) ? n : null;
}

function yes(msg: AmiMessage, key: string): boolean {
  return /^(yes|true|on|1)$/i.test(header(msg, key).trim());
}

function list(value: string): string[] {
  return value.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
}

export function toCoreSettings(msg: AmiMessage): CoreSettings {
  return {
    amiVersion: header(msg, 'AMIversion'),
    asteriskVersion: header(msg, 'AsteriskVersion'),
    systemName: header(msg, 'SystemName'),
    coreMaxCalls: num(msg, 'CoreMaxCalls') ?? 0,
    coreMaxLoadAvg: num(msg, 'CoreMaxLoadAvg') ?? 0,
    coreRunUser: header(msg, 'CoreRunUser'),
    coreRunGroup: header(msg, 'CoreRunGroup'),
    coreMaxFilehandles: num(msg, 'CoreMaxFilehandles') ?? 0,
    coreRealTimeEnabled: yes(msg, 'CoreRealTimeEnabled'),
    coreCdrEnabled: yes(msg, 'CoreCDRenabled'),
    coreHttpEnabled: yes(msg, 'CoreHTTPenabled'),
    soundsSearchCustomDir: yes(msg, 'SoundsSearchCustomDir'),
  };
}

export function toEndpointListItem(msg: AmiMessage): EndpointListItem {
  const contacts = list(header(msg, 'Contacts')).map((c) => {
    const slash = c.indexOf('/');
    return slash < 0 ? { aor: '', uri: c } : { aor: c.slice(0, slash), uri: c.slice(slash + 1) };
  });
  return {
    name: header(msg, 'ObjectName'),
    transport: header(msg, 'Transport'),
    aor: header(msg, 'Aor'),
    auths: list(header(msg, 'Auths')),
    outboundAuths: list(header(msg, 'OutboundAuths')),
    contacts,
    deviceState: header(msg, 'DeviceState'),
    activeChannels: num(msg, 'ActiveChannels') ?? 0,
  };
}

export function toContactListItem(msg: AmiMessage): ContactListItem {
  const objectName = header(msg, 'ObjectName');
  const cut = objectName.indexOf(';@');
  return {
    objectName,
    aor: cut < 0 ? objectName : objectName.slice(0, cut),
    endpoint: header(msg, 'Endpoint'),
    uri: header(msg, 'Uri'),
    status: header(msg, 'Status'),
    callId: header(msg, 'CallId'),
    userAgent: header(msg, 'UserAgent'),
    viaAddr: header(msg, 'ViaAddr'),
    viaPort: num(msg, 'ViaPort'),
    expirationTime: num(msg, 'ExpirationTime'),
    qualifyFrequency: num(msg, 'QualifyFrequency') ?? 0,
    roundtripUsec: num(msg, 'RoundtripUsec'),
    regServer: header(msg, 'RegServer'),
  };
}

const DEVICE_STATES: ReadonlySet<string> = new Set<DeviceState>([
  'UNKNOWN', 'NOT_INUSE', 'INUSE', 'BUSY', 'INVALID', 'UNAVAILABLE', 'RINGING', 'RINGINUSE', 'ONHOLD',
]);

type Parsers = { [K in AmiEventName]: (msg: AmiMessage) => AmiEventMap[K] | undefined };

/** Each typed event's parser returns undefined when a field the service relies on is missing. */
export const eventParsers: Parsers = {
  ContactStatus: (m) => (has(m, 'URI') && has(m, 'ContactStatus') && has(m, 'AOR')
    ? {
      uri: header(m, 'URI'),
      contactStatus: header(m, 'ContactStatus'),
      aor: header(m, 'AOR'),
      endpointName: header(m, 'EndpointName'),
      roundtripUsec: num(m, 'RoundtripUsec'),
    }
    : undefined),
  DeviceStateChange: (m) => {
    const state = header(m, 'State');
    if (!has(m, 'Device') || !DEVICE_STATES.has(state)) return undefined;
    return { device: header(m, 'Device'), state: state as DeviceState };
  },
  PeerStatus: (m) => (has(m, 'Peer') && has(m, 'PeerStatus')
    ? { channelType: header(m, 'ChannelType'), peer: header(m, 'Peer'), peerStatus: header(m, 'PeerStatus') }
    : undefined),
  FullyBooted: (m) => ({ uptime: num(m, 'Uptime'), lastReload: num(m, 'LastReload'), status: header(m, 'Status') }),
  Shutdown: (m) => (has(m, 'Shutdown')
    ? { shutdown: header(m, 'Shutdown'), restart: yes(m, 'Restart') }
    : undefined),
};

/** Asterisk 22's res_pjsip answers a list action with nothing to list by an error, not an empty list. */
export function isEmptyListError(message: string): boolean {
  return /\bNo (endpoints|contacts) found\b/i.test(message);
}

export function isEventName(name: string): name is AmiEventName {
  return Object.hasOwn(eventParsers, name);
}
