export interface RoutableAgent {
  readonly id: string;
  readonly state: string;
  /** When the agent last became free; a ready agent without one counts as idle the longest. */
  readonly idleSince: number | null;
  readonly registered: boolean;
  readonly skills?: ReadonlyArray<string>;
}

export interface RoutableCall {
  /** When set, only agents listing this skill are considered. */
  readonly skill?: string;
}

/**
 * The agent who should get the next call: the longest-idle ready agent whose phone is registered,
 * ties broken by the smaller agent id. One pass, no allocation.
 */
export function pickAgent(agents: ReadonlyArray<RoutableAgent>, call?: RoutableCall): string | undefined {
  const skill = call?.skill;
  let bestId: string | undefined;
  let bestIdle = 0;
  for (let i = 0; i < agents.length; i++) {
    const agent = agents[i]!;
    if (agent.state !== 'ready' || !agent.registered) continue;
    if (skill !== undefined && !(agent.skills?.includes(skill) ?? false)) continue;
    const idle = agent.idleSince ?? Number.NEGATIVE_INFINITY;
    if (bestId === undefined || idle < bestIdle || (idle === bestIdle && agent.id < bestId)) {
      bestId = agent.id;
      bestIdle = idle;
    }
  }
  return bestId;
}
