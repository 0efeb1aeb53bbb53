/**
 * How the service stands behind a TLS-terminating proxy: which proxies' forwarded headers are believed, whether
 * a request came over HTTPS (so cookies get Secure and answers get Strict-Transport-Security), and which
 * origins count as the service's own.
 */
import { isIP } from 'node:net';
import type { FastifyRequest } from 'fastify';

export interface TransportSettings {
  /** Proxy addresses and CIDR ranges; empty: forwarded headers are never believed. */
  trustedProxies: string[];
  cookieSecure: 'auto' | 'always' | 'never';
  hstsMaxAgeSeconds: number;
  /** The service's public URL (config service.publicUrl), when it has one. */
  publicUrl?: string | undefined;
}

/** The comma-separated list of config `http.trustedProxies`, checked: every entry an address or a CIDR range. */
export function trustedProxyList(text: string): string[] {
  const entries = text.split(',').map((e) => e.trim()).filter(Boolean);
  for (const entry of entries) {
    const [address = '', prefix, extra] = entry.split('/');
    const family = isIP(address);
    const bits = family === 4 ? 32 : 128;
    const prefixOk = prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= bits);
    if (!family || !prefixOk || extra !== undefined) {
      throw new Error(`config: http.trustedProxies: "${entry}" is not an IP address or CIDR range (e.g. 10.0.0.5 or 10.0.0.0/24)`);
    }
  }
  return entries;
}

/** True when the request came over HTTPS: on the socket itself, or as a trusted proxy says (fastify's trustProxy). */
export function cameOverHttps(request: FastifyRequest): boolean {
  return request.protocol === 'https';
}

export function cookieIsSecure(request: FastifyRequest, settings: Pick<TransportSettings, 'cookieSecure'>): boolean {
  if (settings.cookieSecure === 'always') return true;
  if (settings.cookieSecure === 'never') return false;
  return cameOverHttps(request);
}

export function hstsHeader(settings: Pick<TransportSettings, 'hstsMaxAgeSeconds'>): string | undefined {
  return settings.hstsMaxAgeSeconds > 0 ? `max-age=${settings.hstsMaxAgeSeconds}; includeSubDomains` : undefined;
}

/**
 * True when the request's Origin (if it sent one) is the service's own: the host the request was sent to, or
 * the configured public URL's origin. A browser always sends Origin on cross-site requests it makes with cookies.
 */
export function isOwnOrigin(request: FastifyRequest, publicUrl: string | undefined): boolean {
  const origin = request.headers.origin;
  if (origin === undefined) return true;
  let parsed: URL;
  try {
    parsed = new URL(origin);
  } catch {
    return false;
  }
  if (publicUrl !== undefined && parsed.origin === originOf(publicUrl)) return true;
  // fastify's request.host: the Host header, or X-Forwarded-Host when a trusted proxy sent the request.
  return parsed.host === request.host;
}

/** The origin of a configured URL, or undefined when it is not a URL (it then matches no request). */
function originOf(url: string): string | undefined {
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}
