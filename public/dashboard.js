// The fbstab dashboard: a plain ES module, no framework, no build. It talks only to this
// origin's /v1 API (docs/api.md), with `Authorization: Bearer <key>` when a key is set.
//
// Live updates: the list holds summaries (docs/api.md "Views"), and one poll every 2 s asks only
// for what changed (`changedSince`, with If-None-Match: an idle page gets 304s with no body).
// A result is fetched only when its experiment is opened.

const KEY_STORAGE = 'fbstab.apiKey';
/** Every poll counts against RATE_LIMIT_PER_MINUTE: 30 a minute per open tab. */
const POLL_MS = 2000;
/** Changes asked for per poll; a full page is followed at once by the next one. */
const CHANGES_PER_POLL = 100;
const FINAL = new Set(['succeeded', 'failed', 'cancelled']);

const SMALL_CUSTOM_REQUEST = {
  type: 'energy',
  trials: 500,
  filterbank: { numFilters: 8, filterLengths: [8, 32, 128] },
  signals: [
    { kind: 'impulse', length: 256 },
    { kind: 'sine', length: 256, frequency: 0.1 },
  ],
};

const $ = (selector, root = document) => root.querySelector(selector);

/** Creates an element with attributes (`class`, `text`, `on…` handlers and plain attributes). */
function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'class') element.className = value;
    else if (name === 'text') element.textContent = value;
    else if (name.startsWith('on')) element.addEventListener(name.slice(2), value);
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

// ---------------------------------------------------------------------------------------------
// State

const state = {
  /** id → experiment resource (as GET /v1/experiments returns it). */
  experiments: new Map(),
  /** The changeToken of the last list or poll, and the ETag of that poll (docs/api.md "Changes"). */
  changeToken: undefined,
  changesEtag: undefined,
  /** id → { url → object URL } of fetched plots. */
  plotUrls: new Map(),
  presets: [],
  selected: undefined,
  needsKey: false,
};

// ---------------------------------------------------------------------------------------------
// API

class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || problem?.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

function apiKey() {
  try {
    return sessionStorage.getItem(KEY_STORAGE) ?? '';
  } catch {
    return '';
  }
}

/** fetch() on this origin with the key; a non-2xx answer throws an ApiError with its problem. */
async function api(path, options = {}) {
  const headers = new Headers(options.headers);
  const key = apiKey();
  if (key) headers.set('authorization', `Bearer ${key}`);
  if (options.body !== undefined && !headers.has('content-type'))
    headers.set('content-type', 'application/json');
  const response = await fetch(path, { ...options, headers });
  if (response.ok || response.status === 304) return response;
  let problem;
  try {
    problem = await response.json();
  } catch {
    problem = {
      title: response.statusText || 'Error',
      status: response.status,
      detail: `HTTP ${response.status}`,
    };
  }
  if (response.status === 401) showNeedsKey(problem);
  throw new ApiError(response.status, problem);
}

const apiJson = async (path, options) => (await api(path, options)).json();

// ---------------------------------------------------------------------------------------------
// Formatting

const MINUS = '\u2212';

/** A number for a table: 4 significant digits, exponent form when very large or small. */
function formatNumber(value) {
  if (value === null || value === undefined) return '—';
  if (typeof value !== 'number' || !Number.isFinite(value)) return '—';
  if (value === 0) return '0';
  const magnitude = Math.abs(value);
  let text;
  if (magnitude >= 1e5 || magnitude < 1e-3) {
    const [mantissa, exponent] = value.toExponential(2).split('e');
    text = `${mantissa}×10${superscript(Number(exponent))}`;
  } else if (Number.isInteger(value)) {
    text = String(value);
  } else {
    text = String(Number(value.toPrecision(4)));
  }
  return text.replace(/-/g, MINUS);
}

function superscript(n) {
  const digits = '⁰¹²³⁴⁵⁶⁷⁸⁹';
  return `${n < 0 ? '⁻' : ''}${String(Math.abs(n))
    .split('')
    .map((d) => digits[Number(d)])
    .join('')}`;
}

/** Counts with thousands separators (trials); sizes such as J, T, N stay plain. */
const formatInteger = (n) => (typeof n === 'number' ? n.toLocaleString('en-US') : '—');
const formatSize = (n) => (typeof n === 'number' ? String(n) : '—');

/** A local time, with seconds in the detail; the date only when it is not today. */
function formatTime(iso, { seconds = false } = {}) {
  if (!iso) return '';
  const date = new Date(iso);
  const time = {
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    ...(seconds ? { second: '2-digit' } : {}),
  };
  return date.toDateString() === new Date().toDateString()
    ? date.toLocaleTimeString([], time)
    : date.toLocaleString([], { month: 'short', day: 'numeric', ...time });
}

