import type { Json } from './trace.ts';

/** One compared aspect of a scenario: both sides as lines, and whether they agree. */
export interface Section { title: string; trace: string[]; sim: string[]; ok: boolean; note?: string }

const str = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v));

/** The object an event is about: channel (or Dial peer), else playback, recording, bridge. */
export function eventSubject(e: Json): { kind: 'channel' | 'playback' | 'recording' | 'bridge' | 'other'; id: string } {
  const ch = (e.channel ?? e.peer) as Json | undefined;
  if (ch && typeof ch.id === 'string') return { kind: 'channel', id: ch.id };
  const pb = e.playback as Json | undefined;
  if (pb && typeof pb.id === 'string') return { kind: 'playback', id: pb.id };
  const rec = e.recording as Json | undefined;
  if (rec && typeof rec.name === 'string') return { kind: 'recording', id: rec.name };
  const br = e.bridge as Json | undefined;
  if (br && typeof br.id === 'string') return { kind: 'bridge', id: br.id };
  return { kind: 'other', id: String(e.type) };
}

/** An event as a short label carrying what matters for the flow (state, dial status, cause, digit, bridge role). */
export function eventLabel(e: Json, roleOf: (id: string) => string): string {
  const type = String(e.type);
  switch (type) {
    case 'StasisStart': return `StasisStart(${(e.args as unknown[] | undefined)?.map(str).join(',') ?? ''})`;
    case 'ChannelStateChange': return `ChannelStateChange(${str((e.channel as Json).state)})`;
    case 'Dial': return `Dial(${str(e.dialstatus) || '""'})`;
    case 'ChannelHangupRequest': {
      if (e.soft === true) return `ChannelHangupRequest(soft ${str(e.cause)})`;
      return e.cause !== undefined && e.cause !== 16 ? `ChannelHangupRequest(${str(e.cause)})` : 'ChannelHangupRequest';
    }
    case 'ChannelDestroyed': return `ChannelDestroyed(${str(e.cause)})`;
    case 'ChannelDtmfReceived': return `ChannelDtmfReceived(${str(e.digit)})`;
    case 'ChannelEnteredBridge':
    case 'ChannelLeftBridge': return `${type}(${roleOf(String((e.bridge as Json).id))})`;
    case 'ChannelVarset': return `ChannelVarset(${str(e.variable)})`;
    case 'PlaybackFinished': return `PlaybackFinished(${str((e.playback as Json).state)})`;
    case 'RecordingFinished':
    case 'RecordingStarted': return `${type}(${str((e.recording as Json).state)})`;
    default: return type;
  }
}

const RINGING = new Set(['Dial(RINGING)', 'ChannelStateChange(Ringing)']);

/**
 * Normalises one group's labels for comparison: ChannelVarset kept only for variables both sides emit, a run of
 * consecutive ChannelVarset compared as the set of variables it sets (Asterisk repeats BRIDGEPEER/BRIDGEPVTCALLID a
 * varying number of times as the bridge technology changes), and the unordered pair Dial(RINGING) / ChannelStateChange(Ringing) put in one order.
 */
export function normaliseLabels(labels: string[], other: string[]): string[] {
  const vars = (ls: string[]) => new Set(ls.filter((l) => l.startsWith('ChannelVarset(')));
  const otherVars = vars(other);
  const kept = labels.filter((l) => !l.startsWith('ChannelVarset(') || otherVars.has(l));
  const out: string[] = [];
  let run: Set<string> | undefined;
  for (const l of kept) {
    if (!l.startsWith('ChannelVarset(')) { run = undefined; out.push(l); continue; }
    if (!run) { run = new Set(); out.push(''); }
    run.add(l.slice('ChannelVarset('.length, -1));
    out[out.length - 1] = `ChannelVarset(${[...run].sort().join(',')})`;
  }
  for (let i = 0; i + 1 < out.length; i++) {
    if (RINGING.has(out[i]!) && RINGING.has(out[i + 1]!) && out[i] !== out[i + 1]) {
      out[i] = 'ChannelStateChange(Ringing)'; out[i + 1] = 'Dial(RINGING)'; i++;
    }
  }
  return out;
}

/** The set of key paths (with value types) of a JSON value: what "same shape" means for two bodies. */
export function shapeOf(v: unknown, p = ''): string[] {
  if (Array.isArray(v)) {
    if (v.length === 0) return [`${p}[]: empty`];
    return [...new Set(v.flatMap((x) => shapeOf(x, `${p}[]`)))].sort();
  }
  if (v !== null && typeof v === 'object') {
    const entries = Object.entries(v as Json);
    if (entries.length === 0) return [`${p}{}: empty`];
    return entries.flatMap(([k, x]) => shapeOf(x, p ? `${p}.${k}` : k)).sort();
  }
  return [`${p || '.'}: ${v === null ? 'null' : typeof v}`];
}

/** Longest-common-subsequence alignment of two line lists: pairs of [left, right] with undefined for gaps. */
export function align(a: string[], b: string[]): Array<[string | undefined, string | undefined]> {
  const n = a.length, m = b.length;
  const dp: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) dp[i]![j] = a[i] === b[j] ? dp[i + 1]![j + 1]! + 1 : Math.max(dp[i + 1]![j]!, dp[i]![j + 1]!);
  }
  const out: Array<[string | undefined, string | undefined]> = [];
  let i = 0, j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) { out.push([a[i], b[j]]); i++; j++; }
    else if (j < m && (i >= n || dp[i]![j + 1]! >= dp[i + 1]![j]!)) { out.push([undefined, b[j]]); j++; }
    else { out.push([a[i], undefined]); i++; }
  }
  return out;
}

/** Two columns, aligned, with a marker column: '  ' same, '≠ ' only on one side. */
export function sideBySide(left: string[], right: string[], titles: [string, string] = ['real Asterisk (trace)', 'simulator']): string {
  const rows = align(left, right);
  const clip = (s: string) => (s.length > 70 ? `${s.slice(0, 67)}...` : s);
  const width = Math.max(titles[0].length, ...rows.map(([l]) => clip(l ?? '').length));
  const line = (mark: string, l: string, r: string) => `${mark}${l.padEnd(width)} | ${r}`;
  return [line('  ', titles[0], titles[1]), line('  ', '-'.repeat(width), '-'.repeat(titles[1].length)),
    ...rows.map(([l, r]) => line(l === r ? '  ' : '≠ ', clip(l ?? ''), clip(r ?? '')))].join('\n');
}

export function formatSections(sections: Section[]): string {
  return sections.filter((s) => !s.ok)
    .map((s) => `── ${s.title}${s.note ? ` (${s.note})` : ''}\n${sideBySide(s.trace, s.sim)}`).join('\n\n');
}

/** One line per section for a results table. */
export function summarise(sections: Section[]): string {
  const bad = sections.filter((s) => !s.ok).map((s) => s.title);
  return bad.length === 0 ? 'matched' : `differs: ${bad.join('; ')}`;
}
