import type {
  AnalyzeFilterbankFileOptions,
  AnalyzeFilterbankRequestInput,
  AnalyzeFilterbankResult,
  AnalyzeSignalRequestInput,
  AnalyzeSignalResult,
  DesignRequestInput,
  DesignResult,
  DeletedExperiment,
  Experiment,
  ExperimentList,
  ExperimentRequestInput,
  ExperimentSummary,
  ExperimentSummaryList,
  MissingExperiment,
  ListOptions,
  View,
  Problem,
  Progress,
  Signal,
  SignalUploadInput,
} from './client-types.js';
import { FINAL_STATUSES } from './client-types.js';
import { EventStreamParser } from './event-stream-parser.js';
import { FbstabConnectionError } from './fbstab-connection-error.js';
import { FbstabProblemError } from './fbstab-problem-error.js';
import { retryAfterMs } from './retry-after.js';

/** How the client retries (docs/api.md "Client"). */
export interface RetryOptions {
  /** Retries after the first attempt (default 4); 0 never retries. */
  maxRetries?: number;
  /** Backoff without a Retry-After: baseDelayMs·2ⁿ, n = 0, 1, … (default 500). */
  baseDelayMs?: number;
  /**
   * The longest wait honoured (default 60 000 ms). An answer whose Retry-After asks for more is
   * not retried: its FbstabProblemError carries `retryAfterMs`.
   */
  maxDelayMs?: number;
  /** Called before each retry, e.g. to log it. */
  onRetry?: (retry: RetryEvent) => void;
}

/** One retry about to happen: why, and how long the client waits first. */
export interface RetryEvent {
  method: string;
  url: string;
  /** 1 for the first retry. */
  attempt: number;
  delayMs: number;
  /** The status that caused it (429, 503), or undefined after a network error. */
  status: number | undefined;
  error: unknown;
}

export interface FbstabClientOptions {
  /** Where the service is, e.g. `http://localhost:3000` (no `/v1`). */
  baseUrl: string;
  /** Sent as `Authorization: Bearer <apiKey>` when the server has API_KEYS. */
  apiKey?: string;
  /** A fetch to use instead of the global one (a proxy agent, instrumentation). */
  fetch?: typeof fetch;
  /** Retry settings, or false for none. */
  retry?: RetryOptions | false;
}

export interface CallOptions {
  signal?: AbortSignal;
}

export interface SubmitOptions extends CallOptions {
  /**
   * Idempotency-Key of the submission: a retry with the same key returns the first experiment.
   * When omitted the client makes one up per call, so its own retries never submit twice.
   */
  idempotencyKey?: string;
}

export interface WaitOptions extends CallOptions {
  /** Called with each progress that moves forward, from the event stream or from polling. */
  onProgress?: (progress: Progress) => void;
  /** Polling interval once the event stream is unavailable (default 1000 ms). */
  pollIntervalMs?: number;
  /** Called once if the event stream fails and `wait` falls back to polling. */
  onFallback?: (reason: unknown) => void;
}

/** Bytes of a file, as a browser or Node has them. */
export type FileBytes = Uint8Array | ArrayBuffer | Blob;

interface SendOptions extends CallOptions {
  body?: string | FileBytes;
  contentType?: string;
  accept?: string;
  headers?: Record<string, string>;
  /** Safe to repeat after a network error (GET, an idempotent POST or DELETE). */
  idempotent: boolean;
  /** A status that, answered to a retry (not to the first attempt), means the first one worked. */
  doneOnRetryStatus?: number;
}

const DEFAULT_RETRY = { maxRetries: 4, baseDelayMs: 500, maxDelayMs: 60_000 };

/**
 * A typed client of the fbstab HTTP API (docs/api.md "Client"), for browsers and Node ≥ 22: only
 * `fetch`, no other dependency. Every method returns the body the API answers, typed by the
 * server's own zod schemas; an answer that is not a success throws FbstabProblemError.
 */
export class FbstabClient {
  readonly baseUrl: string;
  readonly #apiKey: string | undefined;
  readonly #fetch: typeof fetch;
  readonly #retry: Required<Omit<RetryOptions, 'onRetry'>> & Pick<RetryOptions, 'onRetry'>;

  constructor(options: FbstabClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.#apiKey = options.apiKey;
    // Bound: a browser's fetch throws "Illegal invocation" when called as another object's method.
    this.#fetch = options.fetch ?? globalThis.fetch.bind(globalThis);
    this.#retry =
      options.retry === false ? { ...DEFAULT_RETRY, maxRetries: 0 } : { ...DEFAULT_RETRY, ...options.retry };
  }

