#!/usr/bin/env node
// Draws the Marketplace icon (media/icon.png, 128x128): an object outlined as an editable
// polygon, with the click that made it. Our own drawing, rendered from SVG with sharp.
// Usage: node scripts/make-icon.mjs
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(ROOT, 'media', 'icon.png');

// A blob-like object: the polygon's vertices (a 128 px canvas, drawn at 4x for clean edges).
const vertices = [[34, 86], [30, 62], [40, 42], [58, 32], [80, 34], [96, 48], [100, 70], [90, 90], [66, 98], [46, 96]];
const pts = vertices.map(([x, y]) => `${x * 4},${y * 4}`).join(' ');
const handles = vertices.map(([x, y]) => `<rect x="${x * 4 - 9}" y="${y * 4 - 9}" width="18" height="18" rx="3" fill="#ffffff" stroke="#0b3d2e" stroke-width="4"/>`).join('');
const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="512" height="512" viewBox="0 0 512 512">
  <defs>
    <linearGradient id="bg" x1="0" y1="0" x2="1" y2="1">
      <stop offset="0" stop-color="#23324a"/><stop offset="1" stop-color="#101826"/>
    </linearGradient>
  </defs>
  <rect x="8" y="8" width="496" height="496" rx="96" fill="url(#bg)"/>
  <polygon points="${pts}" fill="#2ee6a6" fill-opacity="0.35" stroke="#2ee6a6" stroke-width="14" stroke-linejoin="round"/>
  ${handles}
  <circle cx="264" cy="260" r="40" fill="#ffcc00" stroke="#101826" stroke-width="10"/>
  <path d="M264 236 V284 M240 260 H288" stroke="#101826" stroke-width="12" stroke-linecap="round"/>
</svg>`;

mkdirSync(dirname(OUT), { recursive: true });
await sharp(Buffer.from(svg)).resize(128, 128).png({ compressionLevel: 9, palette: false }).toFile(OUT);
console.log(`wrote ${OUT}`);
