import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseConf, resolvedEntries, valueOf } from '../../scripts/lib/asterisk-conf.ts';
import {
  generateSeats, parseArgs, RefusedOverwriteError, seatName, writeSeatFiles,
} from '../../scripts/gen-seats.ts';

describe('generateSeats', () => {
  it('when 750 seats are generated, then each has a unique secret of at least 20 base64url characters', () => {
    const { seats } = generateSeats({ count: 750 });
    expect(seats).toHaveLength(750);
    expect(new Set(seats.map((s) => s.secret)).size).toBe(750);
    expect(new Set(seats.map((s) => s.name)).size).toBe(750);
    for (const s of seats) expect(s.secret).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    expect(seats[0]!.name).toBe('seat0001');
    expect(seats[749]!.name).toBe('seat0750');
  });

  it('when the seats file is parsed, then each seat is an endpoint, an aor and an auth of the same name with its own credentials', () => {
    const { seats, conf } = generateSeats({ count: 5, prefix: 'seat' });
    const file = parseConf(conf);
    expect(file.sections).toHaveLength(15);
    seats.forEach((seat, i) => {
      const [endpoint, aor, auth] = file.sections.slice(i * 3, i * 3 + 3);
      expect([endpoint!.name, aor!.name, auth!.name]).toEqual([seat.name, seat.name, seat.name]);
      expect(endpoint!.templates).toEqual(['seat-template']);
      expect(aor!.templates).toEqual(['seat-aor-template']);
      expect(auth!.templates).toEqual(['seat-auth-template']);
      expect(valueOf(endpoint!, 'auth')).toBe(seat.name);
      expect(valueOf(endpoint!, 'aors')).toBe(seat.name);
      expect(valueOf(auth!, 'username')).toBe(seat.username);
      expect(valueOf(auth!, 'password')).toBe(seat.secret);
    });
    // The seats file alone sets no type: it comes from the templates in pjsip.conf.
    expect(() => resolvedEntries(file, file.sections[0]!)).toThrow(/unknown template "seat-template"/);
  });

  it('when the CSV is read back, then it lists seat, username and secret for every seat', () => {
    const { seats, csv } = generateSeats({ count: 3 });
    const [header, ...rows] = csv.trimEnd().split('\n');
    expect(header).toBe('seat,username,secret');
    expect(rows.map((r) => r.split(','))).toEqual(seats.map((s) => [s.name, s.username, s.secret]));
  });

  it('when --webrtc is asked for, then endpoints use the WebRTC template and aors and auths stay the same', () => {
    const file = parseConf(generateSeats({ count: 2, webrtc: true }).conf);
    expect(file.sections.map((s) => s.templates[0])).toEqual([
      'webrtc-seat-template', 'seat-aor-template', 'seat-auth-template',
      'webrtc-seat-template', 'seat-aor-template', 'seat-auth-template',
    ]);
  });

  it('when the random source repeats itself, then generation fails instead of sharing a secret', () => {
    const stuck = (size: number): Buffer => Buffer.alloc(size, 7);
    expect(() => generateSeats({ count: 2, random: stuck })).toThrow(/repeating/);
  });

  it('when the count or prefix is unusable, then generation refuses', () => {
    expect(() => generateSeats({ count: 0 })).toThrow(RangeError);
    expect(() => generateSeats({ count: 1.5 })).toThrow(RangeError);
    expect(() => generateSeats({ count: 2, prefix: 'seat;x' })).toThrow(RangeError);
    expect(() => generateSeats({ count: 2, prefix: '1seat' })).toThrow(RangeError);
  });

  it('when more than 9999 seats are numbered, then names widen so they still sort', () => {
    expect(seatName('seat', 7, 750)).toBe('seat0007');
    expect(seatName('seat', 7, 12000)).toBe('seat00007');
  });
});

describe('writeSeatFiles', () => {
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'gen-seats-')); });
  afterEach(() => { rmSync(dir, { recursive: true, force: true }); });

  it('when the files are written, then both are mode 0600 and match what was generated', () => {
    const out = join(dir, 'generated', 'pjsip_seats.conf');
    const secrets = join(dir, 'generated', 'seats.csv');
    const result = writeSeatFiles({ count: 4, out, secrets });
    expect(statSync(out).mode & 0o777).toBe(0o600);
    expect(statSync(secrets).mode & 0o777).toBe(0o600);
    expect(readFileSync(out, 'utf8')).toBe(result.conf);
    expect(readFileSync(secrets, 'utf8')).toBe(result.csv);
  });

  it('when either file exists, then it refuses to overwrite and leaves both untouched', () => {
    const out = join(dir, 'pjsip_seats.conf');
    const secrets = join(dir, 'seats.csv');
    writeFileSync(out, 'existing seats\n');
    expect(() => writeSeatFiles({ count: 2, out, secrets })).toThrow(RefusedOverwriteError);
    expect(readFileSync(out, 'utf8')).toBe('existing seats\n');
    expect(() => readFileSync(secrets)).toThrow();
  });

  it('when --force is given, then it replaces existing files with new secrets and mode 0600', () => {
    const out = join(dir, 'pjsip_seats.conf');
    const secrets = join(dir, 'seats.csv');
    writeFileSync(out, 'old\n', { mode: 0o644 });
    writeFileSync(secrets, 'old\n', { mode: 0o644 });
    writeSeatFiles({ count: 2, out, secrets, force: true });
    expect(readFileSync(out, 'utf8')).toMatch(/\[seat0001\]\(seat-template\)/);
    expect(statSync(out).mode & 0o777).toBe(0o600);
    expect(statSync(secrets).mode & 0o777).toBe(0o600);
  });
});

describe('parseArgs', () => {
  it('when the documented command line is given, then every option is read', () => {
    const o = parseArgs(['--count', '750', '--prefix', 'seat', '--out', 'a.conf', '--secrets', 'b.csv', '--webrtc']);
    expect([o.count, o.prefix, o.webrtc, o.force]).toEqual([750, 'seat', true, false]);
    expect(o.out.endsWith('a.conf')).toBe(true);
  });

  it('when a required option or a value is missing, then it explains the usage', () => {
    expect(() => parseArgs(['--count', '5', '--out', 'a.conf'])).toThrow(/usage/);
    expect(() => parseArgs(['--count', '--out', 'a.conf'])).toThrow(/needs a value/);
    expect(() => parseArgs(['--bogus'])).toThrow(/unknown argument/);
  });
});
