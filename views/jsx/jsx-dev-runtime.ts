/** @module views/jsx/jsx-dev-runtime The same runtime, for tools that compile JSX in development mode (vitest). */
export { Fragment, jsxDEV, type JSX } from './jsx-runtime.js';
