// The saved model `poolkit eval` and `poolkit predict` read. Before any training there is none: say
// how to make one instead of naming a missing model.json.
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** Throws, saying how to get a model, when `folder` holds no model.json; `given`: named by --model. */
export function requireTrainedModel(folder: string, given: boolean): void {
  if (existsSync(join(folder, 'model.json'))) return;
  const out = given ? ` --out ${folder}` : '';
  const how = existsSync(join(folder, 'checkpoint.bin'))
    ? `its training was interrupted: finish it with \`poolkit train${out} --resume\``
    : `train one first with \`poolkit train${out}\`${given ? '' : ' (in a clone: `npm start`)'}`;
  throw new Error(`no trained model in ${folder}: ${how}, or name a saved model folder with --model <folder>`);
}
