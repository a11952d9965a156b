export type BackendName = 'webgpu' | 'webgl' | 'wasm' | 'cpu' | 'tensorflow';
export type BackendRequest = BackendName | 'auto';

export const BACKEND_NAMES: readonly BackendName[] = ['tensorflow', 'webgpu', 'webgl', 'wasm', 'cpu'];
