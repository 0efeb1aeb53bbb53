import { accessSync, constants, readFileSync } from 'node:fs';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { ConfigSchema, ENVIRONMENT_KEYS, type Config } from './config.schema.ts';

export type { CallbackSettings, Config, LineConfig, QueueSettings, ReportsSettings, SoftphoneSettings, SurveysSettings } from './config.schema.ts';
export { ConfigSchema, ENVIRONMENT_KEYS } from './config.schema.ts';

export class ConfigError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ConfigError';
  }
}

export interface LoadConfigOptions {
  /** A JSON config file; when absent, HOTLINE_CONFIG names one. */
  readonly file?: string;
  /** The environment to read; process.env when absent. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Values laid over the file and under the environment, as an in-memory config file would be. */
  readonly values?: Readonly<Record<string, unknown>>;
}

type Tree = Record<string, unknown>;

let validators: { strict: ValidateFunction; coercing: ValidateFunction } | undefined;

function compiled(): { strict: ValidateFunction; coercing: ValidateFunction } {
  if (!validators) {
    const options = { useDefaults: true, allErrors: true, verbose: true, strict: false } as const;
    validators = {
      strict: new Ajv(options).compile(ConfigSchema),
      coercing: new Ajv({ ...options, coerceTypes: true }).compile(ConfigSchema),
    };
  }
  return validators;
}

/** Defaults, then the config file, then `values`, then the environment; throws ConfigError naming the bad key. */
export function loadConfig(options: LoadConfigOptions = {}): Config {
  const env = options.env ?? process.env;
  const origins = new Map<string, string>();
  const file = options.file ?? nonEmpty(env.HOTLINE_CONFIG);
  const tree: Tree = {};

  if (file !== undefined) {
    const from = `file ${file}`;
    const content = readConfigFile(file, options.file === undefined ? ' (from HOTLINE_CONFIG)' : '');
    checkLayer(content, from);
    mergeInto(tree, content, [], from, origins);
  }
  if (options.values !== undefined) {
    checkLayer(structuredClone(options.values as Tree), 'values');
    mergeInto(tree, structuredClone(options.values as Tree), [], 'values', origins);
  }
  for (const key of ENVIRONMENT_KEYS) {
    const value = readEnvironment(env, key.name, key.secret === true);
    if (value === undefined) continue;
    setPath(tree, key.path, value);
    origins.set(key.path.join('.'), key.name);
  }

  const validate = compiled().coercing;
  if (!validate(tree)) throw new ConfigError(describeErrors(validate.errors ?? [], origins));
  return settle(tree as unknown as Config, tree, env, origins);
}

function checkLayer(layer: Tree, from: string): void {
  const validate = compiled().strict;
  const copy = structuredClone(layer);
  if (!validate(copy)) {
    const origins = new Map([['', from]]);
    throw new ConfigError(describeErrors(validate.errors ?? [], origins));
  }
}

function settle(config: Config, tree: Tree, env: LoadConfigOptions['env'] & object, origins: Map<string, string>): Config {
  const pbx = tree.pbx as { mode?: 'simulator' | 'asterisk' };
  config.pbx = { mode: pbx.mode ?? (nonEmpty(env.ASTERISK_ARI_URL) !== undefined ? 'asterisk' : 'simulator') };
  const ami = tree.ami as { enabled?: boolean };
  config.ami.enabled = ami.enabled ?? config.pbx.mode === 'asterisk';
  // The simulator's demo (well-known passwords) stays on this machine unless told otherwise; a real centre serves the LAN.
  config.service.host = (tree.service as { host?: string }).host ?? (config.pbx.mode === 'simulator' ? '127.0.0.1' : '0.0.0.0');

  const seen = new Map<string, number>();
  config.lines.forEach((line, i) => {
    const first = seen.get(line.number);
    if (first !== undefined) throw new ConfigError(`config: lines[${i}].number repeats lines[${first}].number "${line.number}"; each line number must be unique`);
    seen.set(line.number, i);
    if (line.queue !== undefined && !config.queues.some((q) => q.id === line.queue)) {
      throw new ConfigError(`config: lines[${i}].queue "${line.queue}" is not one of queues[].id`);
    }
  });
  const queueIds = new Map<string, number>();
  config.queues.forEach((queue, i) => {
    const first = queueIds.get(queue.id);
    if (first !== undefined) throw new ConfigError(`config: queues[${i}].id repeats queues[${first}].id "${queue.id}"`);
    queueIds.set(queue.id, i);
  });
  config.queues.forEach((queue, i) => {
    if (queue.overflowTo !== 'callback' && !queueIds.has(queue.overflowTo)) {
      throw new ConfigError(`config: queues[${i}].overflowTo "${queue.overflowTo}" is neither "callback" nor one of queues[].id`);
    }
  });
  config.ari.url = ariBaseUrl(config.ari.url);
  settleSurveys(config, tree);
  const weights = config.reports.rates.compositeWeights;
  if (weights.response + weights.resolution + weights.satisfaction <= 0) {
    throw new ConfigError('config: reports.rates.compositeWeights must not all be 0 (default response 10, resolution 45, satisfaction 45)');
  }
  settleSoftphone(config, origins);
  if (config.pbx.mode === 'asterisk' && config.ari.password === '') {
    throw new ConfigError('config: ari.password is required when pbx.mode is "asterisk" (set ASTERISK_ARI_PASSWORD or ASTERISK_ARI_PASSWORD_FILE)');
  }
  if (config.pbx.mode === 'asterisk' && config.ami.enabled && config.ami.password === '') {
    throw new ConfigError('config: ami.password is required when AMI is enabled against Asterisk (set ASTERISK_AMI_PASSWORD or ASTERISK_AMI_PASSWORD_FILE)');
  }
  return config;
}

