/**
 * docs/api.md: a number that is not finite is sent as null, with the reason in a sibling `notes`
 * array. `notes` collects the reasons for one JSON object.
 */
export function finiteOrNull(value: number, notes: string[], reason: string): number | null {
  if (Number.isFinite(value)) return value;
  if (!notes.includes(reason)) notes.push(reason);
  return null;
}
