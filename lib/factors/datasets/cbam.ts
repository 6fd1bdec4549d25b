/** EU CBAM default values (placeholder while the full transcription is written). */
import type { DatasetBundle } from './bundle.js';

export const cbamDataset: DatasetBundle = { datasets: [], factors: [] };
