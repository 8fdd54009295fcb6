"""The seed's second multiprocessing recipe ("poor man's MapReduce"), as an
h5blocks bench baseline.

Each worker opens the file read-only, reads its own block, computes it and
writes the norms to a shard file of its own; when all shards are done the
parent opens the file for writing, copies the shards in order into /distances
and deletes each one. Shards live in a private folder beside the copy, removed
at the end whatever happens.
"""

import multiprocessing
import os
import shutil
import tempfile
import time

import h5py

from baseline_common import (argument_parser, ignore_interrupts, work_file, digest_unless_in_place, new_output,
                             plan_blocks, positive_int, remove_quietly, report, row_norms)


def compute_shard(task):
    """Runs in a worker: one block in, one shard file out."""
    path, dataset, block_start, block_end, shard_path = task
    with h5py.File(path, "r") as file:
        coords = file[dataset][block_start:block_end]
    # 'x': a shard never replaces an existing file.
    with h5py.File(shard_path, "x") as shard:
        shard.create_dataset("values", data=row_norms(coords))
    return shard_path


def main():
    parser = argument_parser("multiprocessing shard files, merged by the parent")
    parser.add_argument("--workers", type=positive_int, required=True)
    parser.add_argument("--block-rows", type=positive_int, required=True)
    args = parser.parse_args()
    target = work_file(args)

    start = time.perf_counter()
    shard_folder = tempfile.mkdtemp(prefix="shards-", dir=os.path.dirname(os.path.abspath(target)))
    try:
        # Closed again before the pool forks, so no child inherits an open handle.
        with h5py.File(target, "r") as file:
            rows = file[args.dataset].shape[0]
        blocks = plan_blocks(rows, args.block_rows)
        tasks = [(target, args.dataset, block_start, block_end, os.path.join(shard_folder, f"shard-{index:06d}.h5"))
                 for index, (block_start, block_end) in enumerate(blocks)]
        with multiprocessing.Pool(args.workers, initializer=ignore_interrupts) as pool:
            shard_paths = pool.map(compute_shard, tasks)
            # Let the workers exit on their own; leaving the `with` terminates
            # them, which is for errors and Ctrl-C only.
            pool.close()
            pool.join()

        with h5py.File(target, "r+") as file:
            distances = new_output(file, args.output, rows)
            for (block_start, block_end), shard_path in zip(blocks, shard_paths):
                with h5py.File(shard_path, "r") as shard:
                    distances[block_start:block_end] = shard["values"][...]
                remove_quietly(shard_path)
    finally:
        shutil.rmtree(shard_folder, ignore_errors=True)
    seconds = time.perf_counter() - start

    report(recipe="mp-shard", rows=rows, workers=args.workers, block_rows=args.block_rows, seconds=seconds,
           sha256=digest_unless_in_place(args, target), h5py=h5py.__version__)


if __name__ == "__main__":
    main()
