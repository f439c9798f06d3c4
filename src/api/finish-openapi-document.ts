import { isDeepStrictEqual } from 'node:util';

type Json = Record<string, unknown>;

const SCHEMA_REF = '#/components/schemas/';
const INPUT = 'Input';

/** Every `$ref` string in a value, recursively. */
function refsIn(value: unknown, out: Set<string> = new Set()): Set<string> {
  if (Array.isArray(value)) for (const v of value) refsIn(v, out);
  else if (value !== null && typeof value === 'object') {
    for (const [key, v] of Object.entries(value)) {
      if (key === '$ref' && typeof v === 'string') out.add(v);
      else refsIn(v, out);
    }
  }
  return out;
}

/** A deep copy of `value` with each schema `$ref` renamed by `rename`. */
function renameRefs(value: unknown, rename: (name: string) => string): unknown {
  if (Array.isArray(value)) return value.map((v) => renameRefs(v, rename));
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, v]) => [
      key,
      key === '$ref' && typeof v === 'string' && v.startsWith(SCHEMA_REF)
        ? SCHEMA_REF + rename(v.slice(SCHEMA_REF.length))
        : renameRefs(v, rename),
    ]),
  );
}

/**
 * The zod transform emits every registered schema twice, `X` as the service sends it and
 * `XInput` as it accepts it. Twins of the same shape become one schema `X`; of the rest, only
 * the ones an operation uses stay. Where both twins of a name are used and differ (an input
 * whose defaults the output fills in), the input keeps the plain name and the output is
 * `XWithDefaults`, so a reader sees why there are two.
 */
function mergeSchemaTwins(document: Json): Json {
  const components = document.components as Json;
  let schemas = components.schemas as Record<string, unknown>;
  // Twins whose shapes agree once every ref to a merged twin is read as the plain name. A pair
  // that differs can make its users differ too, so iterate until nothing changes.
  const merged = new Set(
    Object.keys(schemas).filter((n) => n.endsWith(INPUT) && schemas[n.slice(0, -INPUT.length)]),
  );
  for (let changed = true; changed;) {
    changed = false;
    const read = (name: string) => (merged.has(name) ? name.slice(0, -INPUT.length) : name);
    for (const name of [...merged]) {
      const base = name.slice(0, -INPUT.length);
      if (!isDeepStrictEqual(renameRefs(schemas[name], read), renameRefs(schemas[base], read))) {
        merged.delete(name);
        changed = true;
      }
    }
  }
  const read = (name: string) => (merged.has(name) ? name.slice(0, -INPUT.length) : name);
  let paths = renameRefs(document.paths, read);
  schemas = Object.fromEntries(
    Object.entries(schemas)
      .filter(([name]) => !merged.has(name))
      .map(([name, schema]) => [name, renameRefs(schema, read)]),
  );

  // Keep what the operations reach.
  const used = new Set<string>();
  const visit = (ref: string) => {
    if (!ref.startsWith(SCHEMA_REF)) return;
    const name = ref.slice(SCHEMA_REF.length);
    if (used.has(name)) return;
    used.add(name);
    for (const next of refsIn(schemas[name])) visit(next);
  };
  for (const ref of refsIn(paths)) visit(ref);

  // Name the survivors: an input alone takes the plain name; two differing twins are told apart.
  const names = new Map<string, string>();
  for (const name of used) {
    if (!name.endsWith(INPUT)) continue;
    const base = name.slice(0, -INPUT.length);
    if (!(base in schemas)) continue;
    if (used.has(base)) names.set(base, `${base}WithDefaults`);
    names.set(name, base);
  }
  const final = (name: string) => names.get(name) ?? name;
  paths = renameRefs(paths, final);
  const kept: Record<string, unknown> = {};
  for (const name of Object.keys(schemas)) {
    if (used.has(name)) kept[final(name)] = renameRefs(schemas[name], final);
  }
  const sorted = Object.fromEntries(Object.entries(kept).sort(([a], [b]) => a.localeCompare(b)));
  return { ...document, paths, components: { ...components, schemas: sorted } };
}

/** `Retry-After` on the responses that send it (docs/api.md "Errors"). */
const RETRY_AFTER = {
  description: 'Seconds to wait before retrying',
  schema: { type: 'integer', minimum: 1 },
};

/** Adds the Retry-After header to every 429 and 503 response. */
function withRetryAfter(document: Json): Json {
  const paths = document.paths as Record<string, Record<string, Json>>;
  for (const operations of Object.values(paths)) {
    for (const operation of Object.values(operations)) {
      const responses = operation.responses as Record<string, Json> | undefined;
      for (const status of ['429', '503']) {
        const response = responses?.[status];
        if (response !== undefined)
          response.headers = { 'Retry-After': { $ref: '#/components/headers/RetryAfter' } };
      }
    }
  }
  const components = document.components as Json;
  return { ...document, components: { ...components, headers: { RetryAfter: RETRY_AFTER } } };
}

/**
 * The last pass over the generated OpenAPI document: one schema per shape, unused components
 * dropped, Retry-After documented. Pure and deterministic, so openapi.yaml stays reproducible.
 */
export function finishOpenApiDocument(document: Json): Json {
  return withRetryAfter(mergeSchemaTwins(document));
}
