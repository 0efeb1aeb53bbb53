/**
 * A phone number as logs and screens other than the agent's own may show it: the last four digits
 * stay, up to the first three (after any country prefix) stay when the number is long enough, the
 * rest become '*'. Text without digits (anonymous, unknown) is returned as it is. Which views show a
 * citizen's number masked, whole or not at all is decided in one place: citizen-privacy.ts.
 */
export function maskPhone(raw: string | null | undefined): string {
  if (raw === null || raw === undefined) return '';
  const phone = raw.trim();
  if (!/[0-9]/.test(phone)) return phone;
  const n = phone.length;
  if (n <= 4) return '*'.repeat(n);
  if (n <= 7) return '*'.repeat(n - 2) + phone.slice(n - 2);
  const tail = 4;
  const head = Math.min(Math.max(n - tail - 4, 0), 6);
  return phone.slice(0, head) + '*'.repeat(n - head - tail) + phone.slice(n - tail);
}
