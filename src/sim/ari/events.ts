/** Stasis applications, their websockets and what each is subscribed to. Events for an app with no socket are dropped. */
import type { WebSocket } from 'ws';

export interface StasisApp { name: string; sockets: Set<WebSocket> }

export class EventBus {
  readonly apps = new Map<string, StasisApp>();
  /** Called with (app, event) for every event actually delivered; for tests and the trace harness. */
  onDelivered?: (app: string, event: Record<string, unknown>) => void;

  constructor(private readonly asteriskId: string) {}

  attach(name: string, socket: WebSocket): void {
    let app = this.apps.get(name);
    if (!app) { app = { name, sockets: new Set() }; this.apps.set(name, app); }
    app.sockets.add(socket);
  }

  detach(name: string, socket: WebSocket): void {
    this.apps.get(name)?.sockets.delete(socket);
  }

  isActive(name: string): boolean {
    return (this.apps.get(name)?.sockets.size ?? 0) > 0;
  }

  sockets(): WebSocket[] {
    return [...this.apps.values()].flatMap((a) => [...a.sockets]);
  }

  /** Forgets every app (Asterisk restarted). */
  reset(): void { this.apps.clear(); }

  send(appName: string, event: Record<string, unknown>): void {
    const app = this.apps.get(appName);
    if (!app || app.sockets.size === 0) return;
    const full = { ...event, asterisk_id: this.asteriskId, application: appName };
    const text = JSON.stringify(full);
    for (const s of app.sockets) if (s.readyState === s.OPEN) s.send(text);
    this.onDelivered?.(appName, full);
  }
}
