// Numbers as the board shows them; the clock follows the service's (frames carry serverTime).
let skewMs = 0;

export function syncClock(serverTime) {
  if (typeof serverTime === 'number') skewMs = serverTime - Date.now();
}

export function serverNow() {
  return Date.now() + skewMs;
}

export function pct(share) {
  return share === null || share === undefined ? '—' : `${(share * 100).toFixed(1)}%`;
}

export function clockText(ms) {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const mm = String(m).padStart(2, '0');
  const ss = String(s).padStart(2, '0');
  return h > 0 ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}

export function seconds(value) {
  return value === null || value === undefined ? '—' : clockText(value * 1000);
}

export function hourLabel(at) {
  return new Date(at + 8 * 3_600_000).toISOString().slice(11, 16);
}

export function timeLabel(at) {
  return new Date(at + 8 * 3_600_000).toISOString().slice(11, 19);
}
