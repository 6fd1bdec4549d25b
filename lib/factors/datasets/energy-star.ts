/** Placeholder: filled in by the next commit. */
import type { DatasetBundle } from './bundle.js';

export const energyStarDataset: DatasetBundle = { datasets: [], factors: [] };
