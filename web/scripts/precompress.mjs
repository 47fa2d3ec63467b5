// Writes name.br and name.gz beside each built page and asset worth compressing (web/dist), at
// the best ratio (brotli 11, gzip 9): done once per build, so the server sends them as they are
// (server/web/static.py) and never compresses a static file per request.
import {readdirSync, readFileSync, statSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {brotliCompressSync, constants, gzipSync} from 'node:zlib';

const DIST = new URL('../dist/', import.meta.url).pathname;
const TYPES = /\.(js|mjs|css|html|svg|json|wasm|txt)$/;
const MIN_BYTES = 1024;

function* files(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* files(path);
    else yield path;
  }
}

let raw = 0;
let br = 0;
for (const path of files(DIST)) {
  if (!TYPES.test(path)) continue;
  const body = readFileSync(path);
  if (body.length < MIN_BYTES) continue;
  const b = brotliCompressSync(body, {
    params: {[constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: body.length}
  });
  const g = gzipSync(body, {level: 9});
  // A variant that saves nothing is not written: the server then sends the file itself.
  if (b.length < body.length) writeFileSync(path + '.br', b);
  if (g.length < body.length) writeFileSync(path + '.gz', g);
  raw += body.length;
  br += Math.min(b.length, body.length);
}
console.log(`precompressed web/dist: ${(raw / 1024).toFixed(0)} KB -> ${(br / 1024).toFixed(0)} KB brotli`);
