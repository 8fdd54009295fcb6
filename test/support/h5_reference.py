"""Independent reference for the engine tests: libhdf5 through h5py, numpy for the maths.

Run with Debian's /usr/bin/python3 (it has h5py). Every subcommand prints one JSON
object on stdout; large arrays go to raw little-endian files in a folder the
caller names, so no values are lost to text formatting.

  norms FILE OUTDIR DATASET...     expected float64 row norms and output dtype
  outputs FILE OUTDIR PATH...      what h5py reads back: dtype, shape, attributes, raw values
  outputs-snapshot FILE OUTDIR EXCLUDE PATH...   both of these at once
  snapshot FILE [EXCLUDE...]       a SHA-256 of every object's values and attributes
  describe FILE PATH...            what h5py says about objects (tree tests)
  values FILE OUTDIR               every numeric dataset h5py reaches (each object once): its shape,
                                   dtype and values as little-endian bytes of the same type, or why h5py cannot read it
  coords-check FILE                after a kill: /coords hash, and /distances state and correctness
  coords-check-many                the same for each file named on a line of stdin, one JSON line each
                                   (norms computed once per distinct /coords: the kill campaign)
"""
import hashlib
import json
import os
import sys

import h5py
import numpy as np


def output_dtype(dtype):
    """float32 where it holds the result without loss: f2, f4, 8- and 16-bit ints."""
    if dtype.kind == "f" and dtype.itemsize <= 4:
        return "float32"
    if dtype.kind in "iu" and dtype.itemsize <= 2:
        return "float32"
    return "float64"


def reference_norms(data):
    """The Euclidean norm of each row, the way IEEE hypot defines it, as float64.

    Summed in extended precision (80-bit long double: 64-bit mantissa, exponent
    range to 1e4932), so squares neither overflow nor underflow and the float64
    result is correctly rounded for all practical purposes.
    """
    wide = data.astype(np.longdouble)
    norms = np.sqrt(np.sum(wide * wide, axis=-1))
    # hypot(±Inf, NaN) is +Inf: an infinite coordinate wins over a NaN one.
    norms[np.isinf(wide).any(axis=-1)] = np.inf
    result = norms.astype(np.float64)
    check_against_hypot(data, result)
    return result


def check_against_hypot(data, result):
    """A second, independent reference (a chain of np.hypot) must agree to a few ulps."""
    if data.shape[0] == 0:
        return
    chained = np.abs(np.hypot.reduce(data.astype(np.float64), axis=-1))
    both_nan = np.isnan(chained) & np.isnan(result)
    close = np.isclose(chained, result, rtol=8 * np.finfo(np.float64).eps, atol=0) | (chained == result)
    if not np.all(both_nan | close):
        bad = np.flatnonzero(~(both_nan | close))[:5]
        raise SystemExit(f"reference self-check failed at rows {bad.tolist()}: {chained[bad]} vs {result[bad]}")


def safe_name(path):
    return path.strip("/").replace("/", "__") or "root"


def cmd_norms(file, outdir, datasets):
    os.makedirs(outdir, exist_ok=True)
    manifest = {}
    with h5py.File(file, "r") as f:
        for path in datasets:
            data = f[path][()]
            norms = reference_norms(data)
            target = os.path.join(outdir, safe_name(path) + ".expected.f64")
            norms.astype("<f8").tofile(target)
            manifest[path] = {
                "rows": int(data.shape[0]),
                "columns": int(data.shape[1]),
                "inputDtype": data.dtype.str,
                "outputDtype": output_dtype(data.dtype),
                "expectedFile": target,
            }
    print(json.dumps(manifest))


def jsonable(value):
    if isinstance(value, bytes):
        return value.decode("utf-8")
    if isinstance(value, np.ndarray):
        return [jsonable(v) for v in value.tolist()] if value.dtype.kind in "OSU" else value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    return value


