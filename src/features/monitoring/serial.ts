/** One queue per monitor or conference: ARI events, requests and timers for it run one after the other. */
export interface Serial {
  run<T>(task: () => Promise<T> | T): Promise<T>;
}

export function createSerial(onError: (error: unknown) => void): Serial {
  let tail: Promise<unknown> = Promise.resolve();
  return {
    run<T>(task: () => Promise<T> | T): Promise<T> {
      const result = tail.then(task);
      tail = result.catch(onError);
      return result;
    },
  };
}
