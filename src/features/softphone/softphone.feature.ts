import type { FeatureContext } from '../../app.ts';
import { hotlineError } from '../../domain/errors.ts';
import { requireRole, sessionOf } from '../auth/auth.routes.ts';
import { createAgentsRepo } from '../agents/agents.repo.ts';
import type { AgentView } from '../agents/agents.service.ts';
import { createSeatSecrets } from './seat-secrets.ts';
import { registerSipJsModules, SIPJS_ENTRY } from './sipjs-vendor.ts';
import { SoftphoneReply } from './softphone.schemas.ts';
import type { SoftphoneOffReason } from './softphone.schemas.ts';

/** The `softphone.*` section of the configuration. */
export interface SoftphoneSettings {
  enabled: boolean;
  /** Asterisk's SIP websocket, e.g. wss://pbx.example:8089/ws. */
  wssUrl?: string | undefined;
  /** The domain of the seats' SIP addresses; the host of wssUrl when unset. */
  sipDomain?: string | undefined;
  /** The browser seats' CSV written by scripts/gen-seats.ts --webrtc. */
  seatSecretsFile?: string | undefined;
}

/** Which seat an agent's softphone may register as. */
export interface SoftphoneSeats {
  /** The seat the agent is logged in at, or the one assigned to them when not logged in. */
  seatOf(agentId: string): string | null;
  /** Whether another agent is logged in at the seat right now. */
  heldByOther(seat: string, agentId: string): boolean;
}

/** Seats as the agents service knows them (the seat chosen at login included). */
export function seatsFromAgents(agents: { get(agentId: string): AgentView | undefined; list(): AgentView[] }): SoftphoneSeats {
  return {
    seatOf: (agentId) => agents.get(agentId)?.seat ?? null,
    heldByOther: (seat, agentId) => agents.list().some((a) => a.seat === seat && a.id !== agentId && a.state !== 'offline'),
  };
}

/** The origin a page must be allowed to open websockets to (CSP connect-src), or none. */
export function softphoneConnectSources(settings: SoftphoneSettings | undefined): string[] {
  if (!settings?.enabled || !settings.wssUrl) return [];
  try {
    const url = new URL(settings.wssUrl);
    return url.protocol === 'wss:' || url.protocol === 'ws:' ? [`${url.protocol}//${url.host}`] : [];
  } catch {
    return [];
  }
}

function domainOf(settings: SoftphoneSettings): string | undefined {
  if (settings.sipDomain) return settings.sipDomain;
  try { return new URL(settings.wssUrl ?? '').hostname || undefined; } catch { return undefined; }
}

type Off = { enabled: false; reason: SoftphoneOffReason; seat?: string };
type On = { enabled: true; wssUrl: string; uri: string; seat: string; authorizationUsername: string; password: string; sipJs: string };

/**
 * The optional browser softphone: `GET /api/softphone` gives an agent the SIP account of their own seat
 * (the seat they are logged in at, or their assigned one), and the sip.js modules are served to the page.
 * The answer carries the seat's secret: it is never cached and never logged, and no parameter can name
 * another seat. Seats listed in the CSV are browser seats; a desk phone seat is not in it and gets
 * `{ enabled: false, reason: 'no_secret' }`, so the browser never takes the desk phone's registration.
 */
export function registerSoftphone(ctx: FeatureContext, settings: SoftphoneSettings, seats?: SoftphoneSeats): void {
  const { app } = ctx;
  const log = ctx.deps.log.child({ component: 'softphone' });
  const agentsRepo = createAgentsRepo(ctx.deps.db);
  const directory: SoftphoneSeats = seats ?? {
    seatOf: (agentId) => agentsRepo.byId(agentId)?.seat ?? null,
    heldByOther: () => false,
  };
  const secrets = settings.seatSecretsFile ? createSeatSecrets(settings.seatSecretsFile) : undefined;
  const domain = domainOf(settings);
  const configured = settings.enabled && softphoneConnectSources(settings).length > 0 && secrets !== undefined && domain !== undefined;
  if (settings.enabled && !configured) log.warn({ wssUrl: settings.wssUrl ?? null, hasSecretsFile: secrets !== undefined }, 'softphone enabled but not configured');

  const modules = registerSipJsModules(app);
  log.debug({ modules }, 'sip.js modules served');

  function answer(agentId: string): On | Off {
    if (!settings.enabled) return { enabled: false, reason: 'disabled' };
    if (!configured || !secrets || !domain) return { enabled: false, reason: 'not_configured' };
    const seat = directory.seatOf(agentId);
    if (!seat) return { enabled: false, reason: 'no_seat' };
    if (directory.heldByOther(seat, agentId)) return { enabled: false, reason: 'seat_taken', seat };
    const found = secrets.lookup(seat);
    if (!found.ok) {
      if (found.reason !== 'no_secret') log.warn({ reason: found.reason, seat }, 'seat secrets not available');
      return { enabled: false, reason: found.reason, seat };
    }
    const { credentials } = found;
    return {
      enabled: true,
      wssUrl: settings.wssUrl!,
      uri: `sip:${seat}@${domain}`,
      seat,
      authorizationUsername: credentials.username,
      password: credentials.secret,
      sipJs: SIPJS_ENTRY,
    };
  }

  app.get('/api/softphone', {
    schema: { tags: ['softphone'], summary: '浏览器软电话：本人座席的 SIP 账号（不缓存）', response: { 200: SoftphoneReply } },
    preHandler: requireRole('agent'),
  }, async (request, reply) => {
    const agentId = sessionOf(request).account.agentId;
    if (!agentId) throw hotlineError('ERR_NO_SUCH_AGENT', { reason: 'this user is not an agent' });
    reply.header('cache-control', 'no-store');
    reply.header('pragma', 'no-cache');
    const result = answer(agentId);
    request.log.debug({ agentId, enabled: result.enabled, seat: result.seat ?? null }, 'softphone account given');
    return result;
  });
}
