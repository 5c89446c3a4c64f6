// The weighted family's words of the argument block, after assembly/pool/'s (which end with the
// window tables' offsets at word 46): the parameter tensor (p or r), the backward's per-window
// statistics, per-row parameter-gradient terms, and the math probe's mode.

/** Pointer to the parameter's float32 values (p or r). */
export const WEIGHTS = 48;
/** 1 when the parameter has one value per channel, 0 when one value is shared. */
export const PER_CHANNEL = 49;
/** Pointer to the per-window statistics planes (float32, one value per output element each). */
export const STATS = 50;
/** Bytes of one statistics plane (4 × output elements). */
export const STATS_PLANE_BYTES = 51;
/** Pointer to the per-row parameter-gradient terms: float64, `group` per output row. */
export const ROW_TERMS = 52;
/** Pointer to the parameter's gradient (float32, one value or one per channel). */
export const GRAD_WEIGHTS = 53;
/** mathLanes: 0 for e^x, 1 for ln x. */
export const MATH_MODE = 54;
/** LIP: pointers to the logits z and their gradient, and λ (float32 bits) of G = λ·sigmoid(z). */
export const LOGITS = 55;
export const GRAD_LOGITS = 56;
export const COEFFICIENT = 57;
/** A kind's switch: DPP's asymmetric reward (1) or symmetric (0). */
export const OPTION = 58;
/** A second parameter (DPP's λ; α is WEIGHTS) and whether it has one value per channel. */
export const SECOND_WEIGHTS = 59;
export const SECOND_PER_CHANNEL = 60;
/** Pointer to a float32 scratch of the input's size: a second value parked per cell (fused backwards). */
export const CELL_SCRATCH = 61;
/** Bytes of one input-sized plane of CELL_SCRATCH (4 × input elements). */
export const CELL_PLANE_BYTES = 62;
