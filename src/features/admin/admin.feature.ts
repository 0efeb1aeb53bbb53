import type { FeatureRegistration } from '../../app.ts';
import type { AgentsService } from '../agents/agents.service.ts';
import type { SessionSockets } from '../auth/session-sockets.ts';
import { registerAccountRoutes } from './accounts.routes.ts';
import { createAccountsService } from './accounts.service.ts';

/** The command that creates the first administrator, as the start-up warning and the README give it. */
export const FIRST_ADMIN_COMMAND = 'npm run admin -- create-user --username admin --role admin --display-name 系统管理员 --password-file <a file holding the password>';

/**
 * The accounts API, on the running service: skill, seat and desk changes through the agents service, a
 * person signed out everywhere has their sockets closed. Against a real Asterisk with no administrator
 * yet, the start logs how to create the first one.
 */
export function adminFeature(deps: {
  agents: AgentsService; sessionSockets: () => Pick<SessionSockets, 'ended'> | undefined;
  /** The desks in force (the lines and desks version), read at every check. */
  desks?: () => Iterable<string>;
}): FeatureRegistration {
  return async (ctx) => {
    const { config, db, clock, log } = ctx.deps;
    const accounts = createAccountsService({
      db, config, clock, log, desks: deps.desks,
      live: {
        agents: deps.agents,
        endSessions(userId) {
          for (const id of ctx.auth.endSessionsOf(userId)) deps.sessionSockets()?.ended(id);
        },
      },
    });
    await registerAccountRoutes(ctx.app, { accounts });
    if (config.pbx.mode === 'asterisk' && !accounts.hasActiveAdmin()) {
      log.warn({ command: FIRST_ADMIN_COMMAND }, `no administrator account yet: create the first one with  ${FIRST_ADMIN_COMMAND}`);
    }
  };
}
