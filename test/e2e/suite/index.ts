// Entry point VS Code's extension host calls for `extensionTestsPath`: runs every *.test.js beside
// this file with mocha (inside the real extension host, so `vscode` is the real API) and resolves
// or rejects; the workbench then exits with 0 or 1 through window.codeAutomationExit.
import * as fs from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';

export async function run(): Promise<void> {
  const mocha = new Mocha({
    ui: 'bdd',
    reporter: 'spec',
    color: false,
    timeout: Number(process.env.EDGEFLOW_SUITE_TIMEOUT ?? 20000),
    grep: process.env.EDGEFLOW_SUITE_GREP || undefined,
  });
  const dir = __dirname;
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.test.js')).sort()) {
    mocha.addFile(path.join(dir, file));
  }
  const resultsFile = process.env.EDGEFLOW_SUITE_RESULTS;
  await new Promise<void>((resolve, reject) => {
    const runner = mocha.run((failures) => {
      if (resultsFile) {
        const { passes = 0, failures: failed = 0, pending = 0 } = runner.stats ?? {};
        fs.writeFileSync(resultsFile, JSON.stringify({ passed: passes, failed, skipped: pending }));
      }
      if (failures > 0) reject(new Error(`${failures} extension-host test(s) failed`));
      else resolve();
    });
  });
}
