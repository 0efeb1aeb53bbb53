import { createReadStream, readdirSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';
import { createRequire } from 'node:module';
import type { HotlineHttp } from '../../app.ts';

const require = createRequire(import.meta.url);

/** The installed sip.js version; part of the modules' URLs, so a browser never mixes two versions from its cache. */
export const SIPJS_VERSION = (require('sip.js/package.json') as { version: string }).version;

/** Where the browser loads sip.js from: `${SIPJS_PREFIX}index.js` and the modules it imports. */
export const SIPJS_PREFIX = `/softphone/vendor/sip.js-${SIPJS_VERSION}/`;
export const SIPJS_ENTRY = `${SIPJS_PREFIX}index.js`;

/** The folder of sip.js's ES modules (the package's lib folder). */
export function sipJsLibDir(): string {
  return dirname(require.resolve('sip.js'));
}

/** Every ES module under lib, as paths relative to it with forward slashes. */
export function sipJsModules(libDir: string): string[] {
  return (readdirSync(libDir, { recursive: true }) as string[])
    .filter((name) => name.endsWith('.js'))
    .map((name) => name.split(sep).join('/'))
    .sort();
}

/**
 * Serves sip.js's ES modules to the browser, one route per file of the package's lib folder and nothing
 * else (no wildcard, so no path can reach outside it). Public like the pages: it is a published library.
 */
export function registerSipJsModules(app: HotlineHttp, libDir = sipJsLibDir()): number {
  const files = sipJsModules(libDir);
  for (const name of files) {
    const file = join(libDir, ...name.split('/'));
    app.get(`${SIPJS_PREFIX}${name}`, { config: { public: true } }, async (_request, reply) => {
      reply.header('content-type', 'text/javascript; charset=utf-8');
      reply.header('cache-control', 'public, max-age=31536000, immutable');
      return reply.send(createReadStream(file));
    });
  }
  return files.length;
}
