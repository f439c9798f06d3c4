// POST/GET/DELETE /v1/signals end to end (real redis-server, the app on a loopback port), stored
// signals in energy experiments, and every hostile WAV through HTTP. Files are small (600 frames)
// so the file runs in a few seconds; workers start only for the test that runs experiments.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { pino } from 'pino';
import request from 'supertest';
import { kernelPreferenceFromEnvironment } from '../../src/config.js';
import { signalEnergy } from '../../src/core/signals/signal-energy.js';
import type { StoredSignal } from '../../src/experiments/common/prepare-signal.js';
import {
  experimentRequestSchema,
  type SeededExperimentRequest,
} from '../../src/experiments/experiment-request.js';
import { runExperiment } from '../../src/experiments/run-experiment.js';
import { LIMITS } from '../../src/experiments/common/limits.js';
import { decodeWav } from '../../src/formats/decode-wav.js';
import { connectRedis } from '../../src/redis/connect-redis.js';
import { keys } from '../../src/store/redis-keys.js';
import { startWorkers, type RunningWorkers } from '../../src/worker/start-workers.js';
import { WAV_DEPTHS, chunkAt, patched, tone, wavOf } from './binary-files.js';
import { problemOf, startStack, waitFor, type Stack } from './helpers.js';

interface SignalBody {
  id: string;
  name: string | null;
  length: number;
  sampleRate: number | null;
  energy: number;
  createdAt: string;
}

let stack: Stack;
const http = () => request(stack.app.server);
const uploadWav = (bytes: Uint8Array, type = 'audio/wav', query = '') =>
  http().post(`/v1/signals${query}`).set('content-type', type).send(Buffer.from(bytes));

before(async () => {
  stack = await startStack({ env: { RATE_LIMIT_PER_MINUTE: '0' } });
});
after(async () => {
  await stack.close();
});

describe('upload', () => {
  for (const channels of [1, 2]) {
    for (const depth of WAV_DEPTHS) {
      test(`WAV ${depth === '32f' ? 'float32' : `PCM ${depth}-bit`}, ${channels === 1 ? 'mono' : 'stereo'}: 201, Location, length, rate, energy`, async () => {
        const bytes = wavOf(channels, depth, 600, 11025);
        const res = await uploadWav(bytes, 'audio/wav', '?name=t.wav').expect(201);
        const body = res.body as SignalBody;
        assert.equal(res.headers.location, `/v1/signals/${body.id}`);
        assert.deepEqual(Object.keys(body).sort(), [
          'createdAt',
          'energy',
          'id',
          'length',
          'name',
          'sampleRate',
        ]);
        assert.equal(body.length, 600);
        assert.equal(body.sampleRate, 11025);
        assert.equal(body.name, 't.wav');
        // Exactly Σx² of the decoded mono mix (same decoder, same order of summation)…
        assert.equal(body.energy, signalEnergy(decodeWav(bytes).samples));
        // …and, against the samples before encoding, within the quantisation: PCM rounds to half an
        // LSB, 2^−bits, so Σx² moves by at most 2·Σ|x|·2^−bits + N·4^−bits (float32: 2^−24 relative).
        const mix = new Float64Array(600);
        for (let c = 0; c < channels; c++) tone(600, c).forEach((v, n) => (mix[n] = mix[n]! + v / channels));
        const exact = signalEnergy(mix);
        const bits = depth === '32f' ? 24 : Number(depth);
        const l1 = mix.reduce((s, v) => s + Math.abs(v), 0);
        assert.ok(
          Math.abs(body.energy - exact) <= 2 * l1 * 2 ** -bits + 600 * 4 ** -bits + 1e-12,
          `${body.energy} vs ${exact}`,
        );
        const got = (await http().get(`/v1/signals/${body.id}`).expect(200)).body as SignalBody;
        assert.deepEqual(got, body);
        // The samples are stored as raw float64 bytes, exactly the decoded ones.
        const raw = await stack.redis.getBuffer(keys.signalSamples(body.id));
        assert.equal(raw?.length, 600 * 8);
        assert.deepEqual(new Float64Array(Uint8Array.from(raw!).buffer), decodeWav(bytes).samples);
      });
    }
  }

  test('every WAV media type is accepted; the name defaults to null', async () => {
    for (const type of ['audio/x-wav', 'audio/wave', 'audio/vnd.wave', 'audio/wav; codecs=1']) {
      const res = await uploadWav(wavOf(1, '16'), type).expect(201);
      assert.equal((res.body as SignalBody).name, null, type);
    }
  });

  test('JSON: samples as given (no normalisation), sampleRate and name optional', async () => {
    const samples = [0.5, -1.25, 3, 0, 1e-3];
    const res = await http()
      .post('/v1/signals')
      .send({ samples, sampleRate: 44100, name: 'five' })
      .expect(201);
    const body = res.body as SignalBody;
    assert.equal(body.length, 5);
    assert.equal(body.sampleRate, 44100);
    assert.equal(body.name, 'five');
    assert.equal(body.energy, signalEnergy(samples));
    const bare = (
      await http()
        .post('/v1/signals')
        .send({ samples: [2] })
        .expect(201)
    ).body as SignalBody;
    assert.equal(bare.sampleRate, null);
    assert.equal(bare.name, null);
    assert.equal(bare.energy, 4);
  });
});