/**
 * ARI's base URL ends in /ari; node ari-client users write it without (`http://host:8088`), which made the events
 * socket retry a 404 for ever. A URL with no path gets /ari; any other path that is not /ari is refused by name.
 */
export function ariBaseUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConfigError(`config: ari.url "${url}" is not a URL (e.g. http://127.0.0.1:8088/ari)`);
  }
  const path = parsed.pathname.replace(/\/+$/, '');
  if (path === '') parsed.pathname = '/ari';
  else if (!path.endsWith('/ari')) {
    throw new ConfigError(`config: ari.url "${url}" must be Asterisk's ARI address, ending in /ari (e.g. http://127.0.0.1:8088/ari)`);
  } else parsed.pathname = path;
  return parsed.toString().replace(/\/$/, '');
}

function settleSurveys(config: Config, tree: Tree): void {
  const surveys = (tree.surveys ?? {}) as { callerId?: string };
  config.surveys.callerId = surveys.callerId ?? config.lines[0]!.number;
  const { start, end } = config.surveys.callingHours;
  if (end <= start) {
    throw new ConfigError(`config: surveys.callingHours.end "${end}" must be later than surveys.callingHours.start "${start}" (Asia/Shanghai, same day)`);
  }
}

function settleSoftphone(config: Config, origins: Map<string, string>): void {
  const phone = config.softphone;
  if (!phone.enabled) return;
  if (phone.wssUrl === undefined) {
    throw new ConfigError('config: softphone.wssUrl is required when softphone.enabled is true (e.g. "wss://pbx.example:8089/ws"; or set HOTLINE_SOFTPHONE_WSS_URL)');
  }
  if (phone.seatSecretsFile !== undefined) {
    try {
      accessSync(phone.seatSecretsFile, constants.R_OK);
    } catch (cause) {
      const from = originOf(['softphone', 'seatSecretsFile'], origins);
      throw new ConfigError(`config: softphone.seatSecretsFile ${phone.seatSecretsFile} (from ${from}) cannot be read: ${(cause as Error).message}`, { cause });
    }
  }
}

function readConfigFile(file: string, how: string): Tree {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw new ConfigError(`config: cannot read config file ${file}${how}: ${(cause as Error).message}`, { cause });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (cause) {
    throw new ConfigError(`config: config file ${file} is not valid JSON: ${(cause as Error).message}`, { cause });
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ConfigError(`config: config file ${file} must hold a JSON object (got ${Array.isArray(parsed) ? 'an array' : JSON.stringify(parsed)})`);
  }
  return parsed as Tree;
}

