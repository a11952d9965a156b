/**
 * The page: UI only. All tensor work happens in ./worker.ts; this thread decodes files to
 * ImageBitmaps (createImageBitmap decodes off the main thread), shows progress, draws overlays.
 */
import type { BackendName, BackendRequest, ProgressEvent } from 'danflow';
import { demoImages } from './demo-images';
import { dropZone, filesFromInput } from './files';
import { drawOverlay, type MapResult } from './overlay';
import type { BackendProbe, FitSettings, FromWorker, ModelInfo, ToWorker } from './protocol';

/** The IndexedDB key the current model is kept under (danflow's `indexeddb://` store). */
const MODEL_NAME = 'danflow-example';
const DISPLAY_SIZE = 320;

const $ = <T extends HTMLElement = HTMLElement>(id: string): T => document.getElementById(id) as T;
const ui = {
  busy: $('busy'),
  backend: $('backend'),
  backendDetail: $('backend-detail'),
  normalCount: $('normal-count'),
  thumbs: $('normal-thumbs'),
  backendSelect: $<HTMLSelectElement>('backend-select'),
  weights: $<HTMLSelectElement>('weights'),
  inputSize: $<HTMLSelectElement>('input-size'),
  flowSteps: $<HTMLInputElement>('flow-steps'),
  epochs: $<HTMLInputElement>('epochs'),
  batchSize: $<HTMLInputElement>('batch-size'),
  fit: $<HTMLButtonElement>('fit'),
  cancel: $<HTMLButtonElement>('cancel'),
  progress: $<HTMLProgressElement>('progress'),
  progressText: $('progress-text'),
  loss: $<HTMLCanvasElement>('loss'),
  modelInfo: $('model-info'),
  save: $<HTMLButtonElement>('save'),
  load: $<HTMLButtonElement>('load'),
  download: $<HTMLButtonElement>('download'),
  upload: $<HTMLInputElement>('upload'),
  results: $('results'),
  opacity: $<HTMLInputElement>('opacity'),
  showMask: $<HTMLInputElement>('show-mask'),
  status: $('status'),
};

interface TestItem {
  id: number;
  file: File;
  card: HTMLElement;
  canvas: HTMLCanvasElement;
  display?: ImageBitmap;
  result?: MapResult & { score: number; isAnomalous: boolean };
}

const state = {
  normal: [] as File[],
  tests: [] as TestItem[],
  nextId: 1,
  model: undefined as ModelInfo | undefined,
  probe: undefined as BackendProbe | undefined,
  backend: undefined as BackendName | undefined,
  fitting: false,
  working: 0,
  losses: [] as number[],
  startup: true,
};

// ---------------------------------------------------------------------------------------------
// Worker

const worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
function send(msg: ToWorker, transfer: Transferable[] = []): void {
  if (msg.type !== 'cancel') setWorking(+1);
  worker.postMessage(msg, transfer);
}
function setWorking(delta: number): void {
  state.working = Math.max(0, state.working + delta);
  ui.busy.classList.toggle('on', state.working > 0);
  document.body.dataset.busy = String(state.working > 0);
}

function status(text: string, kind: 'info' | 'error' = 'info'): void {
  ui.status.textContent = text;
  ui.status.className = kind;
}

worker.onmessage = (e: MessageEvent<FromWorker>) => {
  const msg = e.data;
  switch (msg.type) {
    case 'done':
      setWorking(-1);
      return;
    case 'ready':
      state.probe = msg.probe;
      return;
    case 'backend':
      state.backend = msg.backend;
      showBackend(msg.request);
      if (state.startup) {
        state.startup = false;
        // Restore the model kept in this browser, if any (quietly: none is not an error).
        send({ type: 'load', source: { indexeddb: MODEL_NAME }, backend: selectedBackend() });
      }
      return;
    case 'progress':
      onProgress(msg.event);
      return;
    case 'fitted':
      state.fitting = false;
      setModel(msg.model);
      ui.progress.value = 1;
      ui.progressText.textContent = `Fitted in ${msg.seconds.toFixed(1)} s · final loss ${msg.epochLosses.at(-1)?.toFixed(1)}`;
      status('Fitted. Saving the model in this browser…');
      send({ type: 'save', name: MODEL_NAME });
      relocalizeAll();
      break;
    case 'saved':
      status(`Model saved in this browser (IndexedDB "${msg.name}"). It will be restored when you come back.`);
      break;
    case 'loaded':
      setModel(msg.model);
      status(`Model loaded (${msg.model.backend}).`);
      relocalizeAll();
      break;
    case 'result':
      onResult(msg);
      return;
    case 'error':
      if (msg.during === 'fit') {
        state.fitting = false;
        ui.progressText.textContent = msg.code === 'ABORTED' ? 'Cancelled.' : '';
        ui.progress.value = 0;
        setModel(undefined);
      }
      if (msg.during === 'load' && msg.code === 'NOT_FOUND') status('Ready. Drop a folder of normal images to begin.');
      else if (msg.code === 'ABORTED') status('Fit cancelled; no model.');
      else status(`${msg.during} failed: ${msg.message}`, 'error');
      break;
  }
  updateButtons();
};
worker.onerror = (e) => {
  setWorking(-state.working);
  status(`The worker failed: ${e.message}`, 'error');
};

