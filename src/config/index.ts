export { ConfigError, loadServeConfig, serveHelp } from './config.js';
export type { ServeConfig } from './config.js';
export { SERVE_OPTIONS, envName } from './options.js';
export { parseDuration, parseSize } from './units.js';
