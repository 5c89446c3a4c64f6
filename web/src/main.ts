// The page: two views (pooling explorer, digit recognizer) behind tabs, and the backend badge.
import { chooseBackend, type BackendReport } from './backend.js';
import { loadDigits } from './digits.js';
import { byId } from './dom.js';
import { Explorer } from './explorer.js';
import { Recognizer } from './recognizer.js';

function showFatal(error: unknown): void {
  const box = byId('fatal');
  box.textContent = `Something went wrong: ${error instanceof Error ? error.message : String(error)}`;
  box.hidden = false;
}

function wireTabs(onShow: (view: string) => void): void {
  const tabs = ['explorer', 'recognizer'];
  for (const name of tabs) {
    byId(`tab-${name}`).addEventListener('click', () => {
      for (const other of tabs) {
        byId(`tab-${other}`).setAttribute('aria-selected', String(other === name));
        byId(`view-${other}`).hidden = other !== name;
      }
      history.replaceState(null, '', `#${name}`);
      onShow(name);
    });
  }
}

/** How many threads the WebAssembly kernels run on: one where the host sends no COOP/COEP headers. */
function threadNote(backend: BackendReport): string {
  if (backend.name !== 'wasm') return '';
  if (!backend.isolated) return ' · single-threaded';
  return ` · ${backend.threads} thread${backend.threads === 1 ? '' : 's'}`;
}

/** The badge: which kernels run, on how many threads, and (on hover) why. */
function showBackend(backend: BackendReport): void {
  const badge = byId('backend');
  badge.textContent = `backend: ${backend.name}${threadNote(backend)}`;
  badge.dataset.backend = backend.name;
  badge.dataset.isolated = String(backend.isolated);
  badge.title =
    `Kernels: ${backend.available.join(', ')}. ` +
    (backend.isolated
      ? `Cross-origin isolated: ${backend.threads} thread(s) share the heap.`
      : 'Not cross-origin isolated (the host sends no COOP/COEP headers): the kernels run on one thread.');
}

async function main(): Promise<void> {
  showBackend(chooseBackend());
  const explorer = new Explorer();
  byId('view-explorer').append(explorer.root);
  const recognizer = new Recognizer();
  byId('view-recognizer').append(recognizer.root);
  wireTabs((view) => {
    if (view === 'recognizer') void recognizer.start().catch(showFatal);
  });
  const digits = await loadDigits('./digits.json');
  explorer.start(digits);
  recognizer.useDigits(digits);
  if (location.hash === '#recognizer') byId('tab-recognizer').click();
  document.body.dataset.ready = 'true';
}

window.addEventListener('error', (event) => showFatal(event.error ?? event.message));
window.addEventListener('unhandledrejection', (event) => showFatal(event.reason));
main().catch(showFatal);
