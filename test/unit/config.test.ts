import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/config.ts';
import { surveyConfigFrom } from '../../src/features/surveys/surveys.config.ts';
import { surveyConfig } from '../../src/features/surveys/surveys.schemas.ts';
import { reportsPolicyFrom } from '../../src/features/reports/reports.config.ts';
import { DEFAULT_REPORTS_POLICY, reportsPolicy } from '../../src/features/reports/reports.policy.ts';

const dir = mkdtempSync(join(tmpdir(), 'hotline-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, content: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

function failure(run: () => unknown): string {
  try {
    run();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('loading the configuration', () => {
  it('when nothing is given, then every default is there and the simulator is the PBX', () => {
    const c = loadConfig({ env: {} });
    expect(c.service).toEqual({ host: '127.0.0.1', port: 8080 });
    expect(c.ari).toEqual({ url: 'http://127.0.0.1:8088/ari', username: 'hotline', password: '', app: 'hotline', requestTimeoutMs: 5000 });
    expect(c.ami).toMatchObject({ port: 5038, enabled: false });
    expect(c.pbx.mode).toBe('simulator');
    expect(c.database.path).toBe('./hotline.sqlite');
    expect(c.recordings.dir).toBe('./recordings');
    expect(c.lines).toEqual([{ number: '12345', name: '12345 市民服务热线', greeting: 'sound:hotline/greeting', wrapUpSeconds: 15, rateAfterCall: false }]);
    expect(c.agents).toEqual({ ringTimeoutSeconds: 20, wrapUpSeconds: 15, noAnswerPauseReason: 'no_answer' });
    expect(c.simulator).toEqual({ agents: 20, callsPerMinute: 6, seed: 1, talkSeconds: 150, patienceSeconds: 60, history: 'on' });
    expect(c.log).toEqual({ level: 'info', pretty: false });
  });

  it('when a file sets some keys, then they override the defaults and the rest stay', () => {
    const path = file('partial.json', { service: { port: 9000 }, simulator: { agents: 3 } });
    const c = loadConfig({ file: path, env: {} });
    expect(c.service).toEqual({ host: '127.0.0.1', port: 9000 });
    expect(c.simulator.agents).toBe(3);
    expect(c.simulator.callsPerMinute).toBe(6);
  });

  it('when HOTLINE_CONFIG names a file, then it is read', () => {
    const path = file('named.json', { log: { level: 'debug' } });
    expect(loadConfig({ env: { HOTLINE_CONFIG: path } }).log.level).toBe('debug');
  });

  it('when the environment sets a key the file also sets, then the environment wins', () => {
    const path = file('port.json', { service: { port: 9000 }, database: { path: '/var/lib/a.sqlite' } });
    const c = loadConfig({ file: path, env: { HOTLINE_PORT: '9100', HOTLINE_DB: '/tmp/b.sqlite', HOTLINE_LOG_PRETTY: 'true' } });
    expect(c.service.port).toBe(9100);
    expect(c.database.path).toBe('/tmp/b.sqlite');
    expect(c.log.pretty).toBe(true);
  });

  it('when values are given, then they sit over the file and under the environment', () => {
    const path = file('layers.json', { service: { port: 9000, host: '127.0.0.1' } });
    const c = loadConfig({ file: path, values: { service: { port: 0 } }, env: { HOTLINE_HOST: '::' } });
    expect(c.service).toEqual({ port: 0, host: '::' });
  });

  it('when ASTERISK_ARI_URL is set, then the PBX is Asterisk and AMI is on', () => {
    const c = loadConfig({ env: { ASTERISK_ARI_URL: 'http://pbx:8088/ari', ASTERISK_ARI_PASSWORD: 's', ASTERISK_AMI_PASSWORD: 'm' } });
    expect(c.pbx.mode).toBe('asterisk');
    expect(c.ari.url).toBe('http://pbx:8088/ari');
    expect(c.ami.enabled).toBe(true);
  });

  it('when the mode is set explicitly, then ASTERISK_ARI_URL does not change it', () => {
    const c = loadConfig({ env: { ASTERISK_ARI_URL: 'http://pbx:8088/ari', HOTLINE_PBX_MODE: 'simulator' } });
    expect(c.pbx.mode).toBe('simulator');
  });

  it('when Asterisk is the PBX without an ARI password, then loading fails saying how to set it', () => {
    expect(failure(() => loadConfig({ env: { HOTLINE_PBX_MODE: 'asterisk' } }))).toContain('ari.password is required');
  });

  it('when a secret comes from a file, then its content without the final newline is used', () => {
    const secret = file('ari-password', 'pa55word\n');
    const c = loadConfig({ env: { ASTERISK_ARI_PASSWORD_FILE: secret } });
    expect(c.ari.password).toBe('pa55word');
    expect(failure(() => loadConfig({ env: { ASTERISK_ARI_PASSWORD_FILE: secret, ASTERISK_ARI_PASSWORD: 'x' } })))
      .toContain('set either ASTERISK_ARI_PASSWORD or ASTERISK_ARI_PASSWORD_FILE');
    expect(failure(() => loadConfig({ env: { ASTERISK_AMI_PASSWORD_FILE: join(dir, 'absent') } })))
      .toContain(`cannot read ASTERISK_AMI_PASSWORD_FILE (${join(dir, 'absent')})`);
  });

  it('when an environment value is not a number, then the message names the key, the rule and the variable', () => {
    expect(failure(() => loadConfig({ env: { ASTERISK_ARI_TIMEOUT_MS: 'abc' } }))).toBe(
      'config: ari.requestTimeoutMs must be integer >= 100 and <= 120000 (got "abc" from ASTERISK_ARI_TIMEOUT_MS)');
  });

  it('when a file value is out of range or of the wrong type, then the message names the key and the file', () => {
    const path = file('bad.json', { agents: { ringTimeoutSeconds: 1 }, service: { port: '8080' } });
    const message = failure(() => loadConfig({ file: path, env: {} }));
    expect(message).toContain(`agents.ringTimeoutSeconds must be integer >= 5 and <= 120 (got 1 from file ${path})`);
    expect(message).toContain(`service.port must be integer >= 0 and <= 65535 (got "8080" from file ${path})`);
  });

  it('when a value is not one of the allowed words, then the allowed words are listed', () => {
    expect(failure(() => loadConfig({ env: { HOTLINE_LOG_LEVEL: 'loud' } }))).toContain('log.level must be one of "fatal", "error"');
  });

  it('when the file has an unknown key, then it is rejected by name with the keys allowed there', () => {
    const path = file('unknown.json', { ari: { url: 'http://x:8088/ari', passwd: 'x' } });
    expect(failure(() => loadConfig({ file: path, env: {} }))).toBe(
      `config: unknown key ari.passwd in file ${path} (allowed in ari: url, username, password, app, requestTimeoutMs)`);
    const top = file('unknown-top.json', { sevrice: {} });
    expect(failure(() => loadConfig({ file: top, env: {} }))).toContain('unknown key sevrice');
  });

  it('when a line is wrong or repeated, then the line is named by its position', () => {
    const bad = file('lines.json', { lines: [{ number: '12345' }, { number: 'abc' }] });
    expect(failure(() => loadConfig({ file: bad, env: {} }))).toContain('lines[1].number must be a string matching');
    const twice = file('twice.json', { lines: [{ number: '12345' }, { number: '12345' }] });
    expect(failure(() => loadConfig({ file: twice, env: {} }))).toContain('lines[1].number repeats lines[0].number');
    const none = file('none.json', { lines: [] });
    expect(failure(() => loadConfig({ file: none, env: {} }))).toContain('lines must be a list of at least 1 item(s)');
  });

  it('when the file is not JSON, missing or not an object, then the file is named', () => {
    const broken = file('broken.json', '{ "service": ');
    expect(failure(() => loadConfig({ file: broken, env: {} }))).toContain(`config file ${broken} is not valid JSON`);
    const missing = join(dir, 'missing.json');
    expect(failure(() => loadConfig({ env: { HOTLINE_CONFIG: missing } }))).toContain(`cannot read config file ${missing} (from HOTLINE_CONFIG)`);
    const list = file('list.json', '[]');
    expect(failure(() => loadConfig({ file: list, env: {} }))).toContain('must hold a JSON object');
  });

  it('when the example config is loaded with passwords from the environment, then it is valid', () => {
    const example = resolve(import.meta.dirname, '../../config/hotline.example.json');
    const c = loadConfig({ file: example, env: { ASTERISK_ARI_PASSWORD: 'a', ASTERISK_AMI_PASSWORD: 'b' } });
    expect(c.pbx.mode).toBe('asterisk');
    expect(c.lines.map((l) => l.number)).toEqual(['12345', '12315', '12300', '12333']);
    expect(c.queues.map((q) => q.id)).toEqual(['main', 'market', 'enterprise', 'social']);
    expect(c.lines.map((l) => l.rateAfterCall)).toEqual([true, false, false, false]);
    expect(surveyConfig(surveyConfigFrom(c))).toEqual(surveyConfig({ callerId: '12345' }));
    expect(reportsPolicy(reportsPolicyFrom(c))).toEqual(DEFAULT_REPORTS_POLICY);
    expect(c.softphone).toEqual({ enabled: false, wssUrl: 'wss://pbx.example.gov.cn:8089/ws', sipDomain: 'pbx.example.gov.cn' });
  });
});

describe('where the service listens and the demo history', () => {
  const asterisk = { ASTERISK_ARI_URL: 'http://pbx:8088/ari', ASTERISK_ARI_PASSWORD: 'a', ASTERISK_AMI_PASSWORD: 'b' };

  it('when the simulator is the PBX and no host is given, then the service listens on 127.0.0.1 only', () => {
    expect(loadConfig({ env: {} }).service.host).toBe('127.0.0.1');
    expect(loadConfig({ env: { HOTLINE_PBX_MODE: 'simulator' } }).service.host).toBe('127.0.0.1');
  });

  it('when a real Asterisk is the PBX and no host is given, then the service listens on every interface', () => {
    expect(loadConfig({ env: asterisk }).service.host).toBe('0.0.0.0');
    expect(loadConfig({ env: { HOTLINE_PBX_MODE: 'asterisk', ASTERISK_ARI_PASSWORD: 'a', ASTERISK_AMI_PASSWORD: 'b' } }).service.host).toBe('0.0.0.0');
  });

  it('when a host is given, then it wins over the mode, from the environment, the file or values', () => {
    expect(loadConfig({ env: { HOTLINE_HOST: '0.0.0.0' } }).service.host).toBe('0.0.0.0');
    expect(loadConfig({ env: { ...asterisk, HOTLINE_HOST: '127.0.0.1' } }).service.host).toBe('127.0.0.1');
    const path = file('host.json', { service: { host: '192.168.1.20' } });
    expect(loadConfig({ file: path, env: {} }).service.host).toBe('192.168.1.20');
    expect(loadConfig({ env: asterisk, values: { service: { host: '::1' } } }).service.host).toBe('::1');
    expect(failure(() => loadConfig({ env: { HOTLINE_HOST: 'h'.repeat(254) } }))).toContain('service.host');
  });

  it('when HOTLINE_DEMO_HISTORY says off, then simulator.history is off; another word is refused naming the key', () => {
    expect(loadConfig({ env: { HOTLINE_DEMO_HISTORY: 'off' } }).simulator.history).toBe('off');
    expect(loadConfig({ env: {}, values: { simulator: { history: 'off' } } }).simulator.history).toBe('off');
    expect(failure(() => loadConfig({ env: { HOTLINE_DEMO_HISTORY: 'no' } })))
      .toBe('config: simulator.history must be one of "on", "off" (got "no" from HOTLINE_DEMO_HISTORY)');
  });
});

describe('lines, queues, skills and callbacks', () => {
  it('when nothing is said about queues, then every line goes to one general queue with announcements off and callbacks on', () => {
    const c = loadConfig({ env: {} });
    expect(c.queues).toEqual([{
      id: 'main', target: { skills: ['general'], minLevel: 1 }, overflowRules: [], priority: 0, overflowTo: 'callback',
      announcements: { enabled: false, firstAfterSeconds: 30, everySeconds: 60, sayPosition: true, sayWait: true, maxWaitToSayMinutes: 30 },
    }]);
    expect(c.skills).toEqual({ defaults: { general: 3 }, listedLevel: 3 });
    expect(c.callbacks).toMatchObject({ enabled: true, dedupeHours: 24, quietSeconds: 30, minReadyAgents: 2, dialTemplate: 'PJSIP/{number}@trunk' });
  });

  it('when a queue is configured, then its defaults are filled in and the ACD sees lines, targets, widening and limits', async () => {
    const { acdConfigFrom } = await import('../../src/features/calls/queue-settings.ts');
    const c = loadConfig({ env: {}, values: {
      lines: [{ number: '12345' }, { number: '12333', queue: 'social', priority: 2 }],
      queues: [
        { id: 'main', target: { skills: ['general'] } },
        { id: 'social', target: { skills: ['social'], minLevel: 3 }, overflowRules: [{ afterSeconds: 20, widenTo: { skills: ['general'] } }], maxWaiting: 50, maxWaitSeconds: 120, overflowTo: 'main' },
      ],
    } });
    expect(acdConfigFrom(c)).toEqual({
      lines: [{ line: '12345', queueId: 'main', priority: 0 }, { line: '12333', queueId: 'social', priority: 2 }],
      queues: [
        { id: 'main', target: { skills: ['general'], minLevel: 1 }, overflowRules: [], priority: 0, overflowTo: { kind: 'callback' } },
        {
          id: 'social', target: { skills: ['social'], minLevel: 3 }, overflowRules: [{ afterSeconds: 20, widenTo: { skills: ['general'], minLevel: 1 } }],
          priority: 0, maxWaiting: 50, maxWaitSeconds: 120, overflowTo: { kind: 'queue', queueId: 'main' },
        },
      ],
    });
  });

  it('when a line names a missing queue, a queue overflows nowhere, or a queue id repeats, then loading fails naming it', () => {
    const q = { id: 'main', target: { skills: ['general'] } };
    expect(failure(() => loadConfig({ env: {}, values: { lines: [{ number: '12345', queue: 'desk' }] } }))).toContain('lines[0].queue "desk" is not one of queues[].id');
    expect(failure(() => loadConfig({ env: {}, values: { queues: [{ ...q, overflowTo: 'nowhere' }] } }))).toContain('queues[0].overflowTo "nowhere"');
    expect(failure(() => loadConfig({ env: {}, values: { queues: [q, q] } }))).toContain('queues[1].id repeats queues[0].id');
    expect(failure(() => loadConfig({ env: {}, values: { queues: [{ id: 'main', target: { skills: ['general'], minLevel: 6 } }] } }))).toContain('queues[0].target.minLevel');
    expect(failure(() => loadConfig({ env: {}, values: { callbacks: { dialTemplate: 'PJSIP/trunk' } } }))).toContain('callbacks.dialTemplate');
  });
});

describe('surveys', () => {
  it('when nothing is said, then the survey runs on the feature defaults, calling 09:00-20:00 from the first line', () => {
    const c = loadConfig({ env: {}, values: { lines: [{ number: '12315' }, { number: '12345' }] } });
    expect(c.surveys).toEqual({
      enabled: true, callerId: '12315', endpoint: 'PJSIP/{number}@trunk', ringTimeoutSeconds: 30, delayAfterClosureMinutes: 60,
      callingHours: { start: '09:00', end: '20:00' }, maxAttempts: 3, spacingMinutes: 120, maxConcurrent: 30, pacingPerSecond: 5,
      surveyConfidential: false, repeats: 2, silenceSeconds: 6, reopen: 'unresolved_or_unsatisfied',
    });
    expect(surveyConfig(surveyConfigFrom(c))).toEqual(surveyConfig({ callerId: '12315' }));
  });

  it('when a file sets the survey, then every key reaches the survey config and its dialer policy', () => {
    const path = file('surveys.json', { ari: { app: 'city' }, surveys: {
      enabled: false, callerId: '01012345', endpoint: 'PJSIP/9{number}@carrier', ringTimeoutSeconds: 25, delayAfterClosureMinutes: 0,
      callingHours: { start: '08:30', end: '21:00' }, maxAttempts: 5, spacingMinutes: 240, maxConcurrent: 12, pacingPerSecond: 0.5,
      surveyConfidential: true, repeats: 1, silenceSeconds: 4.5, reopen: 'never',
    } });
    expect(surveyConfig(surveyConfigFrom(loadConfig({ file: path, env: {} })))).toEqual({
      app: 'city', callerId: '01012345', endpoint: 'PJSIP/9{number}@carrier', ringTimeoutSeconds: 25, delayAfterClosureMinutes: 0,
      repeats: 1, silenceMs: 4500, promptGuardMs: 60_000, reopen: 'never', enabled: false,
      policy: { callingHours: { start: '08:30', end: '21:00' }, maxAttempts: 5, spacingMinutes: 240, maxConcurrent: 12, pacingPerSecond: 0.5, surveyConfidential: true },
    });
  });

  it('when the environment sets survey keys, then they win over the file', () => {
    const path = file('surveys-env.json', { surveys: { enabled: true, maxConcurrent: 5 } });
    const c = loadConfig({ file: path, env: {
      HOTLINE_SURVEYS_ENABLED: 'false', HOTLINE_SURVEYS_MAX_CONCURRENT: '8', HOTLINE_SURVEYS_CALLING_START: '10:00',
      HOTLINE_SURVEYS_CALLING_END: '18:30', HOTLINE_SURVEYS_CALLER_ID: '12345', HOTLINE_SURVEYS_ENDPOINT: 'PJSIP/{number}@b',
    } });
    expect(c.surveys).toMatchObject({ enabled: false, maxConcurrent: 8, callingHours: { start: '10:00', end: '18:30' }, callerId: '12345', endpoint: 'PJSIP/{number}@b' });
  });

  it('when a survey value is bad, then the message names the key and where it came from', () => {
    const path = file('surveys-bad.json', { surveys: { callingHours: { start: '9:00' }, maxAttempts: 0, reopen: 'always', silenceSeconds: 0 } });
    const message = failure(() => loadConfig({ file: path, env: {} }));
    expect(message).toContain(`surveys.callingHours.start must be a string matching`);
    expect(message).toContain(`(got "9:00" from file ${path})`);
    expect(message).toContain(`surveys.maxAttempts must be integer >= 1 and <= 10 (got 0 from file ${path})`);
    expect(message).toContain('surveys.reopen must be one of "unresolved_or_unsatisfied", "unresolved", "never"');
    expect(message).toContain('surveys.silenceSeconds must be number >= 1 and <= 60');
    expect(failure(() => loadConfig({ env: { HOTLINE_SURVEYS_CALLING_END: '25:00' } })))
      .toContain('surveys.callingHours.end must be a string matching /^([01][0-9]|2[0-3]):[0-5][0-9]$/ (got "25:00" from HOTLINE_SURVEYS_CALLING_END)');
    expect(failure(() => loadConfig({ env: { HOTLINE_SURVEYS_CALLING_START: '20:00' } })))
      .toBe('config: surveys.callingHours.end "20:00" must be later than surveys.callingHours.start "20:00" (Asia/Shanghai, same day)');
    expect(failure(() => loadConfig({ env: {}, values: { surveys: { endpoint: 'PJSIP/trunk' } } }))).toContain('surveys.endpoint must be a string matching /\\{number\\}/');
    expect(failure(() => loadConfig({ env: {}, values: { surveys: { doNotCall: ['139'] } } }))).toContain('unknown key surveys.doNotCall');
  });

  it('when a line rates calls, then rateAfterCall is on for that line only; a non-boolean is refused', () => {
    const c = loadConfig({ env: {}, values: { lines: [{ number: '12345', rateAfterCall: true }, { number: '12315' }] } });
    expect(c.lines.map((l) => [l.number, l.rateAfterCall])).toEqual([['12345', true], ['12315', false]]);
    expect(failure(() => loadConfig({ env: {}, values: { lines: [{ number: '12345', rateAfterCall: 'yes' }] } })))
      .toBe('config: lines[0].rateAfterCall must be true or false (got "yes" from values)');
  });
});

describe('reports, metrics and the softphone', () => {
  it('when nothing is said, then the reports policy is the documented default (10/45/45, rated, no points)', () => {
    const c = loadConfig({ env: {} });
    expect(reportsPolicy(reportsPolicyFrom(c))).toEqual(DEFAULT_REPORTS_POLICY);
    expect(c.reports.rates.compositeWeights).toEqual({ response: 10, resolution: 45, satisfaction: 45 });
    expect(c.metrics).toEqual({});
    expect(c.softphone).toEqual({ enabled: false });
  });

  it('when a file sets the ranking policy, then the reports feature gets it; the environment overrides denominators and volume', () => {
    const path = file('reports.json', { reports: {
      rates: { compositeWeights: { response: 20, resolution: 40, satisfaction: 40 }, satisfactionWeights: { basically_satisfied: 60 },
        perTicketPoints: { bothYes: 1, oneNo: -0.5, bothNo: -1 }, compositeWhenMissing: 'zero' },
      ranking: { advancedCount: 5, minDispatched: 3 }, hotspot: { threshold: 8 }, listLength: 20,
    } });
    const policy = reportsPolicy(reportsPolicyFrom(loadConfig({ file: path, env: { HOTLINE_REPORTS_VOLUME: 'located', HOTLINE_REPORTS_SATISFACTION_DENOMINATOR: 'surveyed' } })));
    expect(policy.rates).toEqual({
      satisfactionWeights: { satisfied: 100, basically_satisfied: 60, unsatisfied: 0 }, resolutionDenominator: 'rated', satisfactionDenominator: 'surveyed',
      compositeWeights: { response: 20, resolution: 40, satisfaction: 40 }, compositeWhenMissing: 'zero', perTicketPoints: { bothYes: 1, oneNo: -0.5, bothNo: -1 },
    });
    expect(policy.ranking).toEqual({ advancedCount: 5, progressCount: 10, rectificationCount: 10, governanceCount: 10, minDispatched: 3 });
    expect(policy).toMatchObject({ volume: 'located', hotspot: { windowHours: 24, threshold: 8, sweepSeconds: 60 }, listLength: 20, openMonthCacheSeconds: 30 });
  });

  it('when a reports value is bad, then the message names the key', () => {
    expect(failure(() => loadConfig({ env: {}, values: { reports: { rates: { compositeWeights: { response: -1 } } } } })))
      .toContain('reports.rates.compositeWeights.response must be number >= 0 and <= 100 (got -1 from values)');
    expect(failure(() => loadConfig({ env: {}, values: { reports: { rates: { compositeWeights: { response: 0, resolution: 0, satisfaction: 0 } } } } })))
      .toContain('reports.rates.compositeWeights must not all be 0');
    expect(failure(() => loadConfig({ env: {}, values: { reports: { rates: { perTicketPoints: 1 } } } })))
      .toContain('reports.rates.perTicketPoints must be null or an object with bothYes, oneNo, bothNo (got 1 from values)');
    expect(failure(() => loadConfig({ env: {}, values: { reports: { rates: { perTicketPoints: { bothYes: 1 } } } } })))
      .toContain('reports.rates.perTicketPoints must be null or an object with bothYes, oneNo, bothNo (got {"bothYes":1} from values)');
    expect(failure(() => loadConfig({ env: { HOTLINE_REPORTS_RESOLUTION_DENOMINATOR: 'all' } })))
      .toBe('config: reports.rates.resolutionDenominator must be one of "rated", "surveyed" (got "all" from HOTLINE_REPORTS_RESOLUTION_DENOMINATOR)');
    expect(failure(() => loadConfig({ env: {}, values: { reports: { ranking: { advancedCount: 2.5 } } } }))).toContain('reports.ranking.advancedCount must be integer');
  });

  it('when the metrics token comes from the file, the environment or a secret file, then it is used, and a short one is refused without showing it', () => {
    const path = file('metrics.json', { metrics: { token: 'from-the-file-0123456789' } });
    expect(loadConfig({ file: path, env: {} }).metrics.token).toBe('from-the-file-0123456789');
    expect(loadConfig({ file: path, env: { HOTLINE_METRICS_TOKEN: 'from-the-environment-0123' } }).metrics.token).toBe('from-the-environment-0123');
    const secret = file('metrics-token', 'from-a-secret-file-0123456\n');
    expect(loadConfig({ env: { HOTLINE_METRICS_TOKEN_FILE: secret } }).metrics.token).toBe('from-a-secret-file-0123456');
    const message = failure(() => loadConfig({ env: { HOTLINE_METRICS_TOKEN: 'short-secret' } }));
    expect(message).toBe('config: metrics.token must be a string of 16 to 512 characters (got a secret of 12 characters from HOTLINE_METRICS_TOKEN)');
    expect(message).not.toContain('short-secret');
    expect(failure(() => loadConfig({ env: { HOTLINE_METRICS_TOKEN: 'x'.repeat(20), HOTLINE_METRICS_TOKEN_FILE: secret } })))
      .toContain('set either HOTLINE_METRICS_TOKEN or HOTLINE_METRICS_TOKEN_FILE');
  });

  it('when the softphone is configured, then its keys are kept; enabled without a websocket URL or with an unreadable seat file is refused', () => {
    const seats = file('seats.csv', 'seat,password\n1001,abc\n');
    const path = file('softphone.json', { softphone: { enabled: true, wssUrl: 'wss://pbx.example:8089/ws', sipDomain: 'pbx.example', seatSecretsFile: seats } });
    expect(loadConfig({ file: path, env: {} }).softphone).toEqual({ enabled: true, wssUrl: 'wss://pbx.example:8089/ws', sipDomain: 'pbx.example', seatSecretsFile: seats });
    const env = loadConfig({ env: { HOTLINE_SOFTPHONE_ENABLED: 'true', HOTLINE_SOFTPHONE_WSS_URL: 'ws://10.0.0.5:8088/ws', HOTLINE_SOFTPHONE_SIP_DOMAIN: '10.0.0.5' } });
    expect(env.softphone).toEqual({ enabled: true, wssUrl: 'ws://10.0.0.5:8088/ws', sipDomain: '10.0.0.5' });
    expect(failure(() => loadConfig({ env: { HOTLINE_SOFTPHONE_WSS_URL: 'https://pbx.example:8089/ws' } })))
      .toBe('config: softphone.wssUrl must be a string matching /^wss?://[^\\s/]+/ (got "https://pbx.example:8089/ws" from HOTLINE_SOFTPHONE_WSS_URL)');
    expect(failure(() => loadConfig({ env: { HOTLINE_SOFTPHONE_ENABLED: 'true' } }))).toContain('softphone.wssUrl is required when softphone.enabled is true');
    const absent = join(dir, 'no-seats.csv');
    expect(failure(() => loadConfig({ env: { HOTLINE_SOFTPHONE_ENABLED: 'true', HOTLINE_SOFTPHONE_WSS_URL: 'wss://p/ws', HOTLINE_SOFTPHONE_SEAT_SECRETS_FILE: absent } })))
      .toContain(`softphone.seatSecretsFile ${absent} (from HOTLINE_SOFTPHONE_SEAT_SECRETS_FILE) cannot be read`);
    expect(failure(() => loadConfig({ env: {}, values: { softphone: { enabled: false, stunServer: 'x' } } }))).toContain('unknown key softphone.stunServer');
  });
});

describe('the ARI address', () => {
  it('when ASTERISK_ARI_URL is given without /ari, as node ari-client users write it, then /ari is added; with /ari or a trailing slash it is kept; another path is refused by name', () => {
    const ari = (url: string) => loadConfig({ env: { ASTERISK_ARI_URL: url, ASTERISK_ARI_PASSWORD: 'x', HOTLINE_AMI_ENABLED: 'false' } }).ari.url;
    expect(ari('http://10.0.0.5:8088')).toBe('http://10.0.0.5:8088/ari');
    expect(ari('http://10.0.0.5:8088/')).toBe('http://10.0.0.5:8088/ari');
    expect(ari('http://10.0.0.5:8088/ari')).toBe('http://10.0.0.5:8088/ari');
    expect(ari('https://pbx.example:8089/ari/')).toBe('https://pbx.example:8089/ari');
    expect(ari('http://proxy.example/asterisk/ari')).toBe('http://proxy.example/asterisk/ari');
    expect(() => ari('http://10.0.0.5:8088/ws')).toThrow(/ari\.url .*must be Asterisk's ARI address, ending in \/ari/);
  });
});

describe('survey timing from the environment', () => {
  it('when HOTLINE_SURVEYS_DELAY_AFTER_CLOSURE_MINUTES is set, then the survey waits that long after closure', () => {
    expect(loadConfig({ env: { HOTLINE_SURVEYS_DELAY_AFTER_CLOSURE_MINUTES: '15' } }).surveys.delayAfterClosureMinutes).toBe(15);
    expect(loadConfig({ env: {} }).surveys.delayAfterClosureMinutes).toBe(60);
  });
});
