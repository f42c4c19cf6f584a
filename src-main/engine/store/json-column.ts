// JSON in TEXT columns. Writing refuses what JSON.stringify would silently drop; reading
// insists on an object where the schema stores one.

export type JsonObject = Record<string, unknown>;

export function toJsonColumn(value: unknown): string {
  const text = JSON.stringify(value);
  if (text === undefined) throw new TypeError('The value has no JSON form');
  return text;
}

export function fromJsonObject(text: string): JsonObject {
  const value: unknown = JSON.parse(text);
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new TypeError('Expected a stored JSON object');
  return value as JsonObject;
}

export function fromNullableJsonObject(text: string | null): JsonObject | null {
  return text === null ? null : fromJsonObject(text);
}
