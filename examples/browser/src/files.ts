/** Getting image files out of drops (files or whole folders, recursively) and file pickers. */

const IMAGE = /\.(png|jpe?g|bmp|webp|gif|tiff?)$/i;

export function isImageFile(f: File): boolean {
  return f.type.startsWith('image/') || IMAGE.test(f.name);
}

function readAll(reader: FileSystemDirectoryReader): Promise<FileSystemEntry[]> {
  // readEntries returns at most ~100 entries per call; keep calling until it returns none.
  return new Promise((resolve, reject) => {
    const out: FileSystemEntry[] = [];
    const next = (): void =>
      reader.readEntries((batch) => {
        if (batch.length === 0) resolve(out);
        else {
          out.push(...batch);
          next();
        }
      }, reject);
    next();
  });
}

async function walk(entry: FileSystemEntry, path: string, out: File[]): Promise<void> {
  if (entry.isFile) {
    const file = await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject));
    if (isImageFile(file)) out.push(new File([file], `${path}${file.name}`, { type: file.type, lastModified: file.lastModified }));
  } else if (entry.isDirectory) {
    for (const child of await readAll((entry as FileSystemDirectoryEntry).createReader())) await walk(child, `${path}${entry.name}/`, out);
  }
}

/** All image files in a drop, descending into dropped folders. Sorted by path. */
export async function filesFromDrop(dt: DataTransfer): Promise<File[]> {
  const out: File[] = [];
  const entries = [...dt.items].map((i) => i.webkitGetAsEntry?.()).filter((e): e is FileSystemEntry => !!e);
  if (entries.length) for (const e of entries) await walk(e, '', out);
  else out.push(...[...dt.files].filter(isImageFile));
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

export function filesFromInput(input: HTMLInputElement): File[] {
  return [...(input.files ?? [])].filter(isImageFile).sort((a, b) => (a.webkitRelativePath || a.name).localeCompare(b.webkitRelativePath || b.name));
}

/** Wires a drop zone: highlight on drag-over, `onFiles` with the images of a drop. */
export function dropZone(el: HTMLElement, onFiles: (files: File[]) => void): void {
  el.addEventListener('dragover', (e) => {
    e.preventDefault();
    el.classList.add('over');
  });
  el.addEventListener('dragleave', () => el.classList.remove('over'));
  el.addEventListener('drop', async (e) => {
    e.preventDefault();
    el.classList.remove('over');
    if (e.dataTransfer) onFiles(await filesFromDrop(e.dataTransfer));
  });
}
