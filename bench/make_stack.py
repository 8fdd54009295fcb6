"""Writes the image-stack input of `h5blocks bench --only stack-sum`: FRAMES × 512 × 512
uint16 detector-like frames (Poisson counts around a smooth background), one
gzip-compressed chunk per frame, as h5py writes it by default for such stacks."""
import argparse
import json
import time

import h5py
import numpy as np


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('output')
    parser.add_argument('--frames', type=int, default=2000)
    parser.add_argument('--size', type=int, default=512)
    args = parser.parse_args()
    rng = np.random.default_rng(19)
    y, x = np.mgrid[0:args.size, 0:args.size]
    background = 50 + 40 * np.exp(-((x - args.size / 2) ** 2 + (y - args.size / 2) ** 2) / (2 * (args.size / 6) ** 2))
    start = time.perf_counter()
    with h5py.File(args.output, 'w') as f:
        stack = f.create_dataset('stack', shape=(args.frames, args.size, args.size), dtype='<u2',
                                 chunks=(1, args.size, args.size), compression='gzip', compression_opts=4)
        for i in range(0, args.frames, 16):
            n = min(16, args.frames - i)
            stack[i:i + n] = rng.poisson(background, size=(n, args.size, args.size)).astype(np.uint16)
    print(json.dumps({'seconds': time.perf_counter() - start}))


if __name__ == '__main__':
    main()
