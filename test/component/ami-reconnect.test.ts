import { createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/clock.ts';
import { createAmiClient } from '../../src/pbx/ami/client.ts';
import type { AmiClientOptions, AmiState, ShutdownEvent } from '../../src/pbx/ami/types.ts';
import { startAmiServer } from '../../src/sim/ami/server.ts';
import type { AmiServer } from '../../src/sim/ami/server.ts';

const USERS = [{ username: 'hotline', secret: 'hotline' }];

function capturingLog() {
  const lines: Array<Record<string, unknown>> = [];
  const log = pino({ level: 'debug' }, { write: (s: string) => { lines.push(JSON.parse(s) as Record<string, unknown>); } });
  return { log, lines, count: (msg: string) => lines.filter((l) => l.msg === msg).length };
}

function until(ok: () => boolean, ms = 3000): Promise<void> {
  return new Promise((done, fail) => {
    const started = Date.now();
    const tick = (): void => {
      if (ok()) done();
      else if (Date.now() - started > ms) fail(new Error('condition not met in time'));
      else setTimeout(tick, 2);
    };
    tick();
  });
}

async function listen(handler: (s: Socket) => void, port = 0): Promise<Server> {
  const srv = createServer(handler);
  await new Promise<void>((ok) => srv.listen(port, '127.0.0.1', ok));
  return srv;
}

describe('AMI client when the connection fails', () => {
  const cleanups: Array<() => Promise<unknown> | void> = [];
  afterEach(async () => { for (const c of cleanups.splice(0).reverse()) await c(); });

  function client(port: number, extra: Partial<AmiClientOptions> = {}) {
    const logs = capturingLog();
    const c = createAmiClient({
      host: '127.0.0.1', port, username: 'hotline', secret: 'hotline', log: logs.log,
      reconnect: { initialMs: 20, maxMs: 100 }, ...extra,
    });
    cleanups.push(() => c.close());
    return { c, logs };
  }

  async function server(port = 0): Promise<AmiServer> {
    const s = await startAmiServer({ users: USERS, port });
    cleanups.push(() => s.close());
    return s;
  }

  it('when the server drops every connection, then the client reconnects, logs the drop once and works again', async () => {
    const srv = await server();
    const { c, logs } = client(srv.port);
    const states: AmiState[] = [];
    c.onStateChange((s) => states.push(s));
    const seen: string[] = [];
    c.on('ContactStatus', (e) => seen.push(`${e.aor}:${e.contactStatus}`));
    await c.connect();
    srv.dropAll();
    await until(() => c.state() === 'disconnected');
    await until(() => c.state() === 'connected');
    expect(states).toEqual(['connecting', 'connected', 'disconnected', 'connecting', 'connected']);
    expect(c.stats()).toMatchObject({ reconnects: 1, drops: 1 });
    expect(logs.count('ami connection lost')).toBe(1);
    expect((await c.coreSettings()).asteriskVersion).toBe('22.10.1');
    srv.contactRegistered('agent7');
    await until(() => seen.length === 1);
    expect(seen).toEqual(['agent7:NonQualified']);
  });

  it('when the connection drops while an action waits, then the action rejects with a connection-lost error', async () => {
    const srv = await server();
    const { c } = client(srv.port);
    await c.connect();
    const pending = c.pjsipShowEndpoints();
    srv.dropAll();
    await expect(pending).rejects.toMatchObject({ code: 'ERR_AMI_CONNECTION_LOST', action: 'PJSIPShowEndpoints' });
    await until(() => c.state() === 'connected');
  });

  it('when Asterisk is not up yet, then connect keeps retrying and resolves once it is', async () => {
    const probe = await listen(() => undefined);
    const port = (probe.address() as AddressInfo).port;
    await new Promise((ok) => probe.close(ok));
    const { c, logs } = client(port);
    const connected = c.connect();
    await until(() => logs.count('ami connect failed') === 1 && logs.count('ami connect failed again') >= 2);
    await server(port);
    await connected;
    expect(c.state()).toBe('connected');
    expect(c.stats().reconnects).toBe(0);
  });

  it('when the connection keeps failing, then the retry delay doubles from initialMs and stays at maxMs', async () => {
    const clock = new VirtualClock();
    let accepted = 0;
    const srv = await listen((s) => { accepted++; s.destroy(); });
    cleanups.push(() => new Promise((ok) => srv.close(ok)));
    const { c } = client((srv.address() as AddressInfo).port, { clock, reconnect: { initialMs: 100, maxMs: 1000 } });
    void c.connect().catch(() => undefined);
    const delays: number[] = [];
    for (let i = 0; i < 6; i++) {
      await until(() => c.state() === 'disconnected' && clock.pending() === 1);
      const at = clock.nextAt() ?? 0;
      delays.push(at - clock.now());
      clock.runUntil(at);
    }
    expect(delays).toEqual([100, 200, 400, 800, 1000, 1000]);
    expect(accepted).toBeGreaterThanOrEqual(6);
  });

  it('when the server sends malformed frames, then each is logged once and counted, and the session keeps working', async () => {
    const srv = await server();
    const { c, logs } = client(srv.port);
    const statuses: string[] = [];
    c.on('ContactStatus', (e) => statuses.push(e.contactStatus));
    await c.connect();
    srv.sendRaw('this line has no colon\r\nneither: does this frame have Event or Response\r\n\r\n');
    srv.sendRaw('Event: ContactStatus\r\nPrivilege: system,all\r\n\r\n');
    srv.sendRaw('Response: Success\r\nMessage: who asked\r\n\r\n');
    srv.sendRaw('\r\n\r\n');
    expect((await c.coreSettings()).amiVersion).toBe('11.0.0');
    srv.contactRegistered('agent1');
    await until(() => statuses.length === 1);
    expect(c.stats()).toMatchObject({ malformed: 3, drops: 0 });
    expect(logs.count('ami malformed message ignored')).toBe(3);
    expect(c.state()).toBe('connected');
  });

  it('when Asterisk stops answering, then actions time out and a missed Ping reopens the connection', async () => {
    let logins = 0;
    const silent = await listen((s) => {
      s.write('Asterisk Call Manager/11.0.0\r\n');
      s.setEncoding('utf8');
      s.on('data', (d: string) => {
        const id = /ActionID: (.*)\r\n/i.exec(d)?.[1];
        if (/Action: login/i.test(d)) { logins++; s.write(`Response: Success\r\nActionID: ${id}\r\nMessage: Authentication accepted\r\n\r\n`); }
      });
    });
    cleanups.push(() => new Promise((ok) => { silent.close(ok); }));
    const { c, logs } = client((silent.address() as AddressInfo).port, { actionTimeoutMs: 60, pingIntervalMs: 40 });
    await c.connect();
    await expect(c.coreSettings()).rejects.toMatchObject({ code: 'ERR_AMI_TIMEOUT', message: 'AMI CoreSettings timed out after 60 ms' });
    await until(() => c.stats().reconnects >= 1);
    expect(logins).toBeGreaterThanOrEqual(2);
    expect(logs.count('ami action timed out')).toBeGreaterThanOrEqual(2);
  });

  it('when Asterisk announces a restart, then Shutdown arrives typed and the client comes back after it', async () => {
    const srv = await server();
    const { c } = client(srv.port);
    const shutdowns: ShutdownEvent[] = [];
    c.on('Shutdown', (e) => shutdowns.push(e));
    await c.connect();
    srv.shutdown({ restart: true });
    await until(() => shutdowns.length === 1 && c.stats().reconnects === 1 && c.state() === 'connected');
    expect(shutdowns).toEqual([{ shutdown: 'Cleanly', restart: true }]);
  });

  it('when close is called while reconnecting, then no further attempt is made and connect rejects', async () => {
    const srv = await server();
    const { c } = client(srv.port, { reconnect: { initialMs: 50, maxMs: 50 } });
    await c.connect();
    await srv.close();
    await until(() => c.state() === 'disconnected');
    const again = c.connect();
    await c.close();
    await expect(again).rejects.toMatchObject({ code: 'ERR_AMI_CLOSED' });
    await new Promise((r) => setTimeout(r, 120));
    expect(c.state()).toBe('closed');
  });

  it('when close is called while the TCP connection is still opening, then no socket is left open on the server', async () => {
    let open = 0;
    const srv = await listen((s) => { open++; s.resume(); s.on('close', () => { open--; }); });
    cleanups.push(() => new Promise((ok) => srv.close(ok)));
    const { c } = client((srv.address() as AddressInfo).port);
    const connecting = c.connect();
    await c.close();
    await expect(connecting).rejects.toMatchObject({ code: 'ERR_AMI_CLOSED' });
    await new Promise((r) => setTimeout(r, 100));
    expect(open).toBe(0);
  });

  it('when Asterisk accepts TCP but never answers Login, then the attempt is abandoned with a clear reason and retried', async () => {
    let accepted = 0;
    const mute = await listen((s) => { accepted++; s.resume(); s.write('Asterisk Call Manager/11.0.0\r\n'); });
    cleanups.push(() => new Promise((ok) => { mute.close(ok); }));
    const { c, logs } = client((mute.address() as AddressInfo).port, { actionTimeoutMs: 40 });
    void c.connect().catch(() => undefined);
    await until(() => accepted >= 2);
    expect(logs.lines.find((l) => l.msg === 'ami connect failed')?.err).toBe('no answer to Login within 40 ms');
    expect(c.state()).not.toBe('connected');
  });
});
