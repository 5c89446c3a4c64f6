// Mean and spread over a comparison's seeds.

export interface Spread {
  readonly mean: number;
  /** Sample standard deviation (n − 1); NaN for a single value (JSON: null). */
  readonly std: number;
}

export function spread(values: readonly number[]): Spread {
  const mean = values.reduce((total, value) => total + value, 0) / values.length;
  const squares = values.reduce((total, value) => total + (value - mean) ** 2, 0);
  return { mean, std: values.length > 1 ? Math.sqrt(squares / (values.length - 1)) : NaN };
}

/** "98.12% ± 0.10%" (percent of a fraction), or without ± where the spread is unknown. */
export function percentSpread({ mean, std }: Spread): string {
  const percent = (value: number) => `${(100 * value).toFixed(2)}%`;
  return Number.isNaN(std) ? percent(mean) : `${percent(mean)} ± ${percent(std)}`;
}
