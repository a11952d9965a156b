// Side effect: lets fit/localize accept file paths and encoded bytes in Node.
import { decodeImageNode } from './decode-node.js';
import { registerNodeImageDecoder } from './input.js';

registerNodeImageDecoder(decodeImageNode);
