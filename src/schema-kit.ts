/**
 * Schema building blocks shared by the config file, the tunnel protocol and the record schema, so
 * each shape is defined once: closed objects, string enums, and what an AWS region name looks like.
 */
import { Type, type ObjectOptions, type TProperties, type TUnsafe } from '@sinclair/typebox';

/** An object schema that rejects unknown fields. */
export function Closed<T extends TProperties>(properties: T, options: ObjectOptions = {}) {
  return Type.Object(properties, { ...options, additionalProperties: false });
}

/**
 * A string that is one of `values`. A plain `enum` rather than a union of literals, so a failure
 * is one "must be equal to one of the allowed values" instead of one error per alternative.
 */
export function StringEnum<const T extends readonly string[]>(values: T, options: Record<string, unknown> = {}): TUnsafe<T[number]> {
  return Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...options });
}

/** An AWS region name: `us-east-1`, `eu-central-2`, `us-gov-west-1`. */
export const REGION_PATTERN = '^[a-z]{2}(-[a-z]+)+-\\d+$';

/** The name of an environment variable. */
export const EnvName = Type.String({
  pattern: '^[A-Za-z_][A-Za-z0-9_]{0,127}$',
  'x-expected': 'must be an environment variable name (letters, digits, _)',
});
