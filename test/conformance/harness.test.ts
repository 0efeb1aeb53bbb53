import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TRACES_DIR } from './api-docs.ts';
import { normaliseLabels, shapeOf, sideBySide } from './trace-compare.ts';
import { substituteIds } from './trace-replay.ts';
import { parseTrace, partyActions, traceRoles } from './trace.ts';

const traceFile = (name: string) => join(TRACES_DIR, `${name}.jsonl`);
const haveTraces = existsSync(traceFile('inbound-answered'));

describe('trace replay harness', () => {
  it('when ids are substituted, then path segments and comma lists change and longer look-alikes do not', () => {
    const ids = new Map([['1795388733.0', 'sim-1'], ['b-uuid', 'sim-b']]);
    expect(substituteIds('/ari/bridges/b-uuid/addChannel?channel=1795388733.0%2Cagent-x', ids)).toBe('/ari/bridges/sim-b/addChannel?channel=sim-1%2Cagent-x');
    expect(substituteIds('/ari/channels/1795388733.05', ids)).toBe('/ari/channels/1795388733.05');
  });

  it('when Ringing events come in either order and ChannelVarset is one-sided, then both normalise alike', () => {
    const a = ['Dial("")', 'Dial(RINGING)', 'ChannelStateChange(Ringing)', 'ChannelVarset(STASISSTATUS)', 'StasisStart(agent)'];
    const b = ['Dial("")', 'ChannelStateChange(Ringing)', 'Dial(RINGING)', 'StasisStart(agent)'];
    expect(normaliseLabels(a, b)).toEqual(normaliseLabels(b, a));
    expect(normaliseLabels(['StasisEnd', 'StasisStart()'], [])).not.toEqual(normaliseLabels(['StasisStart()', 'StasisEnd'], []));
    const burst = ['ChannelVarset(B)', 'ChannelVarset(A)', 'ChannelVarset(B)', 'ChannelConnectedLine', 'ChannelVarset(A)'];
    expect(normaliseLabels(burst, burst)).toEqual(['ChannelVarset(A,B)', 'ChannelConnectedLine', 'ChannelVarset(A)']);
  });

  it('when two bodies differ in a nested key, then their shapes differ', () => {
    expect(shapeOf({ a: 1, b: { c: 'x' } })).toEqual(['a: number', 'b.c: string']);
    expect(shapeOf([{ a: 1 }, { b: 2 }])).toEqual(['[].a: number', '[].b: number']);
    expect(shapeOf({ a: [] })).not.toEqual(shapeOf({ a: ['x'] }));
  });

  it('when two columns are printed, then only differing rows are marked', () => {
    const out = sideBySide(['A', 'B', 'C'], ['A', 'C', 'D']).split('\n');
    expect(out.filter((l) => l.startsWith('≠'))).toHaveLength(2);
    expect(out.some((l) => l.startsWith('  A'))).toBe(true);
  });

  it.skipIf(!haveTraces)('when inbound-answered is parsed, then the caller, agent phone and id roles come from sipp lines and events', () => {
    const trace = parseTrace(traceFile('inbound-answered'), 'inbound-answered');
    const actions = partyActions(trace);
    const call = actions.find((a) => a.kind === 'call');
    expect(call).toMatchObject({ t: 536.1, party: 'caller', expect: 'stasis', call: { from: '+15550001111', hangupAfterMs: 6928 } });
    expect(actions.find((a) => a.kind === 'register')).toMatchObject({ party: 'agent1', behaviour: { mode: 'answer', ringMs: 2000, talkMs: 60000 } });
    const roles = traceRoles(trace);
    expect(roles.get('1795388733.0')).toBe('caller');
    expect(roles.get('agent-aae367a9-a677-4be6-9e17-eb7308cb352b')).toBe('agent');
    expect(roles.get('7384d0a9-f350-4cad-8a5f-0722506fdca2')).toBe('bridge queue');
  });

  it.skipIf(!haveTraces)('when survey and restart traces are parsed, then DTMF timing, the citizen and ARI polling are derived', () => {
    const survey = partyActions(parseTrace(traceFile('survey-outbound-dtmf'), 'survey-outbound-dtmf'));
    const citizen = survey.find((a) => a.kind === 'citizen');
    expect(citizen).toMatchObject({ party: 'citizen', behaviour: { mode: 'answer', ringMs: 1500 } });
    const keys = citizen?.kind === 'citizen' ? citizen.behaviour.keys : undefined;
    expect(keys?.map((k) => k.digit)).toEqual(['1', '2']);
    expect(keys?.[0]?.afterMs).toBe(2364);
    const restart = parseTrace(traceFile('asterisk-restart-mid-call'), 'asterisk-restart-mid-call');
    expect(restart.rest.filter((r) => r.pollGroup !== undefined).map((r) => r.id)).toEqual([12, 13, 14, 15]);
    expect(partyActions(restart).find((a) => a.kind === 'restart')).toMatchObject({ downMs: 1451 });
    const gap = partyActions(parseTrace(traceFile('reconnect-new-call-during-gap'), 'reconnect-new-call-during-gap'));
    expect(gap.filter((a) => a.kind === 'call').map((a) => a.kind === 'call' && a.expect)).toEqual(['stasis', 'declined']);
  });
});
