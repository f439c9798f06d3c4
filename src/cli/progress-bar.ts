import cliProgress from 'cli-progress';

/** A progress bar on stderr (silent when stderr is not a terminal, so logs stay clean). */
export function createProgressBar(label: string): {
  update(done: number, total: number): void;
  stop(): void;
} {
  const bar = new cliProgress.SingleBar(
    {
      format: `${label.padEnd(16)} {bar} {percentage}% | {value}/{total} trials | ETA {eta_formatted}`,
      stream: process.stderr,
      hideCursor: true,
      clearOnComplete: false,
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(done, total) {
      if (!started) {
        bar.start(total, 0);
        started = true;
      }
      bar.update(done);
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
