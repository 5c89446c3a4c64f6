// The RoI kinds' layers (RoIPooling2D, RoIAlign2D). Called on [features, rois] in a functional
// model, they pool each RoI row ([K, 5]: batch index, x1, y1, x2, y2, torchvision's form) to
// [K, ...outputSize, channels]. Called on one input (Sequential, the seed CNN), each image is its
// own one region: RoI pooling with the whole feature map as the box, which is how Fast R-CNN's
// RoI layer reduces to adaptive pooling when the region is the image.
import { fail } from '../../errors.js';
import { checkDataFormat, spatialSizes } from '../../geometry/layout.js';
import type { LayerShape } from '../../nn/layer.js';
import { Tensor, type Shape } from '../../tensor/tensor.js';
import type { CallArguments, LayerCall, LayerContext, LayerSpec, OpOptions } from '../kind.js';

type OutputShape = (op: string, inputShape: Shape, options: OpOptions) => Shape;

/** The rule a rois input breaks: the op's boxes argument in torchvision's form. */
const ROIS_RULE = 'must have shape [K, 5]: one row (batch index, x1, y1, x2, y2) per region';

/**
 * The op's options for a layer: the config's, with outputSize, when the config leaves it out and
 * the layer has one input, half the feature map (at least 1 per axis), as the seed CNN's 2×2 pools.
 */
export function roiLayerOptions(
  owner: string,
  options: OpOptions,
  inputShape: LayerShape,
  hasRois: boolean,
): OpOptions {
  if (options.outputSize !== undefined) return options;
  if (hasRois) fail(owner, 'outputSize', 'is required when the layer is called on [features, rois]', undefined);
  const format = checkDataFormat(owner, options.dataFormat);
  const sizes = spatialSizes(inputShape as Shape, 2, format) as readonly (number | null)[];
  if (sizes.some((size) => size === null))
    fail(owner, 'outputSize', 'is required when the height or width of the input is unknown', undefined);
  return { ...options, outputSize: sizes.map((size) => Math.max(1, Math.floor(size! / 2))) };
}

function layerOptions(context: LayerContext): OpOptions {
  const { owner, options, inputShape, secondShape } = context;
  return roiLayerOptions(owner, options, inputShape, secondShape !== null && secondShape !== undefined);
}

/** The number of RoIs a rois shape holds (null: unknown until called), after checking its shape. */
function roiCount(owner: string, rois: LayerShape): number | null {
  if (rois.length !== 2 || rois[1] !== 5) fail(owner, 'rois', ROIS_RULE, `shape [${rois.map(String).join(', ')}]`);
  return rois[0]!;
}

/**
 * The box covering a whole feature map of `height`×`width`, (x1, y1, x2, y2) in input coordinates
 * (divided by spatialScale): pixel centres 0 … size − 1 (roiPool's whole pixels, RoIAlign's
 * aligned: false), or edges 0 … size (RoIAlign's aligned: true, half-pixel coordinates).
 */
export function wholeMapCorners(options: OpOptions, height: number, width: number): number[] {
  const end = options.aligned === true ? 0 : 1;
  const scale = (options.spatialScale as number | undefined) ?? 1;
  return [0, 0, (width - end) / scale, (height - end) / scale];
}

/** One whole-map box per image (wholeMapCorners), as [batch, 5] rows. */
export function wholeMapRois(input: Tensor, options: OpOptions): Tensor {
  const [height, width] = spatialSizes(input.shape, 2, checkDataFormat('roi', options.dataFormat)) as number[];
  const corners = wholeMapCorners(options, height!, width!);
  const batch = input.shape[0]!;
  const rois = Tensor.allocate([batch, 5]);
  for (let image = 0; image < batch; image++) rois.values.set([image, ...corners], image * 5);
  return rois;
}

function roiCallArguments(
  context: LayerContext,
  input: Tensor,
  _weights: readonly Tensor[],
  call: LayerCall,
): CallArguments {
  const options = layerOptions(context);
  if (call.second) return { tensors: [call.second], options };
  const rois = wholeMapRois(input, options);
  return { tensors: [rois], options, temporary: rois };
}

/**
 * A RoI kind's layer spec: `className` (no rank placeholder: 2D only), its factory name, and the
 * kind's outputShape (which checks its options). The boxes get no gradient, as in torchvision.
 */
export function roiLayer<const ClassName extends string, const Factory extends string>(
  className: ClassName,
  factory: Factory,
  outputShape: OutputShape,
): LayerSpec & { readonly className: ClassName; readonly factory: Factory } {
  return {
    className,
    factory,
    keras: false,
    // The seed CNN's convolution gives 26×26: 13 bins over the whole map are its 2×2 pools.
    seedConfig: { outputSize: 13 },
    secondInput: 'rois',
    callArguments: roiCallArguments,
    outputShape: (context) => {
      const { owner, inputShape, secondShape } = context;
      const count = secondShape ? roiCount(owner, secondShape) : inputShape[0]!;
      const shape = outputShape(
        owner,
        inputShape.map((extent) => extent ?? 1),
        layerOptions(context),
      );
      return [count, ...shape.slice(1)];
    },
  };
}
