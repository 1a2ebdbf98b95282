export { createPacer, type Pacer, throughPacer } from "./pacing.js";
