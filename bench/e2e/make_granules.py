#!/usr/bin/python3
"""Synthetic ATL06-format granules of any size, for the end-to-end benchmark (h5py/libhdf5).

    /usr/bin/python3 bench/e2e/make_granules.py OUT_DIR [GRANULES=60] [POINTS_PER_BEAM=14000] [LAYOUT=sparse|dense|polar]

Each granule: six beams of POINTS_PER_BEAM 20 m segments along a track towards the South Pole
(heading 150-210 degrees), gzip+shuffle chunks of 10,000 like ATL06, ~15% quality-flagged points.
60 granules of 14,000 points per beam make ~5 M observations.

sparse: each track starts at a random place in 68-82 S (the README's catalog: ~170 parent cells of
        a few granules each).
dense:  every track (heading 130-230 degrees) crosses one ~50 km region (a disc of 25 km radius around
        74.4 S, 30.4 E) within its middle 60 %: 60 granules touch 16 order-6 parent cells, the two densest
        with 42 and 60 granules and 0.61 M and 1.62 M kept observations (of 4.28 M; issue #16's catalog).
polar:  many short tracks (any heading) all inside one order-6 parent cell near the South Pole (NESTED 32780,
        centred at 86.34 S, 45 E; ~50 km from its centre to its nearest edge): each track's middle lies within
        20 km of the centre, and a track of 1,180 points per beam is 23.6 km long, so every point falls in that
        one cell. 5,000 granules of 1,180 points per beam make ~30 M kept observations in one cell (issue #16's
        polar shard), 1.3 GB of uncompressed files.
"""
import math
import os
import sys

import h5py
import numpy as np

R = 6371000.0
OFFSETS = {"gt1l": -3345, "gt1r": -3255, "gt2l": -45, "gt2r": 45, "gt3l": 3255, "gt3r": 3345}


def destination(lat, lon, bearing, d):
    """The point at angular distance d (radians, may be negative or an array) along a great circle."""
    lat2 = np.arcsin(np.sin(lat) * np.cos(d) + np.cos(lat) * np.sin(d) * np.cos(bearing))
    lon2 = lon + np.arctan2(np.sin(bearing) * np.sin(d) * np.cos(lat), np.cos(d) - np.sin(lat) * np.sin(lat2))
    return lat2, lon2


def main(out, granules=60, n=14000, layout="sparse"):
    if layout not in ("sparse", "dense", "polar"):
        sys.exit(f"make_granules.py: error: layout '{layout}' is not sparse, dense or polar")
    os.makedirs(out, exist_ok=True)
    rng = np.random.default_rng(7)
    centre = (math.radians(-86.3445513130483), math.radians(45.0)) if layout == "polar" else (math.radians(-74.4), math.radians(30.4))
    for g in range(granules):
        if layout == "sparse":
            lat0 = math.radians(rng.uniform(-82, -68))
            lon0 = math.radians(rng.uniform(-180, 180))
            hd = math.radians(rng.uniform(150, 210))
            first = 0  # the track starts at (lat0, lon0)
        elif layout == "polar":
            radius, angle = 20000 * math.sqrt(rng.uniform()), rng.uniform(0, 2 * math.pi)
            lat0, lon0 = (float(x) for x in destination(*centre, angle, radius / R))
            hd = rng.uniform(0, 2 * math.pi)
            first = -(n // 2)  # (lat0, lon0) is the middle of the track
        else:
            radius, angle = 25000 * math.sqrt(rng.uniform()), rng.uniform(0, 2 * math.pi)
            lat0, lon0 = (float(x) for x in destination(*centre, angle, radius / R))
            hd = math.radians(rng.uniform(130, 230))
            first = -int(rng.integers(n // 5, 4 * n // 5))  # (lat0, lon0) lies in the middle 60 % of the track
        path = os.path.join(out, f"ATL06_2024{g:06d}_{g:04d}0122_007_01.h5")
        with h5py.File(path, "w") as f:
            for beam, off in OFFSETS.items():
                blat, blon = destination(lat0, lon0, hd + math.pi / 2, off / R)
                lat, lon = destination(blat, blon, hd, (first + np.arange(n)) * 20.0 / R)
                lis = f.create_group(beam).create_group("land_ice_segments")
                kw = dict(chunks=(min(n, 10000),))
                if layout != "polar":  # polar: 5,000 small files, written uncompressed (3x faster to make)
                    kw.update(compression="gzip", compression_opts=6, shuffle=True)
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
    print(f"{granules} granules x 6 beams x {n} points = {granules * 6 * n} observations ({layout}) in {out}")


if __name__ == "__main__":
    args = sys.argv[1:]
    main(args[0], *(int(a) for a in args[1:3]), *args[3:4])
