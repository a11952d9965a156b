declare const __DANFLOW_VERSION__: string;

/** The package version, injected at build time from package.json. */
export const VERSION: string = typeof __DANFLOW_VERSION__ === 'string' ? __DANFLOW_VERSION__ : '0.0.0-dev';
