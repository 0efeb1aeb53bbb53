import type { HotlineHttp } from '../../app.ts';
import { requireRole, sessionOf } from '../auth/auth.routes.ts';
import { EVERY_ROLE } from '../auth/route-access.ts';
import type { LiveHub } from './live.hub.ts';

/** GET /ws: the desktop's live socket. The session guard has already refused upgrades without a session. */
export function registerLiveRoutes(app: HotlineHttp, deps: { hub: LiveHub }): void {
  app.get('/ws', { preHandler: requireRole(...EVERY_ROLE), websocket: true, config: { tokenInQuery: true } }, (socket, request) => {
    const { account } = sessionOf(request);
    deps.hub.attach(socket, {
      userId: account.id,
      username: account.username,
      role: account.role,
      displayName: account.displayName,
      agentId: account.agentId,
    });
  });
}