describe('GET and DELETE', () => {
  test('DELETE answers 204, then GET and DELETE answer 404; a malformed id is 404 too', async () => {
    const { id } = (
      await http()
        .post('/v1/signals')
        .send({ samples: [1, 2] })
        .expect(201)
    ).body as SignalBody;
    await http().delete(`/v1/signals/${id}`).expect(204);
    const gone = problemOf(await http().get(`/v1/signals/${id}`).expect(404));
    assert.match(gone.detail, /no signal with id/);
    await http().delete(`/v1/signals/${id}`).expect(404);
    assert.equal(await stack.redis.exists(keys.signal(id), keys.signalSamples(id)), 0);
    const bad = problemOf(await http().get('/v1/signals/not-a-uuid').expect(404));
    assert.match(bad.detail, /no signal with id "not-a-uuid"/);
  });

  test('signals expire RESULT_TTL_SECONDS after upload, both keys', async () => {
    const { id } = (
      await http()
        .post('/v1/signals')
        .send({ samples: [1] })
        .expect(201)
    ).body as SignalBody;
    for (const key of [keys.signal(id), keys.signalSamples(id)]) {
      const ttl = await stack.redis.ttl(key);
      assert.ok(
        ttl > stack.config.RESULT_TTL_SECONDS - 60 && ttl <= stack.config.RESULT_TTL_SECONDS,
        `${key} ${ttl}`,
      );
    }
  });

  test('with API keys, a signal belongs to its key: another key gets 404 and cannot use it', async () => {
    const app = await stack.extraApp({ API_KEYS: 'alice-key-1,bob-key-2', RATE_LIMIT_PER_MINUTE: '0' });
    const as = (key: string) => ({ Authorization: `Bearer ${key}` });
    await request(app.server)
      .post('/v1/signals')
      .send({ samples: [1] })
      .expect(401);
    const { id } = (
      await request(app.server)
        .post('/v1/signals')
        .set(as('alice-key-1'))
        .send({ samples: [1, 0, 1, 0] })
        .expect(201)
    ).body as SignalBody;
    await request(app.server).get(`/v1/signals/${id}`).set(as('alice-key-1')).expect(200);
    problemOf(await request(app.server).get(`/v1/signals/${id}`).set(as('bob-key-2')).expect(404));
    problemOf(await request(app.server).delete(`/v1/signals/${id}`).set(as('bob-key-2')).expect(404));
    const experiment = {
      type: 'energy',
      trials: 5,
      filterbank: { numFilters: 2, filterLengths: [2] },
      signals: [{ kind: 'stored', id }],
    };
    const refused = problemOf(
      await request(app.server).post('/v1/experiments').set(as('bob-key-2')).send(experiment).expect(400),
    );
    assert.deepEqual(
      refused.errors?.map((e) => e.path),
      ['signals[0].id'],
    );
    await request(app.server).post('/v1/experiments').set(as('alice-key-1')).send(experiment).expect(202);
    // The open API (another owner again) does not see it either.
    await http().get(`/v1/signals/${id}`).expect(404);
  });
});