function selectedBackend(): BackendRequest {
  return ui.backendSelect.value as BackendRequest;
}

function showBackend(request: BackendRequest): void {
  const p = state.probe;
  ui.backend.textContent = state.backend ?? '—';
  ui.backend.dataset.backend = state.backend ?? '';
  const notes: string[] = [];
  if (p) {
    if (p.webgpu.available) notes.push(`WebGPU: ${p.webgpu.adapter}${p.webgpu.software ? ' (software — auto skips it, wasm is faster)' : ''}`);
    else notes.push(`WebGPU: unavailable (${p.webgpu.reason})`);
    if (p.webgl.available) notes.push(`WebGL: ${p.webgl.renderer}${/swiftshader|llvmpipe/i.test(p.webgl.renderer ?? '') ? ' (software — auto skips it)' : ''}`);
    else notes.push('WebGL: unavailable');
    notes.push(`WASM: ${p.crossOriginIsolated ? 'multi-threaded' : 'single-threaded (page not cross-origin isolated)'}`);
  }
  ui.backendDetail.textContent = `${request === 'auto' ? 'auto picked' : 'requested'} ${state.backend}. ${notes.join(' · ')}`;
}

// ---------------------------------------------------------------------------------------------
// Normal images and fitting

function setNormal(files: File[]): void {
  state.normal = files;
  ui.normalCount.textContent = files.length ? `${files.length} normal image${files.length === 1 ? '' : 's'}` : 'No images yet.';
  ui.thumbs.replaceChildren(
    ...files.slice(0, 24).map((f) => {
      const img = document.createElement('img');
      img.src = URL.createObjectURL(f);
      img.title = f.webkitRelativePath || f.name;
      img.onload = () => URL.revokeObjectURL(img.src);
      return img;
    }),
  );
  if (files.length > 24) ui.thumbs.append(Object.assign(document.createElement('span'), { textContent: `+${files.length - 24}` }));
  updateButtons();
}

/** Decodes and squares every image to the model's input size (the detector would squash it anyway). */
async function bitmaps(files: File[], size: number, label: string): Promise<ImageBitmap[]> {
  const out: ImageBitmap[] = [];
  for (let i = 0; i < files.length; i++) {
    out.push(await createImageBitmap(files[i], { resizeWidth: size, resizeHeight: size, resizeQuality: 'high' }));
    if (i % 8 === 7) ui.progressText.textContent = `${label} ${i + 1}/${files.length}`;
  }
  return out;
}

function settings(): FitSettings {
  return {
    backend: selectedBackend(),
    weights: ui.weights.value,
    inputSize: Number(ui.inputSize.value),
    flowSteps: Number(ui.flowSteps.value),
    epochs: Number(ui.epochs.value),
    batchSize: Number(ui.batchSize.value),
  };
}

async function fit(): Promise<void> {
  const s = settings();
  state.fitting = true;
  state.losses = [];
  drawLoss();
  updateButtons();
  ui.progress.value = 0;
  status(`Fitting on ${state.normal.length} images (${s.backend}, ${s.inputSize}px, ${s.flowSteps} flow steps, ${s.epochs} epochs)…`);
  const images = await bitmaps(state.normal, s.inputSize, 'Decoding');
  send({ type: 'fit', images, settings: s }, images);
}

