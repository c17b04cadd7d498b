/**
 * Validation of the config file against its schema: Ajv fills defaults and lists every problem,
 * each as `<where>: <what>`. Ajv's messages describe the schema, never the value, so no problem
 * line can carry a secret.
 */
import { Ajv, type ErrorObject } from 'ajv';
import { formatDuration, parseDuration } from '../duration.js';
import { ConfigFileSchema, type ConfigFile, type DurationBounds } from './schema.js';

const ajv = new Ajv({
  allErrors: true,
  strict: true,
  useDefaults: true,
  allowUnionTypes: true,
  discriminator: true,
  verbose: true,
  coerceTypes: false,
});
ajv.addKeyword({ keyword: 'x-expected', schemaType: 'string' });
ajv.addKeyword({
  keyword: 'x-duration',
  schemaType: 'object',
  errors: true,
  validate: function checkDuration(bounds: DurationBounds, data: unknown) {
    const ms = parseDuration(data);
    if (ms === undefined || (ms >= bounds.minMs && ms <= bounds.maxMs)) return true; // an unreadable value is the pattern's to report
    (checkDuration as { errors?: Partial<ErrorObject>[] }).errors = [
      {
        keyword: 'x-duration',
        message: `must be between ${formatDuration(bounds.minMs)} and ${formatDuration(bounds.maxMs)}`,
        params: bounds,
      },
    ];
    return false;
  },
});

const validateFile = ajv.compile<ConfigFile>(ConfigFileSchema);
const sectionValidators = new WeakMap<object, ReturnType<typeof ajv.compile>>();

/** Where a problem is: a JSON pointer into the file, or the environment variable that set it. */
export type Locate = (pointer: string) => string;

/**
 * Validate `doc` in place (defaults are filled in). Returns the problems, one line each; an
 * empty list means `doc` is a {@link ConfigFile}.
 */
export function validateConfigFile(doc: unknown, locate: Locate): string[] {
  return validateFile(doc) ? [] : problemLines(validateFile.errors, '', locate);
}

/**
 * Validate one part of the file against a schema of its own (a secret store's keys), with the
 * same defaults and messages; `at` is the part's JSON pointer in the file.
 */
export function validateSection(schema: object, data: unknown, at: string, locate: Locate): string[] {
  let validate = sectionValidators.get(schema);
  if (!validate) sectionValidators.set(schema, (validate = ajv.compile(schema)));
  return validate(data) ? [] : problemLines(validate.errors, at, locate);
}

function problemLines(errors: ErrorObject[] | null | undefined, at: string, locate: Locate): string[] {
  // A set, not a list search: a 1 MiB file can hold 100,000 unknown keys.
  const lines = new Set<string>();
  for (const e of errors ?? []) {
    // The anyOf/oneOf summaries repeat what their branches already said.
    if (e.keyword === 'anyOf' || e.keyword === 'oneOf' || e.keyword === 'if') continue;
    lines.add(describe({ ...e, instancePath: `${at}${e.instancePath}` }, locate));
  }
  return [...lines];
}

function describe(e: ErrorObject, locate: Locate): string {
  const parent = (e.parentSchema ?? {}) as Record<string, unknown>;
  const at = (extra = '') => locate(`${e.instancePath}${extra}`);
  switch (e.keyword) {
    case 'additionalProperties': {
      const key = (e.params as { additionalProperty: string }).additionalProperty;
      if (parent.patternProperties) {
        const pattern = Object.keys(parent.patternProperties as object)[0];
        return `${at(`/${escape(key)}`)}: name must match ${pattern}`;
      }
      const known = Object.keys((parent.properties as object) ?? {});
      const guess = closest(key, known);
      return `${at()}: unknown key "${key}"${guess ? ` (did you mean "${guess}"?)` : ''}; allowed: ${known.join(', ')}`;
    }
    case 'required':
      return `${at(`/${escape((e.params as { missingProperty: string }).missingProperty)}`)}: is required`;
    case 'discriminator': {
      const { tag } = e.params as { tag: string };
      const values = ((parent.oneOf as { properties: Record<string, { const: string }> }[]) ?? []).map(
        (b) => `"${b.properties[tag].const}"`,
      );
      return `${at(`/${tag}`)}: must be one of ${values.join(', ')}`;
    }
    case 'enum': {
      const allowed = (e.params as { allowedValues: unknown[] }).allowedValues;
      return `${at()}: must be one of ${allowed.map((v) => JSON.stringify(v)).join(', ')}`;
    }
    case 'minProperties':
      if (parent.patternProperties) return `${at()}: must define at least one entry`;
      break;
    case 'x-duration':
      return `${at()}: ${e.message}`;
  }
  const expected = parent['x-expected'];
  if (typeof expected === 'string' && ['pattern', 'type', 'minimum', 'minLength', 'maxLength'].includes(e.keyword))
    return `${at()}: ${expected}`;
  if (e.keyword === 'type') {
    const type = String((e.params as { type: unknown }).type);
    return `${at()}: must be ${TYPE_NAMES[type] ?? type}`;
  }
  return `${at()}: ${e.message ?? `fails ${e.keyword}`}`;
}

const TYPE_NAMES: Record<string, string> = {
  integer: 'an integer',
  number: 'a number',
  string: 'a string',
  boolean: 'true or false',
  array: 'a list',
  object: 'a mapping',
};

function escape(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** The known key nearest to a typo (edit distance ≤ 2, or a case-insensitive match). */
function closest(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const k of known) {
    const d = k.toLowerCase() === key.toLowerCase() ? 0 : distance(key, k);
    if (d < bestDistance) {
      best = k;
      bestDistance = d;
    }
  }
  return best;
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length];
}