function readEnvironment(env: Readonly<Record<string, string | undefined>>, name: string, secret: boolean): string | undefined {
  const direct = nonEmpty(env[name]);
  if (!secret) return direct;
  const fileName = nonEmpty(env[`${name}_FILE`]);
  if (fileName === undefined) return direct;
  if (direct !== undefined) throw new ConfigError(`config: set either ${name} or ${name}_FILE, not both`);
  try {
    return readFileSync(fileName, 'utf8').replace(/\r?\n$/, '');
  } catch (cause) {
    throw new ConfigError(`config: cannot read ${name}_FILE (${fileName}): ${(cause as Error).message}`, { cause });
  }
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

function isTree(value: unknown): value is Tree {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function mergeInto(target: Tree, source: Tree, path: string[], from: string, origins: Map<string, string>): void {
  for (const [key, value] of Object.entries(source)) {
    const here = [...path, key];
    origins.set(here.join('.'), from);
    if (isTree(value) && isTree(target[key])) mergeInto(target[key] as Tree, value, here, from, origins);
    else target[key] = value;
  }
}

function setPath(tree: Tree, path: readonly string[], value: unknown): void {
  let node = tree;
  for (const key of path.slice(0, -1)) {
    if (!isTree(node[key])) node[key] = {};
    node = node[key] as Tree;
  }
  node[path[path.length - 1]!] = value;
}

function dotted(instancePath: string): string[] {
  return instancePath.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function show(parts: readonly string[]): string {
  return parts.reduce((acc, p) => (/^[0-9]+$/.test(p) ? `${acc}[${p}]` : acc === '' ? p : `${acc}.${p}`), '');
}

function originOf(parts: readonly string[], origins: Map<string, string>): string {
  for (let n = parts.length; n >= 0; n--) {
    const found = origins.get(parts.slice(0, n).filter((p) => !/^[0-9]+$/.test(p)).join('.'));
    if (found !== undefined) return found;
  }
  return 'defaults';
}

function describeErrors(errors: readonly ErrorObject[], origins: Map<string, string>): string {
  const outermost = new Map<string, ErrorObject>();
  for (const e of errors) {
    const key = e.keyword === 'additionalProperties' ? `${e.instancePath}/${String(e.params.additionalProperty)}` : e.instancePath;
    const known = outermost.get(key);
    if (!known || e.schemaPath.split('/').length < known.schemaPath.split('/').length) outermost.set(key, e);
  }
  return [...outermost.values()].map((e) => describeError(e, origins)).join('; ');
}

function describeError(e: ErrorObject, origins: Map<string, string>): string {
  const parts = dotted(e.instancePath);
  if (e.keyword === 'additionalProperties') {
    const key = String(e.params.additionalProperty);
    const allowed = Object.keys((e.parentSchema as { properties?: object }).properties ?? {}).join(', ');
    const where = show([...parts, key]);
    return `config: unknown key ${where} in ${originOf(parts, origins)} (allowed${parts.length ? ` in ${show(parts)}` : ''}: ${allowed})`;
  }
  if (e.keyword === 'required') {
    return `config: ${show([...parts, String(e.params.missingProperty)])} is required (in ${originOf(parts, origins)})`;
  }
  const what = describeSchema(e.parentSchema as SchemaShape);
  const got = SECRET_PATHS.has(parts.join('.')) && typeof e.data === 'string' ? `a secret of ${e.data.length} characters` : JSON.stringify(e.data);
  return `config: ${show(parts) || '(root)'} must be ${what} (got ${got} from ${originOf(parts, origins)})`;
}

/** Keys whose values never appear in an error message. */
const SECRET_PATHS = new Set(ENVIRONMENT_KEYS.filter((k) => k.secret === true).map((k) => k.path.join('.')));

interface SchemaShape {
  anyOf?: SchemaShape[];
  type?: string;
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  minItems?: number;
  required?: string[];
}

function describeSchema(s: SchemaShape): string {
  if (s.anyOf) return s.anyOf.map(describeSchema).join(' or ');
  if (s.enum) return `one of ${s.enum.map((v) => JSON.stringify(v)).join(', ')}`;
  switch (s.type) {
    case 'integer':
    case 'number': {
      const kind = s.type === 'integer' ? 'integer' : 'number';
      if (s.minimum !== undefined && s.maximum !== undefined) return `${kind} >= ${s.minimum} and <= ${s.maximum}`;
      if (s.minimum !== undefined) return `${kind} >= ${s.minimum}`;
      return kind;
    }
    case 'string':
      if (s.pattern) return `a string matching /${s.pattern}/`;
      if (s.minLength !== undefined && s.minLength > 1 && s.maxLength !== undefined) return `a string of ${s.minLength} to ${s.maxLength} characters`;
      if (s.minLength !== undefined && s.minLength > 1) return `a string of at least ${s.minLength} characters`;
      return s.minLength ? 'a non-empty string' : 'a string';
    case 'boolean':
      return 'true or false';
    case 'null':
      return 'null';
    case 'array':
      return `a list of at least ${s.minItems ?? 0} item(s)`;
    case 'object':
      return s.required?.length ? `an object with ${s.required.join(', ')}` : 'an object';
    default:
      return 'valid';
  }
}
