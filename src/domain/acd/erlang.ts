/**
 * Erlang C for a queue of callers who wait (no abandons) served by `agents` identical seats, Poisson
 * arrivals at `ratePerSecond` and exponential handle times averaging `ahtSeconds`. Erlang B is built
 * up with the recurrence B(0) = 1, B(n) = A·B(n-1) / (n + A·B(n-1)), which stays in [0, 1] for any
 * number of seats, so 750 or 10,000 agents need no factorials and no overflow guard.
 */

/** Offered traffic in erlangs. */
export function trafficErlangs(ratePerSecond: number, ahtSeconds: number): number {
  return Math.max(0, ratePerSecond) * Math.max(0, ahtSeconds);
}

/** Probability that a call is lost when `agents` seats carry `erlangs` with no queue (Erlang B). */
export function erlangB(erlangs: number, agents: number): number {
  let b = 1;
  for (let n = 1; n <= agents; n++) b = (erlangs * b) / (n + erlangs * b);
  return b;
}

function cFromB(erlangs: number, agents: number, b: number): number {
  if (agents <= erlangs) return 1;
  return (agents * b) / (agents - erlangs * (1 - b));
}

/** Probability that a caller has to wait at all (Erlang C); 1 when the seats cannot keep up. */
export function erlangC(erlangs: number, agents: number): number {
  if (erlangs <= 0) return 0;
  return cFromB(erlangs, agents, erlangB(erlangs, agents));
}

export interface ErlangInputs {
  readonly ratePerSecond: number;
  readonly ahtSeconds: number;
  readonly agents: number;
}

export interface ErlangForecast {
  readonly erlangs: number;
  readonly probabilityOfWaiting: number;
  /** P(wait <= t seconds). */
  readonly serviceLevel: number;
  /** Average speed of answer over all calls, seconds; Infinity when overloaded. */
  readonly asaSeconds: number;
  /** Share of time seats spend on calls. */
  readonly occupancy: number;
}

function forecastFrom(erlangs: number, agents: number, ahtSeconds: number, withinSeconds: number, c: number): ErlangForecast {
  if (erlangs <= 0) return { erlangs: 0, probabilityOfWaiting: 0, serviceLevel: 1, asaSeconds: 0, occupancy: 0 };
  if (agents <= erlangs) {
    return { erlangs, probabilityOfWaiting: 1, serviceLevel: 0, asaSeconds: Number.POSITIVE_INFINITY, occupancy: 1 };
  }
  const spare = agents - erlangs;
  return {
    erlangs,
    probabilityOfWaiting: c,
    serviceLevel: 1 - c * Math.exp((-spare * withinSeconds) / ahtSeconds),
    asaSeconds: (c * ahtSeconds) / spare,
    occupancy: erlangs / agents,
  };
}

export function erlangForecast(inputs: ErlangInputs, withinSeconds = 15): ErlangForecast {
  const erlangs = trafficErlangs(inputs.ratePerSecond, inputs.ahtSeconds);
  const agents = Math.floor(inputs.agents);
  return forecastFrom(erlangs, agents, inputs.ahtSeconds, withinSeconds, erlangC(erlangs, agents));
}

/** P(wait <= t) for the given traffic and seats. */
export function serviceLevel(inputs: ErlangInputs, withinSeconds: number): number {
  return erlangForecast(inputs, withinSeconds).serviceLevel;
}

export function averageSpeedOfAnswer(inputs: ErlangInputs): number {
  return erlangForecast(inputs).asaSeconds;
}

/**
 * The fewest seats for which P(wait <= withinSeconds) reaches `targetServiceLevel` (e.g. 0.8). One
 * pass over n = 1, 2, …, carrying Erlang B along.
 */
export function agentsNeeded(ratePerSecond: number, ahtSeconds: number, targetServiceLevel: number, withinSeconds: number): number {
  const erlangs = trafficErlangs(ratePerSecond, ahtSeconds);
  if (erlangs <= 0) return 0;
  const target = Math.min(targetServiceLevel, 1 - 1e-12);
  let b = 1;
  for (let n = 1; ; n++) {
    b = (erlangs * b) / (n + erlangs * b);
    if (n <= erlangs) continue;
    const f = forecastFrom(erlangs, n, ahtSeconds, withinSeconds, cFromB(erlangs, n, b));
    if (f.serviceLevel >= target) return n;
  }
}
