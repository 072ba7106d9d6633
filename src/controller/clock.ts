/** The controller's clock is the shared one (src/clock.ts). */
export { systemClock, type Clock } from '../clock.ts';
