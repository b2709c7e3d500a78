import * as assert from 'node:assert/strict';
import { readVocObjectNames, vocBoxFromPixelBbox, writeVocXml } from '../../src/shared/formats/voc';
import { parseHexColour, pseudoColourPalette, toHexColour, vocPalette } from '../../src/shared/formats/vocPalette';
import { boundaryBand } from '../../src/shared/export/exporter';

describe('VOC palette', () => {
  const pal = vocPalette();
  const rgb = (i: number) => [pal[3 * i], pal[3 * i + 1], pal[3 * i + 2]];

  it('has the devkit colours of the VOC classes', () => {
    // From VOClabelcolormap.m: background, aeroplane, bicycle, bird, ..., person (15), tvmonitor (20), void (255).
    assert.deepEqual(rgb(0), [0, 0, 0]);
    assert.deepEqual(rgb(1), [128, 0, 0]);
    assert.deepEqual(rgb(2), [0, 128, 0]);
    assert.deepEqual(rgb(3), [128, 128, 0]);
    assert.deepEqual(rgb(4), [0, 0, 128]);
    assert.deepEqual(rgb(8), [64, 0, 0]);
    assert.deepEqual(rgb(15), [192, 128, 128]);
    assert.deepEqual(rgb(20), [0, 64, 128]);
    assert.deepEqual(rgb(255), [224, 224, 192]);
  });

  it('gives every index a distinct colour (so RGB masks map back to indices)', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 256; i++) seen.add(rgb(i).join(','));
    assert.equal(seen.size, 256);
  });

  it('pseudo-colour palette takes class colours from the labels and VOC colours elsewhere', () => {
    const p = pseudoColourPalette(new Map([[2, '#ff8000'], [300, '#ffffff'], [3, 'nonsense']]));
    assert.deepEqual([p[6], p[7], p[8]], [255, 128, 0]);
    assert.deepEqual([p[9], p[10], p[11]], rgb(3));
    assert.deepEqual([p[0], p[1], p[2]], [0, 0, 0]);
  });

  it('parses and prints hex colours', () => {
    assert.deepEqual(parseHexColour('#0a0B0c'), [10, 11, 12]);
    assert.deepEqual(parseHexColour('abc'), [0xaa, 0xbb, 0xcc]);
    assert.equal(parseHexColour('#12345'), undefined);
    assert.equal(toHexColour([1, 2, 255]), '#0102ff');
  });
});

describe('VOC annotation XML', () => {
  it('converts pixel boxes to 1-based inclusive corners and flags truncation', () => {
    assert.deepEqual(vocBoxFromPixelBbox([0, 5, 10, 4], 100, 50), { xmin: 1, ymin: 6, xmax: 10, ymax: 9, truncated: true });
    assert.deepEqual(vocBoxFromPixelBbox([3, 5, 10, 4], 100, 50), { xmin: 4, ymin: 6, xmax: 13, ymax: 9, truncated: false });
  });

  it('escapes names and round-trips object names in order', () => {
    const xml = writeVocXml({
      folder: 'JPEGImages',
      filename: 'a.jpg',
      width: 10,
      height: 20,
      depth: 3,
      segmented: true,
      objects: [
        { name: 'cat & <dog>', xmin: 1, ymin: 2, xmax: 3, ymax: 4, truncated: false, difficult: false },
        { name: "o'hare\u0001", xmin: 1, ymin: 2, xmax: 3, ymax: 4, truncated: true, difficult: false },
      ],
    });
    assert.match(xml, /<name>cat &amp; &lt;dog&gt;<\/name>/);
    assert.match(xml, /<width>10<\/width>\n {4}<height>20<\/height>/);
    assert.match(xml, /<segmented>1<\/segmented>/);
    assert.deepEqual(readVocObjectNames(xml), ['cat & <dog>', "o'hare"]);
  });
});

describe('VOC boundary band', () => {
  it('marks pixels within half the width of an instance change, on both sides', () => {
    const w = 12, h = 3;
    const m = new Uint8Array(w * h);
    for (let y = 0; y < h; y++) for (let x = 6; x < w; x++) m[y * w + x] = 1;
    const band = boundaryBand(m, w, h, 4);
    // Radius 2: columns 4..7 straddle the edge between column 5 and 6.
    assert.deepEqual([...band.subarray(0, w)], [0, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0]);
    assert.deepEqual([...band.subarray(w, 2 * w)], [...band.subarray(0, w)]);
  });
});
