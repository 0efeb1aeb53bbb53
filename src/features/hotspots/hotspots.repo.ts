import type { Database } from '../../store/database.ts';
import type { RaisedHotspot } from '../../domain/hotspots.ts';

export interface StoredHotspot {
  id: string;
  unitCode: string;
  category: string;
  windowStart: number;
  windowHours: number;
  count: number;
  ticketIds: string[];
  raisedAt: number;
}

export interface HotspotsRepo {
  /** False when an alert for the same unit, category and window start is stored already. */
  insert(alert: StoredHotspot): boolean;
  raisedSince(unitCode: string, category: string, since: number): RaisedHotspot[];
  list(filter: { since: number; unitCode?: string; limit: number }): StoredHotspot[];
  sweptUpTo(): number | undefined;
  saveSweptUpTo(seq: number): void;
}

interface Row { id: string; unit_code: string; category: string; window_start: number; window_hours: number; ticket_count: number; ticket_ids: string; raised_at: number }

const toAlert = (r: Row): StoredHotspot => ({
  id: r.id, unitCode: r.unit_code, category: r.category, windowStart: r.window_start, windowHours: r.window_hours,
  count: r.ticket_count, ticketIds: JSON.parse(r.ticket_ids) as string[], raisedAt: r.raised_at,
});

export function createHotspotsRepo(db: Database): HotspotsRepo {
  const insert = db.prepare(`INSERT OR IGNORE INTO hotspot_alerts (id, unit_code, category, window_start, window_hours, ticket_count, ticket_ids, raised_at)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?)`);
  const raised = db.prepare(`SELECT unit_code AS unitCode, category, window_start AS windowStart FROM hotspot_alerts
    WHERE unit_code = ? AND category = ? AND window_start >= ?`);
  const all = db.prepare('SELECT * FROM hotspot_alerts WHERE raised_at >= ? ORDER BY raised_at DESC, id LIMIT ?');
  const ofUnit = db.prepare('SELECT * FROM hotspot_alerts WHERE raised_at >= ? AND unit_code = ? ORDER BY raised_at DESC, id LIMIT ?');
  const cursor = db.prepare('SELECT last_seq FROM hotspot_sweep WHERE id = 1').pluck();
  const saveCursor = db.prepare('INSERT INTO hotspot_sweep (id, last_seq) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET last_seq = excluded.last_seq');
  return {
    insert: (a) => insert.run(a.id, a.unitCode, a.category, a.windowStart, a.windowHours, a.count, JSON.stringify(a.ticketIds), a.raisedAt).changes > 0,
    raisedSince: (unitCode, category, since) => raised.all(unitCode, category, since) as RaisedHotspot[],
    list: (f) => ((f.unitCode === undefined ? all.all(f.since, f.limit) : ofUnit.all(f.since, f.unitCode, f.limit)) as Row[]).map(toAlert),
    sweptUpTo: () => cursor.get() as number | undefined,
    saveSweptUpTo: (seq) => { saveCursor.run(seq); },
  };
}
