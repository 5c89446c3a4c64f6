// The page: two views (pooling explorer, digit recognizer) behind tabs, the backend menu and badge.
import { chooseBackend } from './backend.js';
import { BackendChoice } from './backend-choice.js';
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

async function main(): Promise<void> {
  const choice = new BackendChoice(chooseBackend(), async (compute) => {
    explorer.useCompute(compute);
    await recognizer.useCompute(compute);
  });
  const explorer = new Explorer(choice.initial);
  byId('view-explorer').append(explorer.root);
  const recognizer = new Recognizer(choice.initial);
  byId('view-recognizer').append(recognizer.root);
  wireTabs((view) => {
    if (view === 'recognizer') void recognizer.start().catch(showFatal);
  });
  const digits = await loadDigits('./digits.json');
  explorer.start(digits);
  recognizer.useDigits(digits);
  if (location.hash === '#recognizer') byId('tab-recognizer').click();
  // ?backend=webgpu starts there (where it can); webgpu is never the default.
  const wanted = new URLSearchParams(location.search).get('backend');
  if ((await choice.offerWebGpu()) && wanted === 'webgpu') await choice.choose('webgpu');
  document.body.dataset.ready = 'true';
}

window.addEventListener('error', (event) => showFatal(event.error ?? event.message));
window.addEventListener('unhandledrejection', (event) => showFatal(event.reason));
main().catch(showFatal);
