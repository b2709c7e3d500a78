import * as assert from 'node:assert/strict';
import {
  UnsafePathError,
  flattenStem,
  joinRelative,
  relativeFrom,
  safeRelativePath,
  stripExtension,
  uniqueStems,
} from '../../../src/shared/export/paths';

describe('export paths', () => {
  it('normalises relative paths', () => {
    assert.equal(safeRelativePath('a/./b//c.png'), 'a/b/c.png');
    assert.equal(safeRelativePath('a\\b\\c.png'), 'a/b/c.png');
    assert.equal(safeRelativePath('a/x/../b.png'), 'a/b.png');
    assert.equal(joinRelative('labelme/sub', '../img.png'), 'labelme/img.png');
  });

  it('rejects anything that leaves the root', () => {
    for (const bad of ['../x.png', 'a/../../x', '/etc/passwd', 'C:\\Windows\\x', 'c:x', 'file:///etc/passwd', 'a\0b', '', '.', '..\\..\\x']) {
      assert.throws(() => safeRelativePath(bad), UnsafePathError, bad);
    }
  });

  it('computes relative paths between output folders and files', () => {
    assert.equal(relativeFrom('labelme/a', 'labelme/a/x.png'), 'x.png');
    assert.equal(relativeFrom('labelme/a', 'images/x.png'), '../../images/x.png');
    assert.equal(relativeFrom('', 'x.png'), 'x.png');
  });

  it('gives unique stems when two images differ only by extension', () => {
    const stems = uniqueStems(['a/b.png', 'a/b.jpg', 'a/c.png', 'a/b_png.tif']);
    assert.equal(stems.get('a/c.png'), 'a/c');
    assert.equal(stems.get('a/b_png.tif'), 'a/b_png');
    assert.equal(stems.get('a/b.jpg'), 'a/b_jpg');
    // "a/b_png" is taken by the .tif, so the .png gets a numeric suffix.
    assert.equal(stems.get('a/b.png'), 'a/b_png_2');
    assert.equal(new Set(stems.values()).size, 4);
    assert.equal(stripExtension('x/y.tar.gz'), 'x/y.tar');
    assert.equal(flattenStem('a/b/c'), 'a__b__c');
  });
});
