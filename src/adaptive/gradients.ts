/** Gradient helpers shared by the training loop and the learned augmenter. */
import * as tf from '@tensorflow/tfjs-core';
import { OtfgenBackendError } from '../core/errors.js';

/** Scales all gradients down together when their global norm exceeds `maxNorm`. */
export function clipByGlobalNorm(grads: tf.NamedTensorMap, maxNorm: number): tf.NamedTensorMap {
  return tf.tidy(() => {
    const names = Object.keys(grads);
    const norm = tf.sqrt(tf.addN(names.map((n) => tf.sum(tf.square(grads[n])))));
    const scale = tf.minimum(1, tf.div(maxNorm, tf.maximum(norm, 1e-12)));
    const out: tf.NamedTensorMap = {};
    for (const n of names) out[n] = tf.mul(grads[n], scale);
    return out;
  });
}

/**
 * Throws a typed error when tfjs has no gradients registered: on Node,
 * tfjs-core alone registers none; tfjs-layers (or the full @tensorflow/tfjs) does.
 */
export function checkGradients(who: string): void {
  if (!tf.getGradient('BatchMatMul')) {
    throw new OtfgenBackendError(`${who} needs tfjs gradients and none are registered: import '@tensorflow/tfjs-layers' (or '@tensorflow/tfjs') first`);
  }
}
