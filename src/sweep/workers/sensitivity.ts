/** Worker-thread entry of the `sensitivity` job kind (see ../worker.ts). */
import { sensitivityJob } from '../jobs/sensitivity.js';
import { chunkWorker } from '../worker.js';

export default chunkWorker(sensitivityJob);
