// The explorer form's element ids, all derived from option names: the one place the page and its
// tests agree on them. Every option with a `field` in some kind's schema has one of these.

/** The kind menu; its option values are canonical kind names ('max', 'maxUnpool'). */
export const kindMenuId = 'pool-kind';

export type Axis = 'height' | 'width';
export type Side = 'top' | 'bottom' | 'left' | 'right';

export const fieldIds = {
  /** number, select, checkbox and list fields; a padding field's mode menu (valid, same, explicit). */
  value: (name: string): string => `option-${name}`,
  /** A pair field's two numbers: `option-kernelSize-height`, `option-kernelSize-width`. */
  axis: (name: string, axis: Axis): string => `option-${name}-${axis}`,
  /** A padding field's explicit amounts: `option-padding-top`, … `option-padding-right`. */
  side: (name: string, side: Side): string => `option-${name}-${side}`,
};
