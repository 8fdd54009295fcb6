"""An h5py SWMR writer for the tests: creates FILE with /data (0 x 2 float64,
unlimited rows, libver latest), switches to SWMR mode, prints "ready", then
appends ROWS rows every INTERVAL seconds, flushing each time, until it has
appended STEPS times or its standard input closes (STEPS 0: until then).
It prints "closed" after closing the file. With a fifth argument "signal" it
also grows /signal, 1-D float64, by ROWS values each step (sin(i / 10) + i / 1000)."""
import select
import sys
import time

import h5py
import numpy as np

path, rows, interval, steps = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
with_signal = len(sys.argv) > 5 and sys.argv[5] == 'signal'
f = h5py.File(path, 'w', libver='latest')
d = f.create_dataset('data', shape=(0, 2), maxshape=(None, 2), chunks=(256, 2), dtype='<f8')
signal = f.create_dataset('signal', shape=(0,), maxshape=(None,), chunks=(1024,), dtype='<f8') if with_signal else None
f.swmr_mode = True
print('ready', flush=True)
done = 0
while steps == 0 or done < steps:
    start = d.shape[0]
    d.resize((start + rows, 2))
    d[start:] = np.arange(start * 2, (start + rows) * 2, dtype='<f8').reshape(rows, 2)
    d.flush()
    if signal is not None:
        i = np.arange(start, start + rows, dtype='<f8')
        signal.resize((start + rows,))
        signal[start:] = np.sin(i / 10) + i / 1000
        signal.flush()
    done += 1
    readable, _, _ = select.select([sys.stdin], [], [], interval)
    if readable and sys.stdin.read(1) == '':
        break
f.close()
print('closed', flush=True)