  /** `POST /v1/experiments`: queues an experiment and returns it (status `queued`). */
  async submit(request: ExperimentRequestInput, options: SubmitOptions = {}): Promise<Experiment> {
    const key = options.idempotencyKey ?? globalThis.crypto.randomUUID();
    return this.#json('POST', '/v1/experiments', {
      ...signalOf(options),
      body: JSON.stringify(request),
      contentType: 'application/json',
      headers: { 'idempotency-key': key },
      idempotent: true,
    });
  }

  /** `GET /v1/experiments/{id}`. */
  async get(id: string, options: CallOptions = {}): Promise<Experiment> {
    return this.#json('GET', `/v1/experiments/${encodeURIComponent(id)}`, {
      ...signalOf(options),
      idempotent: true,
    });
  }

  /** `POST /v1/experiments/{id}/cancel`: idempotent; a finished experiment comes back unchanged. */
  async cancel(id: string, options: CallOptions = {}): Promise<Experiment> {
    return this.#json('POST', `/v1/experiments/${encodeURIComponent(id)}/cancel`, {
      ...signalOf(options),
      idempotent: true,
    });
  }

  /** `DELETE /v1/experiments/{id}`. */
  async delete(id: string, options: CallOptions = {}): Promise<void> {
    await this.#send('DELETE', `/v1/experiments/${encodeURIComponent(id)}`, {
      ...signalOf(options),
      idempotent: true,
      doneOnRetryStatus: 404,
    });
  }

  /** `GET /v1/experiments/{id}?view=summary`: its state and a digest, no result. */
  async getSummary(id: string, options: CallOptions = {}): Promise<ExperimentSummary> {
    return this.#json('GET', `/v1/experiments/${encodeURIComponent(id)}?view=summary`, {
      ...signalOf(options),
      idempotent: true,
    });
  }

  /** One page of `GET /v1/experiments`: summaries, or whole resources with `view: 'full'`. */
  async listPage(
    options: ListOptions & { cursor?: string; view: 'full' },
    call?: CallOptions,
  ): Promise<ExperimentList>;
  async listPage(
    options?: ListOptions & { cursor?: string; view?: 'summary' },
    call?: CallOptions,
  ): Promise<ExperimentSummaryList>;
  async listPage(
    options: ListOptions & { cursor?: string; view?: View } = {},
    call: CallOptions = {},
  ): Promise<ExperimentList | ExperimentSummaryList> {
    const query = new URLSearchParams();
    if (options.limit !== undefined) query.set('limit', String(options.limit));
    if (options.status !== undefined) query.set('status', options.status);
    if (options.cursor !== undefined) query.set('cursor', options.cursor);
    if (options.view === 'full') query.set('view', 'full');
    return this.#json('GET', `/v1/experiments${searchOf(query)}`, { ...signalOf(call), idempotent: true });
  }

  /**
   * Every experiment of the key, newest first, following `nextCursor` page by page: summaries,
   * or whole resources with `view: 'full'`.
   */
  list(
    options: ListOptions & { view: 'full' },
    call?: CallOptions,
  ): AsyncGenerator<Experiment, void, undefined>;
  list(
    options?: ListOptions & { view?: 'summary' },
    call?: CallOptions,
  ): AsyncGenerator<ExperimentSummary, void, undefined>;
  async *list(
    options: ListOptions & { view?: View } = {},
    call: CallOptions = {},
  ): AsyncGenerator<Experiment | ExperimentSummary, void, undefined> {
    let cursor: string | undefined;
    do {
      const page: ExperimentList | ExperimentSummaryList = await this.listPage(
        {
          ...options,
          view: options.view === 'full' ? 'full' : 'summary',
          ...(cursor === undefined ? {} : { cursor }),
        } as ListOptions & { view: 'full' },
        call,
      );
      // A plain listing holds experiments only; markers come with `ids` or `changedSince`.
      for (const item of page.items) if (isExperiment(item)) yield item;
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);
  }

  /**
   * `GET /v1/experiments?ids=…` (at most 100): the experiments in the order asked, an id this key
   * does not have as a `MissingExperiment` marker (docs/api.md "Batch reads").
   */
  async getMany(
    ids: readonly string[],
    options: CallOptions & { view: 'full' },
  ): Promise<(Experiment | MissingExperiment)[]>;
  async getMany(
    ids: readonly string[],
    options?: CallOptions & { view?: 'summary' },
  ): Promise<(ExperimentSummary | MissingExperiment)[]>;
  async getMany(
    ids: readonly string[],
    options: CallOptions & { view?: View } = {},
  ): Promise<(Experiment | ExperimentSummary | MissingExperiment | DeletedExperiment)[]> {
    const query = new URLSearchParams({ ids: ids.join(',') });
    if (options.view === 'full') query.set('view', 'full');
    const page: ExperimentList | ExperimentSummaryList = await this.#json(
      'GET',
      `/v1/experiments${searchOf(query)}`,
      { ...signalOf(options), idempotent: true },
    );
    return page.items;
  }

  /**
   * `GET /v1/experiments?changedSince=…` (docs/api.md "Changes"): what changed after `token`
   * (every experiment when it is undefined), oldest change first, deletions as
   * `DeletedExperiment`, and the token to pass next time. Follows every page.
   */
  async changes(
    token: string | undefined,
    options: CallOptions & { view?: View } = {},
  ): Promise<{
    items: (Experiment | ExperimentSummary | DeletedExperiment | MissingExperiment)[];
    changeToken: string;
  }> {
    const items: (Experiment | ExperimentSummary | DeletedExperiment | MissingExperiment)[] = [];
    if (token === undefined) {
      // The token comes first, so nothing that changes while the pages are read is missed.
      const first: ExperimentSummaryList = await this.listPage({ limit: 1 }, options);
      token = first.changeToken;
      for await (const item of options.view === 'full'
        ? this.list({ view: 'full' }, options)
        : this.list({}, options))
        items.push(item);
      return { items, changeToken: token };
    }
    let next: string | undefined = token;
    let changeToken = token;
    while (next !== undefined) {
      const query: URLSearchParams = new URLSearchParams({ changedSince: next, limit: '100' });
      if (options.view === 'full') query.set('view', 'full');
      const page: ExperimentList | ExperimentSummaryList = await this.#json(
        'GET',
        `/v1/experiments${searchOf(query)}`,
        { ...signalOf(options), idempotent: true },
      );
      items.push(...page.items);
      changeToken = page.changeToken;
      next = page.items.length === 100 && changeToken !== next ? changeToken : undefined;
    }
    return { items, changeToken };
  }

  /**
   * Waits until the experiment is final and returns it (with its result when it succeeded). It
   * follows `GET /v1/experiments/{id}/events`; when the stream cannot be opened or ends early, it
   * polls `GET /v1/experiments/{id}` instead. An experiment that failed or was cancelled is
   * returned too: look at `status`.
   */
  async wait(id: string, options: WaitOptions = {}): Promise<Experiment> {
    // Workers publish progress independently, so two events can arrive out of order; report
    // only progress that moves forward.
    let last = -1;
    const report = (progress: Progress) => {
      if (progress.completedTrials <= last) return;
      last = progress.completedTrials;
      options.onProgress?.(progress);
    };
    try {
      if (await this.#follow(id, report, options.signal)) {
        const resource = await this.get(id, signalOf(options));
        // A final status is stored before it is published, so this GET sees it.
        if (FINAL_STATUSES.includes(resource.status)) {
          report(resource.progress);
          return resource;
        }
      }
      options.onFallback?.(new Error('the event stream ended before a final status'));
    } catch (error) {
      if (options.signal?.aborted === true) throw error;
      // The experiment or the key is wrong: polling would answer the same.
      if (error instanceof FbstabProblemError && [401, 403, 404].includes(error.status)) throw error;
      options.onFallback?.(error);
    }
    for (;;) {
      const resource = await this.get(id, signalOf(options));
      report(resource.progress);
      if (FINAL_STATUSES.includes(resource.status)) return resource;
      await sleep(options.pollIntervalMs ?? 1000, options.signal);
    }
  }

  /** `GET /v1/experiments/{id}/plots/{name}.svg`: the SVG text. */
  async plot(id: string, name: string, options: CallOptions = {}): Promise<string> {
    const res = await this.#send(
      'GET',
      `/v1/experiments/${encodeURIComponent(id)}/plots/${encodeURIComponent(name)}.svg`,
      {
        ...signalOf(options),
        accept: 'image/svg+xml',
        idempotent: true,
      },
    );
    return res.text();
  }

  /** `POST /v1/signals` with JSON samples. */
  async uploadSignal(signal: SignalUploadInput, options: CallOptions = {}): Promise<Signal> {
    return this.#json('POST', '/v1/signals', {
      ...signalOf(options),
      body: JSON.stringify(signal),
      contentType: 'application/json',
      idempotent: false,
    });
  }

  /** `POST /v1/signals` with a WAV file (any channels, mixed down to mono by the server). */
  async uploadSignalWav(wav: FileBytes, options: CallOptions & { name?: string } = {}): Promise<Signal> {
    const search = options.name === undefined ? '' : `?${new URLSearchParams({ name: options.name })}`;
    return this.#json('POST', `/v1/signals${search}`, {
      ...signalOf(options),
      body: wav,
      contentType: 'audio/wav',
      idempotent: false,
    });
  }

  /** `GET /v1/signals/{id}`. */
  async getSignal(id: string, options: CallOptions = {}): Promise<Signal> {
    return this.#json('GET', `/v1/signals/${encodeURIComponent(id)}`, {
      ...signalOf(options),
      idempotent: true,
    });
  }

  /** `DELETE /v1/signals/{id}`. */
  async deleteSignal(id: string, options: CallOptions = {}): Promise<void> {
    await this.#send('DELETE', `/v1/signals/${encodeURIComponent(id)}`, {
      ...signalOf(options),
      idempotent: true,
      doneOnRetryStatus: 404,
    });
  }

  /** `POST /v1/analyze/signal`: the energy theory of one signal, no simulation. */
  async analyzeSignal(
    request: AnalyzeSignalRequestInput,
    options: CallOptions = {},
  ): Promise<AnalyzeSignalResult> {
    return this.#postJson('/v1/analyze/signal', request, options);
  }

  /** `POST /v1/analyze/filterbank` with the taps as JSON. */
  async analyzeFilterbank(
    request: AnalyzeFilterbankRequestInput,
    options: CallOptions = {},
  ): Promise<AnalyzeFilterbankResult> {
    return this.#postJson('/v1/analyze/filterbank', request, options);
  }

  /**
   * `POST /v1/analyze/filterbank` with a weights file (.npy, .npz or .safetensors), sent as
   * application/octet-stream, which the server recognises by its first bytes; `array` or
   * `tensor` chooses what to analyse in a file that holds several.
   */
  async analyzeFilterbankFile(
    file: FileBytes,
    options: CallOptions & AnalyzeFilterbankFileOptions = {},
  ): Promise<AnalyzeFilterbankResult> {
    const query = new URLSearchParams();
    for (const name of ['stride', 'signalLength', 'array', 'tensor'] as const) {
      const value = options[name];
      if (value !== undefined) query.set(name, String(value));
    }
    const search = query.size > 0 ? `?${query}` : '';
    return this.#json('POST', `/v1/analyze/filterbank${search}`, {
      ...signalOf(options),
      body: file,
      contentType: 'application/octet-stream',
      idempotent: true,
    });
  }

  /** `POST /v1/design`: the fewest filters for a target condition number, per filter length. */
  async design(request: DesignRequestInput, options: CallOptions = {}): Promise<DesignResult> {
    return this.#postJson('/v1/design', request, options);
  }

  /** The analyses are pure functions of their body: safe to repeat. */
  #postJson<T>(path: string, body: unknown, options: CallOptions): Promise<T> {
    return this.#json('POST', path, {
      ...signalOf(options),
      body: JSON.stringify(body),
      contentType: 'application/json',
      idempotent: true,
    });
  }

  async #json<T>(method: string, path: string, options: SendOptions): Promise<T> {
    const res = await this.#send(method, path, { accept: 'application/json', ...options });
    return (await res.json()) as T;
  }

  /**
   * Reads the event stream until a final status (true) or its end (false). Throws when it cannot
   * be opened, so that `wait` falls back to polling.
   */
  async #follow(
    id: string,
    report: (progress: Progress) => void,
    signal: AbortSignal | undefined,
  ): Promise<boolean> {
    const res = await this.#send('GET', `/v1/experiments/${encodeURIComponent(id)}/events`, {
      ...(signal === undefined ? {} : { signal }),
      accept: 'text/event-stream',
      // A stream that cannot connect falls back to polling at once, which retries on its own.
      idempotent: false,
    });
    const type = res.headers.get('content-type') ?? '';
    if (!type.startsWith('text/event-stream') || res.body === null) {
      await res.body?.cancel();
      throw new Error(`the event stream answered ${type || 'no content type'}`);
    }
    const reader = res.body.getReader();
    const decoder = new TextDecoder();
    const parser = new EventStreamParser();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        const text = done ? decoder.decode() : decoder.decode(value, { stream: true });
        for (const event of parser.push(text)) {
          const data = JSON.parse(event.data) as unknown;
          if (event.event === 'progress') report(data as Progress);
          else if (event.event === 'status' && FINAL_STATUSES.includes((data as Experiment).status))
            return true;
        }
        if (done) return false;
      }
    } finally {
      await reader.cancel().catch(() => {});
    }
  }

  /** One call with the retries of RetryOptions; resolves to a 2xx response only. */
  async #send(method: string, path: string, options: SendOptions): Promise<Response> {
    const url = `${this.baseUrl}${path}`;
    const headers: Record<string, string> = { ...options.headers };
    if (options.accept !== undefined) headers.accept = options.accept;
    if (options.contentType !== undefined) headers['content-type'] = options.contentType;
    if (this.#apiKey !== undefined) headers.authorization = `Bearer ${this.#apiKey}`;
    const body = options.body === undefined ? undefined : bodyInit(options.body);
    for (let attempt = 0; ; attempt++) {
      let res: Response;
      try {
        res = await this.#fetch(url, {
          method,
          headers,
          ...(body === undefined ? {} : { body }),
          ...(options.signal === undefined ? {} : { signal: options.signal }),
        });
      } catch (error) {
        if (options.signal?.aborted === true) throw error;
        const delayMs = this.#retry.baseDelayMs * 2 ** attempt;
        if (!options.idempotent || attempt >= this.#retry.maxRetries || delayMs > this.#retry.maxDelayMs)
          throw new FbstabConnectionError(url, error);
        this.#retry.onRetry?.({ method, url, attempt: attempt + 1, delayMs, status: undefined, error });
        await sleep(delayMs, options.signal);
        continue;
      }
      if (res.ok) return res;
      if (attempt > 0 && res.status === options.doneOnRetryStatus) {
        await res.body?.cancel();
        return res;
      }
      const asked = retryAfterMs(res.headers.get('retry-after'));
      const error = new FbstabProblemError(await problemOf(res), asked);
      if (res.status !== 429 && res.status !== 503) throw error;
      const delayMs = asked ?? this.#retry.baseDelayMs * 2 ** attempt;
      if (attempt >= this.#retry.maxRetries || delayMs > this.#retry.maxDelayMs) throw error;
      this.#retry.onRetry?.({ method, url, attempt: attempt + 1, delayMs, status: res.status, error });
      await sleep(delayMs, options.signal);
    }
  }
}

