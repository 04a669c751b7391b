// Reads every array of a local Zarr v3 store with zarrita (an independent implementation) and
// prints, as JSON: per array path its shape, data type, fill value, attributes and all values.
// Usage: node zarrita_read.mjs STORE_DIR ARRAY_PATH...
import * as zarr from "zarrita";
import { FileSystemStore } from "@zarrita/storage";

const [dir, ...paths] = process.argv.slice(2);
const store = new FileSystemStore(dir);
const root = zarr.root(store);
const out = {};
const plain = (v) => (typeof v === "bigint" ? v.toString() : Number.isNaN(v) ? "NaN" : v === Infinity ? "Infinity" : v === -Infinity ? "-Infinity" : v);
for (const p of paths) {
  const node = await zarr.open.v3(root.resolve(p));
  if (node instanceof zarr.Group) {
    out[p] = { attributes: node.attrs };
    continue;
  }
  const arr = node;
  const chunk = await zarr.get(arr);
  out[p] = {
    shape: arr.shape,
    dtype: arr.dtype,
    fill_value: plain(arr.fillValue),
    attributes: arr.attrs,
    values: Array.from(chunk.data, plain),
  };
}
const group = await zarr.open.v3(root, { kind: "group" }).catch(() => null);
out["/"] = { attributes: group ? group.attrs : null };
process.stdout.write(JSON.stringify(out));
