/**
 * How request schemas are checked. A JSON body is taken as sent: no coercion (`title: 123` is not the text
 * "123", `reason: null` is not ""), no unknown fields dropped in silence (they are refused). Query strings and
 * path parameters are always text, so they are still read as numbers or booleans where their schema says so,
 * and unknown query parameters are dropped. In every part, text with NUL or a lone surrogate is refused
 * before the schema runs. The format `instant` is a date in a query string within the bounds of
 * src/input-bounds.ts.
 */
import { Ajv } from 'ajv';
import type { Options, ValidateFunction } from 'ajv';
import ajvFormats from 'ajv-formats';
import type { FastifyInstance, FastifySchema } from 'fastify';
import { checkJsonValue, jsonProblemError } from './http-json.ts';
import { queryInstant } from './input-bounds.ts';

const COMMON: Options = { useDefaults: true, allErrors: true, addUsedSchema: false };

type FormatsPlugin = (ajv: Ajv) => Ajv;
const addFormats = ((ajvFormats as unknown as { default?: FormatsPlugin }).default ?? ajvFormats) as unknown as FormatsPlugin;

function validatorOf(options: Options): Ajv {
  const ajv = new Ajv({ ...COMMON, ...options });
  addFormats(ajv);
  ajv.addFormat('instant', { type: 'string', validate: (text: string) => queryInstant(text) !== undefined });
  return ajv;
}

type HttpPart = 'body' | 'querystring' | 'params' | 'headers' | string | undefined;

/** What fastify calls with a route part's data; it reads `errors` after a false, and passes the parent when `schemaEnv` is set. */
interface PartValidator {
  (data: unknown, context?: object): boolean | { error: Error };
  errors?: ValidateFunction['errors'];
  schemaEnv?: unknown;
}

/** One validator per route part: the bounded-text check, then the schema. */
export function createValidatorCompiler(): (route: { schema: FastifySchema; httpPart?: HttpPart }) => PartValidator {
  const bodies = validatorOf({ coerceTypes: false, removeAdditional: false });
  const urlParts = validatorOf({ coerceTypes: 'array', removeAdditional: true });
  return ({ schema, httpPart }) => {
    const validate = (httpPart === 'body' ? bodies : urlParts).compile(schema as object);
    const run: PartValidator = (data, context) => {
      const checked = checkJsonValue(data);
      if (!checked.ok) return { error: jsonProblemError(checked.problem, checked.field) };
      const valid = context === undefined ? validate(data) : validate(data, context as Parameters<ValidateFunction>[1]);
      run.errors = validate.errors;
      if (!valid || httpPart === 'body') return valid as boolean;
      // ajv reads the text "Infinity" as a number and then skips minimum and maximum: refuse it here.
      const coerced = checkJsonValue(data);
      return coerced.ok ? true : { error: jsonProblemError(coerced.problem, coerced.field) };
    };
    if ('schemaEnv' in validate) run.schemaEnv = (validate as { schemaEnv?: unknown }).schemaEnv;
    return run;
  };
}

/** Installs the validator compiler on the app; every route declared after it is checked this way. */
export function installStrictValidation(app: FastifyInstance): void {
  app.setValidatorCompiler(createValidatorCompiler());
}
