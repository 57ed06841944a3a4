// The editor page: wires the API client, the source lists, the player and filmstrip, marking,
// the edit list and the jobs panel. The API's JSON is the only model; the edit list is this
// browser's own (localStorage).
import { APIClient } from './api.js';
import { SourceLists } from './sources.js';
import { Player } from './player.js';
import { Filmstrip } from './filmstrip.js';
import { JobsPanel, activeOutputs } from './jobs.js';
import { EditListView } from './editlistview.js';
import { loadEditList, saveEditList } from './store.js';
import { formatTime, parseTime } from './timecode.js';
import { addItem, exportRequest, itemProblem, moveItem, removeItem, updateItem, waitsForLive } from './editlist.js';
import { outputNameError, proposeOutputName } from './names.js';
import { mediaBase, mediaURL } from './media.js';

const $ = (id) => document.getElementById(id);

const state = {
  node: null,
  base: null,
  app: null,
  fps: new Map(), // live stream name -> fps from /api/v1/streams
  items: loadEditList(),
  editing: null,
  jobs: [],
  outputs: [],
  proposed: null,
};

const api = new APIClient({ askToken });
const player = new Player({
  video: $('video'), timecode: $('timecode'), frame: $('frame'), wallclock: $('wallclock'), play: $('btn-play'),
  live: $('btn-live'), nowPlaying: $('now-playing'), message: $('player-message'),
});
const filmstrip = new Filmstrip($('filmstrip'), player);
const sources = new SourceLists({ dvr: $('list-dvr'), clip: $('list-clips'), output: $('list-outputs') }, selectSource);
const jobsPanel = new JobsPanel($('jobs'), {
  cancel: (id) => api.delete(`/api/v1/exports/${encodeURIComponent(id)}`).then(refreshJobs).catch(showExportError),
  play: (output) => sources.select('output', output),
  downloadURL: (output) => (state.base ? mediaURL(state.base, state.app, { kind: 'output', name: output }) : null),
});
const editList = new EditListView($('editlist-body'), $('editlist-empty'), {
  move: (id, delta) => setItems(moveItem(state.items, id, delta)),
  remove: (id) => { if (state.editing === id) stopEditing(); setItems(removeItem(state.items, id)); },
  edit: startEditing,
  sourceOf: (item) => sources.find(item.source === 'dvr' ? 'dvr' : 'clip', item.name),
  liveEdge: (recording) => sources.liveDuration(recording),
});

// MARK: Sources and the player

/** The listed source as the player and the checks see it. */
function describe(kind, name) {
  const listed = sources.find(kind, name);
  if (!listed) return null;
  const live = kind === 'dvr' && listed.live;
  return {
    kind, name, live,
    url: state.base ? mediaURL(state.base, state.app, { kind, name }) : null,
    fps: kind === 'dvr' ? state.fps.get(name) : listed.fps,
    startedAt: kind === 'dvr' ? listed.startedAt : null,
    duration: kind === 'dvr' ? sources.liveDuration(listed) : listed.duration,
    availableFrom: kind === 'dvr' ? listed.availableFrom : 0,
  };
}

function selectSource(kind, name) {
  const source = describe(kind, name);
  if (!source) return;
  player.stopPreview();
  player.load(source, { at: source.live ? Math.max(0, source.duration - 3) : 0, autoplay: true });
  filmstrip.build(source, source.duration);
  if (state.editing === null) { $('in-point').value = ''; $('out-point').value = ''; }
  updateMarks();
}

$('btn-play').addEventListener('click', () => player.toggle());
$('btn-frame-back').addEventListener('click', () => player.step(-1));
$('btn-frame-forward').addEventListener('click', () => player.step(1));
$('btn-live').addEventListener('click', () => player.goLive());

// MARK: Marking

/** The selected source (an item being edited keeps its own). */
function currentSource() {
  const sel = sources.selected;
  if (!sel || sel.kind === 'output') return null;
  return describe(sel.kind, sel.name);
}

