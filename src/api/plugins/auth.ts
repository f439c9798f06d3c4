import { hash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify';
import { HttpProblem } from '../../service/problem.js';
import { PUBLIC_OWNER } from '../../store/redis-keys.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Owner of the records this request may see: a hash of its API key, or PUBLIC_OWNER. */
    owner: string;
  }
}

// One-shot: a Hash object per request was the largest item of a poll's own profile (bench:api).
const sha256 = (text: string) => hash('sha256', text, 'buffer');

/** The owner id stored in records: the first 32 hex digits of sha256(key), never the key. */
export function ownerOfKey(key: string): string {
  return sha256(key).toString('hex').slice(0, 32);
}

/**
 * Bearer-key authentication (docs/api.md `API_KEYS`). Keys are compared as sha256 digests with
 * timingSafeEqual against every configured key, so neither the length nor the content of a
 * key leaks through timing. With no keys configured everything is open and owned by PUBLIC_OWNER.
 */
export function createAuthenticator(apiKeys: readonly string[]): onRequestHookHandler {
  const digests = apiKeys.map((key) => ({ digest: sha256(key), owner: ownerOfKey(key) }));
  return async function authenticate(request: FastifyRequest, _reply: FastifyReply) {
    if (digests.length === 0) {
      request.owner = PUBLIC_OWNER;
      return;
    }
    const header = request.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer[ ]+(\S+)\s*$/i.exec(header) : null;
    if (match !== null) {
      const presented = sha256(match[1]!);
      let owner: string | undefined;
      for (const candidate of digests) {
        if (timingSafeEqual(candidate.digest, presented)) owner ??= candidate.owner;
      }
      if (owner !== undefined) {
        request.owner = owner;
        return;
      }
    }
    throw new HttpProblem(
      401,
      'Unauthorized',
      match === null ? 'send Authorization: Bearer <API key>' : 'the API key is not valid',
      {},
      { 'WWW-Authenticate': match === null ? 'Bearer' : 'Bearer error="invalid_token"' },
    );
  };
}
