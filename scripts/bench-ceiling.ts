// `npm run bench:ceiling`: what this machine's two cores give the engine's own kernel, with no
// pool, no queue and no Redis. Each preset's one-thread floor (scripts/bench-floor.ts: the normal
// draws and the FFTs, in wasm) runs in one process alone, then in two processes at once, in
// alternating rounds; the ratio 2 × alone / slower-of-two is the most that two threads, or two
// worker processes, could give that work at that moment. The scaling targets (two threads ≥ 1.8×,
// two worker processes ≥ 1.8×) are read against it: a register-bound loop scales 2.0× here, but
// this kernel touches memory, which the cores share with each other and with the host's tenants.
//   npm run bench:ceiling -- [--rounds 5]
import { execFileSync, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  experimentRequestSchema,
  type SeededExperimentRequest,
} from '../src/experiments/experiment-request.js';
import { paperPresets } from '../src/experiments/paper-presets.js';
import { runFloorPart } from './bench-floor.js';

const { values: args } = parseArgs({
  options: { rounds: { type: 'string', default: '5' }, child: { type: 'string' } },
});

const presets = paperPresets({ trials: 1000, seed: 7 }).slice(0, 2);

/** One preset's floor, best of three after a warm-up, in ms (the child process's work). */
function floorMs(index: number): number {
  const preset = presets[index]!;
  const request = { ...experimentRequestSchema.parse(preset.request), seed: 7 } as SeededExperimentRequest;
  const warm = { ...request, trials: 20 };
  runFloorPart(warm, 'draws');
  runFloorPart(warm, 'ffts');
  let best = Infinity;
  for (let rep = 0; rep < 3; rep++) {
    const started = performance.now();
    runFloorPart(request, 'draws');
    runFloorPart(request, 'ffts');
    best = Math.min(best, performance.now() - started);
  }
  return best;
}

if (args.child !== undefined) {
  console.log(floorMs(Number(args.child)).toFixed(2));
  process.exit(0);
}

const self = fileURLToPath(import.meta.url);
const childArgs = (index: number) => [...process.execArgv, self, '--child', String(index)];
const alone = (index: number) =>
  Number(execFileSync(process.execPath, childArgs(index), { encoding: 'utf8' }));
const together = (index: number) =>
  Promise.all(
    [0, 1].map(
      () =>
        new Promise<number>((resolve, reject) => {
          const child = spawn(process.execPath, childArgs(index), { stdio: ['ignore', 'pipe', 'inherit'] });
          let out = '';
          child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
          child.on('exit', (code) =>
            code === 0 ? resolve(Number(out)) : reject(new Error(`child exit ${code}`)),
          );
        }),
    ),
  );

const rounds = Number(args.rounds);
console.log(
  `fbstab bench:ceiling — each preset's kernel floor (draws + FFTs, wasm, one thread), alone and two at once; ${rounds} alternating rounds`,
);
for (const [index, preset] of presets.entries()) {
  const ratios: number[] = [];
  const lines: string[] = [];
  for (let round = 0; round < rounds; round++) {
    const one = alone(index);
    const two = await together(index);
    const ratio = (2 * one) / Math.max(...two);
    ratios.push(ratio);
    lines.push(`${one.toFixed(0)} | ${two.map((ms) => ms.toFixed(0)).join(', ')} → ${ratio.toFixed(2)}×`);
  }
  const sorted = [...ratios].sort((a, b) => a - b);
  console.log(
    `  ${preset.name}: two cores give ${sorted[sorted.length >> 1]!.toFixed(2)}× (median; range ${sorted[0]!.toFixed(2)}–${sorted.at(-1)!.toFixed(2)}×)`,
  );
  console.log(`    rounds, ms alone | two at once: ${lines.join('; ')}`);
}
