/** Image kernels. */
import type { TraceKernel } from '../backend.js';
import { TraceError } from '../session.js';

export const imageKernels: TraceKernel[] = [
  {
    /**
     * ONNX Resize (linear) on the channels-last tensor directly: ONNX Runtime interpolates the axes
     * whose size changes and has an NHWC path when N and C keep their sizes, so no transposes are
     * needed. tfjs's half-pixel centres are ONNX 'half_pixel' (TF's scaler: (x + ½)·in/out − ½,
     * clamped at the edges); 'pytorch_half_pixel' differs only for an output size of 1.
     * The target is given as `sizes` (exact out/in ratios), built from N at run time.
     */
    kernelName: 'ResizeBilinear',
    inputs: ['images'],
    emit: (s, [x], attrs) => {
      const [h, w] = attrs.size as [number, number];
      if (x.batchAxis > 0) throw new TraceError('ResizeBilinear: the batch must be axis 0');
      const mode = attrs.alignCorners ? 'align_corners' : attrs.halfPixelCenters ? 'half_pixel' : 'asymmetric';
      const shape = [x.shape[0], h, w, x.shape[3]];
      const g = s.graph;
      const y = g.op('Resize', [s.nameOf(x), '', '', s.shapeTensor(shape, x.batchAxis)], { mode: { s: 'linear' }, coordinate_transformation_mode: { s: mode } });
      return s.produced(y, shape, x.dtype, x.batchAxis);
    },
  },
];
