#!/usr/bin/env node
// Writes the corpus of bad and unusual images the image-loading tests run over (issue 4), with a
// manifest saying what each file must give: a good image (`ok`, its displayed size and the colour
// of each corner as the user sees it) or one of our typed errors (`error`, its code).
//
// Every good image shows the same 96x64 picture as displayed: red top-left, green top-right, blue
// bottom-left, white bottom-right (the EXIF-rotated ones store it rotated and carry the
// orientation that turns it back), so a test can check orientation, channels and bit depth at
// once. Files are generated (sharp, and ImageMagick `convert` for BMP and animated GIF when it is
// installed), never committed.
//
// Usage: node scripts/make-bad-images.mjs <dir>        (prints the manifest as JSON)
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import sharp from 'sharp';

export const W = 96;
export const H = 64;
/** Displayed colours of the four corners: top-left, top-right, bottom-left, bottom-right. */
export const CORNERS = { tl: [255, 0, 0], tr: [0, 255, 0], bl: [0, 0, 255], br: [255, 255, 255] };

/** The displayed picture as raw RGB (w x h), quadrants as in CORNERS. */
function quadrants(w = W, h = H) {
  const data = Buffer.alloc(w * h * 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const c = y < h / 2 ? (x < w / 2 ? CORNERS.tl : CORNERS.tr) : x < w / 2 ? CORNERS.bl : CORNERS.br;
      // A little deterministic texture so the files have real compressed data to cut and corrupt.
      const n = (((x * 73856093) ^ (y * 19349663)) >>> 0) % 13 - 6;
      data.set(c.map((v) => Math.max(0, Math.min(255, v + n))), (y * w + x) * 3);
    }
  }
  return data;
}

const base = () => sharp(quadrants(), { raw: { width: W, height: H, channels: 3 } });

