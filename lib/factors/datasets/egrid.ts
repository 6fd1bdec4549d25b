/** Placeholder: filled in by the next commit. */
import type { DatasetBundle } from './bundle.js';

export const egridDataset: DatasetBundle = { datasets: [], factors: [] };
