import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { it } from 'vitest';

/**
 * What the opt-in real-Asterisk suite needs from the machine: a running Asterisk 22 with this
 * repository's config installed (ASTERISK_* variables, as the service reads them), sipp, and sipp's
 * RFC 2833 pcaps. Addresses: SIP on ASTERISK_SIP_HOST:ASTERISK_SIP_PORT (127.0.0.1:5060); the trunk
 * is matched by source address HOTLINE_PBX_TRUNK_IP (127.0.0.1, `match` in pjsip_site.conf), and
 * seat phones register from HOTLINE_PBX_SEAT_IP (127.0.0.2) so that they are not taken for the trunk.
 */
export const SKIP_NO_ASTERISK = 'real-Asterisk tests skipped: set ASTERISK_ARI_URL (and ASTERISK_ARI_USER, ASTERISK_ARI_PASSWORD, ASTERISK_AMI_*) to run them';

export const SIPP_DIR = resolve(import.meta.dirname, 'sipp');
export const PCAP_DIR = '/usr/share/sip-tester';
export const ARTIFACTS = resolve(import.meta.dirname, '../../test-artifacts/pbx');

const env = process.env;
export const sip = {
  host: env.ASTERISK_SIP_HOST ?? '127.0.0.1',
  port: Number(env.ASTERISK_SIP_PORT ?? 5060),
  trunkIp: env.HOTLINE_PBX_TRUNK_IP ?? '127.0.0.1',
  seatIp: env.HOTLINE_PBX_SEAT_IP ?? '127.0.0.2',
};

function which(cmd: string): string | undefined {
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

function skipReason(): string | undefined {
  if (!env.ASTERISK_ARI_URL) return SKIP_NO_ASTERISK;
  if (!which('sipp')) return 'real-Asterisk tests skipped: sipp not found (apt-get install sip-tester)';
  for (const f of ['g711a.pcap', 'dtmf_2833_5.pcap']) {
    if (!existsSync(join(PCAP_DIR, f))) return `real-Asterisk tests skipped: ${join(PCAP_DIR, f)} is missing (apt-get install sip-tester)`;
  }
  return undefined;
}

export const skip = skipReason();
let told = false;

/** A test that runs only against a real Asterisk; otherwise it is skipped with the reason in its title. */
export function pbxIt(name: string, fn: () => Promise<void>, timeoutMs: number): void {
  if (skip) {
    if (!told) { process.stderr.write(`${skip}\n`); told = true; }
    it.skip(`${name} [${skip}]`, () => {});
    return;
  }
  it(name, fn, timeoutMs);
}

function secret(name: string): string {
  const direct = env[name];
  if (direct) return direct;
  const file = env[`${name}_FILE`];
  return file ? readFileSync(file, 'utf8').replace(/\r?\n$/, '') : '';
}

export const ari = {
  url: env.ASTERISK_ARI_URL ?? '',
  username: env.ASTERISK_ARI_USER ?? 'hotline',
  password: (): string => secret('ASTERISK_ARI_PASSWORD'),
};

/** The ASTERISK_* variables only, so that a developer's HOTLINE_CONFIG does not leak into the test. */
export function asteriskEnv(): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[0].startsWith('ASTERISK_') && e[1] !== undefined));
}

