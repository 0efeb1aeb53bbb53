import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { describeWithDocs, TRACES_DIR, unknownQueryParams } from './api-docs.ts';

interface Line { kind: string; t: number; [k: string]: unknown }

function traceLines(): Array<{ file: string; line: Line }> {
  if (!existsSync(TRACES_DIR)) return [];
  return readdirSync(TRACES_DIR).filter((f) => f.endsWith('.jsonl')).flatMap((file) =>
    readFileSync(join(TRACES_DIR, file), 'utf8').split('\n').filter((l) => l.trim()).map((l) => ({ file, line: JSON.parse(l) as Line })));
}

describeWithDocs('ARI api docs as JSON schemas', (docs) => {
  it('when the api docs are loaded, then every operation the hotline uses and every event model is there', () => {
    const nick = (m: string, p: string) => docs.matchRoute(m, p)?.op.nickname;
    expect(nick('POST', '/ari/channels')).toBe('originate');
    expect(nick('POST', '/ari/channels/create')).toBe('create');
    expect(nick('POST', '/ari/channels/abc.1')).toBe('originateWithId');
    expect(nick('POST', '/ari/bridges/b1/addChannel?channel=a%2Cb')).toBe('addChannel');
    expect(nick('GET', '/ari/recordings/stored/x/file')).toBe('getStoredFile');
    expect(nick('PATCH', '/ari/channels')).toBeUndefined();
    expect(nick('GET', '/ari/nosuchresource')).toBeUndefined();
    expect(docs.eventTypes.has('StasisStart')).toBe(true);
    expect(docs.eventTypes.has('Event')).toBe(false);
  });

  it('when a query parameter is not declared, then it is reported and api_key is not', () => {
    const m = docs.matchRoute('POST', '/ari/channels/c1/snoop?spy=both&app=hotline&bogus=1&api_key=u:p');
    expect(m && unknownQueryParams(m.op, '/ari/channels/c1/snoop?spy=both&app=hotline&bogus=1&api_key=u:p')).toEqual(['bogus']);
  });

  it('when every event and JSON body that real Asterisk 22.10.1 sent is validated, then all conform', () => {
    const lines = traceLines();
    if (lines.length === 0) return;
    const errors: string[] = [];
    for (const { file, line } of lines) {
      if (line.kind === 'event') errors.push(...docs.validateMessage(line.event).map((e) => `${file}@${line.t}: ${e}`));
      const status = line.status as number | undefined;
      if (line.kind === 'rest-response' && status !== undefined && status >= 200 && status < 300) {
        const m = docs.matchRoute(line.method as string, line.path as string);
        if (!m) { errors.push(`${file}@${line.t}: no route for ${String(line.method)} ${String(line.path)}`); continue; }
        if (['void', 'binary'].includes(m.op.responseClass)) continue;
        errors.push(...docs.validate(m.op.responseClass, line.body).map((e) => `${file}@${line.t}: ${e}`));
      }
    }
    expect(errors).toEqual([]);
  });

  it('when a channel misses a required field, has an unknown field or a state outside the list, then it is rejected', () => {
    const channel = {
      id: '1.0', name: 'PJSIP/trunk-00000000', state: 'Up', protocol_id: '', caller: { name: '', number: '' },
      connected: { name: '', number: '' }, accountcode: '', language: 'en', creationtime: '2026-11-22T23:05:33.376+0000',
      dialplan: { context: 'from-trunk', exten: '12345', priority: 2, app_name: 'Stasis', app_data: 'hotline' },
    };
    expect(docs.validate('Channel', channel)).toEqual([]);
    const { id: _id, ...noId } = channel;
    expect(docs.validate('Channel', noId).join()).toMatch(/id/);
    expect(docs.validate('Channel', { ...channel, extra: 1 }).join()).toMatch(/extra/);
    expect(docs.validate('Channel', { ...channel, state: 'Talking' })).not.toEqual([]);
    expect(docs.validate('Channel', { ...channel, creationtime: 'yesterday' })).not.toEqual([]);
    expect(docs.validate('List[Channel]', [channel])).toEqual([]);
  });

  it('when an event has an unknown type, lacks its base fields or carries the wrong payload, then it is rejected', () => {
    const base = { application: 'hotline', timestamp: '2026-11-22T23:05:33.377+0000', asterisk_id: '02:fc:00:00:00:01' };
    expect(docs.validateMessage({ ...base, type: 'ChannelTeleported' })).toEqual(['unknown event type ChannelTeleported']);
    expect(docs.validateMessage({ type: 'BridgeDestroyed' })).not.toEqual([]);
    expect(docs.validateMessage({ ...base, type: 'PlaybackStarted', playback: { id: 'x' } })).not.toEqual([]);
    expect(docs.validateMessage('StasisStart')).not.toEqual([]);
  });
});
