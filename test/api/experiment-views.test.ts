// Views, changes and batch reads of GET /v1/experiments (docs/api.md "Views", "Changes",
// "Batch reads") and the key-wide stream GET /v1/events, on a real Redis with real workers.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import request from 'supertest';
import { experimentResource } from '../../src/service/experiment-service.js';
import { ExperimentStore } from '../../src/store/experiment-store.js';
import { ownerOfKey } from '../../src/api/plugins/auth.js';
import { keys } from '../../src/store/redis-keys.js';
import { problemOf, smallRequest, startStack, waitFor, watchEvents as watch, type Stack } from './helpers.js';

const ALICE = 'alice-key-0123456789';
const BOB = 'bob-key-9876543210';
const auth = (key: string) => ({ authorization: `Bearer ${key}` });

/** Runs for minutes unless cancelled: J = 40, T = 1024, 200 000 trials. */
const bigRequest = {
  type: 'frame-bounds',
  seed: 1,
  trials: 200_000,
  signalLength: 1024,
  filterbank: { numFilters: 40, filterLengths: [1024] },
};

interface Summary {
  id: string;
  status: string;
  version: number;
  progress: { completedTrials: number; totalTrials: number };
  summary: Record<string, unknown>;
  links: Record<string, unknown>;
  deleted?: boolean;
}
interface ListBody {
  items: Summary[];
  nextCursor: string | null;
  changeToken: string;
}

let stack: Stack;
const http = () => request(stack.app.server);

before(async () => {
  stack = await startStack({
    workers: true,
    env: { API_KEYS: `${ALICE},${BOB}`, RATE_LIMIT_PER_MINUTE: '0', MAX_EXPERIMENT_COST: '1000000' },
  });
});
after(async () => {
  await stack.close();
});

const submit = async (key: string, body: unknown = smallRequest()) =>
  (
    (
      await http()
        .post('/v1/experiments')
        .set(auth(key))
        .send(body as object)
        .expect(202)
    ).body as { id: string }
  ).id;

const finished = (key: string, id: string) =>
  waitFor(
    async () => (await http().get(`/v1/experiments/${id}`).set(auth(key)).expect(200)).body as Summary,
    (r) => r.status === 'succeeded',
    30_000,
    `${id} succeeded`,
  );

const list = async (key: string, query: string): Promise<ListBody> =>
  (await http().get(`/v1/experiments${query}`).set(auth(key)).expect(200)).body as ListBody;

/** The items of a list answer, as the exact bytes the server sent for each. */
function itemTexts(text: string): string[] {
  const items = (JSON.parse(text) as { items: unknown[] }).items;
  // Each item's bytes: re-serialising is exact because the server's items are plain JSON.
  return items.map((item) => JSON.stringify(item));
}

