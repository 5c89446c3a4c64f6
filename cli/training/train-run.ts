// The train command's run: MNIST in, the seed model trained epoch by epoch with a progress bar,
// a checkpoint after every epoch (so --resume continues exactly), then the saved model and report.
import { existsSync } from 'node:fs';
import { rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { datasetTensors, getBackend, type Sequential } from '../../src/index.js';
import {
  loadCheckpoint,
  loadMnist,
  makeFolder,
  mnistFolder,
  readJson,
  saveCheckpoint,
  saveModel,
  writeTrainingReport,
  type EpochRecord,
} from '../../src/io/node.js';
import { UsageError } from '../args.js';
import { EpochProgress, type ProgressStream } from '../progress.js';
import { buildSeedModel, compileSeedModel } from './seed-model.js';

export const CHECKPOINT_FILE = 'checkpoint.bin';

/** What decides a run's numbers; a resumed run must keep them (only `epochs` may grow). */
export interface TrainSettings {
  readonly epochs: number;
  readonly batchSize: number;
  readonly learningRate: number;
  readonly pooling: string;
  readonly seed: number;
  readonly trainLimit: number | null;
  readonly testLimit: number | null;
}

export interface TrainRun {
  readonly settings: TrainSettings;
  /** Settings given on the command line (the rest are defaults), to check against a checkpoint. */
  readonly given: ReadonlySet<keyof TrainSettings>;
  readonly out: string;
  readonly resume: boolean;
  readonly stream?: ProgressStream;
}

/** The seed of epoch `epoch`'s shuffle: a pure function, so resuming needs no generator state. */
export function epochSeed(seed: number, epoch: number): number {
  return (Math.imul(seed | 0, 0x9e3779b1) + Math.imul(epoch + 1, 0x85ebca6b)) | 0;
}

interface Start {
  model: Sequential;
  settings: TrainSettings;
  history: EpochRecord[];
}

/** A fresh model, or the checkpoint's model, optimizer, settings and history with --resume. */
async function start(run: TrainRun, log: (line: string) => void): Promise<Start> {
  const checkpointPath = join(run.out, CHECKPOINT_FILE);
  if (!run.resume) {
    if (existsSync(checkpointPath))
      log(`Starting afresh; the checkpoint in ${run.out} will be replaced (--resume continues it).`);
    return { model: buildSeedModel(run.settings), settings: run.settings, history: [] };
  }
  return resume(run, checkpointPath, log);
}

/** The checkpoint's model, optimizer, settings (only --epochs may differ) and history. */
async function resume(run: TrainRun, checkpointPath: string, log: (line: string) => void): Promise<Start> {
  if (!existsSync(checkpointPath)) {
    throw new UsageError(
      'train',
      `--resume: there is no checkpoint at ${checkpointPath}; train without --resume first`,
    );
  }
  const checkpoint = await loadCheckpoint(checkpointPath);
  const saved = checkpoint.settings as unknown as TrainSettings;
  for (const name of run.given) {
    if (name !== 'epochs' && saved[name] !== run.settings[name]) {
      throw new UsageError(
        'train',
        `--resume: ${name} ${String(run.settings[name])} differs from the checkpoint's ${String(saved[name])}`,
      );
    }
  }
  const settings = { ...saved, epochs: run.given.has('epochs') ? run.settings.epochs : saved.epochs };
  if (checkpoint.epochsDone > settings.epochs) {
    checkpoint.model.dispose();
    throw new UsageError(
      'train',
      `--resume: the checkpoint has ${checkpoint.epochsDone} epochs done, more than --epochs ${settings.epochs}`,
    );
  }
  compileSeedModel(checkpoint.model, settings.learningRate);
  checkpoint.model.optimizer!.setState(checkpoint.optimizerState);
  log(`Resuming from ${checkpointPath}: ${checkpoint.epochsDone} of ${settings.epochs} epochs done.`);
  return { model: checkpoint.model, settings, history: checkpoint.history as EpochRecord[] };
}

/**
 * Checks --out before any training: a folder (made if missing) that poolkit can write into, whose
 * model.json, if any, is poolkit's (a user's file stays theirs). A run that cannot save fails now,
 * not after its first epoch.
 */
async function guardOutput(out: string): Promise<void> {
  const refuse = (problem: string): never => {
    throw new UsageError('train', `--out ${out} ${problem}; choose another folder`);
  };
  const kind = await stat(out).catch(() => null);
  if (kind !== null && !kind.isDirectory()) refuse('is a file, not a folder');
  const probe = join(out, `.poolkit-write-check.${process.pid}.tmp`);
  try {
    await makeFolder(out);
    await writeFile(probe, '');
  } catch (error) {
    refuse(`cannot be written to (${(error as Error).message})`);
  } finally {
    await rm(probe, { force: true }).catch(() => undefined);
  }
  const modelPath = join(out, 'model.json');
  if (!existsSync(modelPath)) return;
  const json = await readJson(modelPath).catch(() => null);
  if ((json as { format?: unknown } | null)?.format !== 'poolkit-model')
    refuse('holds a model.json that is not a poolkit model');
}

/** Runs the whole command; returns the test accuracy and the history. */
export async function runTraining(run: TrainRun): Promise<{ testAccuracy: number; history: EpochRecord[] }> {
  const stream = run.stream ?? process.stdout;
  const log = (line: string): void => void stream.write(`${line}\n`);
  await guardOutput(run.out);
  const { model, settings, history } = await start(run, log);
  // The training images live only in their tensor: the 188 MB float copy is not kept twice.
  const [trainTensors, test] = await Promise.all([
    loadMnist('train', { limit: settings.trainLimit ?? undefined }).then(datasetTensors),
    loadMnist('test', { limit: settings.testLimit ?? undefined }),
  ]);
  log(`MNIST from ${mnistFolder()}: ${trainTensors.x.shape[0]} training and ${test.count} test images.`);
  log(
    `Backend: ${getBackend()}. Seed ${settings.seed}, batch ${settings.batchSize}, Adam learning rate ${settings.learningRate}, ${settings.pooling} pooling.`,
  );
  model.summary(log);
  const testTensors = datasetTensors(test);
  try {
    for (let epoch = history.length; epoch < settings.epochs; epoch++) {
      history.push(await trainEpoch(model, epoch, settings, trainTensors, testTensors, stream));
      await saveCheckpoint(join(run.out, CHECKPOINT_FILE), model, {
        epochsDone: epoch + 1,
        settings: { ...settings },
        history,
      });
    }
  } finally {
    for (const tensor of [trainTensors.x, trainTensors.y, testTensors.x, testTensors.y]) tensor.dispose();
  }
  const final = history[history.length - 1];
  const testAccuracy = final?.validationAccuracy ?? NaN;
  await saveRun(run.out, model, settings, history, test, log);
  log(
    `Test accuracy: ${(100 * testAccuracy).toFixed(2)}% on ${test.count} test images (loss ${final?.validationLoss.toFixed(4) ?? '?'}).`,
  );
  return { testAccuracy, history };
}

async function trainEpoch(
  model: Sequential,
  epoch: number,
  settings: TrainSettings,
  trainTensors: ReturnType<typeof datasetTensors>,
  testTensors: ReturnType<typeof datasetTensors>,
  stream: ProgressStream,
): Promise<EpochRecord> {
  const progress = new EpochProgress(`Epoch ${epoch + 1}/${settings.epochs}`, trainTensors.x.shape[0]!, stream);
  let record: EpochRecord | null = null;
  await model.fit(trainTensors.x, trainTensors.y, {
    epochs: 1,
    batchSize: settings.batchSize,
    seed: epochSeed(settings.seed, epoch),
    validationData: [testTensors.x, testTensors.y],
    callbacks: {
      onBatchEnd: (_batch, logs) =>
        progress.update(logs.samplesSeen, { loss: logs.loss, accuracy: logs.accuracy ?? NaN }),
      onEpochEnd: (_epoch, logs) => {
        record = {
          epoch: epoch + 1,
          loss: logs.loss,
          accuracy: logs.accuracy ?? NaN,
          validationLoss: logs.valLoss ?? NaN,
          validationAccuracy: logs.valAccuracy ?? NaN,
          seconds: logs.seconds,
        };
      },
    },
  });
  const done = record! as EpochRecord;
  progress.finish(
    `loss ${done.loss.toFixed(4)} - accuracy ${percent(done.accuracy)} - val_loss ${done.validationLoss.toFixed(4)} - val_accuracy ${percent(done.validationAccuracy)}`,
  );
  return done;
}

async function saveRun(
  out: string,
  model: Sequential,
  settings: TrainSettings,
  history: readonly EpochRecord[],
  test: Awaited<ReturnType<typeof loadMnist>>,
  log: (line: string) => void,
): Promise<void> {
  const final = history[history.length - 1];
  const metadata = {
    settings: { ...settings },
    backend: getBackend(),
    history,
    testAccuracy: final?.validationAccuracy ?? null,
  };
  const saved = await saveModel(model, out, metadata);
  const seconds = history.reduce((total, record) => total + record.seconds, 0);
  const report = await writeTrainingReport(out, model, history, test, {
    title: `Seed CNN on MNIST, ${settings.pooling} pooling`,
    facts: [
      `${history.length} epochs, batch ${settings.batchSize}, Adam (learning rate ${settings.learningRate}), seed ${settings.seed}`,
      `backend ${getBackend()}; ${seconds.toFixed(0)} s of training`,
      `test accuracy ${percent(final?.validationAccuracy ?? NaN)} on ${test.count} images`,
    ],
  });
  log(`Saved ${saved.model}, ${saved.weights}, ${join(out, CHECKPOINT_FILE)}`);
  log(`Report ${report.report} and ${report.curves}`);
}

function percent(fraction: number): string {
  return `${(100 * fraction).toFixed(2)}%`;
}
