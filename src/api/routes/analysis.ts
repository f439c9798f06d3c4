import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  estimateAnalyzeFilterbankCost,
  estimateDesignCost,
  estimateAnalyzeSignalCost,
} from '../../experiments/analysis/analysis-cost.js';
import type { FilterbankTaps } from '../../experiments/analysis/analyze-filterbank.js';
import {
  analyzeFilterbankFileQuerySchema,
  defaultSignalLength,
  filterbankGridIssues,
} from '../../experiments/analysis/analyze-filterbank-schema.js';
import type { StoredSignal } from '../../experiments/common/prepare-signal.js';
import { declaredSignalLength } from '../../experiments/common/signal-schema.js';
import { filterbankWeightsFromFile, type WeightsFormat } from '../../formats/filterbank-weights-from-file.js';
import { FormatError } from '../../formats/format-error.js';
import { isAnalysisQueueFull, runAnalysis } from '../../runtime/analysis-pool.js';
import type { AnalysisMessage } from '../../runtime/analysis-thread.js';
import { HttpProblem } from '../../service/problem.js';
import type { ApiContext } from '../context.js';
import { formatProblem, inputProblem } from '../problem-handler.js';
import {
  analyzeFilterbankRequestSchema,
  analyzeFilterbankResultSchema,
  analyzeSignalRequestSchema,
  analyzeSignalResultSchema,
  designRequestSchema,
  designResultSchema,
} from '../schemas/analysis.js';
import { BINARY_BODIES } from '../schemas/binary-bodies.js';
import { problemResponses } from '../schemas/problem.js';

const security = [{ bearerAuth: [] }];
const tags = ['analysis'];
const WEIGHTS = BINARY_BODIES['/v1/analyze/filterbank'];
/**
 * The format a Content-Type names; application/octet-stream names none, and the file's first
 * bytes tell (sniffWeightsFormat), so `.npy` uploads work as before and any file works untyped.
 */
const FORMAT_OF_TYPE: Readonly<Record<string, WeightsFormat>> = {
  'application/x-npz': 'npz',
  'application/zip': 'npz',
  'application/x-safetensors': 'safetensors',
};

/**
 * The answer exactly as the CLI prints it (`JSON.stringify` of the same object), not re-encoded
 * through the response schema, which documents it.
 */
function sendJson(reply: FastifyReply, value: unknown) {
  return reply.type('application/json; charset=utf-8').send(JSON.stringify(value));
}

/** Refuses (422) an analysis whose estimated cost exceeds MAX_ANALYSIS_COST. */
function checkCost(context: ApiContext, cost: number) {
  const limit = context.config.MAX_ANALYSIS_COST;
  if (cost > limit) {
    throw new HttpProblem(
      422,
      'Analysis too expensive',
      `estimated cost ${cost.toFixed(3)} core-seconds exceeds the limit of ${limit} (MAX_ANALYSIS_COST); reduce the filter lengths, the signal length or the stride`,
      { cost, limit },
    );
  }
}

/** Runs an analysis on the API's analysis threads; its input errors become 400s naming the field. */
async function analyse(context: ApiContext, message: AnalysisMessage, transfer: ArrayBuffer[] = []) {
  let reply;
  try {
    reply = await runAnalysis(context.analysisPool, message, transfer);
  } catch (error) {
    if (isAnalysisQueueFull(error)) {
      throw new HttpProblem(
        503,
        'Analysis queue full',
        'too many analyses are waiting; retry shortly',
        {},
        { 'Retry-After': '5' },
      );
    }
    throw error;
  }
  if (!reply.ok) throw inputProblem(reply.path, reply.message);
  return reply.result;
}

const accepted = (...types: string[]) => ({ accepts: types });