test('the list answers summaries by default: no result, no request samples, each under 2 KB', async () => {
  // The biggest request a summary digests: 64 J values, 64 T values, 32 long-named signals of samples.
  const huge = {
    type: 'energy',
    trials: 1,
    filterbank: {
      numFilters: Array.from({ length: 64 }, (_, i) => 4000 + i),
      filterLengths: Array.from({ length: 64 }, (_, i) => 1 + i),
    },
    signals: Array.from({ length: 32 }, (_, i) => ({
      kind: 'samples',
      name: `${'a-very-long-signal-name-'.repeat(4)}${i}`.slice(0, 100),
      samples: Array.from({ length: 64 }, (_, k) => Math.sin(k + i)),
    })),
  };
  const big = await submit(ALICE, huge);
  // Its summary is what matters, not its run (hours of work): stop it before a worker does much.
  await http().post(`/v1/experiments/${big}/cancel`).set(auth(ALICE)).expect(200);
  const small = await submit(ALICE);
  await finished(ALICE, small);
  const res = await http().get('/v1/experiments?limit=100').set(auth(ALICE)).expect(200);
  const body = res.body as ListBody;
  assert.ok(body.items.length >= 2);
  for (const text of itemTexts(res.text)) {
    assert.ok(Buffer.byteLength(text) < 2048, `summary of ${Buffer.byteLength(text)} bytes`);
    assert.doesNotMatch(text, /"result"|"request"|"samples"/);
  }
  const bigItem = body.items.find((i) => i.id === big)!;
  assert.equal((bigItem.summary.numFilters as number[]).length, 64);
  assert.equal((bigItem.summary.filterLengths as number[]).length, 64);
  assert.equal(bigItem.summary.signalCount, 32);
  assert.equal((bigItem.summary.signals as string[]).length, 8);
  const smallItem = body.items.find((i) => i.id === small)!;
  assert.equal(smallItem.status, 'succeeded');
  assert.deepEqual(smallItem.summary, {
    type: 'frame-bounds',
    numFilters: [4],
    filterLengths: [4, 8],
    trials: 50,
    signalLength: 64,
    stride: 1,
  });
  assert.equal(smallItem.progress.completedTrials, smallItem.progress.totalTrials);
  assert.equal(smallItem.links.self, `/v1/experiments/${small}`);
  assert.ok(smallItem.version > 0);
  // A finished experiment's summary was stored as served, like its full body.
  assert.equal(await stack.redis.exists(keys.summary(small)), 1);
  assert.equal(await stack.redis.exists(keys.summary(big)), 1, 'cancelled is final too');
  await http().delete(`/v1/experiments/${big}`).set(auth(ALICE)).expect(204);
  assert.equal(await stack.redis.exists(keys.summary(big)), 0, 'deleted with it');

  // GET /v1/experiments/{id}?view=summary is the same summary, byte for byte (cached or not).
  const one = await http().get(`/v1/experiments/${small}?view=summary`).set(auth(ALICE)).expect(200);
  assert.equal(one.text, JSON.stringify(smallItem));
  const again = await http().get(`/v1/experiments/${small}?view=summary`).set(auth(ALICE)).expect(200);
  assert.equal(again.text, one.text);
  await http()
    .get(`/v1/experiments/${small}?view=summary`)
    .set({ ...auth(ALICE), 'if-none-match': one.headers.etag! })
    .expect(304);
  await http().get(`/v1/experiments/${small}?view=summary`).set(auth(BOB)).expect(404);
});

test('a record stored before summaries had a head is summarised from its doc, to the same bytes', async () => {
  const id = await submit(ALICE, bigRequest);
  await http().post(`/v1/experiments/${id}/cancel`).set(auth(ALICE)).expect(200);
  const withHead = await http().get(`/v1/experiments/${id}?view=summary`).set(auth(ALICE)).expect(200);
  await stack.redis.del(keys.summary(id));
  assert.equal(await stack.redis.hdel(keys.experiment(id), 'head'), 1);
  const fromDoc = await http().get(`/v1/experiments/${id}?view=summary`).set(auth(ALICE)).expect(200);
  assert.equal(fromDoc.text, withHead.text);
});

