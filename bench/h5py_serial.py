"""Serial h5py + numpy baseline for `h5blocks bench`.

Reads the points, computes each row's norm and writes /distances in one
process, either the whole dataset at once (the plain recipe) or in blocks of
--block-rows rows (bounded memory). See baseline_common.py for the rules every
baseline follows: the input is only read, the result goes into a fresh copy.
"""

import time

import h5py

from baseline_common import (argument_parser, make_work_copy, new_output, output_sha256, plan_blocks,
                             positive_int, report, row_norms)


def main():
    parser = argument_parser("h5py + numpy serial row norms")
    parser.add_argument("--block-rows", type=positive_int, help="rows per block (default: the whole dataset at once)")
    args = parser.parse_args()
    make_work_copy(args.input, args.copy)

    start = time.perf_counter()
    with h5py.File(args.copy, "r+") as file:
        coords = file[args.dataset]
        rows = coords.shape[0]
        distances = new_output(file, args.output, rows)
        if args.block_rows is None:
            distances[...] = row_norms(coords[...])
        else:
            for block_start, block_end in plan_blocks(rows, args.block_rows):
                distances[block_start:block_end] = row_norms(coords[block_start:block_end])
    seconds = time.perf_counter() - start

    report(recipe="h5py-serial", rows=rows, workers=1, block_rows=args.block_rows, seconds=seconds,
           sha256=output_sha256(args.copy, args.output), h5py=h5py.__version__)


if __name__ == "__main__":
    main()
