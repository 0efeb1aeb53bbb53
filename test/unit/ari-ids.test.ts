import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ARI_ID_KINDS, isBridgeKind, isChannelKind, isOurs, newId, parseId } from '../../src/pbx/ari/ids.ts';
import type { AriIdKind } from '../../src/pbx/ari/ids.ts';

describe('ARI object ids', () => {
  it('when an id is made for any kind, then it parses back to that kind and counts as ours', () => {
    fc.assert(fc.property(fc.constantFrom(...ARI_ID_KINDS), fc.uuid(), (kind, uuid) => {
      const id = newId(kind, () => uuid);
      expect(id).toBe(`hl-${kind}-${uuid}`);
      expect(parseId(id)).toEqual({ kind, uuid });
      expect(isOurs(id)).toBe(true);
    }));
  });

  it('when ids come from Asterisk or name an unknown kind, then they are not ours', () => {
    for (const id of ['1795388733.0', 'cfd73851-35be-40fd-9c52-9a3167830531', 'agent-d7be1231-ea1a-4b0f-8918-fab14f325fc2',
      'hl-caller-d7be1231-ea1a-4b0f-8918-fab14f325fc2', 'hl-agent-not-a-uuid', 'hl-agent-d7be1231-ea1a-4b0f-8918-fab14f325fc2-x', '']) {
      expect(parseId(id), id).toBeUndefined();
      expect(isOurs(id), id).toBe(false);
    }
  });

  it('when newId runs twice, then the ids differ', () => {
    expect(newId('agent')).not.toBe(newId('agent'));
    expect(isOurs(newId('holding'))).toBe(true);
  });

  it('when an unknown kind is forced in, then newId refuses it', () => {
    expect(() => newId('caller' as AriIdKind)).toThrow(/unknown ARI id kind/);
  });

  it('when kinds are sorted into channels and bridges, then each kind is exactly one or neither', () => {
    expect(ARI_ID_KINDS.filter(isChannelKind)).toEqual(['agent', 'survey', 'callback', 'snoop', 'supervisor', 'outbound']);
    expect(ARI_ID_KINDS.filter(isBridgeKind)).toEqual(['holding', 'call', 'monitor']);
  });
});