function formatDuration(fromIso, toIso) {
  if (!fromIso || !toIso) return '';
  const seconds = (new Date(toIso) - new Date(fromIso)) / 1000;
  if (!(seconds >= 0)) return '';
  if (seconds < 10) return `${seconds.toFixed(1)} s`;
  if (seconds < 120) return `${Math.round(seconds)} s`;
  return `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`;
}

/** "8…1024" for a list of filter lengths (or the list itself when short). */
function formatLengths(lengths) {
  if (!Array.isArray(lengths) || lengths.length === 0) return '?';
  const sorted = [...lengths].sort((a, b) => a - b);
  return sorted.length <= 3 ? sorted.join(', ') : `${sorted[0]}…${sorted[sorted.length - 1]}`;
}

const numFilters = (request) => [request?.filterbank?.numFilters ?? []].flat();

/** A short human title of an experiment, from its request or its summary's digest of it. */
function experimentTitle(experiment) {
  const digest = experiment.summary;
  const request = experiment.request ?? {
    filterbank: { numFilters: digest?.numFilters ?? [], filterLengths: digest?.filterLengths ?? [] },
    signals: (digest?.signals ?? []).map((name) => ({ name })),
  };
  const J = numFilters(request).join(', ');
  const T = formatLengths(request.filterbank?.filterLengths);
  if (experiment.type === 'energy') {
    const signals = request.signals ?? [];
    const count = digest?.signalCount ?? signals.length;
    const what = count === 1 ? signalLabel(signals[0], 0) : `${count} signals`;
    return `Energy · ${what} · J ${J} · T ${T}`;
  }
  return `Frame bounds · J ${J} · T ${T}`;
}

function signalLabel(signal, index) {
  return signal?.name ?? signal?.kind ?? `signal ${index + 1}`;
}

const percent = (experiment) => {
  if (experiment.status === 'succeeded') return 100;
  const fraction = experiment.progress?.fraction ?? 0;
  return Math.max(0, Math.min(100, Math.floor(fraction * 100)));
};

// ---------------------------------------------------------------------------------------------
// Announcements (aria-live)

let announceTimer;
function announce(message) {
  const region = $('#announcer');
  clearTimeout(announceTimer);
  region.textContent = '';
  // A fresh text node after a tick is read out even when the message repeats.
  announceTimer = setTimeout(() => {
    region.textContent = message;
  }, 50);
}

// ---------------------------------------------------------------------------------------------
// API key

function showNeedsKey(problem) {
  state.needsKey = true;
  const form = $('#key-form');
  form.classList.add('needs-key');
  $('#key-state').textContent = problem?.detail?.includes('not valid')
    ? 'That key is not valid'
    : 'This server needs an API key';
}

function updateKeyState() {
  const key = apiKey();
  $('#forget-key').hidden = !key;
  $('#key-form').classList.toggle('needs-key', state.needsKey && !key);
  if (key) $('#key-state').textContent = 'Key in use (this tab only)';
  else if (!state.needsKey) $('#key-state').textContent = 'Kept for this tab only';
}

function setupKeyForm() {
  const form = $('#key-form');
  const input = $('#api-key');
  input.value = apiKey();
  updateKeyState();
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const key = input.value.trim();
    try {
      if (key) sessionStorage.setItem(KEY_STORAGE, key);
      else sessionStorage.removeItem(KEY_STORAGE);
    } catch {
      // Storage disabled: the key lasts until the page is reloaded.
    }
    state.needsKey = false;
    resetAll();
    updateKeyState();
    announce(key ? 'API key set; loading experiments.' : 'API key cleared.');
    void loadAll();
  });
  $('#forget-key').addEventListener('click', () => {
    try {
      sessionStorage.removeItem(KEY_STORAGE);
    } catch {
      // nothing stored
    }
    input.value = '';
    state.needsKey = false;
    resetAll();
    updateKeyState();
    announce('API key forgotten.');
    void loadAll();
  });
}

/** Forgets everything the previous key could see. */
function resetAll() {
  state.changeToken = undefined;
  state.changesEtag = undefined;
  for (const id of [...state.experiments.keys()]) forgetExperiment(id);
  state.selected = undefined;
  renderList();
  renderDetail();
}

// ---------------------------------------------------------------------------------------------
// Submission form

function setupSubmitForm() {
  const select = $('#preset');
  const textarea = $('#custom-json');
  textarea.value = JSON.stringify(SMALL_CUSTOM_REQUEST, null, 2);
  select.addEventListener('change', () => {
    applyPreset();
    clearErrors();
  });
  $('#submit-form').addEventListener('submit', (event) => {
    event.preventDefault();
    void submit();
  });
  // Ctrl/Cmd+Enter in the JSON submits, as in most editors.
  textarea.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      void submit();
    }
  });
}

