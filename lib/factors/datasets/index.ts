/** Every bundled dataset, in load order. `FactorCatalogue.builtin()` loads these. */
import type { DatasetBundle } from './bundle.js';
import { cbamDataset } from './cbam.js';
import { desnzDataset } from './desnz.js';
import { egridDataset } from './egrid.js';
import { energyStarDataset } from './energy-star.js';
import { epaHubDataset } from './epa-hub.js';
import { eudrDataset } from './eudr.js';
import { ipccAr5GwpDataset } from './ipcc-ar5-gwp.js';

export const BUILTIN_DATASETS: readonly DatasetBundle[] = [
  desnzDataset,
  epaHubDataset,
  egridDataset,
  energyStarDataset,
  cbamDataset,
  eudrDataset,
  ipccAr5GwpDataset,
];