function setMark(field) {
  if (!player.source || player.source.kind === 'output') { markMessage('Select a DVR recording or a clip first.', true); return; }
  $(field).value = formatTime(player.currentTime);
  updateMarks();
}

/** Reads both fields: {start, end, problem, waits}. */
function readMarks() {
  const source = currentSource();
  const startedAt = source?.startedAt ?? null;
  const parsedIn = $('in-point').value.trim() === '' ? { seconds: NaN } : parseTime($('in-point').value, startedAt);
  const parsedOut = $('out-point').value.trim() === '' ? { seconds: NaN } : parseTime($('out-point').value, startedAt);
  $('in-point').setAttribute('aria-invalid', String(Boolean(parsedIn.error)));
  $('out-point').setAttribute('aria-invalid', String(Boolean(parsedOut.error)));
  const item = source ? { source: source.kind, name: source.name, start: parsedIn.seconds, end: parsedOut.seconds } : null;
  const problem = parsedIn.error ?? parsedOut.error ?? itemProblem(item, source);
  return { item, problem, waits: item && source ? waitsForLive(item, source) : false };
}

function updateMarks() {
  const { item, problem, waits } = readMarks();
  filmstrip.setMarks(item?.start ?? NaN, item?.end ?? NaN);
  if (waits && !problem) markMessage('The out point is beyond the live edge: the export waits for live.', false);
  else if (problem && ($('in-point').value || $('out-point').value)) markMessage(problem, true);
  else markMessage('', false);
}

function markMessage(text, isError) {
  $('mark-message').textContent = text;
  $('mark-message').classList.toggle('error', isError);
}

function addOrUpdate() {
  const { item, problem } = readMarks();
  if (problem) { markMessage(problem, true); return; }
  if (state.editing !== null) {
    setItems(updateItem(state.items, state.editing, { start: item.start, end: item.end }));
    stopEditing();
  } else {
    setItems(addItem(state.items, item));
  }
  $('in-point').value = '';
  $('out-point').value = '';
  updateMarks();
}

function startEditing(id) {
  const item = state.items.find((i) => i.id === id);
  if (!item) return;
  state.editing = id;
  sources.select(item.source, item.name);
  $('in-point').value = formatTime(item.start);
  $('out-point').value = formatTime(item.end);
  $('btn-add').textContent = `Update #${state.items.indexOf(item) + 1}`;
  player.seek(item.start);
  renderEditList();
  updateMarks();
}

function stopEditing() {
  state.editing = null;
  $('btn-add').textContent = 'Add to list';
}

$('btn-set-in').addEventListener('click', () => setMark('in-point'));
$('btn-set-out').addEventListener('click', () => setMark('out-point'));
$('btn-add').addEventListener('click', addOrUpdate);
for (const id of ['in-point', 'out-point']) {
  $(id).addEventListener('input', updateMarks);
  $(id).addEventListener('keydown', (event) => { if (event.key === 'Enter') addOrUpdate(); });
}

// MARK: The edit list

function setItems(items) {
  state.items = items;
  saveEditList(items);
  renderEditList();
}

function renderEditList() {
  editList.render(state.items, state.editing);
  $('btn-preview').disabled = state.items.length === 0;
  $('btn-export').disabled = state.items.length === 0;
}

$('btn-clear').addEventListener('click', () => { stopEditing(); setItems([]); });
$('btn-preview').addEventListener('click', () => {
  const entries = state.items.map((item) => ({ source: describe(item.source, item.name), start: item.start, end: item.end }))
    .filter((entry) => entry.source);
  player.playList(entries, (index) => editList.highlight(index));
});
// Another tab of this browser changed the list.
window.addEventListener('storage', (event) => { if (event.key === 'lsc.editList') { state.items = loadEditList(); renderEditList(); } });

// MARK: Export and jobs

function takenNames() {
  return new Set([...state.outputs.map((f) => f.name), ...activeOutputs(state.jobs)]);
}

function proposeName() {
  const field = $('output-name');
  const taken = takenNames();
  // Replace the proposal when it got taken; never what the user typed.
  if (field.value === '' || (field.value === state.proposed && taken.has(field.value))) {
    state.proposed = proposeOutputName(taken);
    field.value = state.proposed;
  }
}

