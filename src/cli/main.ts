import { randomInt } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { basename, join } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import type { z } from 'zod';
import { analyzeFilterbankTaps } from '../experiments/analysis/analyze-filterbank.js';
import { analyzeFilterbankQuerySchema } from '../experiments/analysis/analyze-filterbank-schema.js';
import { analyzeSignal } from '../experiments/analysis/analyze-signal.js';
import { analyzeSignalRequestSchema } from '../experiments/analysis/analyze-signal-schema.js';
import { design } from '../experiments/analysis/design.js';
import { designRequestSchema } from '../experiments/analysis/design-schema.js';
import { decodeWav } from '../formats/decode-wav.js';
import { filterbankWeightsFromFile } from '../formats/filterbank-weights-from-file.js';
import { FormatError } from '../formats/format-error.js';
import { RequestInputError } from '../experiments/common/prepare-signal.js';
import { formatIssuePath } from '../experiments/common/format-issue-path.js';
import {
  experimentRequestSchema,
  withSeed,
  type ExperimentResult,
} from '../experiments/experiment-request.js';
import { paperPresets } from '../experiments/paper-presets.js';
import { energyPlotNames, frameBoundsPlotNames } from '../plots/index.js';
import { renderExperimentPlot } from '../plots/render-experiment-plot.js';
import { runExperimentInParallel } from '../runtime/parallel-runner.js';
import { createProgressBar } from './progress-bar.js';
import { parseRequest, UsageError } from './parse-request.js';
// The server validates what the command line gives, as parseOrUsage does here.
import type { AnalyzeSignalRequestInput, DesignRequestInput } from '../client/client-types.js';
import { remoteClient, remoteError } from './remote-client.js';
import { runOnServer } from './run-on-server.js';
import { summaryTable } from './summary-table.js';

const positiveInt = (name: string) => (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`${name} must be a positive integer`);
  return n;
};

/**
 * Cap on what one `.npz` entry may inflate to on the command line: 16× the API's default
 * MAX_BODY_BYTES, since a local file is the user's own, but a zip bomb still should not take the
 * machine's memory.
 */
const CLI_MAX_INFLATED_BYTES = 256 * 1024 * 1024;

/** `--server` of the commands that can run on a service (README "The CLI"). */
const SERVER_OPTION = [
  '--server <url>',
  'run on this fbstab service instead of in-process (default: FBSTAB_SERVER; key: FBSTAB_API_KEY)',
] as const;

const program = new Command()
  .name('fbstab')
  .description('Stability of random convolutional filterbanks (Haider, Lostanlen, Ehler & Balazs, 2024)')
  .showHelpAfterError();

