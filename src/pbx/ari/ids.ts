import { randomUUID } from 'node:crypto';

/**
 * Ids the hotline gives to the ARI objects it creates: `hl-<kind>-<uuid>`. Asterisk's own ids
 * (`1795388733.0` for channels that dialled in, plain UUIDs for bridges it named) never match.
 */
export const ARI_ID_KINDS = [
  'agent', 'survey', 'callback', 'snoop', 'supervisor', 'outbound',
  'holding', 'call', 'monitor',
  'playback', 'recording',
] as const;

export type AriIdKind = (typeof ARI_ID_KINDS)[number];
export type ChannelIdKind = 'agent' | 'survey' | 'callback' | 'snoop' | 'supervisor' | 'outbound';
export type BridgeIdKind = 'holding' | 'call' | 'monitor';

const KIND_SET: ReadonlySet<string> = new Set(ARI_ID_KINDS);
const ID_PATTERN = /^hl-([a-z]+)-([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;

export function newId(kind: AriIdKind, uuid: () => string = randomUUID): string {
  if (!KIND_SET.has(kind)) throw new Error(`unknown ARI id kind: ${String(kind)}`);
  return `hl-${kind}-${uuid()}`;
}

export function parseId(id: string): { kind: AriIdKind; uuid: string } | undefined {
  const m = ID_PATTERN.exec(id);
  if (!m || !KIND_SET.has(m[1]!)) return undefined;
  return { kind: m[1] as AriIdKind, uuid: m[2]! };
}

export function isOurs(id: string): boolean {
  return parseId(id) !== undefined;
}

export function isChannelKind(kind: AriIdKind): kind is ChannelIdKind {
  return kind === 'agent' || kind === 'survey' || kind === 'callback' || kind === 'snoop' || kind === 'supervisor' || kind === 'outbound';
}

export function isBridgeKind(kind: AriIdKind): kind is BridgeIdKind {
  return kind === 'holding' || kind === 'call' || kind === 'monitor';
}
