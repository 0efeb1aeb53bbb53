import { existsSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startAmiServer } from '../../src/sim/ami/server.ts';
import type { AmiServer } from '../../src/sim/ami/server.ts';

const TRANSCRIPT = resolve(import.meta.dirname, '../../../shared/asterisk-ari-traces/22.10.1/ami-session.txt');
const present = existsSync(TRANSCRIPT);
if (!present) console.warn(`ami transcript tests skipped: ${TRANSCRIPT} is absent`);

interface Block { dir: 'C->S' | 'S->C'; lines: string[] }

function readTranscript(): Block[] {
  const blocks: Block[] = [];
  for (const part of readFileSync(TRANSCRIPT, 'utf8').split(/^### /m).slice(1)) {
    const [head, ...body] = part.split('\n');
    const dir = head?.match(/ms (C->S|S->C)$/)?.[1] as Block['dir'] | undefined;
    if (!dir) continue;
    const end = body.indexOf('');
    blocks.push({ dir, lines: body.slice(0, end < 0 ? body.length : end) });
  }
  return blocks;
}

const keysOf = (lines: string[]): string[] => lines.map((l) => l.slice(0, l.indexOf(':')));
const valueOf = (lines: string[], key: string): string | undefined =>
  lines.find((l) => l.startsWith(`${key}: `))?.slice(key.length + 2);

/** The transcript's server messages answering the client block whose ActionID is `id` (responses and list events). */
function answersTo(blocks: Block[], id: string): string[][] {
  return blocks.filter((b) => b.dir === 'S->C' && valueOf(b.lines, 'ActionID') === id).map((b) => b.lines);
}

function eventsBetween(blocks: Block[], fromId: string, toId: string): string[][] {
  const from = blocks.findIndex((b) => valueOf(b.lines, 'ActionID') === fromId && b.dir === 'C->S');
  const to = blocks.findIndex((b) => valueOf(b.lines, 'ActionID') === toId && b.dir === 'C->S');
  return blocks.slice(from, to).filter((b) => b.dir === 'S->C' && valueOf(b.lines, 'Event') !== undefined
    && valueOf(b.lines, 'ActionID') === undefined).map((b) => b.lines);
}

/** A bare TCP AMI session that keeps every raw byte it receives. */
class RawSession {
  raw = '';
  private waiters: Array<() => void> = [];
  constructor(readonly socket: Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => { this.raw += d; for (const w of this.waiters.splice(0)) w(); });
  }
  static open(port: number): Promise<RawSession> {
    return new Promise((ok) => { const s = connect(port, '127.0.0.1', () => ok(new RawSession(s))); });
  }
  async banner(): Promise<string> {
    await this.until(() => this.raw.includes('\r\n'));
    const line = this.raw.slice(0, this.raw.indexOf('\r\n') + 2);
    this.raw = this.raw.slice(line.length);
    return line;
  }
  send(lines: string[]): void { this.socket.write(lines.map((l) => `${l}\r\n`).join('') + '\r\n'); }
  /** Waits for `count` messages and returns them as line arrays, consuming them. */
  async messages(count: number): Promise<string[][]> {
    await this.until(() => this.raw.split('\r\n\r\n').length > count);
    const parts = this.raw.split('\r\n\r\n');
    this.raw = parts.slice(count).join('\r\n\r\n');
    return parts.slice(0, count).map((p) => p.split('\r\n'));
  }
  private until(ok: () => boolean): Promise<void> {
    return new Promise((done, fail) => {
      const timer = setTimeout(() => fail(new Error(`timed out; have ${JSON.stringify(this.raw)}`)), 3000);
      const check = (): void => { if (ok()) { clearTimeout(timer); done(); } else this.waiters.push(check); };
      check();
    });
  }
}