function onProgress(e: ProgressEvent): void {
  switch (e.type) {
    case 'download':
      ui.progressText.textContent = `Downloading backbone weights ${(e.loaded / 1e6).toFixed(1)}${e.total ? ` / ${(e.total / 1e6).toFixed(1)}` : ''} MB${e.cached ? ' (cached)' : ''}`;
      if (e.total) ui.progress.value = 0.05 * (e.loaded / e.total);
      break;
    case 'features':
      ui.progress.value = 0.05 + 0.1 * (e.done / e.total);
      ui.progressText.textContent = `Extracting features ${e.done}/${e.total}`;
      break;
    case 'step': {
      const done = (e.epoch - 1) * e.steps + e.step;
      ui.progress.value = 0.15 + 0.85 * (done / (e.epochs * e.steps));
      ui.progressText.textContent = `Epoch ${e.epoch}/${e.epochs} · step ${e.step}/${e.steps} · loss ${e.loss.toFixed(1)}`;
      state.losses.push(e.loss);
      drawLoss();
      break;
    }
    case 'stage':
      ui.progressText.textContent = e.message;
      break;
    default:
      break;
  }
}

function drawLoss(): void {
  const c = ui.loss;
  const ctx = c.getContext('2d')!;
  ctx.clearRect(0, 0, c.width, c.height);
  const l = state.losses;
  if (l.length < 2) return;
  const min = Math.min(...l);
  const max = Math.max(...l);
  ctx.strokeStyle = '#e4572e';
  ctx.lineWidth = 2;
  ctx.beginPath();
  l.forEach((v, i) => {
    const x = (i / (l.length - 1)) * (c.width - 8) + 4;
    const y = c.height - 6 - ((v - min) / Math.max(max - min, 1e-9)) * (c.height - 12);
    if (i === 0) ctx.moveTo(x, y);
    else ctx.lineTo(x, y);
  });
  ctx.stroke();
  ctx.fillStyle = '#666';
  ctx.font = '11px system-ui';
  ctx.fillText(`loss ${l[0].toFixed(0)} → ${l.at(-1)!.toFixed(0)}`, 6, 12);
}

// ---------------------------------------------------------------------------------------------
// Model

function setModel(model: ModelInfo | undefined): void {
  state.model = model;
  if (!model) ui.modelInfo.textContent = 'No model yet — fit one, or load a saved one.';
  else {
    ui.modelInfo.textContent =
      `${model.inputSize}px · ${model.flowSteps} flow steps · backend ${model.backend} · engine ${model.engine} · threshold ` +
      (model.threshold === null ? 'none (masks empty)' : model.threshold.toFixed(4)) +
      (model.finalLoss === null ? '' : ` · final loss ${model.finalLoss.toFixed(1)}`);
    state.backend = model.backend;
    showBackend(selectedBackend());
  }
  ui.modelInfo.dataset.ready = String(!!model);
  updateButtons();
}

async function download(): Promise<void> {
  // The page thread loads the saved model on the plain-JS cpu backend just to write the file.
  status('Preparing the download…');
  const { loadDetector } = await import('danflow');
  const det = await loadDetector(`indexeddb://${MODEL_NAME}`, { backend: 'cpu' });
  await det.save(`downloads://${MODEL_NAME}`);
  det.dispose();
  status(`Downloaded ${MODEL_NAME}.danflow — upload it here (or load it in Node) to use it again.`);
}

// ---------------------------------------------------------------------------------------------
// Test images

function addTests(files: File[]): void {
  for (const file of files) {
    const card = document.createElement('figure');
    card.className = 'card';
    const canvas = document.createElement('canvas');
    const caption = document.createElement('figcaption');
    caption.innerHTML = `<span class="name"></span><span class="verdict">…</span><span class="score"></span>`;
    caption.querySelector('.name')!.textContent = file.webkitRelativePath || file.name;
    card.append(canvas, caption);
    ui.results.prepend(card);
    const item: TestItem = { id: state.nextId++, file, card, canvas };
    state.tests.push(item);
    void createImageBitmap(file).then((bmp) => {
      const scale = DISPLAY_SIZE / Math.max(bmp.width, bmp.height);
      canvas.width = Math.round(bmp.width * scale);
      canvas.height = Math.round(bmp.height * scale);
      item.display = bmp;
      redraw(item);
    });
  }
  void localize(state.tests.filter((t) => !t.result));
}

async function localize(items: TestItem[]): Promise<void> {
  if (!state.model || items.length === 0) {
    if (items.length) status('Test images will be scored once a model is fitted or loaded.');
    return;
  }
  const size = state.model.inputSize;
  const payload: { id: number; image: ImageBitmap }[] = [];
  for (const t of items) payload.push({ id: t.id, image: (await bitmaps([t.file], size, 'Decoding'))[0] });
  send({ type: 'localize', items: payload }, payload.map((p) => p.image));
}

