/** Worker-thread entry of the `test-job` job kind (see ../worker.ts). */
import { testJob } from '../jobs/test-job.js';
import { chunkWorker } from '../worker.js';

export default chunkWorker(testJob);