const signalOf = (options: CallOptions): CallOptions =>
  options.signal === undefined ? {} : { signal: options.signal };

function bodyInit(body: string | FileBytes): NonNullable<RequestInit['body']> {
  if (typeof body === 'string' || body instanceof Blob || body instanceof ArrayBuffer) return body;
  // A view may be a window on a larger buffer: send its bytes only.
  return body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength) as ArrayBuffer;
}

/** The problem+json body of a failed answer; a body that is not one becomes an about:blank problem. */
async function problemOf(res: Response): Promise<Problem> {
  const text = await res.text().catch(() => '');
  try {
    const body = JSON.parse(text) as Partial<Problem> | null;
    if (
      body !== null &&
      typeof body === 'object' &&
      typeof body.status === 'number' &&
      typeof body.title === 'string'
    )
      return {
        ...body,
        type: body.type ?? 'about:blank',
        title: body.title,
        status: body.status,
        detail: body.detail ?? '',
      };
  } catch {
    // not JSON: described below
  }
  return {
    type: 'about:blank',
    title: res.statusText === '' ? `HTTP ${res.status}` : res.statusText,
    status: res.status,
    detail:
      text.slice(0, 500) === ''
        ? `the server answered ${res.status} with no problem body`
        : text.slice(0, 500),
  };
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted === true) {
      reject(signal.reason as Error);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason as Error);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function searchOf(query: URLSearchParams): string {
  return query.size > 0 ? `?${query}` : '';
}

function isExperiment<T extends { id: string }>(item: T | MissingExperiment | DeletedExperiment): item is T {
  return !('deleted' in item) && typeof (item as { status?: unknown }).status === 'string';
}
