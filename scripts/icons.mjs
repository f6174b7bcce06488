// Draws the toolbar icon at any size and encodes it as PNG, so no binary image is kept in the
// repository. The picture: a page (teal square) whose text lines are white, with the middle line,
// the sponsored one, picked out in amber.
import zlib from 'node:zlib';

const TEAL = [15, 118, 110];
const WHITE = [255, 255, 255];
const AMBER = [245, 158, 11];
const SUPERSAMPLE = 4;

/** Colour (or null for transparent) at point (x, y) in a unit square. */
function shapeAt(x, y) {
  const radius = 0.22;
  const cornerX = Math.min(Math.max(x, radius), 1 - radius);
  const cornerY = Math.min(Math.max(y, radius), 1 - radius);
  if ((x - cornerX) ** 2 + (y - cornerY) ** 2 > radius ** 2) return null;
  const bars = [
    { top: 0.24, bottom: 0.36, left: 0.2, right: 0.8, color: WHITE },
    { top: 0.44, bottom: 0.56, left: 0.2, right: 0.62, color: AMBER },
    { top: 0.64, bottom: 0.76, left: 0.2, right: 0.8, color: WHITE },
  ];
  for (const bar of bars) {
    if (y >= bar.top && y < bar.bottom && x >= bar.left && x < bar.right) return bar.color;
  }
  return TEAL;
}

function crc32(bytes) {
  let crc = ~0;
  for (const byte of bytes) {
    crc ^= byte;
    for (let bit = 0; bit < 8; bit++) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
  }
  return ~crc >>> 0;
}

function chunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** PNG bytes of the icon, `size` pixels square. */
export function iconPng(size) {
  const rows = [];
  for (let py = 0; py < size; py++) {
    const row = Buffer.alloc(1 + size * 4); // filter byte 0, then RGBA
    for (let px = 0; px < size; px++) {
      const sum = [0, 0, 0, 0];
      for (let sy = 0; sy < SUPERSAMPLE; sy++) {
        for (let sx = 0; sx < SUPERSAMPLE; sx++) {
          const color = shapeAt((px + (sx + 0.5) / SUPERSAMPLE) / size, (py + (sy + 0.5) / SUPERSAMPLE) / size);
          if (!color) continue;
          sum[0] += color[0]; sum[1] += color[1]; sum[2] += color[2]; sum[3] += 255;
        }
      }
      const samples = SUPERSAMPLE * SUPERSAMPLE;
      const covered = sum[3] / 255;
      const offset = 1 + px * 4;
      for (let channel = 0; channel < 3; channel++) {
        row[offset + channel] = covered ? Math.round(sum[channel] / covered) : 0;
      }
      row[offset + 3] = Math.round(sum[3] / samples);
    }
    rows.push(row);
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 8; // bit depth
  header[9] = 6; // RGBA
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', zlib.deflateSync(Buffer.concat(rows), { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}
