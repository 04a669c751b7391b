#!/usr/bin/python3
"""Synthetic ATL06-format granules of any size, for the end-to-end benchmark (h5py/libhdf5).

    /usr/bin/python3 bench/e2e/make_granules.py OUT_DIR [GRANULES=60] [POINTS_PER_BEAM=14000]

Each granule: six beams of POINTS_PER_BEAM 20 m segments along a track towards the South Pole
(random start and heading), gzip+shuffle chunks of 10,000 like ATL06, ~15% quality-flagged points.
60 granules of 14,000 points per beam make ~5 M observations.
"""
import math
import os
import sys

import h5py
import numpy as np


def main(out, granules=60, n=14000):
    os.makedirs(out, exist_ok=True)
    rng = np.random.default_rng(7)
    R = 6371000.0
    offsets = {"gt1l": -3345, "gt1r": -3255, "gt2l": -45, "gt2r": 45, "gt3l": 3255, "gt3r": 3345}
    for g in range(granules):
        lat0 = math.radians(rng.uniform(-82, -68))
        lon0 = math.radians(rng.uniform(-180, 180))
        hd = math.radians(rng.uniform(150, 210))
        path = os.path.join(out, f"ATL06_2024{g:06d}_{g:04d}0122_007_01.h5")
        with h5py.File(path, "w") as f:
            for beam, off in offsets.items():
                d = off / R
                blat = math.asin(math.sin(lat0) * math.cos(d) + math.cos(lat0) * math.sin(d) * math.cos(hd + math.pi / 2))
                blon = lon0 + math.atan2(math.sin(hd + math.pi / 2) * math.sin(d) * math.cos(lat0), math.cos(d) - math.sin(lat0) * math.sin(blat))
                dist = np.arange(n) * 20.0 / R
                lat = np.arcsin(np.sin(blat) * np.cos(dist) + np.cos(blat) * np.sin(dist) * np.cos(hd))
                lon = blon + np.arctan2(np.sin(hd) * np.sin(dist) * np.cos(blat), np.cos(dist) - np.sin(blat) * np.sin(lat))
                lis = f.create_group(beam).create_group("land_ice_segments")
                kw = dict(chunks=(10000,), compression="gzip", compression_opts=6, shuffle=True)
                q = (rng.random(n) < 0.15).astype(np.int8)
                h = (1500 + 300 * np.sin(np.arange(n) / 700.0) + rng.normal(0, 3, n)).astype(np.float32)
                h[q == 1] = np.float32(3.4028235e38)
                lis.create_dataset("latitude", data=np.degrees(lat), **kw)
                lis.create_dataset("longitude", data=(np.degrees(lon) + 180) % 360 - 180, **kw)
                lis.create_dataset("h_li", data=h, **kw)
                lis.create_dataset("h_li_sigma", data=rng.uniform(0.02, 0.5, n).astype(np.float32), **kw)
                lis.create_dataset("atl06_quality_summary", data=q, **kw)
                lis.create_dataset("delta_time", data=np.arange(n) * 0.0028 + 1.9e8, **kw)
                lis.create_dataset("segment_id", data=np.arange(n, dtype=np.int32), **kw)
    print(f"{granules} granules x 6 beams x {n} points = {granules * 6 * n} observations in {out}")


if __name__ == "__main__":
    main(sys.argv[1], *(int(a) for a in sys.argv[2:]))
