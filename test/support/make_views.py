"""Datasets for h5web's views, written by h5py: python3 make_views.py OUT.h5

/image   2-D float32 (120 x 160), a smooth pattern: a heatmap
/stack   3-D uint8 (5 x 64 x 48), each slice different: slicing with the dimension mapper
/rgb     3-D uint8 (64 x 48 x 3) with CLASS=IMAGE, IMAGE_SUBCLASS=IMAGE_TRUECOLOR: an RGB image
/waves   1-D complex64 (500): the complex views
/entry   a NeXus NXentry whose NXdata plots /entry/data/counts against /entry/data/x
"""
import sys
import numpy as np
import h5py

out = sys.argv[1]
with h5py.File(out, "w") as f:
    y, x = np.mgrid[0:120, 0:160]
    f.create_dataset("image", data=(np.sin(x / 9.0) * np.cos(y / 13.0)).astype("f4"))
    stack = np.zeros((5, 64, 48), "u1")
    for i in range(5):
        stack[i] = ((np.arange(64)[:, None] * (i + 1) + np.arange(48)[None, :] * (5 - i)) % 256).astype("u1")
    f.create_dataset("stack", data=stack)
    rgb = np.zeros((64, 48, 3), "u1")
    rgb[..., 0] = np.arange(64)[:, None] * 4
    rgb[..., 1] = np.arange(48)[None, :] * 5
    rgb[..., 2] = 128
    d = f.create_dataset("rgb", data=rgb)
    d.attrs["CLASS"] = np.bytes_("IMAGE")
    d.attrs["IMAGE_SUBCLASS"] = np.bytes_("IMAGE_TRUECOLOR")
    t = np.linspace(0, 8 * np.pi, 500)
    f.create_dataset("waves", data=(np.cos(t) + 1j * np.sin(t) * 0.5).astype("c8"))
    entry = f.create_group("entry")
    entry.attrs["NX_class"] = "NXentry"
    entry.attrs["default"] = "data"
    data = entry.create_group("data")
    data.attrs["NX_class"] = "NXdata"
    data.attrs["signal"] = "counts"
    data.attrs["axes"] = ["x"]
    data.create_dataset("counts", data=(np.arange(50) ** 2).astype("f8"))
    data.create_dataset("x", data=np.linspace(0, 1, 50))