function relocalizeAll(): void {
  for (const t of state.tests) {
    t.result = undefined;
    t.card.dataset.state = 'pending';
  }
  void localize(state.tests);
}

function onResult(msg: Extract<FromWorker, { type: 'result' }>): void {
  const item = state.tests.find((t) => t.id === msg.id);
  if (!item) return;
  item.result = { width: msg.width, height: msg.height, map: msg.map, mask: msg.mask, threshold: msg.threshold, score: msg.score, isAnomalous: msg.isAnomalous };
  const verdict = item.card.querySelector('.verdict')!;
  verdict.textContent = msg.threshold === null ? 'no threshold' : msg.isAnomalous ? 'DEFECT' : 'OK';
  item.card.dataset.state = msg.threshold === null ? 'unknown' : msg.isAnomalous ? 'defect' : 'ok';
  item.card.querySelector('.score')!.textContent = `score ${msg.score.toFixed(4)}${msg.threshold === null ? '' : ` / ${msg.threshold.toFixed(4)}`}`;
  redraw(item);
  status(`Scored ${state.tests.filter((t) => t.result).length}/${state.tests.length} test images.`);
}

function redraw(item: TestItem): void {
  if (!item.display) return;
  const ctx = item.canvas.getContext('2d')!;
  if (!item.result) ctx.drawImage(item.display, 0, 0, item.canvas.width, item.canvas.height);
  else drawOverlay(item.canvas, item.display, item.result, Number(ui.opacity.value), ui.showMask.checked);
}

// ---------------------------------------------------------------------------------------------
// Wiring

function updateButtons(): void {
  ui.fit.disabled = state.fitting || state.normal.length === 0;
  ui.cancel.disabled = !state.fitting;
  ui.save.disabled = ui.download.disabled = !state.model || state.fitting;
  ui.load.disabled = state.fitting;
}

dropZone($('drop-normal'), setNormal);
dropZone($('drop-test'), addTests);
$<HTMLInputElement>('pick-normal-dir').addEventListener('change', (e) => setNormal(filesFromInput(e.target as HTMLInputElement)));
$<HTMLInputElement>('pick-normal').addEventListener('change', (e) => setNormal(filesFromInput(e.target as HTMLInputElement)));
$<HTMLInputElement>('pick-test').addEventListener('change', (e) => addTests(filesFromInput(e.target as HTMLInputElement)));
$('demo').addEventListener('click', async () => {
  status('Generating demo images…');
  const demo = await demoImages(16, 5);
  setNormal(demo.normal);
  addTests(demo.test);
  status(`Demo images ready: ${demo.normal.length} normal, ${demo.test.length} to test. Press "Fit detector".`);
});
ui.fit.addEventListener('click', () => void fit());
ui.cancel.addEventListener('click', () => {
  worker.postMessage({ type: 'cancel' } satisfies ToWorker);
  status('Cancelling after the current step…');
});
ui.save.addEventListener('click', () => send({ type: 'save', name: MODEL_NAME }));
ui.load.addEventListener('click', () => send({ type: 'load', source: { indexeddb: MODEL_NAME }, backend: selectedBackend() }));
ui.download.addEventListener('click', () => void download().catch((e: Error) => status(`Download failed: ${e.message}`, 'error')));
ui.upload.addEventListener('change', async () => {
  const file = ui.upload.files?.[0];
  if (!file) return;
  const bytes = await file.arrayBuffer();
  send({ type: 'load', source: { bytes }, backend: selectedBackend(), saveAs: MODEL_NAME }, [bytes]);
  ui.upload.value = '';
});
ui.backendSelect.addEventListener('change', () => {
  // A model moves to the new backend by reloading it (it is saved in IndexedDB after every fit/load).
  if (state.model) send({ type: 'load', source: { indexeddb: MODEL_NAME }, backend: selectedBackend() });
  else send({ type: 'backend', request: selectedBackend() });
});
for (const el of [ui.opacity, ui.showMask]) el.addEventListener('input', () => state.tests.forEach(redraw));

send({ type: 'init', wasmPaths: new URL('tfjs-wasm/', document.baseURI).href, backend: selectedBackend() });
updateButtons();
