import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAmiClient } from '../../src/pbx/ami/client.ts';
import type { AmiClient, ContactStatusEvent, DeviceStateChangeEvent, PeerStatusEvent } from '../../src/pbx/ami/types.ts';
import { AmiError } from '../../src/pbx/ami/types.ts';
import { startAmiServer } from '../../src/sim/ami/server.ts';
import type { AmiServer } from '../../src/sim/ami/server.ts';

function capturingLog() {
  const lines: Array<Record<string, unknown>> = [];
  const log = pino({ level: 'debug' }, { write: (s: string) => { lines.push(JSON.parse(s) as Record<string, unknown>); } });
  return { log, lines };
}

function until(ok: () => boolean, ms = 3000): Promise<void> {
  return new Promise((done, fail) => {
    const started = Date.now();
    const tick = (): void => {
      if (ok()) done();
      else if (Date.now() - started > ms) fail(new Error('condition not met in time'));
      else setTimeout(tick, 5);
    };
    tick();
  });
}

describe('AMI client against the simulated Asterisk', () => {
  let server: AmiServer;
  let client: AmiClient;
  let logs: ReturnType<typeof capturingLog>;

  beforeEach(async () => {
    server = await startAmiServer({ users: [{ username: 'hotline', secret: 's3cret-pw' }] });
    server.setEndpoints([
      { name: 'agent1' }, { name: 'agent2' },
      { name: 'citizen', auth: null, staticContact: 'sip:citizen@127.0.0.1:5070' },
      { name: 'trunk', aor: null, auth: null },
    ]);
    server.contactRegistered('agent1', { userAgent: 'sipp-agent1' });
    logs = capturingLog();
    client = createAmiClient({ host: '127.0.0.1', port: server.port, username: 'hotline', secret: 's3cret-pw', log: logs.log });
  });
  afterEach(async () => { await client.close(); await server.close(); });

  it('when connect resolves, then the client is connected and FullyBooted was delivered typed', async () => {
    const booted: unknown[] = [];
    client.on('FullyBooted', (e) => booted.push(e));
    expect(client.state()).toBe('disconnected');
    await client.connect();
    expect(client.state()).toBe('connected');
    await until(() => booted.length === 1);
    expect(booted[0]).toEqual({ uptime: 0, lastReload: 0, status: 'Fully Booted' });
  });

  it('when coreSettings is asked, then the versions and flags come back typed', async () => {
    await client.connect();
    const s = await client.coreSettings();
    expect(s).toMatchObject({ amiVersion: '11.0.0', asteriskVersion: '22.10.1', coreCdrEnabled: true, coreHttpEnabled: false, coreMaxCalls: 0 });
  });

  it('when endpoints are listed, then every EndpointList item is collected with parsed contacts and device state', async () => {
    await client.connect();
    const list = await client.pjsipShowEndpoints();
    expect(list.map((e) => [e.name, e.deviceState])).toEqual([
      ['agent1', 'Not in use'], ['agent2', 'Unavailable'], ['citizen', 'Not in use'], ['trunk', 'Unavailable'],
    ]);
    expect(list[0]).toMatchObject({ aor: 'agent1', auths: ['agent1'], contacts: [{ aor: 'agent1', uri: 'sip:agent1@127.0.0.1:5081' }] });
    expect(list[3]).toMatchObject({ aor: '', auths: [], contacts: [] });
  });

  it('when contacts are listed before and after a registration, then the list grows by that contact', async () => {
    await client.connect();
    const before = await client.pjsipShowContacts();
    expect(before).toHaveLength(1);
    expect(before[0]).toMatchObject({ aor: 'agent1', endpoint: 'agent1', uri: 'sip:agent1@127.0.0.1:5081', status: 'NonQualified', userAgent: 'sipp-agent1', viaPort: 5081, roundtripUsec: null });
    server.contactRegistered('agent2');
    const after = await client.pjsipShowContacts();
    expect(after.map((c) => c.endpoint)).toEqual(['agent1', 'agent2']);
  });

  it('when no endpoint is configured, then the endpoint list is empty rather than an error', async () => {
    server.setEndpoints([]);
    await client.connect();
    expect(await client.pjsipShowEndpoints()).toEqual([]);
  });

  it('when no phone is registered, then the contact list is empty rather than the error Asterisk answers', async () => {
    server.contactRemoved('agent1');
    await client.connect();
    expect(await client.pjsipShowContacts()).toEqual([]);
    expect(client.stats().errors).toBe(0);
  });

  it('when a phone registers and unregisters, then PeerStatus, DeviceStateChange and ContactStatus arrive typed, in order', async () => {
    const seen: Array<[string, ContactStatusEvent | DeviceStateChangeEvent | PeerStatusEvent]> = [];
    client.on('ContactStatus', (e) => seen.push(['ContactStatus', e]));
    client.on('DeviceStateChange', (e) => seen.push(['DeviceStateChange', e]));
    client.on('PeerStatus', (e) => seen.push(['PeerStatus', e]));
    await client.connect();
    server.contactRegistered('agent2');
    await until(() => seen.length === 3);
    server.contactRemoved('agent2');
    await until(() => seen.length === 6);
    expect(seen).toEqual([
      ['PeerStatus', { channelType: 'PJSIP', peer: 'PJSIP/agent2', peerStatus: 'Reachable' }],
      ['DeviceStateChange', { device: 'PJSIP/agent2', state: 'NOT_INUSE' }],
      ['ContactStatus', { uri: 'sip:agent2@127.0.0.1:5082', contactStatus: 'NonQualified', aor: 'agent2', endpointName: 'agent2', roundtripUsec: 0 }],
      ['PeerStatus', { channelType: 'PJSIP', peer: 'PJSIP/agent2', peerStatus: 'Unreachable' }],
      ['ContactStatus', { uri: 'sip:agent2@127.0.0.1:5082', contactStatus: 'Removed', aor: 'agent2', endpointName: 'agent2', roundtripUsec: 0 }],
      ['DeviceStateChange', { device: 'PJSIP/agent2', state: 'UNAVAILABLE' }],
    ]);
  });

  it('when a handler is unsubscribed or throws, then other handlers still run and the error is counted', async () => {
    const got: string[] = [];
    const off = client.on('DeviceStateChange', () => got.push('removed'));
    client.on('DeviceStateChange', () => { throw new Error('handler bug'); });
    client.on('DeviceStateChange', (e) => got.push(e.state));
    off();
    await client.connect();
    server.setDeviceState('agent1', 'INUSE', 1);
    await until(() => got.length === 1);
    expect(got).toEqual(['INUSE']);
    expect(client.stats().errors).toBe(1);
    expect((await client.pjsipShowEndpoints())[0]).toMatchObject({ deviceState: 'In use', activeChannels: 1 });
  });

  it('when the secret is wrong, then connect rejects with a clear auth error, logs it once without the secret and does not retry', async () => {
    await client.close();
    client = createAmiClient({
      host: '127.0.0.1', port: server.port, username: 'hotline', secret: 'wrong-pw', log: logs.log, reconnect: { initialMs: 10, maxMs: 20 },
    });
    const err = await client.connect().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AmiError);
    expect(err).toMatchObject({ code: 'ERR_AMI_AUTH_FAILED', message: 'AMI login as "hotline" rejected: Authentication failed' });
    await new Promise((r) => setTimeout(r, 100));
    expect(client.state()).toBe('disconnected');
    expect(logs.lines.filter((l) => l.msg === 'ami login rejected')).toHaveLength(1);
    expect(JSON.stringify(logs.lines)).not.toMatch(/wrong-pw|s3cret-pw/);
    expect(server.connections()).toBe(0);
  });

  it('when an action is asked before connect or after close, then it rejects as not connected', async () => {
    await expect(client.coreSettings()).rejects.toMatchObject({ code: 'ERR_AMI_NOT_CONNECTED' });
    await client.connect();
    await client.close();
    expect(client.state()).toBe('closed');
    await expect(client.pjsipShowContacts()).rejects.toMatchObject({ code: 'ERR_AMI_NOT_CONNECTED' });
    await expect(client.connect()).rejects.toMatchObject({ code: 'ERR_AMI_CLOSED' });
  });

  it('when close is called while connected, then the client logs off and the server sees the session end', async () => {
    await client.connect();
    await until(() => server.connections() === 1);
    await client.close();
    await until(() => server.connections() === 0);
  });

  it('when ping is asked, then it resolves with a round trip time', async () => {
    await client.connect();
    expect(await client.ping()).toBeGreaterThanOrEqual(0);
  });
});