/** `/v1/analyze/signal` and `/v1/design` (docs/api.md "Analysis and design"): JSON only. */
const jsonAnalysisRoutes: FastifyPluginAsyncZod<{ context: ApiContext }> = async (app, { context }) => {
  app.post(
    '/analyze/signal',
    {
      config: accepted('application/json'),
      schema: {
        operationId: 'analyzeSignal',
        summary: 'Energy theory of one signal, for every (J, T)',
        description:
          'The theory of an energy experiment (docs/theory.md §2–§5) with no Monte Carlo, and a summary of the signal’s ' +
          'autocorrelation; the same JSON as `fbstab analyze-signal`. `signal` is any signal of an energy request, ' +
          'a stored one included. Refused with 422 when its estimated cost exceeds MAX_ANALYSIS_COST.',
        tags,
        security,
        body: analyzeSignalRequestSchema,
        response: {
          200: analyzeSignalResultSchema.describe('The theory per cell'),
          ...problemResponses(400, 401, 413, 415, 422, 429, 503),
        },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const spec = body.signal;
      const stored: [string, StoredSignal][] = [];
      const transfer: ArrayBuffer[] = [];
      if (spec.kind === 'stored') {
        const found = await context.signals.resolve([spec.id], request.owner);
        const signal = found.get(spec.id);
        if (signal === undefined)
          throw inputProblem(['signal', 'id'], `no stored signal with id "${spec.id}"`);
        stored.push([spec.id, signal]);
        transfer.push(signal.samples.buffer as ArrayBuffer);
      }
      const N = declaredSignalLength(spec) ?? stored[0]![1].samples.length;
      checkCost(context, estimateAnalyzeSignalCost(body, N));
      return sendJson(reply, await analyse(context, { kind: 'signal', request: body, stored }, transfer));
    },
  );

  app.post(
    '/design',
    {
      config: accepted('application/json'),
      schema: {
        operationId: 'designFilterbank',
        summary: 'Fewest filters for a target condition number',
        description:
          'For each T, J_min(T, κ*): the fewest filters whose predicted mean κ (or median, `target`) on the ' +
          '`signalLength`-point grid is at most κ*, by search on the predictor of docs/theory.md §11; and, for ' +
          'comparison, the paper’s asymptotic rule ⌈c²·log T·((κ*+1)/(κ*−1))²⌉ (docs/theory.md §7, c = 2 unless ' +
          'given) under `asymptotic`. The same JSON as `fbstab design`. Runs on the analysis threads; refused with ' +
          '422 when its estimated cost (about 2·log₂ J_min predictions per T) exceeds MAX_ANALYSIS_COST.',
        tags,
        security,
        body: designRequestSchema,
        response: {
          200: designResultSchema.describe('One row per filter length'),
          ...problemResponses(400, 401, 413, 415, 422, 429, 503),
        },
      },
    },
    async (request, reply) => {
      checkCost(context, estimateDesignCost(request.body));
      return sendJson(reply, await analyse(context, { kind: 'design', request: request.body }));
    },
  );
};

/** `/v1/analyze/filterbank`: JSON, or a .npy, .npz or .safetensors file. */
const filterbankRoutes: FastifyPluginAsyncZod<{ context: ApiContext }> = async (app, { context }) => {
  app.addContentTypeParser(
    [...WEIGHTS.types],
    { parseAs: 'buffer', bodyLimit: context.config.MAX_BODY_BYTES },
    (_request, body, done) => done(null, body),
  );

  app.post(
    '/analyze/filterbank',
    {
      config: accepted('application/json', ...WEIGHTS.types),
      schema: {
        operationId: 'analyzeFilterbank',
        summary: 'Frame bounds, κ and Littlewood–Paley sum of given filters',
        description:
          'JSON `{ weights: J rows of T taps, stride?, signalLength? }`, or a weights file of shape (J, T) or (J, 1, T) ' +
          '(a PyTorch Conv1d(1, J, T) weight) with `stride` and `signalLength` as query parameters (only then): a NumPy ' +
          '.npy (float32 or float64, C order), a .npz of np.savez or np.savez_compressed (`array` chooses the array, ' +
          'needed when it holds several) or a .safetensors (F16, BF16, F32 or F64; `tensor` chooses the tensor). Send ' +
          'it as `application/octet-stream`, recognised by its first bytes, or as `application/x-npz` / ' +
          '`application/zip` / `application/x-safetensors`. The same JSON as `fbstab analyze-filterbank`; A and B are ' +
          'not normalised. A file that cannot be read gets 400, 413 (a .npz entry inflating past MAX_BODY_BYTES or ' +
          'by over 100 : 1) or 415 with `detail` saying why; 422 when it holds several arrays or tensors and none is ' +
          'chosen (`names` lists them), when its layer has several input channels (J, C, T), or when the estimated ' +
          'cost exceeds MAX_ANALYSIS_COST.',
        tags,
        security,
        querystring: analyzeFilterbankFileQuerySchema,
        body: analyzeFilterbankRequestSchema,
        response: {
          200: analyzeFilterbankResultSchema.describe('Frame bounds and the LP curve'),
          ...problemResponses(400, 401, 413, 415, 422, 429, 503),
        },
      },
    },
    async (request, reply) => {
      const body = request.body as unknown;
      let taps: FilterbankTaps;
      let options: { stride: number; signalLength?: number | undefined };
      if (Buffer.isBuffer(body)) {
        if (body.length === 0)
          throw new HttpProblem(
            400,
            'Malformed file',
            'the request body is empty: send a .npy, .npz or .safetensors file',
          );
        const { array, tensor, stride, signalLength } = request.query;
        const type = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
        try {
          taps = filterbankWeightsFromFile(body, {
            format: FORMAT_OF_TYPE[type],
            array,
            tensor,
            maxInflatedBytes: context.config.MAX_BODY_BYTES,
          });
        } catch (error) {
          if (error instanceof FormatError) throw formatProblem(error);
          throw error;
        }
        options = { stride, signalLength };
        const [issue] = filterbankGridIssues(taps.filterLength, options.stride, options.signalLength);
        if (issue !== undefined) throw inputProblem(issue.path, issue.message);
      } else {
        const query = new URLSearchParams(request.url.split('?')[1] ?? '');
        for (const name of ['stride', 'signalLength']) {
          if (query.has(name)) {
            throw inputProblem(
              [name],
              `with a JSON body, give ${name} in the body; the query parameter is for .npy files`,
            );
          }
        }
        for (const name of ['array', 'tensor']) {
          if (query.has(name)) {
            throw inputProblem(
              [name],
              `${name} chooses what to analyse in a .npz or .safetensors file, not in JSON`,
            );
          }
        }
        const json = request.body;
        const J = json.weights.length;
        const T = json.weights[0]!.length;
        const weights = new Float64Array(J * T);
        json.weights.forEach((row, j) => weights.set(row, j * T));
        taps = { weights, numFilters: J, filterLength: T };
        options = { stride: json.stride, signalLength: json.signalLength };
      }
      checkCost(
        context,
        estimateAnalyzeFilterbankCost({
          numFilters: taps.numFilters,
          filterLength: taps.filterLength,
          stride: options.stride,
          signalLength: options.signalLength ?? defaultSignalLength(taps.filterLength),
        }),
      );
      // Only the weights' own buffer may move: the file parsers and the JSON path all allocate it here.
      const message: AnalysisMessage = { kind: 'filterbank', taps, options };
      return sendJson(reply, await analyse(context, message, [taps.weights.buffer as ArrayBuffer]));
    },
  );
};

/** The analysis routes of docs/api.md; `prefix: '/v1'`, behind auth and the rate limit. */
export const analysisRoutes: FastifyPluginAsyncZod<{ context: ApiContext }> = async (app, { context }) => {
  // Fastify parses text/plain by default; here it is just another unsupported type (415).
  app.removeContentTypeParser('text/plain');
  await app.register(jsonAnalysisRoutes, { context });
  await app.register(filterbankRoutes, { context });
};
