/** Process entry for running the CLI from source (`node --import tsx src/cli/entry.ts ...`), as tests do. */
import { main } from './main.js';

main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`exoniche: internal error: ${err?.stack ?? err}\n`);
    process.exitCode = 70;
  },
);