function hasConvert() {
  try {
    execFileSync('convert', ['-version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * Writes the corpus into `dir` and returns its manifest: one entry per file with `name`,
 * `expect` ('ok' | 'error'), for 'ok' the displayed `width`/`height` (and `corners` when a
 * colour conversion changes them from CORNERS, null when the pixels are damaged on purpose), for 'error' the error `code`, and a `what` line.
 */
export async function makeBadImages(dir) {
  mkdirSync(dir, { recursive: true });
  const m = [];
  const ok = (name, what, extra = {}) => m.push({ name, expect: 'ok', width: W, height: H, what, ...extra });
  const bad = (name, code, what) => m.push({ name, expect: 'error', code, what });
  const put = (name, bytes) => writeFileSync(join(dir, name), bytes);

  // Corner colours after a lossy colour-space round trip, for the entries that make one.
  const cornerImage = () => sharp(Buffer.from([...CORNERS.tl, ...CORNERS.tr, ...CORNERS.bl, ...CORNERS.br]), { raw: { width: 4, height: 1, channels: 3 } });
  const readCorners = async (img, channels) => {
    const raw = await img.raw().toBuffer();
    const px = (i) => (channels === 1 ? [raw[i], raw[i], raw[i]] : [...raw.subarray(i * 3, i * 3 + 3)]);
    return { tl: px(0), tr: px(1), bl: px(2), br: px(3) };
  };
  const grayCorners = await readCorners(cornerImage().toColourspace('b-w'), 1);
  const cmykCorners = await readCorners(sharp(await cornerImage().toColourspace('cmyk').tiff().toBuffer()).toColourspace('srgb'), 3);

  const png = await base().png().toBuffer();
  const jpg = await base().jpeg({ quality: 95 }).toBuffer();
  put('rgb.png', png);
  ok('rgb.png', '8-bit RGB PNG (the baseline)');
  put('rgb.jpg', jpg);
  ok('rgb.jpg', 'baseline JPEG');
  put('progressive.jpg', await base().jpeg({ quality: 95, progressive: true }).toBuffer());
  ok('progressive.jpg', 'progressive JPEG');
  put('alpha.png', await base().ensureAlpha(0.5).png().toBuffer());
  ok('alpha.png', 'RGBA PNG, half transparent (alpha is dropped, colours kept)');
  put('gray.png', await base().toColourspace('b-w').png().toBuffer());
  ok('gray.png', '8-bit grayscale PNG', { corners: grayCorners });
  put('gray-alpha.png', await base().toColourspace('b-w').ensureAlpha(0.5).png().toBuffer());
  ok('gray-alpha.png', 'grayscale + alpha PNG', { corners: grayCorners });
  put('palette.png', await base().png({ palette: true, colours: 8 }).toBuffer());
  ok('palette.png', 'palette (indexed) PNG');
  put('rgb16.png', await base().toColourspace('rgb16').png().toBuffer());
  ok('rgb16.png', '16-bit RGB PNG');
  put('gray16.png', await base().toColourspace('grey16').png().toBuffer());
  ok('gray16.png', '16-bit grayscale PNG', { corners: grayCorners });
  put('cmyk.jpg', await base().toColourspace('cmyk').jpeg({ quality: 95 }).toBuffer());
  ok('cmyk.jpg', 'CMYK JPEG (no ICC profile: colours as libvips converts them)', { corners: cmykCorners });
  put('gray.jpg', await base().toColourspace('b-w').jpeg({ quality: 95 }).toBuffer());
  ok('gray.jpg', 'grayscale JPEG', { corners: grayCorners });
  // EXIF orientation: the stored pixels are the displayed picture under the inverse transform.
  // 3 = rotate 180; 6 = display is the stored image turned 90 degrees clockwise; 8 = counter-clockwise.
  for (const [o, turn] of [[3, 180], [6, 270], [8, 90]]) {
    const stored = await base().rotate(turn).jpeg({ quality: 95 }).toBuffer();
    put(`exif-${o}.jpg`, await sharp(stored).withMetadata({ orientation: o }).jpeg({ quality: 95 }).toBuffer());
    ok(`exif-${o}.jpg`, `JPEG with EXIF orientation ${o} (stored ${turn === 180 ? W : H}x${turn === 180 ? H : W})`);
  }
  put('rgb.webp', await base().webp({ lossless: true }).toBuffer());
  ok('rgb.webp', 'lossless WebP');
  put('rgb.tif', await base().tiff({ compression: 'lzw' }).toBuffer());
  ok('rgb.tif', 'LZW TIFF (converted for the webview)');
  put('cmyk.tif', await base().toColourspace('cmyk').tiff().toBuffer());
  ok('cmyk.tif', 'CMYK TIFF', { corners: cmykCorners });
  const firstFrame = await base().gif().toBuffer();
  if (hasConvert()) {
    const second = join(dir, '.frame2.png');
    put('.frame1.png', png);
    await sharp({ create: { width: W, height: H, channels: 3, background: '#808080' } }).png().toFile(second);
    execFileSync('convert', ['-delay', '20', join(dir, '.frame1.png'), second, '-loop', '0', join(dir, 'animated.gif')]);
    ok('animated.gif', 'animated GIF, 2 frames (the first is annotated)');
    execFileSync('convert', [join(dir, '.frame1.png'), `BMP3:${join(dir, 'rgb.bmp')}`]);
    ok('rgb.bmp', '24-bit BMP');
    const bmp = readFileSync(join(dir, 'rgb.bmp'));
    put('truncated.bmp', bmp.subarray(0, Math.floor(bmp.length / 2)));
    bad('truncated.bmp', 'truncated', 'a BMP cut in half');
  } else {
    put('animated.gif', firstFrame);
    ok('animated.gif', 'GIF (ImageMagick absent: one frame)');
  }
  put('gif.gif', firstFrame);
  ok('gif.gif', 'single-frame GIF');
  put('interlaced.png', await base().png({ progressive: true }).toBuffer());
  ok('interlaced.png', 'Adam7-interlaced PNG');
  put('rgba16.png', await base().toColourspace('rgb16').ensureAlpha(0.5).png().toBuffer());
  ok('rgba16.png', '16-bit RGBA PNG');
  put('trailing-data.jpg', Buffer.concat([jpg, Buffer.alloc(3000, 0x42)]));
  ok('trailing-data.jpg', 'JPEG followed by 3000 bytes of other data (as motion photos have)');
  put('trailing-data.png', Buffer.concat([png, Buffer.from('trailing text after IEND\n')]));
  ok('trailing-data.png', 'PNG followed by text after its IEND chunk');
  const page2 = await sharp({ create: { width: W, height: H, channels: 3, background: '#808080' } }).raw().toBuffer();
  const twoPages = Buffer.concat([await base().raw().toBuffer(), page2]);
  put('multipage.tif', await sharp(twoPages, { raw: { width: W, height: H * 2, channels: 3, pageHeight: H } }).tiff({ compression: 'lzw' }).toBuffer());
  ok('multipage.tif', 'two-page TIFF (the first page is annotated)');
  put('animated.webp', await sharp(twoPages, { raw: { width: W, height: H * 2, channels: 3, pageHeight: H } }).webp({ lossless: true, loop: 0, delay: [100, 100] }).toBuffer());
  ok('animated.webp', 'animated WebP, 2 frames (the first is annotated)');
  put('one-pixel.png', await sharp({ create: { width: 1, height: 1, channels: 3, background: '#ff0000' } }).png().toBuffer());
  m.push({ name: 'one-pixel.png', expect: 'ok', width: 1, height: 1, what: 'a 1x1 PNG', corners: { tl: [255, 0, 0], tr: [255, 0, 0], bl: [255, 0, 0], br: [255, 0, 0] } });

  // Wrong extensions: the content decides, not the name.
  put('png-named.jpg', png);
  ok('png-named.jpg', 'a PNG file named .jpg');
  put('jpeg-named.png', jpg);
  ok('jpeg-named.png', 'a JPEG file named .png');
  put('tiff-named.png', await base().tiff().toBuffer());
  ok('tiff-named.png', 'a TIFF file named .png (browsers cannot draw it: converted)');
  put('text-named.png', 'this is not an image\n');
  bad('text-named.png', 'notImage', 'a text file named .png');
  put('svg-named.png', '<svg xmlns="http://www.w3.org/2000/svg" width="96" height="64"><rect width="96" height="64" fill="red"/></svg>');
  bad('svg-named.png', 'unsupported', 'an SVG file named .png (vector, not a photo)');
  put('html-named.jpg', '<!doctype html><title>x</title>');
  bad('html-named.jpg', 'notImage', 'an HTML page named .jpg');

  // Broken files.
  put('zero-bytes.png', Buffer.alloc(0));
  bad('zero-bytes.png', 'empty', 'an empty file');
  put('zero-bytes.jpg', Buffer.alloc(0));
  bad('zero-bytes.jpg', 'empty', 'an empty JPEG');
  put('signature-only.png', png.subarray(0, 8));
  bad('signature-only.png', 'corrupt', 'a PNG signature and nothing else');
  put('truncated.png', png.subarray(0, Math.floor(png.length / 2)));
  bad('truncated.png', 'truncated', 'a PNG cut in half');
  put('truncated.jpg', jpg.subarray(0, Math.floor(jpg.length / 2)));
  bad('truncated.jpg', 'truncated', 'a JPEG cut in half');
  put('header-only.jpg', jpg.subarray(0, jpg.indexOf(Buffer.from([0xff, 0xda])) + 20)); // up to the scan's start
  bad('header-only.jpg', 'truncated', 'a JPEG cut right after its headers');
  const corruptPng = Buffer.from(png);
  for (let i = 40; i < corruptPng.length - 20; i += 7) corruptPng[i] ^= 0x5a; // IDAT garbage, CRCs wrong
  put('corrupt-data.png', corruptPng);
  bad('corrupt-data.png', 'corrupt', 'a PNG whose compressed data is garbage');
  // Chunk structure intact, compressed pixels garbage: only decoding finds it.
  const idatAt = png.indexOf(Buffer.from('IDAT'));
  const badIdat = Buffer.from(png);
  for (let i = idatAt + 40; i < idatAt + 4 + badIdat.readUInt32BE(idatAt - 4) - 8; i += 5) badIdat[i] ^= 0xa5;
  put('corrupt-idat.png', badIdat);
  bad('corrupt-idat.png', 'corrupt', 'a PNG whose IDAT data is garbage (chunk lengths intact)');
  // Garbage in a JPEG's entropy-coded data: decoders draw it with artefacts (as browsers do).
  const sos = jpg.indexOf(Buffer.from([0xff, 0xda]));
  const badScan = Buffer.from(jpg);
  for (let i = sos + 200; i < badScan.length - 200; i += 9) badScan[i] = badScan[i] === 0xff ? 0xfe : badScan[i] ^ 0x3c;
  put('corrupt-scan.jpg', badScan);
  ok('corrupt-scan.jpg', 'a JPEG with garbage in its scan data: opens, showing the damage', { corners: null });
  const badCrc = Buffer.from(png);
  badCrc[29] ^= 0xff; // IHDR CRC
  put('bad-ihdr-crc.png', badCrc);
  bad('bad-ihdr-crc.png', 'corrupt', 'a PNG whose header checksum is wrong');
  const zeroWidth = Buffer.from(png);
  zeroWidth.writeUInt32BE(0, 16);
  put('zero-width.png', zeroWidth);
  bad('zero-width.png', 'corrupt', 'a PNG header saying width 0');
  put('random.jpg', Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 2654435761) >>> 24)));
  bad('random.jpg', 'notImage', '4 KiB of noise named .jpg');
  // A tiny file claiming 100000x100000 pixels (a decompression bomb): refused before decoding.
  put('bomb.png', await pngClaiming(100000, 100000));
  bad('bomb.png', 'tooLarge', 'a PNG header claiming 100000x100000 pixels');
  // The same for JPEG: a real 96x64 JPEG whose frame header is rewritten to 65000x65000.
  const bombJpg = Buffer.from(jpg);
  const sof = bombJpg.indexOf(Buffer.from([0xff, 0xc0]));
  bombJpg.writeUInt16BE(65000, sof + 5);
  bombJpg.writeUInt16BE(65000, sof + 7);
  put('bomb.jpg', bombJpg);
  bad('bomb.jpg', 'tooLarge', 'a JPEG header claiming 65000x65000 pixels');

  // Paths people really have.
  put('with spaces.png', png);
  ok('with spaces.png', 'spaces in the file name');
  put('ñandú é 图.png', png);
  ok('ñandú é 图.png', 'non-ASCII file name');
  mkdirSync(join(dir, 'dir with spaces é'), { recursive: true });
  put(join('dir with spaces é', 'photo #1 (copy).jpg'), jpg);
  ok(join('dir with spaces é', 'photo #1 (copy).jpg'), 'spaces, # and parentheses in folder and file name');
  return m;
}

/** A valid PNG header (IHDR with a correct CRC) for w x h and one empty IDAT: a bomb's shape. */
async function pngClaiming(w, h) {
  const { crc32 } = await import('node:zlib');
  const chunk = (type, data) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(td) >>> 0);
    return Buffer.concat([len, td, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8;
  ihdr[9] = 2;
  const { deflateSync } = await import('node:zlib');
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(Buffer.alloc(1024))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const dir = process.argv[2];
  if (!dir) {
    console.error('usage: node scripts/make-bad-images.mjs <dir>');
    process.exit(2);
  }
  console.log(JSON.stringify(await makeBadImages(dir), null, 1));
}
