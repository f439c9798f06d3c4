import type { ExperimentStatus } from './experiment-record.js';
import { keyAround as around, keys } from './redis-keys.js';

/**
 * What a summary is built from, read in one script: the cached summary of a finished
 * experiment (`cached`), or the record's mutable fields, its `head` (or `doc`) and its trials done.
 */
export type SummaryRow =
  | { id: string; kind: 'cached'; owner: string; status: ExperimentStatus; json: string }
  | {
      id: string;
      kind: 'fields';
      owner: string;
      fields: Record<string, string>;
      version: number;
      completedTrials: number;
    }
  | { id: string; kind: 'missing' };

/**
 * `row(record, progress, summary)`: `{'c', entry}` when the experiment's summary is cached,
 * `{'m'}` when it does not exist, else `{'f', owner, status, version, startedAt, finishedAt,
 * error, head, doc, trials}` (absent fields as nil; doc only without a head).
 */
export const ROW_LUA = `
local function row(record, progress, summary)
  local cached = redis.call('GET', summary)
  if cached then return {'c', cached} end
  local f = redis.call('HMGET', record, 'owner', 'status', 'version', 'startedAt', 'finishedAt', 'error', 'head')
  if not f[2] then return {'m'} end
  local sum = 0
  for _, v in ipairs(redis.call('HVALS', progress)) do sum = sum + tonumber(v) end
  -- Records older than the head field: their doc instead.
  local doc = false
  if not f[7] then doc = redis.call('HGET', record, 'doc') end
  return {'f', f[1], f[2], f[3] or '0', f[4], f[5], f[6], f[7], doc, tostring(sum)}
end
`;

/** The record, progress and summary keys of an id, each cut around it. */
const ROW_KEY_PARTS = [...around(keys.experiment), ...around(keys.progress), ...around(keys.summary)];
/**
 * `rowOf(id)`: ROW_LUA's row of an id, with the key templates written into the script (they are
 * constants), so that a poll sends no more than its own arguments.
 */
export const ROW_OF_ID_LUA = `
local function rowOf(id)
  return row(${[0, 2, 4].map((i) => `${JSON.stringify(ROW_KEY_PARTS[i])} .. id .. ${JSON.stringify(ROW_KEY_PARTS[i + 1])}`).join(', ')})
end
`;

/**
 * A row of ROW_LUA's reply, for experiment `id`: from EVALSHA (absent fields as null) or from a
 * change message (cjson writes them as false).
 */
export function parseRow(id: string, reply: readonly (string | null | false)[]): SummaryRow {
  const kind = reply[0];
  if (kind === 'c') {
    const entry = reply[1] as string;
    // `owner \n status \n summary JSON`
    const first = entry.indexOf('\n');
    const second = entry.indexOf('\n', first + 1);
    return {
      id,
      kind: 'cached',
      owner: entry.slice(0, first),
      status: entry.slice(first + 1, second) as ExperimentStatus,
      json: entry.slice(second + 1),
    };
  }
  if (kind !== 'f') return { id, kind: 'missing' };
  const fields: Record<string, string> = {};
  const names = ['owner', 'status', 'version', 'startedAt', 'finishedAt', 'error', 'head', 'doc'] as const;
  names.forEach((name, j) => {
    const value = reply[j + 1];
    if (typeof value === 'string') fields[name] = value;
  });
  return {
    id,
    kind: 'fields',
    owner: fields.owner ?? '',
    fields,
    version: Number(fields.version ?? 0),
    completedTrials: Number(reply[9] || 0),
  };
}
