import { keyAround as around, keys } from './redis-keys.js';
import { ROW_LUA, ROW_OF_ID_LUA } from './summary-row.js';

/**
 * The change log of docs/api.md "Changes", as Lua shared by the store's scripts: every status or
 * progress change of an experiment takes the next number of its owner's sequence (INCR), stores
 * it as the record's `version`, moves the id to that number in the owner's change set and
 * publishes `{ id, version, row }` (or a tombstone `{ id, version, deleted }`) on the owner's
 * channel, in the same script as the change itself, so that no change is ever counted without
 * being logged, or the reverse. `row` is the summary row (summary-row.ts) as it stands after the
 * change: an API process can keep the change log in memory from these messages alone
 * (src/api/change-cache.ts).
 */

/** The ARGV the `bump` function reads from position `a` on: three owner-key templates. */
export const CHANGE_LOG_ARGV: readonly string[] = [
  ...around(keys.changeSeqOf),
  ...around(keys.changesOf),
  ...around(keys.ownerEvents),
];

/**
 * `bump(record, id, owner, a, deleted)`: logs one change of experiment `id` and returns its
 * version; `a` is the ARGV index of CHANGE_LOG_ARGV. A deleted experiment's record is gone, so
 * only the change set and the channel hear of it.
 */
export const BUMP_LUA = `${ROW_LUA}${ROW_OF_ID_LUA}
local function bump(record, id, owner, a, deleted)
  local v = redis.call('INCR', ARGV[a] .. owner .. ARGV[a + 1])
  if not deleted then redis.call('HSET', record, 'version', v) end
  redis.call('ZADD', ARGV[a + 2] .. owner .. ARGV[a + 3], v, id)
  local message = '{"id":"' .. id .. '","version":' .. v
  if deleted then
    message = message .. ',"deleted":true'
  else
    message = message .. ',"row":' .. cjson.encode(rowOf(id))
  end
  redis.call('PUBLISH', ARGV[a + 4] .. owner .. ARGV[a + 5], message .. '}')
  return v
end
`;