def cmd_outputs(file, outdir, paths):
    print(json.dumps(read_outputs(file, outdir, paths), allow_nan=False))


def cmd_outputs_snapshot(file, outdir, exclude, paths):
    """Both in one run of python: starting h5py costs more than reading a few outputs."""
    result = {"outputs": read_outputs(file, outdir, paths), "snapshot": take_snapshot(file, [exclude])}
    print(json.dumps(result, allow_nan=False))


def read_outputs(file, outdir, paths):
    os.makedirs(outdir, exist_ok=True)
    outputs = {}
    with h5py.File(file, "r") as f:
        for index, path in enumerate(paths):
            if path not in f:
                outputs[path] = {"exists": False}
                continue
            dataset = f[path]
            values = dataset[()]
            target = os.path.join(outdir, f"{index:04d}-{safe_name(path)}.bin")
            np.ascontiguousarray(values).tofile(target)
            outputs[path] = {
                "exists": True,
                "dtype": dataset.dtype.str,
                "shape": list(dataset.shape),
                "attributes": {name: jsonable(value) for name, value in dataset.attrs.items()},
                "valuesFile": target,
            }
    return outputs


def object_digest(obj):
    digest = hashlib.sha256()
    if isinstance(obj, h5py.Dataset):
        digest.update(f"{obj.dtype.str}{obj.dtype.descr}{obj.shape}{obj.chunks}{obj.compression}".encode())
        if obj.dtype.kind == "O":
            digest.update(repr(obj[()].tolist()).encode())
        else:
            digest.update(np.ascontiguousarray(obj[()]).tobytes())
    for name in sorted(obj.attrs.keys()):
        digest.update(name.encode())
        digest.update(repr(jsonable(obj.attrs[name])).encode())
    return digest.hexdigest()


def cmd_snapshot(file, exclude):
    print(json.dumps(take_snapshot(file, exclude)))


def take_snapshot(file, exclude):
    snapshot = {}
    with h5py.File(file, "r") as f:
        snapshot["/"] = object_digest(f)

        def visit(name, obj):
            path = "/" + name
            if any(path == e or path.startswith(e.rstrip("/") + "/") for e in exclude):
                return
            snapshot[path] = object_digest(obj)

        f.visititems(visit)
    return snapshot


def describe_link(f, path):
    link = f.get(path, getlink=True)
    if isinstance(link, h5py.SoftLink):
        try:
            f[path]
            resolves = True
        except KeyError:
            resolves = False
        return {"link": "soft", "target": link.path, "resolves": resolves}
    if isinstance(link, h5py.ExternalLink):
        return {"link": "external", "file": link.filename, "target": link.path}
    return None


def vlen_base(dtype):
    """'string' for variable-length strings, the element dtype for ragged arrays, None otherwise."""
    base = h5py.check_vlen_dtype(dtype)
    if base is None:
        return None
    return "string" if base in (str, bytes) else np.dtype(base).str


def cmd_describe(file, paths):
    described = {}
    with h5py.File(file, "r") as f:
        for path in paths:
            link = describe_link(f, path) if path != "/" else None
            if link:
                described[path] = link
                continue
            obj = f[path]
            entry = {"attributes": {n: jsonable(v) for n, v in obj.attrs.items()}}
            if isinstance(obj, h5py.Group):
                entry.update(kind="group", children=sorted(obj.keys()))
            elif isinstance(obj, h5py.Datatype):
                entry.update(kind="datatype", fields=list(obj.dtype.names or []))
            else:
                plist = obj.id.get_create_plist()
                filters = [plist.get_filter(i)[0] for i in range(plist.get_nfilters())]
                entry.update(
                    kind="dataset", shape=list(obj.shape),
                    maxshape=[-1 if m is None else m for m in obj.maxshape],
                    dtype=obj.dtype.str, chunks=list(obj.chunks) if obj.chunks else None,
                    filters=filters, layout={0: "compact", 1: "contiguous", 2: "chunked"}.get(plist.get_layout(), "other"),
                    enum=h5py.check_enum_dtype(obj.dtype), reference=h5py.check_ref_dtype(obj.dtype) is not None,
                    vlen=vlen_base(obj.dtype),
                )
                if entry["enum"] is None:
                    del entry["enum"]
                if obj.dtype.kind in "fiu":
                    entry["endianness"] = {"<": "little", ">": "big", "|": "none", "=": sys.byteorder}[obj.dtype.byteorder]
            described[path] = entry
    print(json.dumps(described))


