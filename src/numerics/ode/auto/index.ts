/** LSODA-style automatic switching between a non-stiff and a stiff method. */
export { type AutoStepper, type AutoSwitchConfig, createAutoMethod } from './auto.js';