function renderPresets() {
  const select = $('#preset');
  const current = select.value;
  select.replaceChildren(
    ...state.presets.map((preset) => h('option', { value: preset.name, text: preset.title })),
    h('option', { value: 'custom', text: 'Custom request (JSON)' }),
  );
  select.value = state.presets.some((p) => p.name === current)
    ? current
    : (state.presets[0]?.name ?? 'custom');
  applyPreset();
}

function selectedPreset() {
  return state.presets.find((preset) => preset.name === $('#preset').value);
}

function applyPreset() {
  const preset = selectedPreset();
  $('#preset-fields').hidden = !preset;
  $('#custom-fields').hidden = Boolean(preset);
  const description = $('#preset-description');
  if (preset) {
    const request = preset.request;
    const cells = numFilters(request).length * (request.filterbank?.filterLengths?.length ?? 0);
    const signals = request.type === 'energy' ? ` × ${request.signals.length} signals` : '';
    description.textContent = `The paper's ${preset.name} figure: ${cells} cells${signals}, ${
      request.type === 'energy' ? `N = ${request.signals[0]?.length}` : `N = ${request.signalLength}`
    }. Fewer trials run faster.`;
    $('#trials').value = String(request.trials ?? 1000);
    $('#seed').value = request.seed === undefined ? '' : String(request.seed);
  } else {
    description.textContent = 'Paste or edit a request body; its errors show below.';
  }
}

function clearErrors() {
  const box = $('#submit-errors');
  box.hidden = true;
  box.replaceChildren();
  for (const field of document.querySelectorAll('#submit-form [aria-invalid]'))
    field.removeAttribute('aria-invalid');
}

/** Shows a problem+json (or a client-side message) under the form, each bad field on a line. */
function showErrors(title, detail, errors = []) {
  const box = $('#submit-errors');
  box.replaceChildren(
    h('p', { class: 'error-title' }, h('strong', { text: title })),
    detail && errors.length === 0 ? h('p', { text: detail }) : null,
    errors.length > 0
      ? h(
          'ul',
          {},
          errors.map((e) =>
            h('li', {}, e.path ? h('code', { text: e.path }) : null, e.path ? ': ' : '', e.message),
          ),
        )
      : null,
  );
  box.hidden = false;
}

function buildRequest() {
  const preset = selectedPreset();
  if (!preset) {
    const text = $('#custom-json').value;
    try {
      return JSON.parse(text);
    } catch (error) {
      $('#custom-json').setAttribute('aria-invalid', 'true');
      throw new ApiError(0, { title: 'Not valid JSON', detail: String(error.message ?? error) });
    }
  }
  const request = structuredClone(preset.request);
  const trialsField = $('#trials');
  const trials = Number(trialsField.value);
  if (!Number.isInteger(trials) || trials < 1) {
    trialsField.setAttribute('aria-invalid', 'true');
    throw new ApiError(0, {
      title: 'Check the form',
      errors: [{ path: 'trials', message: 'a whole number of trials, at least 1' }],
    });
  }
  request.trials = trials;
  const seedText = $('#seed').value.trim();
  if (seedText === '') delete request.seed;
  else {
    const seed = Number(seedText);
    if (!Number.isInteger(seed) || seed < 0 || seed >= 2 ** 32) {
      $('#seed').setAttribute('aria-invalid', 'true');
      throw new ApiError(0, {
        title: 'Check the form',
        errors: [{ path: 'seed', message: 'a whole number from 0 to 4294967295, or empty' }],
      });
    }
    request.seed = seed;
  }
  return request;
}

async function submit() {
  const button = $('[data-testid=submit]');
  if (button.disabled) return;
  clearErrors();
  let request;
  try {
    request = buildRequest();
  } catch (error) {
    showErrors(error.problem.title, error.problem.detail, error.problem.errors);
    return;
  }
  button.disabled = true;
  button.textContent = 'Submitting…';
  try {
    const experiment = await apiJson('/v1/experiments', { method: 'POST', body: JSON.stringify(request) });
    upsert(experiment);
    select(experiment.id, { focus: false });
    announce(`${experimentTitle(experiment)} submitted.`);
  } catch (error) {
    if (error instanceof ApiError && error.problem) {
      showErrors(
        error.problem.title ?? 'The request failed',
        error.problem.detail,
        error.problem.errors ?? [],
      );
    } else {
      showErrors('The server did not answer', String(error?.message ?? error));
    }
  } finally {
    button.disabled = false;
    button.textContent = 'Run experiment';
  }
}

// ---------------------------------------------------------------------------------------------
// The list

function sortedExperiments() {
  return [...state.experiments.values()].sort((a, b) =>
    a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0,
  );
}

