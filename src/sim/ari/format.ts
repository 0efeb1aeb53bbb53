/** Asterisk's textual formats: timestamps as ARI prints them, channel name suffixes. */
export function ariTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+0000');
}

export function hex8(n: number): string {
  return n.toString(16).padStart(8, '0');
}

export class AriError extends Error {
  constructor(readonly status: number, message: string, readonly key: 'message' | 'error' = 'message') {
    super(message);
  }
  body(): Record<string, string> { return { [this.key]: this.message }; }
}

export const notFound = (what: string): AriError => new AriError(404, `${what} not found`);
