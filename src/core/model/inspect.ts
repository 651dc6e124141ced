/**
 * Inside a model, for one drawing: the feature maps of every convolution (as
 * the next layer sees them, after the BatchNorm and activation that follow
 * it), the first convolution's filters, and a saliency map.
 *
 * The saliency map is gradient x input of the top digit's log-probability:
 * one backward pass, so it keeps up with drawing (occlusion needs a forward
 * pass per occluded patch), and its sign tells ink that pushed the model
 * towards its digit from ink that pushed away. Blank pixels score zero: it
 * explains the ink that is there, not the ink that is missing.
 */
import * as tf from '../tf';
import { IMAGE_PIXELS, IMAGE_SIZE } from '../data/mnist';
import { diverging, ink, maxAbs, tiles, type Rgba } from '../pictures';
import { INPUT_SHAPE } from './models';

export interface FeatureMaps {
  /** The convolution's name, and the layer whose output is shown. */
  conv: string;
  shown: string;
  height: number;
  width: number;
  channels: number;
  /** Height x width x channels, as the layer outputs them. */
  values: Float32Array;
}

export interface Filters {
  size: number;
  count: number;
  /** size x size x count: the first convolution's kernels (one input channel). */
  values: Float32Array;
}

export interface Inspection {
  maps: FeatureMaps[];
  filters?: Filters;
  /** The top digit and, per input pixel, gradient x input of its log-probability. */
  digit: number;
  saliency: Float32Array;
}

const BLOCK_TAIL = new Set(['BatchNormalization', 'Activation']);

/** Each convolution with the layer that ends its block (itself, or the BatchNorm/activation layers right after it). */
export function convBlocks(model: tf.LayersModel): { conv: tf.layers.Layer; shown: tf.layers.Layer }[] {
  const blocks: { conv: tf.layers.Layer; shown: tf.layers.Layer }[] = [];
  model.layers.forEach((layer, i) => {
    const last = blocks.at(-1);
    if (layer.getClassName() === 'Conv2D') blocks.push({ conv: layer, shown: layer });
    else if (last && last.shown === model.layers[i - 1] && BLOCK_TAIL.has(layer.getClassName())) last.shown = layer;
  });
  return blocks;
}

/** One model that outputs every block's maps and the probabilities; it shares the model's layers and weights. */
const probes = new WeakMap<tf.LayersModel, tf.LayersModel>();
function probeOf(model: tf.LayersModel): tf.LayersModel {
  let probe = probes.get(model);
  if (!probe) {
    const outputs = [...convBlocks(model).map((b) => b.shown.output as tf.SymbolicTensor), model.outputs[0]];
    probe = tf.model({ inputs: model.inputs, outputs });
    probes.set(model, probe);
  }
  return probe;
}

export async function inspect(model: tf.LayersModel, pixels: Float32Array): Promise<Inspection> {
  const blocks = convBlocks(model);
  const [outputs, saliency] = tf.tidy(() => {
    const x = tf.tensor4d(pixels, [1, ...INPUT_SHAPE]);
    const outs = probeOf(model).predict(x) as tf.Tensor[];
    // The gradient of the largest log-probability flows to the top digit only.
    const grad = tf.grad((input: tf.Tensor) => tf.log(tf.max(model.apply(input, { training: false }) as tf.Tensor)))(x);
    return [outs, tf.mul(grad, x)];
  });
  try {
    const values = await Promise.all([...outputs, saliency].map((t) => t.data() as Promise<Float32Array>));
    const probabilities = values[blocks.length];
    const maps = blocks.map(({ conv, shown }, i) => {
      const [, height, width, channels] = outputs[i].shape;
      return { conv: conv.name, shown: shown.name, height, width, channels, values: values[i] };
    });
    return { maps, filters: await filtersOf(blocks[0]?.conv), digit: probabilities.indexOf(Math.max(...probabilities)), saliency: values.at(-1)! };
  } finally {
    tf.dispose([...outputs, saliency]);
  }
}

async function filtersOf(conv: tf.layers.Layer | undefined): Promise<Filters | undefined> {
  const kernel = conv?.getWeights()[0];
  const [size, , inputs, count] = kernel?.shape ?? [];
  if (!kernel || kernel.rank !== 4 || inputs !== 1 || size !== kernel.shape[1]) return undefined;
  return { size: size!, count: count!, values: (await kernel.data()) as Float32Array };
}

/** An inspection as pictures, made where it is computed so the page's thread only puts them on canvases. */
export interface InspectionPictures {
  digit: number;
  /** The saliency over the drawing in grey. */
  saliency: Rgba;
  filters?: Omit<Filters, 'values'> & { picture: Rgba };
  maps: (Omit<FeatureMaps, 'values'> & { picture: Rgba })[];
}

export function picture({ maps, filters, digit, saliency }: Inspection, pixels: Float32Array): InspectionPictures {
  const overlay = tiles(saliency, [IMAGE_SIZE, IMAGE_SIZE, 1], 1, diverging, () => maxAbs(saliency));
  for (let i = 0; i < IMAGE_PIXELS; i++) {
    for (let ch = 0; ch < 3; ch++) overlay.data[i * 4 + ch] -= 60 * pixels[i] * (overlay.data[i * 4 + ch] / 255);
  }
  return {
    digit,
    saliency: overlay,
    filters: filters && {
      size: filters.size,
      count: filters.count,
      picture: tiles(filters.values, [filters.size, filters.size, filters.count], 8, diverging, (k) => maxAbs(filters.values, filters.count, k)),
    },
    // Each block on one scale, so a map that stays blank is one that does not respond.
    maps: maps.map(({ values, ...m }) => ({ ...m, picture: tiles(values, [m.height, m.width, m.channels], m.channels > 32 ? 16 : 8, ink, () => maxAbs(values)) })),
  };
}