def cmd_coords_check(file):
    print(json.dumps(coords_check(file, {})))


def coords_check(file, expected_by_hash):
    with h5py.File(file, "r") as f:
        coords = f["/coords"][()]
        digest = hashlib.sha256(np.ascontiguousarray(coords).tobytes()).hexdigest()
        report = {"coordsSha256": digest, "distances": None}
        if "distances" in f:
            dataset = f["/distances"]
            values = dataset[()]
            if digest not in expected_by_hash:
                expected_by_hash[digest] = reference_norms(coords).astype(np.float32)
            expected = expected_by_hash[digest]
            report["distances"] = {
                "complete": int(dataset.attrs.get("h5blocks_complete", 0)),
                "rows": int(values.shape[0]),
                "dtype": dataset.dtype.str,
                "maxUlp": int(np.max(np.abs(values.view(np.int32).astype(np.int64) - expected.view(np.int32).astype(np.int64))))
                if values.shape == expected.shape and values.size else (0 if values.shape == expected.shape else -1),
            }
    return report


def cmd_coords_check_many():
    expected_by_hash = {}
    for line in sys.stdin:
        file = line.strip()
        if not file:
            continue
        try:
            report = coords_check(file, expected_by_hash)
        except Exception as error:  # the file did not open: the caller's assertion says so
            report = {"error": f"{type(error).__name__}: {error}".splitlines()[0]}
        print(json.dumps(report), flush=True)


def cmd_values(file, outdir):
    os.makedirs(outdir, exist_ok=True)
    result = {}
    with h5py.File(file, "r") as f:
        def visit(name, obj):
            # libhdf5's visitor reaches each object once, whatever links lead to it.
            if not isinstance(obj, h5py.Dataset):
                return
            path = "/" + name
            try:
                dtype = obj.dtype
            except Exception as error:
                result[path] = {"error": str(error)}
                return
            if dtype.kind not in "iuf":
                return
            entry = {"shape": list(obj.shape) if obj.shape is not None else None, "dtype": dtype.str}
            try:
                data = obj[()] if obj.shape is not None else None
                if data is not None:
                    data = np.ascontiguousarray(np.asarray(data).astype(dtype.newbyteorder("<")))
                    entry["valuesFile"] = os.path.join(outdir, f"{len(result)}.bin")
                    data.tofile(entry["valuesFile"])
            except Exception as error:
                entry["error"] = str(error)
            result[path] = entry
        f.visititems(visit)
    print(json.dumps(result))


def main(argv):
    command, args = argv[1], argv[2:]
    if command == "values":
        return cmd_values(*args)
    if command == "norms":
        cmd_norms(args[0], args[1], args[2:])
    elif command == "outputs":
        cmd_outputs(args[0], args[1], args[2:])
    elif command == "outputs-snapshot":
        cmd_outputs_snapshot(args[0], args[1], args[2], args[3:])
    elif command == "snapshot":
        cmd_snapshot(args[0], args[1:])
    elif command == "describe":
        cmd_describe(args[0], args[1:])
    elif command == "coords-check":
        cmd_coords_check(args[0])
    elif command == "coords-check-many":
        cmd_coords_check_many()
    else:
        raise SystemExit(f"unknown command {command}")


if __name__ == "__main__":
    main(sys.argv)
