/** The scenario report: vega-lite figures rendered to inline SVG and the self-contained HTML page around them. */

export * from './cohort.js';
export * from './figures.js';
export * from './html.js';
