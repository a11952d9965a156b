import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { GLOBAL_OPTIONS, type Args, type CommandDef } from '../args.js';
import { BACKEND_OPTION, backendOf, describeConfig, loadModel, progressHandler, resolvePath } from '../common.js';
import type { CliIo } from '../io.js';
import { formatBytes, formatSeconds, type Output } from '../output.js';

export const EXPORT: CommandDef = {
  name: 'export',
  summary: 'write a saved model as an ONNX file (for ONNX Runtime, OpenVINO, TensorRT, …)',
  usage: ['danflow export --model <dir> --out <file.onnx> [options]'],
  description:
    'Export a saved model as ONNX (IR 8, opset 17), traced from the same code localize runs.\n' +
    'Input  image        float32 [N, 3, S, S], RGB in [0, 1] (N dynamic; normalisation is inside the graph)\n' +
    'Output anomaly_map  float32 [N, 1, S, S]: the raw map, = localize(img, { sigma: 0 }) at input size\n' +
    "       score        float32 [N]: the image score under the model's rule at the default sigma\n" +
    'The threshold, pixel threshold, score statistics, config, SDK version, score rule and sigma are\n' +
    "in the file's metadata (metadata_props, keys danflow.*).",
  options: {
    model: { type: 'string', short: 'm', value: '<dir>', help: 'saved model folder (danflow.json) or .danflow file', group: 'Input' },
    out: { type: 'string', short: 'o', value: '<file>', help: 'the .onnx file to write (its folder is created)', group: 'Output' },
    ...BACKEND_OPTION,
    ...GLOBAL_OPTIONS,
  },
  examples: ['danflow export --model models/bottle --out bottle.onnx', 'danflow export -m models/tire -o exports/tire.onnx --json'],
};

export async function runExport(args: Args, io: CliIo, out: Output): Promise<number> {
  const model = resolvePath(io, args.required('model', 'the saved model folder'));
  const file = resolvePath(io, args.required('out', 'the .onnx file to write'));
  // The engine does not matter for an export; tfjs avoids loading onnxruntime for nothing.
  const det = await loadModel(model, backendOf(args), out, progressHandler(out), 'tfjs');
  try {
    const t0 = performance.now();
    await mkdir(path.dirname(file), { recursive: true });
    const bytes = await det.exportOnnx(file);
    const seconds = (performance.now() - t0) / 1000;
    const s = det.config.inputSize;
    const doc = {
      command: 'export',
      model,
      out: file,
      bytes: bytes.length,
      seconds,
      input: { name: 'image', shape: ['N', 3, s, s] },
      outputs: [{ name: 'anomaly_map', shape: ['N', 1, s, s] }, { name: 'score', shape: ['N'] }],
      threshold: det.threshold ?? null,
      pixelThreshold: det.pixelThreshold ?? null,
    };
    if (out.flags.json) out.json(doc);
    else {
      out.result(
        [
          `wrote ${path.relative(io.cwd, file) || file} (${formatBytes(bytes.length)}, ${formatSeconds(seconds)}): ${describeConfig(det.config)}`,
          `  input   image        float32 [N, 3, ${s}, ${s}], RGB in [0, 1]`,
          `  outputs anomaly_map  float32 [N, 1, ${s}, ${s}] (raw map), score float32 [N]`,
          `  threshold ${det.threshold?.toPrecision(6) ?? 'none'}, pixel threshold ${det.pixelThreshold?.toPrecision(6) ?? 'none'} (in the metadata)`,
        ].join('\n'),
      );
    }
    return 0;
  } finally {
    det.dispose();
  }
}
