import { randomInt } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { RequestInputError } from '../experiments/common/prepare-signal.js';
import { formatIssuePath } from '../experiments/common/format-issue-path.js';
import {
  experimentRequestSchema,
  withSeed,
  type ExperimentResult,
} from '../experiments/experiment-request.js';
import { paperPresets } from '../experiments/paper-presets.js';
import { plotsForEnergy, plotsForFrameBounds } from '../plots/index.js';
import { runExperimentInParallel } from '../runtime/parallel-runner.js';
import { createProgressBar } from './progress-bar.js';
import { parseRequest, UsageError } from './parse-request.js';
import { summaryTable } from './summary-table.js';

const positiveInt = (name: string) => (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`${name} must be a positive integer`);
  return n;
};

const program = new Command()
  .name('fbstab')
  .description('Stability of random convolutional filterbanks (Haider, Lostanlen, Ehler & Balazs, 2024)')
  .showHelpAfterError();

program
  .command('run')
  .description('run a request body of API.md in-process and print its result JSON on stdout')
  .argument('<request>', 'request JSON file, or - for standard input')
  .option('--threads <n>', 'worker threads (default: every core)', positiveInt('--threads'))
  .option('--compact', 'print the JSON on one line')
  .action(async (file: string, opts: { threads?: number; compact?: boolean }) => {
    const text =
      file === '-'
        ? await readStdin()
        : await readFile(file, 'utf8').catch(() => {
            throw new UsageError(`cannot read ${file}`);
          });
    const request = withSeed(parseRequest(text, file === '-' ? 'standard input' : file), () =>
      randomInt(2 ** 32),
    );
    process.stderr.write(`seed ${request.seed}\n`);
    const bar = createProgressBar(request.type);
    try {
      const result = await runExperimentInParallel(request, {
        threads: opts.threads ?? availableParallelism(),
        onProgress: (done, total) => bar.update(done, total),
      });
      bar.stop();
      process.stdout.write(`${JSON.stringify(result, null, opts.compact === true ? undefined : 2)}\n`);
    } finally {
      bar.stop();
    }
  });

program
  .command('reproduce')
  .description("run the paper's experiments (THEORY.md §9) and write JSON results and SVG plots")
  .requiredOption('--out <dir>', 'output folder')
  .option('--trials <n>', 'trials per cell', positiveInt('--trials'), 1000)
  .option(
    '--seed <n>',
    'seed of every preset',
    (v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 0 || n >= 2 ** 32)
        throw new InvalidArgumentError('--seed must be an integer in [0, 2^32)');
      return n;
    },
    2024,
  )
  .option('--threads <n>', 'worker threads (default: every core)', positiveInt('--threads'))
  .action(async (opts: { out: string; trials: number; seed: number; threads?: number }) => {
    await mkdir(opts.out, { recursive: true });
    for (const preset of paperPresets({ trials: opts.trials, seed: opts.seed })) {
      const request = withSeed(experimentRequestSchema.parse(preset.request), () => opts.seed);
      const bar = createProgressBar(preset.name);
      const started = performance.now();
      let result: ExperimentResult;
      try {
        result = await runExperimentInParallel(request, {
          threads: opts.threads ?? availableParallelism(),
          onProgress: (done, total) => bar.update(done, total),
        });
      } finally {
        bar.stop();
      }
      const seconds = (performance.now() - started) / 1000;
      await writeFile(
        join(opts.out, `${preset.name}.json`),
        `${JSON.stringify({ request, result }, null, 2)}\n`,
      );
      const plots =
        request.type === 'energy'
          ? await plotsForEnergy(result as Parameters<typeof plotsForEnergy>[0], {
              tailProbability: request.tailProbability,
            })
          : await plotsForFrameBounds(result as Parameters<typeof plotsForFrameBounds>[0]);
      const files: string[] = [];
      for (const [name, svg] of Object.entries(plots)) {
        const file = join(opts.out, `${preset.name}-${name}.svg`);
        await writeFile(file, svg);
        files.push(file);
      }
      process.stdout.write(`\n${preset.title} — ${opts.trials} trials, ${seconds.toFixed(1)} s\n`);
      process.stdout.write(`${summaryTable(result)}\n`);
      process.stdout.write(`wrote ${join(opts.out, `${preset.name}.json`)} and ${files.length} plots\n`);
    }
  });

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof UsageError) {
    process.stderr.write(`fbstab: ${error.message}\n`);
    process.exit(2);
  }
  if (error instanceof RequestInputError) {
    process.stderr.write(`fbstab: invalid request: ${formatIssuePath(error.path)}: ${error.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`fbstab: ${(error as Error).message ?? String(error)}\n`);
  process.exit(1);
}
