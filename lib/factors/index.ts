/** Public surface of the factor catalogue. */
export {
  AmbiguousFactorError,
  FactorCatalogue,
  FactorNotFoundError,
  describeQuery,
  refOf,
  type NotFoundReason,
} from './catalogue.js';
export {
  conversionFactor,
  convert,
  dimensionOf,
  isKnownUnit,
  normalizeUnit,
  UNIT_CODES,
  type Dimension,
} from './units.js';
export type { DatasetBundle } from './datasets/bundle.js';
export type * from './types.js';
