import type { Logger } from 'pino';
import type { Clock, TimerHandle } from '../../clock.ts';
import type { AriClient } from '../../pbx/ari/client.types.ts';
import type { Endpoint } from '../../pbx/ari/models.ts';
import type { AgentsService } from './agents.service.ts';

function registered(endpoint: Endpoint): boolean {
  return endpoint.state === 'online';
}

/**
 * Follows the seats' phone registrations from ARI endpoint state: the list at every (re)connect,
 * then EndpointStateChange events (the app subscribes to endpoint:PJSIP, since it does not use
 * subscribeAll). A phone that is not registered is never offered a call.
 */
export interface AgentPhones {
  /** Reads one seat's endpoint state now (at login, so a phone registered a moment ago counts). */
  check(seat: string): Promise<void>;
  detach(): void;
}

export function attachAgentPhones(deps: { ari: AriClient; agents: AgentsService; log: Logger; clock: Clock; pollMs?: number }): AgentPhones {
  const { ari, agents, clock } = deps;
  const log = deps.log.child({ component: 'agents.phones' });
  const pollMs = deps.pollMs ?? 30_000;
  let poll: TimerHandle | undefined;
  let stopped = false;

  async function readAll(): Promise<void> {
    try {
      const endpoints = await ari.endpoints.list();
      let online = 0;
      for (const e of endpoints) {
        if (e.technology !== 'PJSIP') continue;
        if (registered(e)) online++;
        agents.phoneState(e.resource, registered(e));
      }
      log.info({ endpoints: endpoints.length, online }, 'seat phones read');
    } catch (error) {
      log.warn({ err: error }, 'endpoint list failed');
    }
  }

  function schedulePoll(): void {
    clock.clearTimeout(poll);
    if (stopped || pollMs <= 0) return;
    poll = clock.setTimeout(() => { if (ari.state() === 'connected') void readAll(); schedulePoll(); }, pollMs);
  }

  const offReconcile = ari.onReconcile(async () => {
    try {
      await ari.applications.subscribe(ari.app, 'endpoint:PJSIP');
    } catch (error) {
      log.warn({ err: error }, 'endpoint subscription failed');
    }
    await readAll();
    schedulePoll();
  });

  const offEvents = ari.onEvent((event) => {
    if (event.type === 'EndpointStateChange' && event.endpoint.technology === 'PJSIP') {
      agents.phoneState(event.endpoint.resource, registered(event.endpoint));
    }
  });

  return {
    async check(seat) {
      try {
        agents.phoneState(seat, registered(await ari.endpoints.get('PJSIP', seat)));
      } catch (error) {
        if ((error as { status?: number }).status === 404) agents.phoneState(seat, false);
        else log.warn({ err: error, seat }, 'seat phone state unknown');
      }
    },
    detach() { stopped = true; clock.clearTimeout(poll); offReconcile(); offEvents(); },
  };
}