function validateName() {
  const problem = outputNameError($('output-name').value, takenNames());
  $('output-name').setAttribute('aria-invalid', String(Boolean(problem)));
  return problem;
}

function showExportError(error) {
  $('export-message').textContent = error.message;
  $('export-message').classList.add('error');
}

$('output-name').addEventListener('input', () => {
  const problem = validateName();
  $('export-message').textContent = problem ?? '';
  $('export-message').classList.toggle('error', Boolean(problem));
});

$('export-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const output = $('output-name').value;
  const problem = state.items.length === 0 ? 'the edit list is empty' : validateName();
  if (problem) { showExportError(new Error(problem)); return; }
  $('btn-export').disabled = true;
  try {
    const job = await api.post('/api/v1/exports', exportRequest(output, state.items));
    $('export-message').textContent = `Export #${job.id} submitted: ${job.output}${job.state === 'waiting' ? ' (waits for live)' : ''}`;
    $('export-message').classList.remove('error');
    state.jobs = [...state.jobs, job];
    proposeName();
    await refreshJobs();
  } catch (error) {
    showExportError(error);
  } finally {
    $('btn-export').disabled = state.items.length === 0;
  }
});

async function refreshJobs() {
  const { jobs } = await api.get('/api/v1/exports');
  state.jobs = jobs;
  jobsPanel.render(jobs);
}

// MARK: Keyboard

document.addEventListener('keydown', (event) => {
  const target = event.target;
  if (target instanceof HTMLInputElement || target instanceof HTMLTextAreaElement || event.ctrlKey || event.metaKey || event.altKey) return;
  const handlers = {
    i: () => setMark('in-point'), o: () => setMark('out-point'),
    j: () => player.backward(), k: () => player.pause(), l: () => player.forward(), ' ': () => player.toggle(),
    ArrowLeft: () => (event.shiftKey ? player.seek(player.currentTime - 1) : player.step(-1)),
    ArrowRight: () => (event.shiftKey ? player.seek(player.currentTime + 1) : player.step(1)),
    Enter: () => addOrUpdate(),
  };
  const key = event.key.length === 1 ? event.key.toLowerCase() : event.key;
  if (key === 'Enter' && (target instanceof HTMLButtonElement || target.closest?.('li, a'))) return;
  const handler = handlers[key];
  if (handler) { event.preventDefault(); handler(); }
});

// MARK: Token

function askToken(message) {
  const dialog = $('token-dialog');
  dialog.querySelector('p').textContent = message;
  $('token-input').value = '';
  dialog.showModal();
  return new Promise((resolve) => {
    $('token-form').addEventListener('submit', (event) => {
      event.preventDefault();
      dialog.close();
      resolve($('token-input').value || null);
    }, { once: true });
  });
}

// MARK: Refresh loop

async function refresh() {
  try {
    const [node, dvr, clips, outputs, streams] = await Promise.all([
      api.get('/api/v1/node'), api.get('/api/v1/dvr'), api.get('/api/v1/sources'), api.get('/api/v1/outputs'),
      api.get('/api/v1/streams').catch(() => ({ streams: [] })),
    ]);
    state.node = node;
    state.app = node.app ?? `livestreamcast_${node.role}`;
    state.base = mediaBase(node, location.hostname);
    for (const stream of streams.streams ?? []) if (stream.video?.fps > 0) state.fps.set(stream.name, stream.video.fps);
    state.outputs = outputs.files;
    sources.update({ dvr: dvr.recordings, clips: clips.files, outputs: outputs.files });
    await refreshJobs();
    proposeName();
    renderEditList();
    const status = $('node-status');
    status.textContent = `${node.role} · data plane ${node.dataPlane}${state.base ? '' : ' · no HTTP media'}`;
    status.classList.toggle('down', node.dataPlane !== 'up');
  } catch (error) {
    $('node-status').textContent = `API: ${error.message}`;
    $('node-status').classList.add('down');
  }
}

renderEditList();
refresh();
setInterval(refresh, 2000);
