import * as tf from '@tensorflow/tfjs-core';

// In vitest, tfjs-core is loaded twice (the inlined ESM build for our sources, the CommonJS build the
// backends require), and the second copy warns that its platform "has already been set". tfjs's
// IS_TEST flag exists for exactly this; published builds load one copy and never see it.
tf.env().set('IS_TEST', true);