/** Adds or updates an experiment; announces status changes. */
function upsert(experiment) {
  const previous = state.experiments.get(experiment.id);
  // An update without a result (an event, a cancel) keeps the result it had.
  const merged = { ...previous, ...experiment };
  // A summary has no plots links: keep those the full resource had.
  merged.links = { ...previous?.links, ...experiment.links };
  if (previous?.result && !experiment.result && experiment.status === 'succeeded')
    merged.result = previous.result;
  state.experiments.set(experiment.id, merged);
  if (previous && previous.status !== merged.status) {
    announce(`${experimentTitle(merged)}: ${merged.status}.`);
  }
  renderRow(merged);
  updateLiveState();
  if (state.selected === experiment.id) {
    renderDetail();
    if (needsFull(merged)) void refreshExperiment(merged.id);
  }
  return merged;
}

/** The opened experiment needs its full resource: its request, and once succeeded its result. */
const needsFull = (experiment) =>
  !experiment.request || (experiment.status === 'succeeded' && !experiment.result);

function forgetExperiment(id) {
  state.experiments.delete(id);
  for (const url of Object.values(state.plotUrls.get(id) ?? {})) URL.revokeObjectURL(url);
  state.plotUrls.delete(id);
  document.querySelector(`[data-testid=experiment-row][data-id="${CSS.escape(id)}"]`)?.remove();
}

function renderList() {
  const list = $('#experiments');
  const ordered = sortedExperiments();
  for (const experiment of ordered) renderRow(experiment);
  // Keep DOM order newest first without re-creating rows (keeps focus where it is).
  let anchor = null;
  for (const experiment of ordered) {
    const row = rowOf(experiment.id);
    if (!row) continue;
    const next = anchor ? anchor.nextSibling : list.firstChild;
    if (row !== next) list.insertBefore(row, next);
    anchor = row;
  }
  $('#list-empty').hidden = ordered.length > 0;
}

const rowOf = (id) => $(`[data-testid=experiment-row][data-id="${CSS.escape(id)}"]`);

function renderRow(experiment) {
  let row = rowOf(experiment.id);
  if (!row) {
    row = createRow(experiment);
    const list = $('#experiments');
    // Newest first: before the first row created earlier than this one.
    const after = [...list.children].find((other) => {
      const e = state.experiments.get(other.dataset.id);
      return e && e.createdAt < experiment.createdAt;
    });
    list.insertBefore(row, after ?? null);
    $('#list-empty').hidden = true;
  }
  const value = percent(experiment);
  row.dataset.status = experiment.status;
  row.classList.toggle('selected', state.selected === experiment.id);
  $('.exp-title', row).setAttribute('aria-current', state.selected === experiment.id ? 'true' : 'false');
  const badge = $('.badge', row);
  badge.textContent = experiment.status;
  badge.className = `badge status-${experiment.status}`;
  const bar = $('[data-testid=progress]', row);
  bar.setAttribute('aria-valuenow', String(value));
  const done = experiment.progress?.completedTrials;
  const total = experiment.progress?.totalTrials;
  bar.setAttribute(
    'aria-valuetext',
    `${value} % (${formatInteger(experiment.status === 'succeeded' ? total : done)} of ${formatInteger(total)} trials)`,
  );
  $('.fill', bar).style.width = `${value}%`;
  $('.exp-trials', row).textContent =
    `${formatInteger(experiment.status === 'succeeded' ? total : done)} / ${formatInteger(total)} trials`;
  const cancel = $('[data-action=cancel]', row);
  cancel.hidden = FINAL.has(experiment.status);
}

function createRow(experiment) {
  const id = experiment.id;
  const title = experimentTitle(experiment);
  const titleId = `exp-title-${id}`;
  return h(
    'li',
    { class: 'exp', 'data-testid': 'experiment-row', 'data-id': id, 'aria-labelledby': titleId },
    h(
      'div',
      { class: 'exp-head' },
      h('button', {
        type: 'button',
        class: 'exp-title',
        id: titleId,
        'aria-controls': 'detail',
        title: `Show ${title}`,
        text: title,
        onclick: () => select(id, { focus: true }),
      }),
      h('span', { class: 'badge', 'data-role': 'status' }),
    ),
    h(
      'div',
      {
        class: 'progress',
        role: 'progressbar',
        'data-testid': 'progress',
        'aria-label': `Progress of ${title}`,
        'aria-valuemin': '0',
        'aria-valuemax': '100',
        'aria-valuenow': '0',
      },
      h('div', { class: 'fill' }),
    ),
    h(
      'div',
      { class: 'exp-foot' },
      h('span', { class: 'exp-trials' }),
      h('time', {
        datetime: experiment.createdAt,
        title: `submitted ${new Date(experiment.createdAt).toLocaleString()}`,
        text: formatTime(experiment.createdAt),
      }),
      h(
        'span',
        { class: 'exp-actions' },
        h('button', {
          type: 'button',
          class: 'small',
          'data-action': 'cancel',
          'aria-label': `Cancel ${title}`,
          text: 'Cancel',
          onclick: (event) => void cancelExperiment(id, event.currentTarget),
        }),
        h('button', {
          type: 'button',
          class: 'small danger',
          'data-action': 'delete',
          'aria-label': `Delete ${title}`,
          text: 'Delete',
          onclick: (event) => void deleteExperiment(id, event.currentTarget),
        }),
      ),
    ),
  );
}

