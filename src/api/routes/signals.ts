import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { decodeWav } from '../../formats/decode-wav.js';
import { FormatError } from '../../formats/format-error.js';
import { HttpProblem } from '../../service/problem.js';
import type { StoredSignalRecord } from '../../store/signal-store.js';
import type { ApiContext } from '../context.js';
import { formatProblem, notFound } from '../problem-handler.js';
import { BINARY_BODIES } from '../schemas/binary-bodies.js';
import {
  signalIdParamsSchema,
  signalResourceSchema,
  signalUploadQuerySchema,
  signalUploadSchema,
} from '../schemas/analysis.js';
import { problemResponses } from '../schemas/problem.js';

const security = [{ bearerAuth: [] }];
const tags = ['signals'];
const WAV = BINARY_BODIES['/v1/signals'];

/** The resource of docs/api.md "Signals": the record without its owner. */
export function signalResource(record: StoredSignalRecord): z.output<typeof signalResourceSchema> {
  const { id, name, length, sampleRate, energy, createdAt } = record;
  return { id, name, length, sampleRate, energy, createdAt };
}

/** Samples of an upload, checked for what no experiment or analysis could use. */
function checkedSamples(samples: Float64Array): Float64Array {
  let energy = 0;
  for (let n = 0; n < samples.length; n++) energy += samples[n]! * samples[n]!;
  if (energy === 0) {
    throw new HttpProblem(
      400,
      'Invalid signal',
      'every sample is 0: a signal of zero energy has no energy ratio',
    );
  }
  if (!Number.isFinite(energy)) {
    throw new HttpProblem(
      400,
      'Invalid signal',
      'the signal energy Σx² overflows a float64; scale the samples down',
    );
  }
  return samples;
}

/** `/v1/signals` (docs/api.md "Signals"); `prefix: '/v1'`, behind auth and the rate limit. */
export const signalRoutes: FastifyPluginAsyncZod<{ context: ApiContext }> = async (app, { context }) => {
  const store = context.signals;
  // Fastify parses text/plain by default; here it is just another unsupported type (415).
  app.removeContentTypeParser('text/plain');
  app.addContentTypeParser(
    [...WAV.types],
    { parseAs: 'buffer', bodyLimit: context.config.MAX_BODY_BYTES },
    (_request, body, done) => done(null, body),
  );

  const load = async (id: string, owner: string) => {
    const record = await store.getOwned(id, owner);
    if (record === undefined) throw notFound('signal', id);
    return record;
  };

  app.post(
    '/signals',
    {
      config: { accepts: [...WAV.types, 'application/json'] },
      schema: {
        operationId: 'uploadSignal',
        summary: 'Upload a signal',
        description:
          'A WAV file (`Content-Type: audio/wav`, `audio/x-wav`, `audio/wave` or `audio/vnd.wave`; PCM 8/16/24/32 bit ' +
          'or float32/64, stereo and more mixed down to mono by averaging the channels, PCM scaled to [−1, 1)) or JSON ' +
          '`{ samples, sampleRate?, name? }`. Answers 201 with a Location header. Experiments and analyses use it as ' +
          '`{ "kind": "stored", "id" }`. A file that cannot be decoded gets 400 (malformed or lying header, NaN/Inf ' +
          'or no samples), 413 (too many frames) or 415 (not WAV, or a compressed format), with `detail` saying why. ' +
          'The signal is kept RESULT_TTL_SECONDS after its last use by an experiment or analysis.',
        tags,
        security,
        querystring: signalUploadQuerySchema,
        body: signalUploadSchema,
        response: {
          201: signalResourceSchema.describe('The stored signal, without its samples'),
          ...problemResponses(400, 401, 413, 415, 429, 503),
        },
      },
    },
    async (request, reply) => {
      const body = request.body as unknown;
      let samples: Float64Array;
      let sampleRate: number | null;
      let name: string | null;
      if (Buffer.isBuffer(body)) {
        if (body.length === 0)
          throw new HttpProblem(400, 'Malformed file', 'the request body is empty: send a WAV file');
        try {
          const wav = decodeWav(body);
          samples = wav.samples;
          sampleRate = wav.sampleRate;
        } catch (error) {
          if (error instanceof FormatError) throw formatProblem(error);
          throw error;
        }
        name = request.query.name ?? null;
      } else {
        samples = Float64Array.from(request.body.samples);
        sampleRate = request.body.sampleRate ?? null;
        name = request.body.name ?? request.query.name ?? null;
      }
      const record = await store.create({
        owner: request.owner,
        samples: checkedSamples(samples),
        sampleRate,
        name,
      });
      request.log.info({ signalId: record.id, length: record.length }, 'signal stored');
      return reply.code(201).header('location', `/v1/signals/${record.id}`).send(signalResource(record));
    },
  );

  app.get(
    '/signals/:id',
    {
      schema: {
        operationId: 'getSignal',
        summary: 'Get a signal (without its samples)',
        description:
          'Its name, length, sample rate, energy Σx² and creation time; the samples are not sent back.',
        tags,
        security,
        params: signalIdParamsSchema,
        response: {
          200: signalResourceSchema.describe('The signal'),
          ...problemResponses(401, 404, 429, 503),
        },
      },
    },
    async (request) => signalResource(await load(request.params.id, request.owner)),
  );

  app.delete(
    '/signals/:id',
    {
      schema: {
        operationId: 'deleteSignal',
        summary: 'Delete a signal',
        description:
          'Removes it and its samples. An experiment submitted with it that has not yet been planned by a worker ' +
          'fails with a problem saying the signal was deleted; finished experiments keep their results.',
        tags,
        security,
        params: signalIdParamsSchema,
        response: { 204: z.undefined().describe('Deleted'), ...problemResponses(401, 404, 429, 503) },
      },
    },
    async (request, reply) => {
      await store.delete(await load(request.params.id, request.owner));
      return reply.code(204).send();
    },
  );
};
