"""Writes an HDF5 file whose /coords has one damaged chunk, for the worker-failure tests.

/coords is N x 2 float32 in 8192-row chunks with the fletcher32 checksum filter;
one byte inside one chunk is flipped on disk, so HDF5 opens the file and reads
every other chunk, but reading that chunk fails its checksum. Prints the rows
of the damaged chunk as JSON.  Usage: make_corrupt_chunk.py FILE ROWS BAD_CHUNK
"""
import json
import sys

import h5py
import numpy as np

CHUNK_ROWS = 8192


def main(path, rows, bad_chunk):
    data = np.random.default_rng(7).random((rows, 2)).astype("f4")
    with h5py.File(path, "w") as f:
        f.create_dataset("coords", data=data, chunks=(CHUNK_ROWS, 2), fletcher32=True)
    with h5py.File(path, "r") as f:
        info = f["coords"].id.get_chunk_info_by_coord((bad_chunk * CHUNK_ROWS, 0))
    with open(path, "r+b") as out:
        out.seek(info.byte_offset + 100)
        byte = out.read(1)[0]
        out.seek(info.byte_offset + 100)
        out.write(bytes([byte ^ 0xFF]))
    with h5py.File(path, "r") as f:
        try:
            f["coords"][bad_chunk * CHUNK_ROWS]
            raise SystemExit("the damaged chunk still reads")
        except OSError:
            pass
        f["coords"][0]  # the others still read
    start = bad_chunk * CHUNK_ROWS
    print(json.dumps({"badRowStart": start, "badRowEnd": min(rows, start + CHUNK_ROWS)}))


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))
