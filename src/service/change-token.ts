import type { ChangeState } from '../store/view-store.js';

/**
 * The opaque `changeToken` of docs/api.md "Changes": the epoch of the change log and a
 * position in the owner's sequence. A token of another epoch (Redis was reset) cannot be
 * served, whatever its number.
 */
export function encodeChangeToken(state: ChangeState): string {
  return Buffer.from(`${state.epoch}.${state.seq}`, 'utf8').toString('base64url');
}

/** Throws a RangeError for a token encodeChangeToken did not make. */
export function decodeChangeToken(token: string): ChangeState {
  const match = /^([0-9a-f]{1,32})\.(\d{1,15})$/.exec(Buffer.from(token, 'base64url').toString('utf8'));
  if (match === null) throw new RangeError('not a change token this API returned');
  return { epoch: match[1]!, seq: Number(match[2]) };
}
