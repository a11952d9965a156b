/** Which implementation runs localize: tfjs (the model's own ops) or ONNX Runtime (the exported graph). */
export type EngineName = 'tfjs' | 'onnxruntime';
/** 'auto': onnxruntime when its package loads here, else tfjs. */
export type EngineRequest = 'auto' | EngineName;

export const ENGINE_REQUESTS: readonly EngineRequest[] = ['auto', 'tfjs', 'onnxruntime'];
