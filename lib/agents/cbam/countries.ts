export { ISO_3166_ALPHA2, isIsoAlpha2 } from '../../domain/countries.js';
