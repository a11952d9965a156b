/**
 * The exported graph's contract (README "ONNX export"): names and layouts shared by the exporter
 * and the onnxruntime engine.
 *   image        float32 [N, 3, S, S], RGB in [0, 1]; the model's normalisation is inside the graph
 *   anomaly_map  float32 [N, 1, S, S]  the map smoothed at the map sigma (0 in exports: the raw map)
 *   score        float32 [N]           the image score under the model's rule at the score sigma
 */
export const INPUT_NAME = 'image';
export const OUTPUT_MAP = 'anomaly_map';
export const OUTPUT_SCORE = 'score';

/** ONNX IR version 8 with opset 17: read by ONNX Runtime ≥ 1.12 and by onnx 1.12's checker (Debian's). */
export const IR_VERSION = 8;
export const OPSET = 17;
