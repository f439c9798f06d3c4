/**
 * Lua shared by the scripts that lease entries of a sorted set scored by due time (the webhook
 * outbox, the intake) or stamp one with Redis's clock: every lease and due time is on that one
 * clock, never on a process's.
 */

/** `nowMs()`: Redis's clock (TIME) in milliseconds. */
export const NOW_MS_LUA = `
local function nowMs()
  local t = redis.call('TIME')
  return t[1] * 1000 + math.floor(t[2] / 1000)
end
`;

/**
 * `leaseDue(key, leaseMs, max)`: up to `max` members of sorted set `key` that are due (score ≤
 * now), oldest first, each made due again `leaseMs` later, so no other caller takes them
 * meanwhile and one whose taker died is due again once the lease ends.
 */
export const LEASE_DUE_LUA = `${NOW_MS_LUA}
local function leaseDue(key, leaseMs, max)
  local now = nowMs()
  local due = redis.call('ZRANGEBYSCORE', key, '-inf', now, 'LIMIT', 0, max)
  for _, member in ipairs(due) do redis.call('ZADD', key, 'XX', now + leaseMs, member) end
  return due
end
`;
