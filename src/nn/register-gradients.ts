// tfjs-core registers no gradients by itself; without this, training fails with "gradient function
// not found". tsup bundles this file's import because tfjs ships it as extension-less ESM that Node
// cannot load directly (see tsup.config.ts).
import '@tensorflow/tfjs-core/dist/register_all_gradients';
