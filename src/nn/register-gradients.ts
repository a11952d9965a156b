// tfjs-core registers no gradients by itself; without this, training fails with "gradient function
// not found". tsup bundles the gradient files because tfjs ships them as extension-less ESM that
// Node cannot load directly (see tsup.config.ts) — so they are a second copy of tfjs-core's modules.
// tfjs-core's own entry must be evaluated first: whichever copy runs first creates the global engine,
// and tensors made by the bundled copy's engine have no op handler (`x.cast` fails inside gradients).
import '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
