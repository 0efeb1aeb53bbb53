import type { HotlineHttp } from '../../app.ts';
import { sessionOf } from '../auth/auth.routes.ts';
import type { LiveHub } from './live.hub.ts';

/** GET /ws: the desktop's live socket. The session guard has already refused upgrades without a session. */
export function registerLiveRoutes(app: HotlineHttp, deps: { hub: LiveHub }): void {
  app.get('/ws', { websocket: true, config: { tokenInQuery: true } }, (socket, request) => {
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
