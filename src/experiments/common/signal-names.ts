import type { SignalSpec } from './signal-schema.js';

/**
 * The names under which signals appear in result cells: the given name, else the kind when
 * that kind occurs once, else `kind-index`.
 */
export function signalNames(signals: readonly SignalSpec[]): string[] {
  const kindCount = new Map<string, number>();
  for (const s of signals) kindCount.set(s.kind, (kindCount.get(s.kind) ?? 0) + 1);
  return signals.map((s, i) => s.name ?? (kindCount.get(s.kind) === 1 ? s.kind : `${s.kind}-${i}`));
}
