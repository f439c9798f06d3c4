import type { SimulationOutput, TheoryOutput } from '../experiments/common/experiment-definition.js';

/** A task output as JSON can carry it: per-trial values as base64 of their float64 bytes. */
export type EncodedTaskOutput =
  (Omit<SimulationOutput, 'values'> & { values: string }) | TheoryOutput<unknown> | { kind: 'skipped' };

/** Exact: the bytes round-trip, so results merged from workers equal the in-process ones. */
export function encodeTaskOutput(output: SimulationOutput | TheoryOutput<unknown>): EncodedTaskOutput {
  if (output.kind !== 'simulate') return output;
  const bytes = Buffer.from(output.values.buffer, output.values.byteOffset, output.values.byteLength);
  return { ...output, values: bytes.toString('base64') };
}

export function decodeTaskOutput(encoded: EncodedTaskOutput): SimulationOutput | TheoryOutput<unknown> {
  if (encoded.kind === 'skipped') throw new Error('a skipped task has no output');
  if (encoded.kind !== 'simulate') return encoded;
  const bytes = Buffer.from(encoded.values, 'base64');
  // Copy into a fresh, aligned buffer: Buffer pools are not 8-byte aligned.
  const values = new Float64Array(bytes.byteLength / 8);
  new Uint8Array(values.buffer).set(bytes);
  return { ...encoded, values };
}
