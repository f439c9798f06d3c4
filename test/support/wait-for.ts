/** Polls `probe` every `intervalMs` (50 ms) until `predicate` holds, or throws after `timeoutMs` naming `what`. */
export async function waitFor<T>(
  probe: () => Promise<T>,
  predicate: (value: T) => boolean,
  timeoutMs: number,
  what: string,
  intervalMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (predicate(value)) return value;
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}; last: ${JSON.stringify(value)?.slice(0, 300)}`,
      );
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