async function cancelExperiment(id, button) {
  button.disabled = true;
  try {
    upsert(await apiJson(`/v1/experiments/${id}/cancel`, { method: 'POST' }));
  } catch (error) {
    showListError(`Could not cancel: ${error.message}`);
  } finally {
    button.disabled = false;
  }
}

/** Delete asks once more on the button itself (no modal): press again within 4 s to delete. */
async function deleteExperiment(id, button) {
  if (button.dataset.confirm !== 'yes') {
    button.dataset.confirm = 'yes';
    button.textContent = 'Delete?';
    announce('Press Delete again to delete this experiment and its result.');
    setTimeout(() => {
      if (button.isConnected) {
        button.dataset.confirm = '';
        button.textContent = 'Delete';
      }
    }, 4000);
    return;
  }
  button.disabled = true;
  const experiment = state.experiments.get(id);
  try {
    await api(`/v1/experiments/${id}`, { method: 'DELETE' });
  } catch (error) {
    if (!(error instanceof ApiError && error.status === 404)) {
      showListError(`Could not delete: ${error.message}`);
      button.disabled = false;
      return;
    }
  }
  const row = rowOf(id);
  const next = row?.nextElementSibling ?? row?.previousElementSibling;
  forgetExperiment(id);
  if (state.selected === id) {
    state.selected = undefined;
    renderDetail();
  }
  renderList();
  announce(`${experiment ? experimentTitle(experiment) : 'Experiment'} deleted.`);
  // Keep keyboard users in the list.
  $('.exp-title', next ?? document)?.focus();
}

function showListError(message) {
  const box = $('#list-error');
  if (!message) {
    box.hidden = true;
    box.textContent = '';
    return;
  }
  box.textContent = message;
  box.hidden = false;
}

function select(id, { focus }) {
  state.selected = id;
  for (const row of document.querySelectorAll('[data-testid=experiment-row]')) {
    const on = row.dataset.id === id;
    row.classList.toggle('selected', on);
    $('.exp-title', row).setAttribute('aria-current', on ? 'true' : 'false');
  }
  renderDetail();
  const experiment = state.experiments.get(id);
  if (experiment && needsFull(experiment)) void refreshExperiment(id);
  if (focus) $('#detail').focus();
}

// ---------------------------------------------------------------------------------------------
// Live updates: polling what changed

function updateLiveState() {
  const unfinished = [...state.experiments.values()].filter((e) => !FINAL.has(e.status)).length;
  const label = $('#live-state');
  if (state.needsKey) label.textContent = 'needs an API key';
  else if (unfinished === 0) label.textContent = 'up to date';
  else label.textContent = `live · ${unfinished} running`;
  label.dataset.mode = 'polling';
}

/** Applies one item of a changedSince answer: a summary, or a tombstone to drop. */
function applyChange(item) {
  if (item.deleted) {
    if (!state.experiments.has(item.id)) return;
    forgetExperiment(item.id);
    if (state.selected === item.id) {
      state.selected = undefined;
      renderDetail();
    }
    renderList();
    return;
  }
  const previous = state.experiments.get(item.id);
  if (previous?.version !== undefined && previous.version >= item.version) return;
  const isNew = previous === undefined;
  upsert(item);
  if (isNew) renderList();
}

/** One poll: only what changed since the last token; 304 when nothing did. */
async function pollChanges() {
  if (state.changeToken === undefined) return loadList();
  const token = state.changeToken;
  const headers = state.changesEtag ? { 'if-none-match': state.changesEtag } : {};
  let response;
  try {
    response = await api(
      `/v1/experiments?changedSince=${encodeURIComponent(token)}&limit=${CHANGES_PER_POLL}`,
      { headers },
    );
  } catch (error) {
    // The change log no longer covers the token (Redis was reset): start over from the list.
    if (error instanceof ApiError && error.status === 410) return loadList();
    throw error;
  }
  if (response.status === 304 || state.changeToken !== token) return;
  const page = await response.json();
  state.changesEtag = response.headers.get('etag') ?? undefined;
  for (const item of page.items) applyChange(item);
  state.changeToken = page.changeToken;
  updateLiveState();
  if (page.items.length === CHANGES_PER_POLL) await pollChanges();
}

async function refreshExperiment(id) {
  try {
    upsert(await apiJson(`/v1/experiments/${id}`));
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) {
      forgetExperiment(id);
      renderList();
    }
  }
}

