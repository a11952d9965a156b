import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root, wherever the test file sits in test/unit, test/integration or test/e2e. */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const FIXTURES = path.join(REPO_ROOT, 'fixtures');
/** Real weights and data kept beside the repository, never inside it (absent on some machines). */
export const SHARED = path.resolve(REPO_ROOT, '../shared');
