/** Browser stand-in for node-modules.ts: browsers thread tfjs-backend-wasm themselves (cross-origin isolation). */
export function useThreadedWasm(_requested: number | undefined, _onFallback: (message: string) => void): Promise<void> {
  return Promise.reject(new Error('the threaded wasm loader is for Node'));
}
