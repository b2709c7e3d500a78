/**
 * One large image through the host side of the editor, in its own process so its peak RSS is its
 * own: probe, preview, tile pyramid, then the crop inference would read around a click. Prints
 * one JSON line. Run by test/bench/bigimage.mjs.
 */
import { probeImage } from '../../src/extension/image/probe';
import { prepareLargeImage, readRegion } from '../../src/extension/image/largeImage';

async function main(): Promise<void> {
  const [file, cacheDir] = process.argv.slice(2);
  const t0 = performance.now();
  const probe = await probeImage(file);
  const t1 = performance.now();
  const files = await prepareLargeImage(file, probe, cacheDir);
  const t2 = performance.now();
  await files.tilesReady;
  const t3 = performance.now();
  // The region a focus crop would read around a click near the bottom-right corner.
  const box = { x: probe.width - 1500, y: probe.height - 1500, width: 1200, height: 1200 };
  const region = await readRegion(file, box);
  const t4 = performance.now();
  const cached = performance.now();
  await prepareLargeImage(file, probe, cacheDir);
  const reopenMs = performance.now() - cached;
  console.log(
    JSON.stringify({
      width: probe.width,
      height: probe.height,
      large: probe.large,
      probeMs: Math.round(t1 - t0),
      previewMs: Math.round(t2 - t1),
      preview: `${files.previewWidth}x${files.previewHeight}`,
      tilesMs: Math.round(t3 - t2),
      regionMs: Math.round(t4 - t3),
      regionBytes: region.data.length,
      reopenMs: Math.round(reopenMs),
      maxRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
    }),
  );
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