/** GET /v1/experiments: the first page, merged into the list. */
async function loadList() {
  const page = await apiJson('/v1/experiments?limit=50');
  state.changeToken = page.changeToken;
  state.changesEtag = undefined;
  const seen = new Set();
  for (const item of page.items) {
    seen.add(item.id);
    const previous = state.experiments.get(item.id);
    if (previous && FINAL.has(previous.status) && previous.status === item.status) continue;
    upsert(item);
  }
  // Gone from the first page while we thought it was there: deleted or expired elsewhere.
  const oldestShown = page.items.at(-1)?.createdAt;
  for (const experiment of [...state.experiments.values()]) {
    if (!seen.has(experiment.id) && (page.nextCursor === null || experiment.createdAt >= oldestShown)) {
      forgetExperiment(experiment.id);
      if (state.selected === experiment.id) {
        state.selected = undefined;
        renderDetail();
      }
    }
  }
  renderList();
  showListError('');
  updateLiveState();
}

let polling = false;
/** Polls what changed every POLL_MS, one poll at a time. */
function schedulePolling() {
  setInterval(() => {
    if (state.needsKey || document.hidden || polling) return;
    polling = true;
    pollChanges()
      .then(() => showListError(''))
      .catch((error) => {
        if (!(error instanceof ApiError && error.status === 401))
          showListError(`The list could not be refreshed: ${error.message}`);
      })
      .finally(() => {
        polling = false;
      });
  }, POLL_MS);
}

// ---------------------------------------------------------------------------------------------
// The selected experiment

function renderDetail() {
  const panel = $('#detail');
  const experiment = state.selected ? state.experiments.get(state.selected) : undefined;
  if (!experiment) {
    panel.replaceChildren(
      h(
        'div',
        { class: 'placeholder' },
        h('h2', { text: 'No experiment selected' }),
        h('p', { text: 'Run an experiment, or pick one from the list, to see its plots and numbers here.' }),
      ),
    );
    panel.dataset.id = '';
    return;
  }
  // Re-render the header always, the results only when they change (images stay put).
  const key = `${experiment.id}:${experiment.status}:${experiment.result ? 'result' : ''}`;
  const sameResults = panel.dataset.key === key;
  panel.dataset.id = experiment.id;
  panel.dataset.key = key;
  const header = detailHeader(experiment);
  if (sameResults && $('.detail-head', panel)) {
    $('.detail-head', panel).replaceWith(header);
    return;
  }
  panel.replaceChildren(header, ...detailBody(experiment));
  if (experiment.status === 'succeeded' && experiment.links?.plots) void loadPlots(experiment);
}

function detailHeader(experiment) {
  const request = experiment.request ?? {};
  const value = percent(experiment);
  const facts = [
    `${formatInteger(request.trials)} trials`,
    `seed ${request.seed ?? '—'}`,
    `submitted ${formatTime(experiment.createdAt, { seconds: true })}`,
    experiment.finishedAt && experiment.startedAt
      ? `ran ${formatDuration(experiment.startedAt, experiment.finishedAt)}`
      : null,
  ].filter(Boolean);
  return h(
    'header',
    { class: 'detail-head' },
    h(
      'div',
      { class: 'detail-title' },
      h('h2', { id: 'detail-heading', text: experimentTitle(experiment) }),
      h('p', { class: 'facts' }, facts.join(' · ')),
      h('p', { class: 'facts mono', text: experiment.id }),
    ),
    h(
      'div',
      { class: 'detail-status' },
      h('span', { class: `badge large status-${experiment.status}`, text: experiment.status }),
      FINAL.has(experiment.status) ? null : h('span', { class: 'facts', text: `${value} %` }),
      h(
        'a',
        {
          class: 'button secondary',
          href: experiment.links?.self ?? `/v1/experiments/${experiment.id}`,
          onclick: (event) => openJson(event, experiment),
        },
        'JSON',
        h('span', { class: 'visually-hidden', text: ` of ${experimentTitle(experiment)}` }),
      ),
    ),
  );
}

/** With a key, the JSON link cannot carry it: fetch it with the header and open a blob. */
async function openJson(event, experiment) {
  if (!apiKey()) return;
  event.preventDefault();
  const win = window.open('', '_blank');
  try {
    const text = await (await api(experiment.links.self)).text();
    const url = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
    if (win) win.location.href = url;
    else window.location.href = url;
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
  } catch (error) {
    win?.close();
    showListError(`Could not open the JSON: ${error.message}`);
  }
}