test('view=full items are the experiment resources, byte for byte as GET /v1/experiments/{id} sends them', async () => {
  const ids = [await submit(ALICE), await submit(ALICE)];
  for (const id of ids) await finished(ALICE, id);
  const res = await http().get('/v1/experiments?view=full&limit=100').set(auth(ALICE)).expect(200);
  const texts = itemTexts(res.text);
  assert.match(res.text, /^\{"items":\[\{"id"/);
  const store = new ExperimentStore(stack.redis, stack.config.RESULT_TTL_SECONDS);
  for (const id of ids) {
    const single = await http().get(`/v1/experiments/${id}`).set(auth(ALICE)).expect(200);
    assert.ok(res.text.includes(single.text), 'the list holds the exact bytes of the single GET');
    assert.ok(texts.includes(single.text));
    const fresh = experimentResource((await store.snapshot(id))!);
    assert.deepEqual(JSON.parse(single.text), JSON.parse(JSON.stringify(fresh)));
    assert.ok('result' in (JSON.parse(single.text) as object));
  }
});

test('changedSince: creation, progress, finish, cancel and delete appear; nothing changed gives no items and the same token', async () => {
  const start = await list(ALICE, '?limit=1');
  const quiet = await list(ALICE, `?changedSince=${start.changeToken}`);
  assert.deepEqual(quiet.items, []);
  assert.equal(quiet.changeToken, start.changeToken);

  // Creation and finish (with progress on the way) of a small one.
  const small = await submit(ALICE);
  const created = await list(ALICE, `?changedSince=${start.changeToken}`);
  assert.deepEqual(
    created.items.map((i) => i.id),
    [small],
  );
  await finished(ALICE, small);
  const done = await list(ALICE, `?changedSince=${created.changeToken}`);
  assert.equal(done.items.length, 1);
  assert.equal(done.items[0]!.status, 'succeeded');
  assert.ok(done.items[0]!.version > created.items[0]!.version, 'the version grew');

  // Progress of a running one: its version grows while it runs.
  const big = await submit(ALICE, bigRequest);
  const running = await waitFor(
    () => list(ALICE, `?changedSince=${done.changeToken}`),
    (b) => b.items.some((i) => i.id === big && i.status === 'running' && i.progress.completedTrials > 0),
    30_000,
    'progress of the big one',
  );
  const before = running.items.find((i) => i.id === big)!;
  // Polls from the token on (a page may repeat an item: changes come at least once) until a
  // later version of it shows up, with at least as much progress.
  let token = running.changeToken;
  const later = await waitFor(
    async () => {
      const page = await list(ALICE, `?changedSince=${token}&limit=100`);
      token = page.changeToken;
      return page.items.find((i) => i.id === big && i.version > before.version);
    },
    (item) => item !== undefined,
    30_000,
    'more progress',
  );
  assert.ok(later!.progress.completedTrials >= before.progress.completedTrials);
  const moved = { changeToken: token };

  // Cancel, then delete: a status change, then a tombstone.
  await http().post(`/v1/experiments/${big}/cancel`).set(auth(ALICE)).expect(200);
  const cancelled = await list(ALICE, `?changedSince=${moved.changeToken}&limit=100`);
  assert.equal(cancelled.items.find((i) => i.id === big)?.status, 'cancelled');
  await http().delete(`/v1/experiments/${big}`).set(auth(ALICE)).expect(204);
  const deleted = await list(ALICE, `?changedSince=${cancelled.changeToken}&view=full`);
  assert.deepEqual(deleted.items, [{ id: big, version: deleted.items[0]!.version, deleted: true }]);
  // Bob's change log is his own.
  const bob = await list(BOB, '?limit=1');
  assert.deepEqual((await list(BOB, `?changedSince=${bob.changeToken}`)).items, []);
  // A full page of changes: the token stands at its last one, and the next poll has the rest.
  const three = [await submit(ALICE), await submit(ALICE), await submit(ALICE)];
  // (They may run meanwhile, which moves them in the log; each still shows up.)
  let page = await list(ALICE, `?changedSince=${deleted.changeToken}&limit=2`);
  assert.equal(page.items.length, 2);
  const seen = new Set(page.items.map((i) => i.id));
  while (page.items.length === 2) {
    page = await list(ALICE, `?changedSince=${page.changeToken}&limit=2`);
    for (const item of page.items) seen.add(item.id);
  }
  for (const id of three) assert.ok(seen.has(id));
  const gone = await http()
    .get(
      `/v1/experiments?changedSince=${encodeURIComponent(Buffer.from('0badc0de.1').toString('base64url'))}`,
    )
    .set(auth(ALICE))
    .expect(410);
  assert.equal(problemOf(gone).type, '/problems/change-token-expired');
});

/** Waits until none of the key's experiments is queued or running, so that its log is still. */
async function settled(key: string): Promise<void> {
  for (const status of ['queued', 'running']) {
    await waitFor(
      () => list(key, `?status=${status}&limit=1`),
      (page) => page.items.length === 0,
      60_000,
      `no ${status} experiment`,
    );
  }
}

test('ETag: If-None-Match on an unchanged list answers 304 with no body; any change makes it 200', async () => {
  // Earlier tests' experiments may still be running; they would change the list under us.
  await settled(ALICE);
  const first = await http().get('/v1/experiments?limit=5').set(auth(ALICE)).expect(200);
  const etag = first.headers.etag!;
  assert.match(etag, /^W\/"/);
  const same = await http()
    .get('/v1/experiments?limit=5')
    .set({ ...auth(ALICE), 'if-none-match': etag })
    .expect(304);
  assert.equal(same.text, '');
  // Another query has another validator.
  await http()
    .get('/v1/experiments?limit=6')
    .set({ ...auth(ALICE), 'if-none-match': etag })
    .expect(200);
  // Bob's activity does not touch Alice's validator.
  await submit(BOB);
  await http()
    .get('/v1/experiments?limit=5')
    .set({ ...auth(ALICE), 'if-none-match': etag })
    .expect(304);
  const id = await submit(ALICE);
  const changed = await http()
    .get('/v1/experiments?limit=5')
    .set({ ...auth(ALICE), 'if-none-match': etag })
    .expect(200);
  assert.equal((changed.body as ListBody).items[0]!.id, id);
  // The changedSince poll has its own, and 304s while nothing changes.
  const token = (changed.body as ListBody).changeToken;
  const poll = await http().get(`/v1/experiments?changedSince=${token}`).set(auth(ALICE)).expect(200);
  await finished(ALICE, id);
  const after = await http()
    .get(`/v1/experiments?changedSince=${token}`)
    .set({ ...auth(ALICE), 'if-none-match': poll.headers.etag! })
    .expect(200);
  const still = await http()
    .get(`/v1/experiments?changedSince=${token}`)
    .set({ ...auth(ALICE), 'if-none-match': after.headers.etag! })
    .expect(304);
  assert.equal(still.text, '');
});

test("ids: a batch in the order asked, with a 404 marker for missing ids and for other keys' ids alike", async () => {
  const a = await submit(ALICE);
  const b = await submit(ALICE);
  const bobs = await submit(BOB);
  const unknown = '00000000-0000-4000-8000-000000000000';
  const ids = [b, bobs, a, unknown, 'not-a-uuid'];
  for (const view of ['summary', 'full']) {
    const body = await list(ALICE, `?ids=${ids.join(',')}&view=${view}`);
    assert.deepEqual(
      body.items.map((i) => i.id),
      ids,
    );
    assert.equal(body.items[0]!.status.length > 0, true);
    assert.equal('request' in body.items[0]!, view === 'full');
    const markers = body.items.slice(1, 2).concat(body.items.slice(3));
    for (const marker of markers) {
      const m = marker as unknown as {
        id: string;
        status: number;
        problem: { status: number; detail: string };
      };
      assert.equal(m.status, 404);
      assert.equal(m.problem.status, 404);
      assert.deepEqual(Object.keys(m), ['id', 'status', 'problem']);
    }
    // Bob's id and an unknown one look the same, but for the id itself.
    const norm = (i: unknown, id: string) => JSON.stringify(i).replaceAll(id, 'ID');
    assert.equal(norm(body.items[1], bobs), norm(body.items[3], unknown));
  }
});

test('bad view, changedSince and ids give 400 problems naming the field', async () => {
  const cases: [string, string][] = [
    ['?view=everything', 'view'],
    ['?changedSince=nonsense', 'changedSince'],
    [`?ids=${Array.from({ length: 101 }, () => '00000000-0000-4000-8000-000000000000').join(',')}`, 'ids'],
    ['?ids=a,,b', 'ids'],
    ['?ids=a&cursor=x', 'ids'],
    ['?changedSince=x&status=running', 'changedSince'],
  ];
  for (const [query, field] of cases) {
    const res = await http().get(`/v1/experiments${query}`).set(auth(ALICE)).expect(400);
    const problem = problemOf(res);
    assert.ok(
      problem.errors?.some((e) => e.path === field),
      `${query}: ${JSON.stringify(problem.errors)}`,
    );
  }
  const res = await http()
    .get(`/v1/experiments/00000000-0000-4000-8000-000000000000?view=x`)
    .set(auth(ALICE));
  assert.equal(res.status, 400);
  assert.ok(problemOf(res).errors?.some((e) => e.path === 'view'));
});

test("GET /v1/events streams the changes of this key's experiments, not another key's, and resumes after Last-Event-ID", async () => {
  const ids: string[] = [];
  let bobs = '';
  const seen = watch(
    `${stack.base}/v1/events`,
    auth(ALICE),
    (events) =>
      ids.length === 2 &&
      ids.every((id) =>
        events.some(
          (e) =>
            e.event === 'change' &&
            (e.data as Summary).id === id &&
            (e.data as Summary).status === 'succeeded',
        ),
      ),
  );
  // Submitted once the stream is open (its first event, `ready`, follows the subscription).
  await new Promise((r) => setTimeout(r, 300));
  bobs = await submit(BOB);
  ids.push(await submit(ALICE), await submit(ALICE));
  const events = await seen;
  assert.equal(events[0]!.event, 'ready');
  const changes = events.filter((e) => e.event === 'change').map((e) => e.data as Summary);
  assert.ok(
    changes.every((c) => c.id !== bobs),
    'no change of another key',
  );
  const versions = events.filter((e) => e.event === 'change').map((e) => (e.data as Summary).version);
  assert.deepEqual(
    [...versions].sort((x, y) => x - y),
    versions,
    'in the order of the change log',
  );

  // Resume after the first change: the ones after it come again, none before it.
  const first = events.find((e) => e.event === 'change')!;
  await http().delete(`/v1/experiments/${ids[0]}`).set(auth(ALICE)).expect(204);
  const resumed = await watch(
    `${stack.base}/v1/events`,
    { ...auth(ALICE), 'last-event-id': first.id! },
    (evs) => evs.some((e) => (e.data as Summary).deleted === true),
  );
  const replayed = resumed.filter((e) => e.event === 'change').map((e) => e.data as Summary);
  assert.ok(replayed.every((c) => c.version > (first.data as Summary).version));
  assert.deepEqual(replayed.at(-1), { id: ids[0], version: replayed.at(-1)!.version, deleted: true });
});

test('GET /v1/events: a Last-Event-ID the change log does not cover gives a reset event; a changedSince one, 410', async () => {
  const stale = Buffer.from('0badc0de.5').toString('base64url');
  const events = await watch(`${stack.base}/v1/events`, { ...auth(ALICE), 'last-event-id': stale }, (evs) =>
    evs.some((e) => e.event === 'ready'),
  );
  assert.deepEqual(
    events.map((e) => e.event),
    ['reset', 'ready'],
  );
  const res = await http().get(`/v1/events?changedSince=${stale}`).set(auth(ALICE)).expect(410);
  assert.equal(problemOf(res).type, '/problems/change-token-expired');
  const bad = await http().get('/v1/events?changedSince=nonsense').set(auth(ALICE)).expect(400);
  assert.ok(problemOf(bad).errors?.some((e) => e.path === 'changedSince'));
});

test('summary pages walk the list like full pages: same ids, same order, stable cursors', async () => {
  for (let i = 0; i < 5; i++) await submit(BOB);
  const walk = async (view: string) => {
    const ids: string[] = [];
    let cursor: string | null = null;
    do {
      const page: ListBody = await list(
        BOB,
        `?limit=2&view=${view}${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}`,
      );
      ids.push(...page.items.map((i) => i.id));
      cursor = page.nextCursor;
    } while (cursor !== null);
    return ids;
  };
  const summaries = await walk('summary');
  assert.ok(summaries.length >= 5);
  assert.equal(new Set(summaries).size, summaries.length, 'no id twice');
  assert.deepEqual(summaries, await walk('full'));
});

test('a first page is served from its cached bytes until a change of the key moves the log', async () => {
  const owner = ownerOfKey(BOB);
  const a = await submit(BOB);
  await finished(BOB, a);
  const first = await http().get('/v1/experiments?limit=7').set(auth(BOB)).expect(200);
  const cached = await stack.redis.get(keys.firstPageOf(owner, 7));
  assert.ok(cached !== null, 'the page was cached');
  assert.equal(cached.slice(cached.indexOf('\n') + 1), first.text, 'the cache holds the bytes served');
  const again = await http().get('/v1/experiments?limit=7').set(auth(BOB)).expect(200);
  assert.equal(again.text, first.text);
  assert.equal(again.headers.etag, first.headers.etag);
  // Plant different bytes at the current position, under another stamp (as another API process
  // would have rebuilt them): a page served from the cache shows them, not this process's copy.
  const position = cached.slice(0, cached.indexOf(';') + 1);
  await stack.redis.set(
    keys.firstPageOf(owner, 7),
    `${position}planted\n{"items":[],"nextCursor":null,"changeToken":"x"}`,
  );
  for (let i = 0; i < 2; i++) {
    assert.equal(
      (await http().get('/v1/experiments?limit=7').set(auth(BOB)).expect(200)).text,
      '{"items":[],"nextCursor":null,"changeToken":"x"}',
    );
  }
  // A new experiment moves the log: the page is rebuilt and shows it, then the deletion.
  const b = await submit(BOB);
  const withB = await list(BOB, '?limit=7');
  assert.equal(withB.items[0]?.id, b);
  await finished(BOB, b);
  await http().delete(`/v1/experiments/${b}`).set(auth(BOB)).expect(204);
  const withoutB = await list(BOB, '?limit=7');
  assert.ok(!withoutB.items.some((item) => item.id === b), 'a deleted experiment leaves the page');
  assert.equal(withoutB.items[0]?.id, a);
});
