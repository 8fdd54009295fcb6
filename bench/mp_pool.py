"""The seed's first multiprocessing recipe, as an h5blocks bench baseline.

The parent process does all HDF5 I/O: it reads a block, hands it to a
multiprocessing.Pool worker (the block is pickled through a pipe), and writes
the norms that come back, in order. At most two blocks per worker are in
flight, so memory stays bounded, as in h5blocks' pool strategy.
"""

import collections
import multiprocessing
import time

import h5py

from baseline_common import (argument_parser, ignore_interrupts, work_file, digest_unless_in_place, new_output,
                             plan_blocks, positive_int, report, row_norms)


def main():
    parser = argument_parser("multiprocessing.Pool row norms; the parent reads and writes")
    parser.add_argument("--workers", type=positive_int, required=True)
    parser.add_argument("--block-rows", type=positive_int, required=True)
    args = parser.parse_args()
    target = work_file(args)

    start = time.perf_counter()
    # The pool forks before any HDF5 file is open: a forked child must not
    # inherit the parent's open HDF5 handles.
    with multiprocessing.Pool(args.workers, initializer=ignore_interrupts) as pool:
        with h5py.File(target, "r+") as file:
            coords = file[args.dataset]
            rows = coords.shape[0]
            distances = new_output(file, args.output, rows)
            in_flight = collections.deque()

            def write_oldest():
                block_start, pending = in_flight.popleft()
                values = pending.get()
                distances[block_start:block_start + len(values)] = values

            for block_start, block_end in plan_blocks(rows, args.block_rows):
                in_flight.append((block_start, pool.apply_async(row_norms, (coords[block_start:block_end],))))
                if len(in_flight) >= 2 * args.workers:
                    write_oldest()
            while in_flight:
                write_oldest()
        # Let the workers finish and exit on their own; leaving the `with`
        # terminates them, which is for errors and Ctrl-C only.
        pool.close()
        pool.join()
    seconds = time.perf_counter() - start

    report(recipe="mp-pool", rows=rows, workers=args.workers, block_rows=args.block_rows, seconds=seconds,
           sha256=digest_unless_in_place(args, target), h5py=h5py.__version__)


if __name__ == "__main__":
    main()
