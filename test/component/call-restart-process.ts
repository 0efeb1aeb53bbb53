import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ENTRY = fileURLToPath(new URL('./call-restart-service.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface LogLine { msg?: string; level?: string; at: number; [key: string]: unknown }

/** The hotline running as a child process, its JSON log lines collected as they arrive. */
export interface ServiceProcess {
  child: ChildProcess;
  startedAt: number;
  url: string;
  lines: LogLine[];
  /** Resolves with the first log line (seen already or to come) matching. */
  line(pred: (l: LogLine) => boolean, what: string, timeoutMs?: number): Promise<LogLine>;
  exited: Promise<number | null>;
  kill(signal: NodeJS.Signals): Promise<number | null>;
}

export async function startService(env: Record<string, string>, timeoutMs = 60_000): Promise<ServiceProcess> {
  const startedAt = Date.now();
  const child = spawn(process.execPath, ['--import', 'tsx', ENTRY], {
    cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: LogLine[] = [];
  const waiters: Array<{ pred: (l: LogLine) => boolean; resolve: (l: LogLine) => void }> = [];
  let buffer = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8');
  child.stdout!.on('data', (chunk: string) => {
    buffer += chunk;
    for (let i = buffer.indexOf('\n'); i >= 0; i = buffer.indexOf('\n')) {
      const text = buffer.slice(0, i);
      buffer = buffer.slice(i + 1);
      let parsed: LogLine;
      try { parsed = { ...(JSON.parse(text) as object), at: Date.now() }; } catch { continue; }
      lines.push(parsed);
      for (const w of [...waiters]) if (w.pred(parsed)) { waiters.splice(waiters.indexOf(w), 1); w.resolve(parsed); }
    }
  });
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (chunk: string) => { stderr += chunk; });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  function line(pred: (l: LogLine) => boolean, what: string, ms = 30_000): Promise<LogLine> {
    const seen = lines.find(pred);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`timed out waiting for the log line: ${what}\n${stderr.slice(-2000)}`)), ms);
      waiters.push({ pred, resolve: (l) => { clearTimeout(t); resolve(l); } });
      void exited.then((code) => { clearTimeout(t); reject(new Error(`service exited (${String(code)}) before: ${what}\n${stderr.slice(-2000)}`)); });
    });
  }

  const ready = await line((l) => l.msg === 'restart entry ready', 'the service listening', timeoutMs);
  return {
    child, startedAt, url: String(ready.url), lines, line, exited,
    async kill(signal) {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill(signal);
      return exited;
    },
  };
}

/** A request to the service as a signed-in user (a bearer token); the body parsed when there is one. */
export async function serviceApi(s: ServiceProcess, token: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(s.url + path, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

/** Signs a user of the service in (the password RESTART_AGENTS users are given); the bearer token. */
export async function serviceLogin(s: ServiceProcess, username: string): Promise<string> {
  const res = await fetch(s.url + '/api/login', {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password: 'secret-pass-1' }),
  });
  if (res.status !== 200) throw new Error(`login of ${username} failed: ${res.status}`);
  return ((await res.json()) as { token: string }).token;
}
