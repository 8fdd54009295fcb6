# The Dask driver h5blocks starts for `--strategy dask`. It talks to h5blocks
# over stdio in JSON lines: one plan in on stdin (later lines: {"command":
# "cancel"}; end of input also cancels), events out on stdout. It submits one
# task per block to a Dask cluster (the scheduler named in the plan, or a local
# cluster), each task reading its rows read-only with h5py and writing a shard
# file; h5blocks itself merges the shards into the output. This process never
# opens the user's file for writing.
#
# Events: {"event": "connected", "scheduler", "local", "workers"},
# {"event": "block", "index", "worker", "phases": {name: [start_ms, end_ms]}}
# (epoch ms on this process's clock), {"event": "done"}, {"event": "cancelled"},
# {"event": "error", "message"} (one line for the user).
import importlib
import json
import os
import sys
import threading
import time

# Dask logs to stderr and could print to stdout: keep fd 1 for events only.
_events = os.fdopen(os.dup(1), 'w', buffering=1)
os.dup2(2, 1)
_emit_lock = threading.Lock()

REQUIRED_MODULES = ('numpy', 'h5py', 'dask', 'distributed')
# Without any worker for this long, the run fails rather than waits forever.
NO_WORKER_GRACE_S = 30.0


def emit(event, **fields):
    with _emit_lock:
        _events.write(json.dumps({'event': event, **fields}) + '\n')
        _events.flush()


def one_line(text):
    lines = [line.strip() for line in str(text).splitlines() if line.strip()]
    return lines[0] if lines else ''


def fail(message):
    emit('error', message=message)
    sys.exit(1)


def check_modules():
    for name in REQUIRED_MODULES:
        try:
            importlib.import_module(name)
        except Exception as error:  # ImportError, or a module broken on import
            fail(f'the Python at {sys.executable} cannot import {name} ({one_line(error) or type(error).__name__}); '
                 'the Dask strategy needs Python 3 with dask, distributed, h5py and numpy (set H5BLOCKS_PYTHON or --python)')


def connect(plan):
    from distributed import Client, LocalCluster
    timeout = plan.get('connectTimeoutSeconds', 10)
    if plan.get('scheduler'):
        address = plan['scheduler']
        try:
            client = Client(address, timeout=timeout)
        except Exception as error:
            fail(f'cannot reach the Dask scheduler at {address}: {one_line(error) or type(error).__name__}')
        try:
            client.wait_for_workers(1, timeout=timeout)
        except Exception:
            client.close()
            fail(f'the Dask scheduler at {address} has no workers (waited {timeout} s)')
        return client, None
    cluster = LocalCluster(n_workers=plan['workers'], threads_per_worker=1, processes=True,
                           dashboard_address=None, silence_logs=50)
    return Client(cluster), cluster


def clock_offsets(client):
    """Each worker's clock minus ours (s), from one round trip; tasks' stamps are mapped onto our clock."""
    before = time.time()
    stamps = client.run(time.time)
    middle = (before + time.time()) / 2
    return {worker: stamp - middle for worker, stamp in stamps.items()}


def describe_failure(future, block, error):
    from distributed.scheduler import KilledWorker
    where = f'block {block[0]} (rows {block[1]}-{block[2]})'
    if error is None:
        return f'{where}: its Dask task was cancelled on the cluster; no output was written'
    if isinstance(error, KilledWorker):
        return f'{where}: the Dask worker running it died (KilledWorker); no output was written'
    return f'{where}: {type(error).__name__}: {one_line(error)}'


def run(plan):
    import cloudpickle
    from distributed import as_completed

    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import h5blocks_kernel
    # Workers on other machines do not have this folder: ship the kernel by value.
    cloudpickle.register_pickle_by_value(h5blocks_kernel)

    client, cluster = connect(plan)
    cancelled = threading.Event()
    futures = []
    try:
        offsets = clock_offsets(client)
        emit('connected', scheduler=client.scheduler.address, local=cluster is not None,
             workers=sorted(client.scheduler_info()['workers']))

        def watch_input():
            for line in sys.stdin:
                if line.strip() and json.loads(line).get('command') == 'cancel':
                    break
            cancelled.set()
            client.cancel(futures, force=True)

        threading.Thread(target=watch_input, daemon=True).start()

        by_key = {}
        for block in plan['blocks']:
            index, row_start, row_end = block
            shard = os.path.join(plan['shardDir'], f'shard-{index:06d}.bin')
            future = client.submit(h5blocks_kernel.block_task, plan['file'], plan['dataset'], plan['kind'],
                                   plan.get('task', {'kernel': 'norm'}), row_start, row_end, shard, key=f'h5blocks-{plan["runId"]}-{index}', pure=False)
            futures.append(future)
            by_key[future.key] = block

        failure = []
        threading.Thread(target=watch_workers, args=(client, futures, cancelled, failure), daemon=True).start()

        done = set()
        completed = as_completed(futures)
        for future in completed:
            if cancelled.is_set():
                break
            block = by_key[future.key]
            if block[0] in done:
                continue
            if future.status in ('error', 'cancelled'):
                error = future.exception() if future.status == 'error' else None
                message = failure[0] if failure else describe_failure(future, block, error)
                client.cancel(futures, force=True)
                fail(message)
            if future.status != 'finished':
                # Lost with a worker that died after finishing it: Dask recomputes it.
                completed.add(future)
                continue
            done.add(block[0])
            stamps = future.result()
            worker = stamps.pop('worker')
            counts = stamps.pop('nonFinite', None)
            offset = offsets.get(worker, 0.0)
            emit('block', index=block[0], worker=worker, **({'nonFinite': counts} if counts is not None else {}),
                 phases={phase: [(start - offset) * 1000, (end - offset) * 1000] for phase, (start, end) in stamps.items()})
            future.release()
        if cancelled.is_set():
            emit('cancelled')
        else:
            emit('done')
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def watch_workers(client, futures, cancelled, failure):
    without_since = None
    while not cancelled.is_set():
        time.sleep(1)
        try:
            count = len(client.scheduler_info()['workers'])
        except Exception:
            count = 0
        if count:
            without_since = None
            continue
        without_since = without_since or time.time()
        if time.time() - without_since > NO_WORKER_GRACE_S:
            failure.append(f'the Dask cluster has had no workers for {NO_WORKER_GRACE_S:.0f} s; the run was stopped')
            client.cancel(futures, force=True)
            return


def main():
    check_modules()
    line = sys.stdin.readline()
    if not line.strip():
        fail('no plan received')
    plan = json.loads(line)
    try:
        run(plan)
    except SystemExit:
        raise
    except BaseException as error:
        fail(f'{type(error).__name__}: {one_line(error)}')


if __name__ == '__main__':
    main()
