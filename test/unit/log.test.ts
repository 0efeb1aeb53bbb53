import { describe, expect, it } from 'vitest';
import { createLogger, prettyLines } from '../../src/log.ts';

function capture() {
  const lines: string[] = [];
  return { lines, destination: { write: (s: string) => void lines.push(s) } };
}

describe('the logger', () => {
  it('when an entry carries passwords, secrets, tokens or cookies, then they are redacted', () => {
    const { lines, destination } = capture();
    const log = createLogger({ level: 'info', destination });
    log.info({
      password: 'p1', ari: { password: 'p2', username: 'hotline' }, secret: 's',
      req: { headers: { authorization: 'Basic abc', cookie: 'sid=1' } }, api_key: 'k', user: { session: { cookie: 'c' } },
    }, 'connecting');
    const entry = JSON.parse(lines[0]!);
    expect(lines[0]).not.toMatch(/p1|p2|Basic abc|sid=1|"k"|"c"/);
    expect(entry).toMatchObject({ level: 'info', msg: 'connecting', password: '[redacted]', ari: { password: '[redacted]', username: 'hotline' } });
    expect(entry.req.headers).toEqual({ authorization: '[redacted]', cookie: '[redacted]' });
  });

  it('when the level is warn, then info entries are dropped', () => {
    const { lines, destination } = capture();
    const log = createLogger({ level: 'warn', destination });
    log.info('quiet');
    log.warn('loud');
    expect(lines.map((l) => JSON.parse(l).msg)).toEqual(['loud']);
  });

  it('when pretty lines are asked for, then each entry is one readable line', () => {
    const out: string[] = [];
    const log = createLogger({ level: 'info', destination: prettyLines({ write: (s: string) => out.push(s) }) });
    log.child({ callId: 'c1' }).info({ waitMs: 12 }, 'call queued');
    expect(out[0]).toMatch(/ INFO {2}call queued \{"callId":"c1","waitMs":12\}\n$/);
  });
});
