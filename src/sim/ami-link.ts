/** Keeps the AMI side in step with the PBX: endpoints, registrations, device states, restarts. */
import type { AmiEndpointSpec, AmiServer, SimDeviceState } from './ami/server.ts';
import type { Pbx } from './ari/state.ts';

export interface AmiLink {
  readonly port: number;
  endpointsChanged(): void;
  registered(resource: string): void;
  unregistered(resource: string): void;
  activity(resource: string): void;
  restart(): void;
  drop(): void;
  close(): Promise<void>;
}

function endpointSpecs(pbx: Pbx): AmiEndpointSpec[] {
  return [...pbx.endpoints.values()].map((e) => {
    if (e.resource === 'trunk') return { name: 'trunk', aor: null, auth: null, context: e.context };
    if (e.staticContact) return { name: e.resource, auth: null, context: e.context, staticContact: `sip:${e.resource}@127.0.0.1:5070` };
    return { name: e.resource, context: e.context };
  });
}

function deviceState(pbx: Pbx, resource: string): { state: SimDeviceState; active: number } {
  const chans = pbx.liveChannels().filter((c) => c.endpoint === resource && c.origin !== 'snoop');
  const ringing = chans.some((c) => c.state === 'Down' || c.state === 'Ringing');
  const up = chans.some((c) => c.state === 'Up' || c.state === 'Ring');
  const state: SimDeviceState = ringing && up ? 'RINGINUSE' : ringing ? 'RINGING' : up ? 'INUSE' : 'NOT_INUSE';
  return { state, active: chans.length };
}

export function linkAmi(pbx: Pbx, ami: AmiServer): AmiLink {
  ami.setEndpoints(endpointSpecs(pbx));
  pbx.onEndpointActivity = (resource) => {
    if (resource === 'trunk' || !pbx.endpoints.has(resource)) return;
    const { state, active } = deviceState(pbx, resource);
    ami.setDeviceState(resource, state, active);
  };
  return {
    port: ami.port,
    endpointsChanged: () => ami.setEndpoints(endpointSpecs(pbx)),
    registered: (resource) => ami.contactRegistered(resource),
    unregistered: (resource) => ami.contactRemoved(resource),
    activity: (resource) => pbx.onEndpointActivity?.(resource),
    restart: () => ami.shutdown({ restart: true }),
    drop: () => ami.dropAll(),
    close: () => ami.close(),
  };
}
