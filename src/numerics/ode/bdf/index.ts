/** Variable-order BDF (CVODE-style fixed-leading-coefficient Nordsieck form) for stiff problems. */
export { BDF } from './bdf.js';
