import type { TraceKernel } from '../backend.js';
import { convKernels } from './conv.js';
import { elementwiseKernels } from './elementwise.js';
import { imageKernels } from './image.js';
import { matMulKernels } from './matmul.js';
import { reduceKernels } from './reduce.js';
import { shapeKernels } from './shape.js';

/** Every tfjs kernel the trace backend can record. A kernel missing here fails the export naming it. */
export const TRACE_KERNELS: TraceKernel[] = [...elementwiseKernels, ...shapeKernels, ...convKernels, ...reduceKernels, ...matMulKernels, ...imageKernels];
