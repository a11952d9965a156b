// The Node build of the main entry: the same API plus file/Buffer image decoding.
import './image/register-node-decoder.js';

export * from './index.js';