function detailBody(experiment) {
  const parts = [];
  if (experiment.status === 'failed' && experiment.error) {
    parts.push(
      h(
        'div',
        { class: 'errors', role: 'note' },
        h('p', { class: 'error-title' }, h('strong', { text: experiment.error.title ?? 'Failed' })),
        h('p', { text: experiment.error.detail ?? '' }),
      ),
    );
  }
  if (!FINAL.has(experiment.status)) {
    parts.push(
      h(
        'div',
        { class: 'placeholder compact' },
        h('p', {
          text:
            experiment.status === 'queued'
              ? 'Queued: waiting for a worker. Plots and numbers appear here when it succeeds.'
              : 'Running. Plots and numbers appear here when it succeeds.',
        }),
      ),
    );
  }
  if (experiment.status === 'cancelled') {
    parts.push(h('div', { class: 'placeholder compact' }, h('p', { text: 'Cancelled: no results.' })));
  }
  if (experiment.status === 'succeeded' && experiment.result) {
    const plots = experiment.links?.plots ?? [];
    parts.push(
      h(
        'section',
        { class: 'results', 'aria-labelledby': 'plots-heading' },
        h('h3', { id: 'plots-heading', text: 'Plots' }),
        plots.length === 0
          ? h('p', { class: 'hint', text: 'This result has nothing to plot.' })
          : h(
              'div',
              { class: 'plots' },
              plots.map((url) => plotFigure(url)),
            ),
      ),
      h(
        'section',
        { class: 'results', 'aria-labelledby': 'numbers-heading' },
        h('h3', { id: 'numbers-heading', text: 'Numbers' }),
        experiment.type === 'energy' ? energyTable(experiment.result) : frameBoundsTable(experiment.result),
      ),
    );
  } else if (experiment.status === 'succeeded') {
    parts.push(h('p', { class: 'hint', text: 'Loading the result…' }));
  }
  parts.push(
    h(
      'details',
      { class: 'request' },
      h('summary', { text: 'Request (every default filled in)' }),
      h('pre', {}, h('code', { text: JSON.stringify(experiment.request, null, 2) })),
    ),
  );
  return parts;
}

const plotName = (url) =>
  decodeURIComponent(
    url
      .split('/')
      .pop()
      .replace(/\.svg$/, ''),
  );

/** An accessible description of a plot, from its name (src/plots/index.ts). */
function plotDescription(name) {
  if (name === 'deviation')
    return 'Deviation of the energy ratio against T: Monte Carlo band and every bound';
  if (name === 'frame-bounds') return 'Frame bounds A and B against T, with the theory';
  if (name === 'condition-number') return 'Mean condition number κ̄ against T, one line per J';
  if (name === 'kappa-heatmap') return 'κ̄ over (J, T) with the fitted law and its iso-κ curves';
  const match = /^histogram-(.+)-J(\d+)-T(\d+)$/.exec(name);
  if (match) {
    return `Histogram of the energy ratio of ${match[1]} at J = ${match[2]}, T = ${match[3]}, with the exact density`;
  }
  return name;
}

function plotFigure(url) {
  const name = plotName(url);
  const description = plotDescription(name);
  return h(
    'figure',
    { class: 'plot', 'data-plot': name },
    h(
      'div',
      { class: 'plot-frame' },
      h('img', { 'data-testid': 'plot', alt: description, decoding: 'async' }),
    ),
    h(
      'figcaption',
      {},
      h('span', { text: description }),
      h('a', {
        class: 'plot-open',
        href: url,
        'data-url': url,
        target: '_blank',
        rel: 'noopener',
        text: 'Open SVG',
      }),
    ),
  );
}

/** Fetches the plots with the key and shows them as blob: images (an <img> cannot send headers). */
async function loadPlots(experiment) {
  const cache = state.plotUrls.get(experiment.id) ?? {};
  state.plotUrls.set(experiment.id, cache);
  const figures = [...document.querySelectorAll('#detail figure.plot')];
  await Promise.all(
    figures.map(async (figure) => {
      const link = $('.plot-open', figure);
      const url = link.dataset.url;
      const img = $('img', figure);
      try {
        if (!cache[url]) {
          const blob = await (await api(url)).blob();
          cache[url] = URL.createObjectURL(blob);
        }
        if (!figure.isConnected) return;
        img.src = cache[url];
        link.href = cache[url];
      } catch (error) {
        figure.classList.add('failed');
        $('.plot-frame', figure).replaceChildren(
          h('p', { class: 'errors', text: `Plot unavailable: ${error.message}` }),
        );
      }
    }),
  );
}

/** A table with a caption and column headers (`[label, title?]`), numeric columns right-aligned. */
function table(caption, columns, rows) {
  return h(
    'div',
    { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': caption },
    h(
      'table',
      { class: 'numbers' },
      h('caption', { text: caption }),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          columns.map(([label, title, kind]) =>
            h(
              'th',
              { scope: 'col', class: kind === 'text' ? 'text' : undefined },
              title ? h('abbr', { title, text: label }) : label,
            ),
          ),
        ),
      ),
      h(
        'tbody',
        {},
        rows.map((cells) =>
          h(
            'tr',
            {},
            cells.map((cell, i) =>
              i === 0
                ? h('th', { scope: 'row', class: columns[0][2] === 'text' ? 'text' : undefined, text: cell })
                : h('td', { text: cell }),
            ),
          ),
        ),
      ),
    ),
  );
}

