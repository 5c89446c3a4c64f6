// One error type for files that cannot be read as what they claim to be (IDX, saved models,
// checkpoints), so every message names the file and says what is wrong with it.

export class PoolkitFileError extends Error {
  readonly file: string;

  constructor(file: string, problem: string) {
    super(`${file}: ${problem}`);
    this.name = 'PoolkitFileError';
    this.file = file;
  }
}

/** Throws a PoolkitFileError; `problem` reads as a sentence about the file. */
export function failFile(file: string, problem: string): never {
  throw new PoolkitFileError(file, problem);
}