describe.skipIf(!present)('AMI server against the Asterisk 22.10.1 transcript', () => {
  const blocks = present ? readTranscript() : [];
  let server: AmiServer;
  let raw: RawSession;

  beforeEach(async () => {
    server = await startAmiServer({ users: [{ username: 'hotline', secret: 'hotline' }] });
    server.setEndpoints([
      { name: 'agent1' }, { name: 'agent2' }, { name: 'agent3' },
      { name: 'citizen', auth: null, staticContact: 'sip:citizen@127.0.0.1:5070' },
      { name: 'trunk', aor: null, auth: null },
    ]);
    server.contactRegistered('agent1');
    server.contactRegistered('agent3');
    raw = await RawSession.open(server.port);
  });
  afterEach(async () => { raw.socket.destroy(); await server.close(); });

  async function login(): Promise<string[][]> {
    await raw.banner();
    raw.send(['Action: Login', 'Username: hotline', 'Secret: hotline', 'Events: on', 'ActionID: login-1']);
    return raw.messages(3);
  }

  it('when a client connects, then the banner is the transcript line with CRLF', async () => {
    expect(await raw.banner()).toBe(`${blocks[0]?.lines[0]}\r\n`);
  });

  it('when the client logs in with events on, then Success, FullyBooted and SuccessfulAuth carry the transcript keys in order', async () => {
    const got = await login();
    const loginAt = blocks.findIndex((b) => valueOf(b.lines, 'ActionID') === 'login-1');
    const want = blocks.slice(loginAt + 1, loginAt + 4).map((b) => b.lines);
    expect(want.map((m) => valueOf(m, 'Event') ?? valueOf(m, 'Response'))).toEqual(['Success', 'FullyBooted', 'SuccessfulAuth']);
    expect(got.map(keysOf)).toEqual(want.map(keysOf));
    expect(got[0]).toEqual(want[0]);
    expect(valueOf(got[1] ?? [], 'Status')).toBe('Fully Booted');
  });

  it('when CoreSettings is asked, then the answer has the same keys, order and versions as the transcript', async () => {
    await login();
    raw.send(['Action: CoreSettings', 'ActionID: cs-1']);
    const [got] = await raw.messages(1);
    const [want] = answersTo(blocks, 'cs-1');
    expect(keysOf(got ?? [])).toEqual(keysOf(want ?? []));
    expect(got).toEqual(want);
  });

  it.each([
    ['PJSIPShowContacts', 'contacts-1'],
    ['PJSIPShowEndpoints', 'endpoints-1'],
  ])('when %s is asked, then the list framing, item keys and ListItems match the transcript', async (action, id) => {
    await login();
    const want = answersTo(blocks, id);
    raw.send([`Action: ${action}`, `ActionID: ${id}`]);
    const got = await raw.messages(want.length);
    expect(got.map(keysOf)).toEqual(want.map(keysOf));
    expect(got[0]).toEqual(want[0]);
    expect(got.at(-1)).toEqual(want.at(-1));
    expect(got.map((m) => valueOf(m, 'ObjectName'))).toEqual(want.map((m) => valueOf(m, 'ObjectName')));
    expect(got.map((m) => valueOf(m, 'DeviceState'))).toEqual(want.map((m) => valueOf(m, 'DeviceState')));
  });

  it('when PJSIPShowContacts is asked with no contact registered, then the answer is the error a real Asterisk 22 sends', async () => {
    server.contactRemoved('agent1');
    server.contactRemoved('agent3');
    await login();
    raw.send(['Action: PJSIPShowContacts', 'ActionID: none-1']);
    expect(await raw.messages(1)).toEqual([['Response: Error', 'ActionID: none-1', 'Message: No Contacts found']]);
  });

  it('when agent2 registers and unregisters, then the events and their keys come in the transcript order', async () => {
    await login();
    const wantUp = eventsBetween(blocks, 'endpoints-1', 'contacts-2');
    const wantDown = eventsBetween(blocks, 'contacts-2', 'endpoint-agent2');
    server.contactRegistered('agent2');
    const up = await raw.messages(wantUp.length);
    server.contactRemoved('agent2');
    const down = await raw.messages(wantDown.length);
    expect(up.map(keysOf)).toEqual(wantUp.map(keysOf));
    expect(down.map(keysOf)).toEqual(wantDown.map(keysOf));
    for (const [got, want] of [[up, wantUp], [down, wantDown]] as const) {
      const pick = (m: string[][]) => m.map((l) => [valueOf(l, 'PeerStatus'), valueOf(l, 'State'), valueOf(l, 'ContactStatus'), valueOf(l, 'URI')]);
      expect(pick(got)).toEqual(pick(want));
    }
  });

  it('when PJSIPShowEndpoint is asked, then the detail events are those of the transcript with a subset of its keys', async () => {
    await login();
    const want = answersTo(blocks, 'endpoint-agent2');
    raw.send(['Action: PJSIPShowEndpoint', 'Endpoint: agent2', 'ActionID: endpoint-agent2']);
    const got = await raw.messages(want.length);
    expect(got.map((m) => valueOf(m, 'Event') ?? valueOf(m, 'Response'))).toEqual(want.map((m) => valueOf(m, 'Event') ?? valueOf(m, 'Response')));
    got.forEach((m, i) => expect(keysOf(want[i] ?? [])).toEqual(expect.arrayContaining(keysOf(m))));
    expect(got[0]).toEqual(want[0]);
    expect(got.at(-1)).toEqual(want.at(-1));
    expect(valueOf(got[2] ?? [], 'Password')).toBe('agent2pass');
  });

  it('when the client logs off, then the answer is the transcript Goodbye and the server closes', async () => {
    await login();
    const closed = new Promise((ok) => raw.socket.once('end', ok));
    raw.send(['Action: Logoff', 'ActionID: logoff-1']);
    expect(await raw.messages(1)).toEqual(answersTo(blocks, 'logoff-1'));
    await closed;
  });

  it('when a wrong secret, an unknown action or an action before login is sent, then Asterisk\'s error messages come back', async () => {
    await raw.banner();
    raw.send(['Action: CoreSettings', 'ActionID: early']);
    raw.send(['Action: Login', 'Username: hotline', 'Secret: hotline', 'ActionID: ok']);
    raw.send(['Action: NoSuchThing', 'ActionID: x-1']);
    const [early, , , , unknown] = await raw.messages(5);
    expect(early).toEqual(['Response: Error', 'ActionID: early', 'Message: Permission denied']);
    expect(unknown).toEqual(['Response: Error', 'ActionID: x-1', 'Message: Invalid/unknown command']);
    const other = await RawSession.open(server.port);
    await other.banner();
    const closed = new Promise((ok) => other.socket.once('end', ok));
    other.send(['Action: Login', 'Username: hotline', 'Secret: wrong', 'ActionID: bad']);
    expect(await other.messages(1)).toEqual([['Response: Error', 'ActionID: bad', 'Message: Authentication failed']]);
    await closed;
    other.socket.destroy();
  });

  it('when the server answers, then every message is CRLF framed with no bare LF', async () => {
    await login();
    raw.send(['Action: PJSIPShowEndpoints', 'ActionID: e']);
    await raw.messages(7);
    raw.send(['Action: Ping', 'ActionID: p']);
    await new Promise((r) => setTimeout(r, 50));
    expect(raw.raw.endsWith('\r\n\r\n')).toBe(true);
    expect(raw.raw.replace(/\r\n/g, '')).not.toContain('\n');
    expect(raw.raw).toMatch(/^Response: Success\r\nActionID: p\r\nPing: Pong\r\nTimestamp: \d+\.\d{6}\r\n\r\n$/);
  });
});