function energyTable(result) {
  const columns = [
    ['signal', undefined, 'text'],
    ['J', 'number of filters'],
    ['T', 'filter length'],
    ['mean', 'Monte Carlo mean of ‖Φx‖²/‖x‖²'],
    ['μ', 'theoretical mean'],
    ['std', 'Monte Carlo standard deviation'],
    ['σ', 'theoretical standard deviation'],
    ['α⁺ MC', 'empirical upper deviation q(1−p)/μ − 1'],
    ['α⁺ exact', 'exact upper deviation (generalized χ²)'],
    ['α⁻ MC', 'empirical lower deviation 1 − q(p)/μ'],
    ['α⁻ exact', 'exact lower deviation (generalized χ²)'],
    ['Cantelli', 'Cantelli bound on the deviation'],
    ['Chebyshev', 'Chebyshev bound on the deviation'],
    ['Chernoff', 'Chernoff bound on the deviation'],
  ];
  const rows = result.cells.map((c) => [
    c.signal,
    formatSize(c.numFilters),
    formatSize(c.filterLength),
    formatNumber(c.empirical.mean),
    formatNumber(c.theory.mean),
    formatNumber(c.empirical.std),
    formatNumber(typeof c.theory.variance === 'number' ? Math.sqrt(c.theory.variance) : null),
    formatNumber(c.empirical.deviation?.upper),
    formatNumber(c.theory.deviation?.exactUpper),
    formatNumber(c.empirical.deviation?.lower),
    formatNumber(c.theory.deviation?.exactLower),
    formatNumber(c.theory.deviation?.cantelli),
    formatNumber(c.theory.deviation?.chebyshev),
    formatNumber(c.theory.deviation?.chernoff),
  ]);
  const trials = result.cells[0]?.empirical?.trials;
  return table(`Energy ratio ‖Φx‖²/‖x‖² per cell (${formatInteger(trials)} trials each)`, columns, rows);
}

function frameBoundsTable(result) {
  const columns = [
    ['J', 'number of filters'],
    ['T', 'filter length'],
    ['N', 'signal length (DFT grid)'],
    ['d', 'stride'],
    ['Ā', 'Monte Carlo mean of the lower frame bound A (normalised by J·T·σ²)'],
    ['A χ²', 'lower bound, the paper’s χ² model'],
    ['A asym.', 'lower bound, asymptotics'],
    ['B̄', 'Monte Carlo mean of the upper frame bound B (normalised)'],
    ['B χ²', 'upper bound, the paper’s χ² model'],
    ['B asym.', 'upper bound, asymptotics'],
    ['κ̄', 'mean condition number B/A'],
    ['κ median', 'median condition number'],
    ['κ̄ of means', 'mean(B)/mean(A)'],
    ['κ̃', 'predicted condition number κ̃(J, T)'],
  ];
  const rows = result.cells.map((c) => [
    formatSize(c.numFilters),
    formatSize(c.filterLength),
    formatSize(c.signalLength),
    formatSize(c.stride),
    formatNumber(c.empirical.A?.mean),
    formatNumber(c.theory.A?.chi2),
    formatNumber(c.theory.A?.asymptotic),
    formatNumber(c.empirical.B?.mean),
    formatNumber(c.theory.B?.chi2),
    formatNumber(c.theory.B?.asymptotic),
    formatNumber(c.empirical.kappa?.mean),
    formatNumber(c.empirical.kappa?.median),
    formatNumber(c.empirical.kappaOfMeans),
    formatNumber(c.theory.kappaTilde),
  ]);
  const trials = result.cells[0]?.empirical?.trials;
  const law = result.scalingLaw;
  const parts = [table(`Frame bounds per cell (${formatInteger(trials)} trials each)`, columns, rows)];
  if (law && typeof law.c === 'number') {
    parts.unshift(
      h(
        'p',
        { class: 'law' },
        'Fitted law (κ̄ − 1)/(κ̄ + 1) ≈ c·√(ln T / J): ',
        h('strong', { text: `c = ${formatNumber(law.c)}` }),
        `, r² = ${formatNumber(law.r2)} over ${law.points?.length ?? 0} cells.`,
      ),
    );
  }
  return h('div', {}, parts);
}

// ---------------------------------------------------------------------------------------------
// Start

async function loadAll() {
  try {
    const presets = await apiJson('/v1/presets');
    state.presets = presets.items;
    renderPresets();
  } catch (error) {
    if (!(error instanceof ApiError && error.status === 401))
      showErrors('Presets unavailable', error.message);
    renderPresets();
  }
  try {
    await loadList();
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      updateLiveState();
      $('#api-key').focus();
    } else showListError(`The list could not be loaded: ${error.message}`);
  }
}

function start() {
  setupKeyForm();
  setupSubmitForm();
  renderPresets();
  renderDetail();
  schedulePolling();
  void loadAll();
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
else start();