describe('stored signals in experiments', () => {
  test('an unknown id is 400 naming signals[i].id; a T longer than the stored signal is 400 naming it', async () => {
    const unknown = problemOf(
      await http()
        .post('/v1/experiments')
        .send({
          type: 'energy',
          filterbank: { numFilters: 2, filterLengths: [2] },
          signals: [
            { kind: 'impulse', length: 8 },
            { kind: 'stored', id: 'nope' },
          ],
        })
        .expect(400),
    );
    assert.deepEqual(
      unknown.errors?.map((e) => e.path),
      ['signals[1].id'],
    );
    assert.match(unknown.detail, /no stored signal with id "nope"/);
    const { id } = (
      await http()
        .post('/v1/signals')
        .send({ samples: [1, 2, 3] })
        .expect(201)
    ).body as SignalBody;
    const long = problemOf(
      await http()
        .post('/v1/experiments')
        .send({
          type: 'energy',
          filterbank: { numFilters: 2, filterLengths: [2, 4] },
          signals: [{ kind: 'stored', id }],
        })
        .expect(400),
    );
    assert.deepEqual(
      long.errors?.map((e) => e.path),
      ['filterbank.filterLengths[1]'],
    );
  });

  test('every WAV format runs in an experiment with the in-process result; a signal deleted before the run fails it', async () => {
    const stored = new Map<string, StoredSignal>();
    const ids: string[] = [];
    for (const channels of [1, 2]) {
      for (const depth of WAV_DEPTHS) {
        const bytes = wavOf(channels, depth, 256, 8000);
        const { id } = (await uploadWav(bytes).expect(201)).body as SignalBody;
        ids.push(id);
        stored.set(id, { samples: decodeWav(bytes).samples, sampleRate: 8000 });
      }
    }
    const body = {
      type: 'energy',
      seed: 77,
      trials: 40,
      filterbank: { numFilters: [2, 5], filterLengths: [4, 16] },
      signals: [
        ...ids.map((id) => ({ kind: 'stored', id })),
        { kind: 'stored', id: ids[0], normalize: false, name: 'raw' },
      ],
    };
    const ok = (await http().post('/v1/experiments').send(body).expect(202)).body as { id: string };

    // Submitted, then its signal deleted before any worker runs: the worker fails it, saying why.
    const doomed = (
      await http()
        .post('/v1/signals')
        .send({ samples: [1, -1, 0.5, 2] })
        .expect(201)
    ).body as SignalBody;
    const orphan = (
      await http()
        .post('/v1/experiments')
        .send({
          type: 'energy',
          trials: 10,
          filterbank: { numFilters: 2, filterLengths: [2] },
          signals: [{ kind: 'stored', id: doomed.id }],
        })
        .expect(202)
    ).body as { id: string };
    await http().delete(`/v1/signals/${doomed.id}`).expect(204);

    const connection = connectRedis(stack.server.url, 'worker');
    connection.on('error', () => {});
    await connection.connect();
    let workers: RunningWorkers | undefined;
    try {
      workers = await startWorkers({ config: stack.config, connection, logger: pino({ level: 'silent' }) });
      const finished = (id: string) =>
        waitFor(
          async () =>
            (await http().get(`/v1/experiments/${id}`).expect(200)).body as {
              status: string;
              result?: unknown;
              error?: { status: number; detail: string };
            },
          (r) => ['succeeded', 'failed'].includes(r.status),
          20_000,
          `${id} to finish`,
        );
      const done = await finished(ok.id);
      assert.equal(done.status, 'succeeded', JSON.stringify(done.error));
      const seeded = { ...experimentRequestSchema.parse(body), seed: 77 } as SeededExperimentRequest;
      // Identical, not close: the same plan on the same float64 samples.
      assert.deepEqual(
        done.result,
        JSON.parse(
          JSON.stringify(
            runExperiment(seeded, undefined, undefined, stored, kernelPreferenceFromEnvironment()),
          ),
        ),
      );
      const failed = await finished(orphan.id);
      assert.equal(failed.status, 'failed');
      assert.equal(failed.error?.status, 422);
      assert.match(
        failed.error?.detail ?? '',
        /signals\[0\]\.id: no stored signal with id .*deleted after the experiment was submitted/,
      );
    } finally {
      await workers?.close();
      connection.disconnect();
    }
  });
});

