import { realClock } from './clock.ts';
import { loadConfig } from './config/config.ts';
import { createLogger } from './log.ts';
import { seedDemoUsers } from './features/auth/demo-users.ts';
import { startHotline } from './hotline.ts';
import { ensureUnitUsers } from './features/dispatch/unit-users.ts';
import { createDispatchRepo } from './features/dispatch/dispatch.repo.ts';
import { writeDemoHistory } from './sim/demo-history.ts';

async function main(): Promise<void> {
  const config = loadConfig();
  const log = createLogger({ level: config.log.level, pretty: config.log.pretty });
  const simulated = config.pbx.mode === 'simulator';
  // The demo's month of history, written before the service starts so that the wallboard counts it too. Here, not in
  // startHotline: the tests build the service with startHotline (simulator mode too) and never get it.
  if (simulated) await writeDemoHistory({ config, log }).catch((error: unknown) => { log.error({ err: error }, 'demo history not written'); });

  // ── PBX and simulator ──────────────────────────────────────────────────────────────────────────
  // startHotline opens the database and migrates it, starts the embedded simulator (pbx.mode =
  // simulator) with its simulated agents and callers, or connects to the configured Asterisk (ARI +
  // AMI), wires calls/agents/recordings into build() and listens on config.service.host/port.
  const hotline = await startHotline({ config, log, clock: realClock, actors: simulated });
  // ───────────────────────────────────────────────────────────────────────────────────────────────

  const password = hotline.app.auth.settings.demoPassword;
  if (simulated) {
    await seedDemoUsers(hotline.app.auth, { agents: 0, password }, log);
    await ensureUnitUsers(hotline.app.auth, createDispatchRepo(hotline.db),
      [{ username: 'unit', displayName: '建外街道', unitCode: '110105001' }], password);
  }

  const base = config.service.publicUrl ?? hotline.url;
  const lines = [
    '',
    `  12345 hotline is running (${simulated ? 'simulated PBX' : `Asterisk at ${config.ari.url}`})`,
    `  Agent desktop   ${base}/desktop/`,
    `  Wallboard       ${base}/wallboard/   (wall TV: ${base}/wallboard/?tv=1)`,
    `  Unit portal     ${base}/portal/   (centre review: ${base}/portal/centre.html)`,
    `  Reports         ${base}/reports/`,
    `  Recordings      ${base}/recordings/`,
    `  Admin console   ${base}/admin/`,
    `  Health          ${base}/health`,
    `  Listening on    ${listening(config.service.host, hotline.url)}`,
  ];
  if (simulated) {
    const agents = hotline.actors?.agents.usernames() ?? [];
    const range = agents.length ? `${agents[0]} … ${agents.at(-1)}, ` : '';
    lines.push(`  Demo logins     ${range}supervisor, unit, admin — password ${password}`);
  }
  process.stdout.write(`${lines.join('\n')}\n\n`);
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    const force = setTimeout(() => { log.error('shutdown took too long'); process.exit(1); }, 10_000);
    force.unref();
    hotline.close().then(
      () => { log.info('stopped'); log.flush(); process.exit(0); },
      (error: unknown) => { log.error({ err: error }, 'shutdown failed'); log.flush(); process.exit(1); },
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

/** Where the service really listens: loopback keeps it on this machine, any other address opens it to the network. */
function listening(host: string, url: string): string {
  const at = `${host.includes(':') ? `[${host}]` : host}:${new URL(url).port}`;
  if (host === '127.0.0.1' || host === '::1' || host === 'localhost') return `${at} (this machine only; HOTLINE_HOST=0.0.0.0 opens it to the network)`;
  return host === '0.0.0.0' || host === '::' ? `${at} (every network interface)` : at;
}

main().catch((error: unknown) => {
  process.stderr.write(`hotline failed to start: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  process.exit(1);
});
