/** Entry point of the `edgeflow` bin (bundled to dist/cli/edgeflow.js). */
import { main } from './main';

// A closed pipe (`edgeflow ... | head`) is not an error worth a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
}

let interrupted = false;
process.on('SIGINT', () => {
  // First Ctrl+C stops after the current image (and cleans up); a second one exits at once.
  if (interrupted) process.exit(130);
  interrupted = true;
});

main(process.argv.slice(2), undefined, () => interrupted).then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    process.stderr.write(`edgeflow: error: ${(e as Error)?.message ?? String(e)}\n`);
    process.exitCode = 1;
  },
);
