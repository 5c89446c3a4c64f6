// CRC-32 (the zlib/PNG polynomial), so saved weights carry a checksum that Node and browsers
// compute alike without a crypto API. It catches the corruption a file meets on disk or in transit.

const TABLE = makeTable();

function makeTable(): Uint32Array {
  const table = new Uint32Array(256);
  for (let byte = 0; byte < 256; byte++) {
    let value = byte;
    for (let bit = 0; bit < 8; bit++) value = value & 1 ? 0xedb88320 ^ (value >>> 1) : value >>> 1;
    table[byte] = value >>> 0;
  }
  return table;
}

/** CRC-32 of the bytes, continuing from `previous` when the data comes in pieces. */
export function crc32(bytes: Uint8Array, previous = 0): number {
  let crc = ~previous >>> 0;
  for (let index = 0; index < bytes.length; index++) crc = TABLE[(crc ^ bytes[index]!) & 0xff]! ^ (crc >>> 8);
  return ~crc >>> 0;
}

/** The checksum as the manifest writes it: 'crc32:' and eight hex digits. */
export function formatChecksum(bytes: Uint8Array): string {
  return formatCrc(crc32(bytes));
}

/** A CRC-32 value written as 'crc32:' and eight hex digits. */
export function formatCrc(value: number): string {
  return `crc32:${value.toString(16).padStart(8, '0')}`;
}
