import { describe, expect } from 'vitest';
import { ariGet, asteriskLog, exclusive, pbxIt, port, scenario, sip, sipp, waitFor } from './pbx-env.ts';

describe('the hotline application not connected, on a real Asterisk 22', () => {
  pbxIt('when no service is connected to ARI application hotline and a citizen dials 12345, then the call is answered, hears hotline/unavailable and gets a BYE', async () => {
    const release = await exclusive();
    try {
      await unavailableCall();
    } finally {
      release();
    }
  }, 150_000);
});

async function unavailableCall(): Promise<void> {
  const astLog = asteriskLog();
  const logFrom = astLog?.size() ?? 0;

  const caller = sipp('citizen-unavailable', [
    `${sip.host}:${sip.port}`, '-sf', scenario('citizen-hears-bye.xml'), '-s', '12345',
    '-i', sip.trunkIp, '-p', String(port(5900)), '-mp', String(port(19000)), '-m', '1', '-l', '1',
  ]);
  const done = await caller.done;
  expect(done.code, `caller sipp: ${done.stderr}`).toBe(0);
  // Answer, Wait(0.5), Playback(hotline/unavailable) of about 5.9 s, then Hangup(16).
  expect(done.ms).toBeGreaterThan(5500);
  expect(done.ms).toBeLessThan(15_000);

  if (astLog) {
    // Stasis() refuses the call (an application that was connected once stays registered but
    // inactive), and nothing else goes wrong: no missing prompt, no other error.
    const added = astLog.since(logFrom).split('\n').filter((l) => /WARNING|ERROR/.test(l));
    expect(added.filter((l) => /Stasis app 'hotline' not (active|registered)/.test(l)), added.join('\n')).toHaveLength(1);
    expect(added.filter((l) => !/Stasis app 'hotline' not (active|registered)/.test(l)), added.join('\n')).toEqual([]);
  }
  await waitFor('no channel left in Asterisk', async () => (await ariGet<unknown[]>('/channels')).body.length === 0, 5_000);
}
