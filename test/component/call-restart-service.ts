/**
 * The hotline as a process of its own, for the restart test: a PBX simulator running in the test
 * process stands for Asterisk (RESTART_ARI_URL), the database and recordings live in RESTART_DIR.
 * Agent users named in RESTART_AGENTS (name:seat,…) are created when missing. Logs are JSON lines on
 * stdout; a line with msg "restart entry ready" carries the URL once the service listens.
 */
import { join } from 'node:path';
import { pino } from 'pino';
import { loadConfig } from '../../src/config/config.ts';
import { createLogger } from '../../src/log.ts';
import { startHotline } from '../../src/hotline.ts';

const env = process.env;
const dir = env.RESTART_DIR;
const ariUrl = env.RESTART_ARI_URL;
/** RESTART_REAL_ASTERISK=1: ARI and AMI from the ASTERISK_* variables (the opt-in real-PBX suite). */
const real = env.RESTART_REAL_ASTERISK === '1';
if (!dir || (!ariUrl && !real)) {
  process.stderr.write('RESTART_DIR and RESTART_ARI_URL (or RESTART_REAL_ASTERISK=1) must be set\n');
  process.exit(2);
}

const config = loadConfig({
  env: real ? env : {},
  values: {
    service: { host: '127.0.0.1', port: 0 },
    pbx: { mode: 'asterisk' },
    ...(real ? {} : { ari: { url: ariUrl, username: 'hotline', password: 'hotline' }, ami: { enabled: false } }),
    database: { path: join(dir, 'hotline.sqlite') },
    recordings: { dir: join(dir, 'recordings') },
    lines: [{ number: '12345', wrapUpSeconds: Number(env.RESTART_WRAP_UP_SECONDS ?? 3), ...(env.RESTART_GREETING ? { greeting: env.RESTART_GREETING } : {}) }],
    log: { level: 'info' },
  },
});
const log = createLogger({ level: 'info', destination: pino.destination({ dest: 1, sync: true }) });
const hotline = await startHotline({
  config, log, simulator: false,
  tuning: {
    ringTimeoutMs: Number(env.RESTART_RING_MS ?? 3000),
    recordings: { finishWaitMs: 300, retryBaseMs: 100 },
  },
});

for (const entry of (env.RESTART_AGENTS ?? '').split(',').filter(Boolean)) {
  const [username, seat] = entry.split(':') as [string, string];
  const known = hotline.db.prepare('SELECT id FROM users WHERE username = ?').get(username);
  if (!known) await hotline.app.auth.createUser({ username, password: 'secret-pass-1', role: 'agent', displayName: username, agent: { seat } });
}

log.info({ url: hotline.url }, 'restart entry ready');
const stop = (): void => { void hotline.close().then(() => process.exit(0), () => process.exit(1)); };
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
