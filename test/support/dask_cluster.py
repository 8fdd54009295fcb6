"""What the Dask tests ask a running cluster, through a client of its own (Debian's /usr/bin/python3).

  workers ADDRESS N     waits until N workers are up, prints {address: pid}
  tasks ADDRESS         prints the number of tasks the scheduler still holds
"""
import json
import os
import sys

from distributed import Client


def main():
    command, address = sys.argv[1], sys.argv[2]
    with Client(address, timeout=30) as client:
        if command == 'workers':
            client.wait_for_workers(int(sys.argv[3]), timeout=60)
            print(json.dumps(client.run(os.getpid)))
        elif command == 'tasks':
            print(json.dumps(client.run_on_scheduler(lambda dask_scheduler: len(dask_scheduler.tasks))))
        else:
            raise SystemExit(f'unknown command {command}')


if __name__ == '__main__':
    main()
