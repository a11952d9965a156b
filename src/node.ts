/**
 * Node-only utilities (`import … from 'danflow/node'`): dataset loaders, image decoding/encoding,
 * the download cache. Kept out of the main entry so browser bundles never see node: imports.
 */
import './image/register-node-decoder.js';

export { openDataset } from './data/index.js';
export type { Dataset, Sample, OpenDatasetOptions } from './data/types.js';
export { decodeImageNode, decodeMaskNode, encodePngNode, imageSizeNode } from './image/decode-node.js';
export { cachedFilePath } from './io/cache.js';
