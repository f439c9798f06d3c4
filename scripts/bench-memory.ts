// Runs the frame-bound preset at 100,000 trials on every core and prints its time and peak RSS
// as JSON; `npm run bench` starts it in a fresh process so the figure is this run's alone.
import { experimentRequestSchema } from '../src/experiments/experiment-request.js';
import { paperPresets } from '../src/experiments/paper-presets.js';
import { runExperimentInParallel } from '../src/runtime/parallel-runner.js';

const request = {
  ...experimentRequestSchema.parse(paperPresets({ trials: 100_000, seed: 7 })[1]!.request),
  seed: 7,
};
const started = performance.now();
await runExperimentInParallel(request);
console.log(
  JSON.stringify({
    seconds: (performance.now() - started) / 1000,
    // maxRSS is in KiB and covers the worker threads, which share the process.
    maxRssMiB: process.resourceUsage().maxRSS / 1024,
  }),
);
