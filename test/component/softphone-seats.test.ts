import { describe, expect, it } from 'vitest';
import { generateSeats } from '../../scripts/gen-seats.ts';
import { parseSeatSecrets } from '../../src/features/softphone/seat-secrets.ts';
import { softphoneConnectSources } from '../../src/features/softphone/softphone.feature.ts';
import { SIPJS_VERSION, sipJsLibDir, sipJsModules } from '../../src/features/softphone/sipjs-vendor.ts';
import { retryDelayMs } from '../../src/web/softphone/seat-phone.js';

describe('the browser seats CSV', () => {
  it('when gen-seats --webrtc writes the CSV, then every seat reads back with its username and secret', () => {
    const { seats, csv } = generateSeats({ count: 50, prefix: 'web', webrtc: true });
    const read = parseSeatSecrets(csv);
    expect(read).toBeInstanceOf(Map);
    const map = read as Map<string, { username: string; secret: string }>;
    expect(map.size).toBe(50);
    for (const s of seats) expect(map.get(s.name)).toEqual({ seat: s.name, username: s.username, secret: s.secret });
  });

  it('when the file has CRLF line ends, a byte order mark or blank lines, then it still reads', () => {
    const read = parseSeatSecrets('\uFEFFseat,username,secret\r\nweb0001,web0001,abcdefgh12345678\r\n\r\n') as Map<string, unknown>;
    expect([...read.keys()]).toEqual(['web0001']);
  });

  it.each([
    ['no header', 'web0001,web0001,abcdefgh12345678\n'],
    ['another header', 'seat,secret\nweb0001,abcdefgh12345678\n'],
    ['a line of two fields', 'seat,username,secret\nweb0001,abcdefgh12345678\n'],
    ['a line of four fields', 'seat,username,secret\nweb0001,web0001,abcdefgh,12345678\n'],
    ['a seat name with a space', 'seat,username,secret\nweb 0001,web0001,abcdefgh12345678\n'],
    ['a secret too short to be one', 'seat,username,secret\nweb0001,web0001,abc\n'],
    ['a seat listed twice', 'seat,username,secret\nweb0001,web0001,abcdefgh12345678\nweb0001,web0001,zyxwvuts87654321\n'],
    ['an empty file', ''],
  ])('when the file has %s, then the whole file is refused as malformed', (_what, text) => {
    expect(parseSeatSecrets(text)).toBe('secrets_malformed');
  });
});

describe('the page side of the configuration', () => {
  it('when the softphone is on, then the page may open websockets to the wss URL origin only; when off, to nothing more', () => {
    expect(softphoneConnectSources({ enabled: true, wssUrl: 'wss://pbx.hotline.test:8089/ws' })).toEqual(['wss://pbx.hotline.test:8089']);
    expect(softphoneConnectSources({ enabled: false, wssUrl: 'wss://pbx.hotline.test:8089/ws' })).toEqual([]);
    expect(softphoneConnectSources({ enabled: true })).toEqual([]);
    expect(softphoneConnectSources({ enabled: true, wssUrl: 'https://pbx.hotline.test/ws' })).toEqual([]);
    expect(softphoneConnectSources({ enabled: true, wssUrl: 'not a url' })).toEqual([]);
    expect(softphoneConnectSources(undefined)).toEqual([]);
  });

  it('when sip.js is served, then its lib modules are listed and the version is the installed one', () => {
    const modules = sipJsModules(sipJsLibDir());
    expect(modules).toContain('index.js');
    expect(modules).toContain('api/user-agent.js');
    expect(modules.every((m) => m.endsWith('.js') && !m.startsWith('/') && !m.includes('..'))).toBe(true);
    expect(SIPJS_VERSION).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('when registering keeps failing, then retries wait 1 s, 2 s, 4 s … up to 30 s, with ±10 % jitter', () => {
    const mid = () => 0.5;
    expect([0, 1, 2, 3, 4, 5, 6, 40].map((n) => retryDelayMs(n, undefined, mid))).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
    expect(retryDelayMs(0, undefined, () => 0)).toBe(900);
    expect(retryDelayMs(0, undefined, () => 1)).toBe(1100);
  });
});
