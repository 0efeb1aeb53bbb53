/**
 * A per-call serial queue: every piece of work for one call (an ARI event, a timer, an offer) runs
 * here, one after the other. An idle lane starts a task at once, in the caller's tick, so a
 * screen pop published by the first synchronous part of a task is not delayed by a microtask hop.
 */
export type LaneTask = () => Promise<void> | void;

export interface CallLane {
  run(task: LaneTask): void;
  /** Resolves once every task queued so far has finished. */
  drained(): Promise<void>;
  readonly busy: boolean;
}

export function createCallLane(onError: (error: unknown) => void): CallLane {
  const tasks: LaneTask[] = [];
  let running = false;
  let waiters: Array<() => void> = [];

  function finish(): void {
    running = false;
    const w = waiters;
    waiters = [];
    for (const resolve of w) resolve();
  }

  function drain(): void {
    running = true;
    for (;;) {
      const task = tasks.shift();
      if (!task) { finish(); return; }
      let result: Promise<void> | void;
      try { result = task(); } catch (error) { onError(error); continue; }
      if (result && typeof (result as Promise<void>).then === 'function') {
        (result as Promise<void>).then(() => drain(), (error: unknown) => { onError(error); drain(); });
        return;
      }
    }
  }

  return {
    run(task) {
      tasks.push(task);
      if (!running) drain();
    },
    drained() {
      if (!running && tasks.length === 0) return Promise.resolve();
      return new Promise((resolve) => { waiters.push(resolve); });
    },
    get busy() { return running; },
  };
}
