/** Names for a message: quoted, comma-separated, the first `max` and a count of the rest. */
export function namesList(names: readonly string[], max = 20): string {
  const shown = names.slice(0, max).map((n) => JSON.stringify(n.slice(0, 100)));
  return names.length > max ? `${shown.join(', ')} and ${names.length - max} more` : shown.join(', ');
}
