/**
 * The `edgeflow` command: `edgeflow export ...` and `edgeflow import ...` (see `--help`).
 * Exit codes: 0 success, 1 failure (one line on stderr says why), 2 bad arguments.
 */
import * as path from 'node:path';
import { formatWarnings } from '../shared/export/types';
import type { ProgressSink } from '../shared/export/types';
import { runExport, runImport } from '../extension/export/run';
import { Command, DIFF_HELP, EXPORT_HELP, IMPORT_HELP, REVIEW_HELP, STATS_HELP, USAGE, UsageError, parseArgs } from './args';
import { diffCommand, reviewCommand, statsCommand } from './dataset';

import { version } from '../../package.json';

const HELP = { export: EXPORT_HELP, import: IMPORT_HELP, stats: STATS_HELP, review: REVIEW_HELP, diff: DIFF_HELP };

/** Where the CLI writes; injectable for tests. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  /** True when stderr is a terminal (progress then redraws one line). */
  readonly tty: boolean;
}

const processIo: CliIo = {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
  tty: !!process.stderr.isTTY,
};

function progressSink(io: CliIo, label: string, quiet: boolean, cancelled: () => boolean): ProgressSink {
  let last = 0;
  let lastPct = -1;
  return {
    isCancelled: cancelled,
    report(done, total) {
      if (quiet) return;
      const now = Date.now();
      const pct = Math.floor((100 * done) / total);
      if (io.tty) {
        if (now - last < 100 && done < total) return;
        last = now;
        io.err(`\r${label} ${done}/${total} (${pct}%)${done === total ? '\n' : ''}`);
      } else if (Math.floor(pct / 10) > Math.floor(lastPct / 10) || (done === total && pct !== lastPct)) {
        lastPct = pct;
        io.err(`${label} ${done}/${total} (${pct}%)\n`);
      }
    },
  };
}

/** Run the CLI with arguments; resolves to the exit code. */
export async function main(argv: readonly string[], io: CliIo = processIo, cancelled: () => boolean = () => false): Promise<number> {
  let cmd: Command;
  try {
    cmd = parseArgs(argv);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`edgeflow: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  try {
    switch (cmd.kind) {
      case 'help':
        io.out(cmd.topic ? HELP[cmd.topic] : [USAGE, EXPORT_HELP, IMPORT_HELP, STATS_HELP, REVIEW_HELP, DIFF_HELP].join('\n'));
        return 0;
      case 'version':
        io.out(`edgeflow ${version}\n`);
        return 0;
      case 'export': {
        if (cmd.settings.out === undefined && cmd.noConfig) throw new UsageError('export needs --out DIR');
        const r = await runExport({
          workspaceDir: cmd.workspace,
          settings: cmd.settings,
          configFile: cmd.config,
          useConfig: !cmd.noConfig,
          // As the palette passes `edgeflow.labelsFile`; named on the command line, it must exist.
          labelsFile: cmd.labels === undefined ? undefined : path.resolve(cmd.labels),
          requireLabelsFile: cmd.labels !== undefined,
          progress: progressSink(io, 'exporting', cmd.quiet, cancelled),
        });
        const s = r.summary;
        if (cmd.json) io.out(JSON.stringify({ out: r.outDir, ...s }, null, 2) + '\n');
        else {
          const splits = Object.entries(s.perSplit).map(([k, v]) => `${k} ${v}`).join(', ');
          io.out(
            `Exported ${s.images} images, ${s.objects} objects as ${s.formats.join(', ')} to ${r.outDir} ` +
              `(${splits}; ${(s.bytesWritten / 1e6).toFixed(1)} MB in ${s.seconds.toFixed(1)} s)\n`,
          );
          for (const w of formatWarnings(s.warnings)) io.out(`warning: ${w}\n`);
        }
        if (s.cancelled) {
          io.err('edgeflow: export cancelled\n');
          return 1;
        }
        return 0;
      }
      case 'import': {
        const s = await runImport({
          workspaceDir: cmd.workspace,
          from: cmd.from,
          overwrite: cmd.overwrite,
          imagesDir: cmd.imagesDir,
          progress: progressSink(io, 'importing', cmd.quiet, cancelled),
          generator: 'EdgeFlow Annotator CLI',
        });
        if (cmd.json) io.out(JSON.stringify(s, null, 2) + '\n');
        else {
          io.out(
            `Imported ${s.kind}: ${s.written} sidecars written, ${s.objects} objects` +
              `${s.existing ? `, ${s.existing} existing sidecars kept (--overwrite replaces them)` : ''}` +
              `${s.addedLabels.length ? `; new classes: ${s.addedLabels.join(', ')}` : ''}\n`,
          );
          for (const w of formatWarnings(s.warnings)) io.out(`warning: ${w}\n`);
        }
        if (s.cancelled) {
          io.err('edgeflow: import cancelled\n');
          return 1;
        }
        if (s.written === 0 && s.existing === 0) {
          io.err('edgeflow: nothing imported: no image of the source was found in the workspace\n');
          return 1;
        }
        return 0;
      }
      case 'stats':
        return await statsCommand(cmd, io);
      case 'review':
        return await reviewCommand(cmd, io, 'EdgeFlow Annotator CLI');
      case 'diff':
        return await diffCommand(cmd, io);
    }
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`edgeflow: ${e.message}\n`);
      return 2;
    }
    const msg = ((e as Error)?.message ?? String(e)).split('\n')[0];
    io.err(`edgeflow: error: ${msg}\n`);
    if (process.env.EDGEFLOW_DEBUG) io.err(`${(e as Error)?.stack ?? ''}\n`);
    return 1;
  }
}
