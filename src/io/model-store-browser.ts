import { DanflowError } from '../core/errors.js';
import { packModel, unpackModel, type SavedModel } from './model-format.js';

const DB = 'danflow-models';
const STORE = 'models';

function openDb(): Promise<IDBDatabase> {
  if (typeof indexedDB === 'undefined') throw new DanflowError('UNSUPPORTED', 'indexeddb:// needs IndexedDB (a browser or a worker).');
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(new DanflowError('UNSUPPORTED', `Could not open IndexedDB: ${req.error?.message}`));
  });
}

/** One put in one transaction: IndexedDB commits it whole or not at all. */
export async function saveToIndexedDb(name: string, saved: SavedModel): Promise<void> {
  const db = await openDb();
  try {
    await new Promise<void>((resolve, reject) => {
      const tx = db.transaction(STORE, 'readwrite');
      tx.objectStore(STORE).put(packModel(saved), name);
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(new DanflowError('BAD_ARGUMENT', `Saving "${name}" to IndexedDB failed: ${tx.error?.message} (storage quota?). The previous model is unchanged.`));
      tx.onabort = tx.onerror;
    });
  } finally {
    db.close();
  }
}

export async function loadFromIndexedDb(name: string): Promise<SavedModel> {
  const db = await openDb();
  try {
    const value = await new Promise<unknown>((resolve, reject) => {
      const req = db.transaction(STORE, 'readonly').objectStore(STORE).get(name);
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
    if (!(value instanceof Uint8Array)) throw new DanflowError('NOT_FOUND', `No model named "${name}" in IndexedDB. Save one with detector.save('indexeddb://${name}').`);
    return unpackModel(value, `indexeddb://${name}`);
  } finally {
    db.close();
  }
}

/** Offers the packed model as a file download (`downloads://name` → name.danflow). */
export function saveToDownload(name: string, saved: SavedModel): void {
  if (typeof document === 'undefined') throw new DanflowError('UNSUPPORTED', 'downloads:// needs a browser page (document).');
  const blob = new Blob([packModel(saved) as BlobPart], { type: 'application/octet-stream' });
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = name.endsWith('.danflow') ? name : `${name}.danflow`;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}
