// Types of seat-phone.js for the TypeScript tests that import it.
export declare const PHONE_STATES: readonly ['registering', 'registered', 'unregistered', 'failed'];
export declare function retryDelayMs(attempt: number, retry?: { firstMs: number; maxMs: number }, random?: () => number): number;
export declare function createSeatPhone(options: {
  sip: unknown;
  account: { uri: string; wssUrl: string; authorizationUsername: string; password: string };
  audio: { srcObject: unknown; play?: () => Promise<void> };
  on: { state(state: string, detail: Record<string, unknown>): void; call(view: { caller: { number: string; name: string }; state: string; muted: boolean } | null): void };
  retry?: { firstMs: number; maxMs: number };
}): {
  start(): void;
  view(): { caller: { number: string; name: string }; state: string; muted: boolean } | null;
  answer(): Promise<void>;
  hangup(): Promise<void>;
  setMuted(muted: boolean): boolean;
  stop(): void;
};