describe('hostile uploads: 400, 413 or 415 problem+json whose detail names the problem', () => {
  const good = wavOf(2, '16', 100);
  const goodFloat = wavOf(1, '32f', 100);
  const cases: [string, () => Buffer, number, RegExp][] = [
    ['truncated header', () => good.subarray(0, 10), 400, /truncated WAV header/],
    ['truncated mid-chunk header', () => good.subarray(0, 16), 400, /truncated chunk header/],
    [
      'data chunk size lying (larger than the file)',
      () => patched(good, (v) => v.setUint32(chunkAt(good, 'data') + 4, 1_000_000, true)),
      400,
      /"data" chunk .* declares 1000000 bytes, but only \d+ remain/,
    ],
    [
      'RIFF size lying (file truncated)',
      () => good.subarray(0, good.length - 40),
      400,
      /declares \d+ bytes, but only \d+ remain|truncated WAV file/,
    ],
    [
      'compressed (IMA ADPCM)',
      () => patched(good, (v) => v.setUint16(chunkAt(good, 'fmt ') + 8, 0x0011, true)),
      415,
      /unsupported WAV format code 0x0011 \(IMA ADPCM\)/,
    ],
    [
      'compressed (MP3)',
      () => patched(good, (v) => v.setUint16(chunkAt(good, 'fmt ') + 8, 0x0055, true)),
      415,
      /MP3/,
    ],
    [
      'NaN sample',
      () => patched(goodFloat, (v) => v.setFloat32(chunkAt(goodFloat, 'data') + 8 + 4 * 7, Number.NaN, true)),
      400,
      /sample 7 of channel 0 is NaN/,
    ],
    [
      'Infinity sample',
      () => patched(goodFloat, (v) => v.setFloat32(chunkAt(goodFloat, 'data') + 8, -Infinity, true)),
      400,
      /sample 0 of channel 0 is -Infinity/,
    ],
    [
      'empty data chunk',
      () => {
        const at = chunkAt(good, 'data');
        return patched(good.subarray(0, at + 8), (v) => {
          v.setUint32(at + 4, 0, true);
          v.setUint32(4, at, true);
        });
      },
      400,
      /data chunk is empty/,
    ],
    [
      'no data chunk',
      () =>
        patched(good.subarray(0, chunkAt(good, 'data')), (v) =>
          v.setUint32(4, chunkAt(good, 'data') - 8, true),
        ),
      400,
      /no data chunk/,
    ],
    [
      'blockAlign that does not match',
      () => patched(good, (v) => v.setUint16(chunkAt(good, 'fmt ') + 20, 3, true)),
      400,
      /blockAlign 3 does not match/,
    ],
    [
      'unsupported bit depth',
      () => patched(good, (v) => v.setUint16(chunkAt(good, 'fmt ') + 22, 12, true)),
      415,
      /bit depth 12/,
    ],
    [
      'not a WAV (Ogg)',
      () => Buffer.from('OggS\0\x02 not really'),
      415,
      /not a WAV file: it starts with "OggS"/,
    ],
    [
      'RIFF but not WAVE',
      () => patched(good, (_v, b) => b.write('AVI ', 8, 'latin1')),
      415,
      /RIFF file of form "AVI "/,
    ],
    ['big-endian RIFX', () => patched(good, (_v, b) => b.write('RIFX', 0, 'latin1')), 415, /RIFX/],
    ['empty body', () => Buffer.alloc(0), 400, /empty/],
  ];
  for (const [name, make, status, detail] of cases) {
    test(`${name}: ${status}`, async () => {
      const problem = problemOf(await uploadWav(make()).expect(status));
      assert.match(problem.detail, detail);
    });
  }

  test('JSON: empty, non-numeric or zero samples, unknown fields, bad sampleRate: 400 naming the field', async () => {
    const bad: [unknown, string][] = [
      [{ samples: [] }, 'samples'],
      [{ samples: [1, 'x'] }, 'samples[1]'],
      [{ samples: [1, null] }, 'samples[1]'],
      [{ samples: [1], sampleRate: 0 }, 'sampleRate'],
      [{ samples: [1], extra: 1 }, '(body)'],
      [{}, 'samples'],
    ];
    for (const [body, path] of bad) {
      const problem = problemOf(
        await http()
          .post('/v1/signals')
          .send(body as object)
          .expect(400),
      );
      assert.ok(
        problem.errors?.some((e) => e.path === path),
        `${JSON.stringify(body)}: ${JSON.stringify(problem.errors)}`,
      );
    }
    assert.match(
      problemOf(
        await http()
          .post('/v1/signals')
          .send({ samples: [0, 0, 0] })
          .expect(400),
      ).detail,
      /every sample is 0/,
    );
    assert.match(
      problemOf(
        await http()
          .post('/v1/signals')
          .send({ samples: [1e200, 1e200] })
          .expect(400),
      ).detail,
      /overflows/,
    );
    // NaN cannot be written in JSON; as a string, or as a bare token, it is refused.
    problemOf(
      await http()
        .post('/v1/signals')
        .set('content-type', 'application/json')
        .send('{"samples":[NaN]}')
        .expect(400),
    );
  });

  test('other content types: 415 naming the accepted ones', async () => {
    for (const type of [
      'application/octet-stream',
      'text/plain',
      'audio/mpeg',
      'multipart/form-data; boundary=x',
    ]) {
      const problem = problemOf(await uploadWav(wavOf(1, '16'), type).expect(415));
      assert.match(problem.detail, /send audio\/wav or .*application\/json/, type);
    }
  });

  test('413 for a body over MAX_BODY_BYTES, and for a WAV of more frames than any signal may have', async () => {
    const app = await stack.extraApp({ MAX_BODY_BYTES: '1000', RATE_LIMIT_PER_MINUTE: '0' });
    problemOf(
      await request(app.server)
        .post('/v1/signals')
        .set('content-type', 'audio/wav')
        .send(wavOf(1, '16', 1000))
        .expect(413),
    );
    // 2^24 + 1 frames of 8-bit mono: 16 MiB of data, over LIMITS.maxSignalLength frames (decodeWav's 413).
    const big = await stack.extraApp({ MAX_BODY_BYTES: String(20 * 2 ** 20), RATE_LIMIT_PER_MINUTE: '0' });
    const frames = LIMITS.maxSignalLength + 1;
    const header = wavOf(1, '8', 2);
    const bytes = Buffer.alloc(44 + frames, 128);
    header.copy(bytes, 0, 0, 44);
    bytes.writeUInt32LE(36 + frames, 4);
    bytes.writeUInt32LE(frames, 40);
    assert.equal(chunkAt(bytes, 'data'), 36);
    const problem = problemOf(
      await request(big.server).post('/v1/signals').set('content-type', 'audio/wav').send(bytes).expect(413),
    );
    assert.match(problem.detail, new RegExp(`${frames} frames; at most ${LIMITS.maxSignalLength}`));
  });
});
