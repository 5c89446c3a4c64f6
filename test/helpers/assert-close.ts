// Element-wise comparison with a tolerance that treats NaN as equal to NaN and ±Infinity exactly.
import assert from 'node:assert/strict';

export function assertClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  options: { absolute?: number; relative?: number; label?: string } = {},
): void {
  const { absolute = 1e-6, relative = 1e-5, label = 'values' } = options;
  assert.equal(actual.length, expected.length, `${label}: length ${actual.length} != ${expected.length}`);
  for (let index = 0; index < actual.length; index++) {
    const got = actual[index]!;
    const want = expected[index]!;
    if (Number.isNaN(want) || !Number.isFinite(want)) {
      assert.ok(
        Object.is(got, want) || (Number.isNaN(got) && Number.isNaN(want)),
        `${label}[${index}]: ${got} != ${want}`,
      );
      continue;
    }
    const tolerance = absolute + relative * Math.abs(want);
    assert.ok(Math.abs(got - want) <= tolerance, `${label}[${index}]: ${got} != ${want} (tolerance ${tolerance})`);
  }
}