/** A plain ARI GET, for checking what Asterisk holds independently of the service's client. */
export async function ariGet<T>(path: string): Promise<{ status: number; body: T }> {
  const res = await fetch(`${ari.url}${path}`, {
    headers: { authorization: `Basic ${Buffer.from(`${ari.username}:${ari.password()}`).toString('base64')}` },
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
}

/** A plain ARI DELETE; the status. */
export async function ariDelete(path: string): Promise<number> {
  const res = await fetch(`${ari.url}${path}`, {
    method: 'DELETE', headers: { authorization: `Basic ${Buffer.from(`${ari.username}:${ari.password()}`).toString('base64')}` },
  });
  await res.text();
  return res.status;
}

/**
 * Hangs up every channel and destroys every bridge Asterisk still has: a test that failed half-way leaves its
 * citizen talking (sipp stopped without a BYE, the service stopped with SIGTERM leaves calls up), and the next
 * test expects an idle Asterisk. A cleanup for after each test.
 */
export async function clearAsterisk(): Promise<void> {
  for (const ch of (await ariGet<Array<{ id: string }>>('/channels')).body) await ariDelete(`/channels/${encodeURIComponent(ch.id)}`);
  for (const b of (await ariGet<Array<{ id: string }>>('/bridges')).body) await ariDelete(`/bridges/${encodeURIComponent(b.id)}`);
}

/** A seat and its credentials from the provisioning CSV (seat,username,secret). */
export function seatFromCsv(index = 0): { seat: string; username: string; secret: string } {
  const candidates = [env.ASTERISK_SEATS_CSV, '/opt/hotline-asterisk-test/seats.csv', '/var/lib/hotline/seats.csv'];
  const file = candidates.find((f): f is string => f !== undefined && existsSync(f));
  if (!file) throw new Error('no seats CSV: set ASTERISK_SEATS_CSV to the seats.csv that install-asterisk.sh generated');
  const rows = readFileSync(file, 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
  const row = rows[index];
  if (!row || row.length < 3) throw new Error(`${file} has no seat at row ${index + 1}`);
  return { seat: row[0]!, username: row[1]!, secret: row[2]! };
}

/** A free-looking UDP port in a range of its own for each use, so that runs do not collide. */
export function port(base: number): number {
  return base + Math.floor(Math.random() * 400) * 2;
}

export interface SippRun {
  pid: number | undefined;
  done: Promise<{ code: number | null; ms: number; stdout: string; stderr: string }>;
  stop(): void;
}

/** Runs sipp in a folder of its own (it writes its trace files into the working directory). */
export function sipp(name: string, args: string[]): SippRun {
  const cwd = join(ARTIFACTS, `${name}-${Date.now()}`);
  mkdirSync(cwd, { recursive: true });
  const started = Date.now();
  const child = spawn('sipp', [...args, '-nostdin', '-trace_err', '-trace_msg'], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
  const done = new Promise<{ code: number | null; ms: number; stdout: string; stderr: string }>((ok) => {
    child.on('exit', (code) => ok({ code, ms: Date.now() - started, stdout, stderr }));
  });
  return { pid: child.pid, done, stop: () => { if (child.exitCode === null) child.kill('SIGTERM'); } };
}

export function scenario(file: string): string {
  return join(SIPP_DIR, file);
}

export async function waitFor<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 10_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Asterisk's messages.log, when it is readable here: its size now, and what was added since. */
export function asteriskLog(): { since(offset: number): string; size(): number } | undefined {
  const file = env.ASTERISK_LOG ?? '/opt/asterisk/var/log/asterisk/messages.log';
  if (!existsSync(file)) return undefined;
  return {
    size: () => statSync(file).size,
    since: (offset) => readFileSync(file).subarray(offset).toString('utf8'),
  };
}

export function saveArtifact(name: string, content: string): string {
  mkdirSync(ARTIFACTS, { recursive: true });
  const file = join(ARTIFACTS, name);
  writeFileSync(file, content);
  return file;
}

/**
 * One real-Asterisk test at a time across vitest's parallel files: they share one Asterisk, its
 * channel list and the "hotline" application. Returns the release.
 */
export async function exclusive(timeoutMs = 120_000): Promise<() => void> {
  const lock = join(ARTIFACTS, '.lock');
  mkdirSync(ARTIFACTS, { recursive: true });
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(join(lock, 'pid'), String(process.pid));
      return () => { rmSync(lock, { recursive: true, force: true }); };
    } catch {
      const holder = Number(readFileSync(join(lock, 'pid'), { encoding: 'utf8', flag: 'a+' }) || 0);
      if (holder && !alive(holder)) rmSync(lock, { recursive: true, force: true });
      if (Date.now() > until) throw new Error(`another real-Asterisk test holds ${lock}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

function alive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch { return false; }
}
