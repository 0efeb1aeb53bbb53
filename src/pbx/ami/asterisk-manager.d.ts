declare module 'asterisk-manager' {
  namespace AsteriskManager {
    /** A header value as the library parses it: repeated keys become arrays, Variable/ChanVariable become maps. */
    type AmiValue = string | string[] | Record<string, string>;

    /** One parsed AMI message. Keys are lower-cased and trimmed by the library (`ActionID` → `actionid`). */
    interface AmiMessage {
      [key: string]: AmiValue | undefined;
      response?: string;
      event?: string;
      actionid?: string;
      message?: string;
    }

    /** An action to send. Keys are rewritten as `Key` (first letter upper, rest lower); arrays are joined with commas. */
    interface ActionRequest {
      action: string;
      actionid?: string;
      [key: string]: string | number | boolean | string[] | Record<string, string | number> | undefined;
    }

    interface ManagerOptions {
      port: number | undefined;
      host: string;
      username: string;
      password: string;
      events: boolean;
    }

    type ActionCallback = (err: AmiMessage | undefined, response: AmiMessage | undefined) => void;

    interface Manager {
      readonly options: ManagerOptions;
      /** Opens the TCP connection; the callback runs on connect only (never on a refused connection). */
      connect(port: number, host: string, callback?: (err: null) => void): void;
      /** Reconnects on 'close' with a fixed 10 s step backoff up to 60 s; logs with console.log. */
      keepConnected(): void;
      /** Sends `Action: login` with Username/Secret and `Event: on|off`; releases held actions on success. */
      login(callback?: (err?: AmiMessage) => void): void;
      /** Sends an action (held until login succeeds) and returns the ActionID used. The callback gets the Response only. */
      action(action: ActionRequest, callback?: ActionCallback): string;
      disconnect(callback?: () => void): void;
      isConnected(): boolean | undefined;
      connected(): boolean | undefined;

      on(event: 'managerevent', listener: (event: AmiMessage) => void): this;
      on(event: 'response', listener: (response: AmiMessage) => void): this;
      on(event: 'asterisk', listener: (message: AmiMessage) => void): this;
      on(event: 'rawevent', listener: (message: AmiMessage) => void): this;
      on(event: 'connect' | 'end', listener: () => void): this;
      on(event: 'close', listener: (hadError: boolean) => void): this;
      on(event: 'error', listener: (error: Error) => void): this;
      on(event: string, listener: (...args: unknown[]) => void): this;
      once(event: string, listener: (...args: unknown[]) => void): this;
      addListener(event: string, listener: (...args: unknown[]) => void): this;
      removeListener(event: string, listener: (...args: unknown[]) => void): this;
      removeAllListeners(event?: string): this;
      listeners(event: string): Array<(...args: unknown[]) => void>;
      setMaxListeners(n: number): this;
      emit(event: string, ...args: unknown[]): boolean;
    }
  }

  /** Creates a manager; when `port` is given it connects (and logs in when `username` is given) at once. */
  function AsteriskManager(
    port?: number,
    host?: string,
    username?: string,
    password?: string,
    events?: boolean,
  ): AsteriskManager.Manager;

  export = AsteriskManager;
}
