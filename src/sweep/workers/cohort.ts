/** Worker-thread entry of the `cohort` job kind (see ../worker.ts). */
import { cohortJob } from '../jobs/cohort.js';
import { chunkWorker } from '../worker.js';

export default chunkWorker(cohortJob);