program
  .command('run')
  .description('run a request body of docs/api.md in-process and print its result JSON on stdout')
  .argument('<request>', 'request JSON file, or - for standard input')
  .option('--threads <n>', 'worker threads (default: every core)', positiveInt('--threads'))
  .option('--compact', 'print the JSON on one line')
  .option(...SERVER_OPTION)
  .action(async (file: string, opts: { threads?: number; compact?: boolean; server?: string }) => {
    const client = remoteClient(opts.server);
    const text =
      file === '-'
        ? await readStdin()
        : await readFile(file, 'utf8').catch(() => {
            throw new UsageError(`cannot read ${file}`);
          });
    if (client !== undefined) {
      await runOnServer(client, text, file === '-' ? 'standard input' : file, opts.compact === true);
      return;
    }
    const request = withSeed(parseRequest(text, file === '-' ? 'standard input' : file), () =>
      randomInt(2 ** 32),
    );
    process.stderr.write(`seed ${request.seed}\n`);
    // docs/api.md "Webhooks": the same body may carry `notify`; a local run sends no webhooks.
    if (request.notify !== undefined)
      process.stderr.write('note: notify is ignored: a local run sends no webhooks\n');
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
  .description("run the paper's experiments (docs/theory.md §9) and write JSON results and SVG plots")
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
      const plots: Record<string, string> = {};
      const names =
        request.type === 'energy'
          ? energyPlotNames(result as Parameters<typeof energyPlotNames>[0])
          : frameBoundsPlotNames(result as Parameters<typeof frameBoundsPlotNames>[0]);
      // The same renderer as GET /v1/experiments/{id}/plots/{name}.svg, so the SVGs are identical.
      for (const name of names) {
        const svg = await renderExperimentPlot(request, result, name);
        if (svg !== undefined) plots[name] = svg;
      }
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

/** Comma lists, and repeated options add up: `--J 10 --J 20,40` is [10, 20, 40]. */
const numberList = (value: string, previous: number[] = []) => [
  ...previous,
  ...value.split(',').map((item) => (item.trim() === '' ? Number.NaN : Number(item))),
];

/** Validates a body built from the command line exactly as the API does; one line per failure. */
function parseOrUsage<S extends z.ZodType>(schema: S, body: unknown, what: string): z.output<S> {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((issue) => `${formatIssuePath(issue.path)}: ${issue.message}`);
  throw new UsageError(`invalid ${what}: ${issues.join('; ')}`);
}

/** The file's bytes, with read failures and undecodable files as one-line usage errors. */
async function decodeFile<T>(file: string, decode: (bytes: Uint8Array) => T): Promise<T> {
  const bytes = await readFile(file).catch(() => {
    throw new UsageError(`cannot read ${file}`);
  });
  try {
    return decode(bytes);
  } catch (error) {
    if (error instanceof FormatError) throw new UsageError(`${file}: ${error.message}`);
    throw error;
  }
}

const printJson = (value: unknown, compact: boolean | undefined) =>
  process.stdout.write(`${JSON.stringify(value, null, compact === true ? undefined : 2)}\n`);

program
  .command('analyze-signal')
  .description('theory of a WAV signal (mixed to mono) for each (J, T), as POST /v1/analyze/signal')
  .argument('<file>', 'WAV file: PCM 8/16/24/32 bit or float32/64, any number of channels')
  .requiredOption('--J <list>', 'numbers of filters J; a comma list, or repeat the option', numberList)
  .requiredOption('--T <list>', 'filter lengths T, a comma list', numberList)
  .option('--p <p>', 'tail probability p of docs/theory.md §5', Number, 0.05)
  .option('--compact', 'print the JSON on one line')
  .option(...SERVER_OPTION)
  .action(
    async (
      file: string,
      opts: { J: number[]; T: number[]; p: number; compact?: boolean; server?: string },
    ) => {
      const client = remoteClient(opts.server);
      const wav = await decodeFile(file, decodeWav);
      const body = {
        signal: {
          kind: 'samples' as const,
          samples: Array.from(wav.samples),
          sampleRate: wav.sampleRate,
          name: basename(file),
        },
        numFilters: opts.J.length === 1 ? opts.J[0] : opts.J,
        filterLengths: opts.T,
        tailProbability: opts.p,
      };
      if (client !== undefined) {
        const what = 'analyze-signal options';
        printJson(
          await client
            .analyzeSignal(body as AnalyzeSignalRequestInput)
            .catch((e: unknown) => Promise.reject(remoteError(e, what))),
          opts.compact,
        );
        return;
      }
      const request = parseOrUsage(analyzeSignalRequestSchema, body, 'analyze-signal options');
      printJson(analyzeSignal(request), opts.compact);
    },
  );

program
  .command('analyze-filterbank')
  .description(
    'frame bounds, κ and Littlewood–Paley sum of a .npy, .npz or .safetensors filterbank, as POST /v1/analyze/filterbank',
  )
  .argument(
    '<file>',
    'weights of shape (J, T) or (J, 1, T): .npy (float32/64), .npz (np.savez[_compressed]) or .safetensors (F16, BF16, F32, F64), recognised by their first bytes',
  )
  .option('--array <name>', '.npz: the array to analyse, needed when it holds several')
  .option('--tensor <name>', '.safetensors: the tensor to analyse, needed when it holds several')
  .option('--stride <d>', 'stride d; must divide the signal length', Number)
  .option('--signal-length <n>', 'N, the DFT grid (default: max(1024, nextPow2(T)))', Number)
  .option('--compact', 'print the JSON on one line')
  .option(...SERVER_OPTION)
  .action(
    async (
      file: string,
      opts: {
        array?: string;
        tensor?: string;
        stride?: number;
        signalLength?: number;
        compact?: boolean;
        server?: string;
      },
    ) => {
      const client = remoteClient(opts.server);
      if (client !== undefined) {
        const bytes = await readFile(file).catch(() => {
          throw new UsageError(`cannot read ${file}`);
        });
        const { array, tensor, stride, signalLength } = opts;
        const query = Object.fromEntries(
          Object.entries({ array, tensor, stride, signalLength }).filter(([, v]) => v !== undefined),
        );
        const result = await client
          .analyzeFilterbankFile(bytes, query)
          .catch((e: unknown) => Promise.reject(remoteError(e, file)));
        printJson(result, opts.compact);
        return;
      }
      const query = parseOrUsage(
        analyzeFilterbankQuerySchema,
        { stride: opts.stride, signalLength: opts.signalLength },
        'analyze-filterbank options',
      );
      const filterbank = await decodeFile(file, (bytes) =>
        filterbankWeightsFromFile(bytes, {
          array: opts.array,
          tensor: opts.tensor,
          maxInflatedBytes: CLI_MAX_INFLATED_BYTES,
        }),
      );
      printJson(analyzeFilterbankTaps(filterbank, query), opts.compact);
    },
  );

program
  .command('design')
  .description(
    'fewest filters J for a predicted mean (or median) κ ≤ κ* at each T (docs/theory.md §11), with the paper’s asymptotic rule (§7), as POST /v1/design',
  )
  .requiredOption('--T <list>', 'filter lengths T, a comma list', numberList)
  .requiredOption('--kappa <k>', 'target condition number κ* > 1', Number)
  .option('--target <stat>', 'mean or median: which statistic of κ must stay ≤ κ*', 'mean')
  .option('--signal-length <n>', 'N, the DFT grid (default 1024)', Number)
  .option('--c <c>', 'constant of the asymptotic rule', Number, 2)
  .option('--compact', 'print the JSON on one line')
  .option(...SERVER_OPTION)
  .action(
    async (opts: {
      T: number[];
      kappa: number;
      target: string;
      signalLength?: number;
      c: number;
      compact?: boolean;
      server?: string;
    }) => {
      const client = remoteClient(opts.server);
      const body = {
        filterLengths: opts.T,
        targetKappa: opts.kappa,
        target: opts.target,
        signalLength: opts.signalLength,
        c: opts.c,
      };
      if (client !== undefined) {
        const what = 'design options';
        printJson(
          await client
            .design(body as DesignRequestInput)
            .catch((e: unknown) => Promise.reject(remoteError(e, what))),
          opts.compact,
        );
        return;
      }
      const request = parseOrUsage(designRequestSchema, body, 'design options');
      printJson(design(request), opts.compact);
    },
  );

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
