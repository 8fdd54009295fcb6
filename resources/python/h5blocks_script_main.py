# The body of the scripts `h5blocks export-script` writes. It follows the
# kernel (h5blocks_kernel.py) and the PLAN line in the generated file, which is
# self-contained: python3 SCRIPT [--scheduler ADDRESS] [--workers N] [--overwrite].
import argparse
import json
import os
import shutil
import sys
import time


def parse_args():
    parser = argparse.ArgumentParser(description=f"{PLAN.get('compute', 'norm')} of each row of {PLAN['dataset']} in {PLAN['file']} on a Dask cluster, "
                                                 f"in blocks of {PLAN['blockRows']} rows, as h5blocks planned them.")
    parser.add_argument('--scheduler', default=PLAN.get('scheduler'),
                        help='Dask scheduler address (default: %(default)s; none: a local cluster)')
    parser.add_argument('--workers', type=int, default=PLAN['workers'], help='local cluster size (default: %(default)s)')
    parser.add_argument('--file', default=PLAN['file'], help='input file (default: %(default)s)')
    parser.add_argument('--overwrite', action='store_true', default=PLAN.get('overwrite', False),
                        help=f"replace {PLAN['output']} if it exists")
    return parser.parse_args()


def block_task_of_plan():
    """What each block computes: the plan's kernel, or its expression with the numpy twin written above."""
    task = {'kernel': PLAN.get('compute', 'norm')}
    if task['kernel'] == 'expr':
        task['numpy'] = EXPRESSION_NUMPY
    return task


def check_output_free(path, output, overwrite):
    with h5py.File(path, 'r') as f:
        if output in f and not overwrite:
            sys.exit(f'{os.path.basename(path)}: {output} already exists; run with --overwrite to replace it')


def run_blocks(client, path, shard_dir):
    rows, block_rows = PLAN['rows'], PLAN['blockRows']
    futures = []
    for index, row_start in enumerate(range(0, rows, block_rows)):
        row_end = min(rows, row_start + block_rows)
        shard = os.path.join(shard_dir, f'shard-{index:06d}.bin')
        futures.append(client.submit(block_task, path, PLAN['dataset'], PLAN['kind'], block_task_of_plan(),
                                     row_start, row_end, shard, pure=False))
    # Every block must succeed before the file is touched.
    client.gather(futures)
    return [(index, row_start, min(rows, row_start + block_rows)) for index, row_start in enumerate(range(0, rows, block_rows))]


def merge(path, blocks, shard_dir, overwrite, scheduler):
    """One process (this one) writes the file: shards in block order, provenance, the completion mark last."""
    out_type = np.dtype(kernel_output_dtype(PLAN.get('compute', 'norm'), PLAN['kind'])).newbyteorder('<')
    started = time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())
    counts = {'nan': 0, 'posInf': 0, 'negInf': 0}
    with h5py.File(path, 'r+') as f:
        if PLAN['output'] in f:
            del f[PLAN['output']]
        chunk = max(1, min(PLAN['rows'], (512 * 1024) // out_type.itemsize))
        dataset = f.create_dataset(PLAN['output'], shape=(PLAN['rows'],), dtype=out_type, chunks=(chunk,) if PLAN['rows'] else None,
                                   maxshape=(None,))
        for index, row_start, row_end in blocks:
            shard = os.path.join(shard_dir, f'shard-{index:06d}.bin')
            values = np.fromfile(shard, dtype=out_type)
            if len(values) != row_end - row_start:
                sys.exit(f'{shard}: holds {len(values)} values, not {row_end - row_start}')
            dataset[row_start:row_end] = values
            for name, count in non_finite(values).items():
                counts[name] += count
            os.remove(shard)
        attributes = {
            'h5blocks_source': PLAN['dataset'],
            'h5blocks_compute': PLAN.get('compute', 'norm'),
            **({'h5blocks_expression': PLAN['expression']} if 'expression' in PLAN else {}),
            'h5blocks_strategy': 'dask (exported script)',
            'h5blocks_block_rows': np.int32(PLAN['blockRows']),
            'h5blocks_scheduler': scheduler,
            'h5blocks_script_of_run': PLAN['runId'],
            'h5blocks_started': started,
            'h5blocks_finished': time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime()),
        }
        for name, value in attributes.items():
            dataset.attrs[name] = value
        dataset.attrs['h5blocks_complete'] = np.int8(1)
    return counts


def main():
    from distributed import Client, LocalCluster

    args = parse_args()
    path = os.path.abspath(args.file)
    check_output_free(path, PLAN['output'], args.overwrite)
    # Shards go beside the input: every worker reads the input, so it can reach this folder too.
    shard_dir = os.path.join(os.path.dirname(path), f'.{os.path.basename(path)}.script-{os.getpid()}.h5blocks-shards')
    os.mkdir(shard_dir)
    cluster = None
    try:
        if args.scheduler:
            client = Client(args.scheduler, timeout=10)
            scheduler = args.scheduler
        else:
            cluster = LocalCluster(n_workers=args.workers, threads_per_worker=1, dashboard_address=None)
            client = Client(cluster)
            scheduler = f'local cluster ({args.workers} Dask workers)'
        try:
            blocks = run_blocks(client, path, shard_dir)
        finally:
            client.close()
        counts = merge(path, blocks, shard_dir, args.overwrite, scheduler)
        print(f"{os.path.basename(path)}: {PLAN['dataset']} -> {PLAN['output']} ({PLAN['rows']} rows, {len(blocks)} blocks, {scheduler})")
        said = [f'{counts[name]} {word}' for name, word in (('nan', 'NaN'), ('posInf', 'Inf'), ('negInf', '-Inf')) if counts[name]]
        if said:
            listed = said[0] if len(said) == 1 else ', '.join(said[:-1]) + ' and ' + said[-1]
            print(f"{listed} {'value' if sum(counts.values()) == 1 else 'values'} in {PLAN['output']}")
    finally:
        if cluster is not None:
            cluster.close()
        shutil.rmtree(shard_dir, ignore_errors=True)


if __name__ == '__main__':
    main()
