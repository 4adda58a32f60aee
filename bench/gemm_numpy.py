"""numpy/OpenBLAS side of bench/gemm-vs-numpy.sh: the same shapes, timing and JSON as `Attend.Bench gemm`.

C[m, n] = A[m, k] @ B[k, n] in float32; median of --reps repetitions after warm-up, each repetition
timing enough calls to last ~50 ms. The last line is {"gemm": [{"m","k","n","threads","gflops"}, ...]}.
"""
import argparse
import ctypes
import json
import statistics
import sys
import time

import numpy as np

SHAPES = [(256, 256, 256), (512, 512, 512), (1024, 1024, 1024), (2048, 2048, 2048),
          (64, 512, 1536), (64, 1024, 8000), (1920, 512, 1536), (1920, 512, 8000)]


def blas_info():
    """Which BLAS numpy runs on, and which OpenBLAS kernel (core type) it picked."""
    try:
        import threadpoolctl
        return [{k: v for k, v in info.items() if k in ("internal_api", "version", "architecture", "threading_layer", "filepath", "num_threads")}
                for info in threadpoolctl.threadpool_info()]
    except ImportError:
        pass
    for name in ("libopenblas.so.0", "libopenblasp-r0.3.21.so"):
        try:
            lib = ctypes.CDLL(name)
            lib.openblas_get_config.restype = ctypes.c_char_p
            lib.openblas_get_corename.restype = ctypes.c_char_p
            return {"config": lib.openblas_get_config().decode(), "core": lib.openblas_get_corename().decode()}
        except OSError:
            continue
    return "unknown"


def set_threads(n):
    import threadpoolctl
    return threadpoolctl.threadpool_limits(limits=n, user_api="blas")


def median_seconds(op, reps, now):
    # Warm-up: at least two calls and ~0.1 s, as the C# side does.
    t0 = now()
    warm = 0
    while warm < 2 or now() - t0 < 0.1:
        op()
        warm += 1
    calls = max(1, int(0.05 / max((now() - t0) / warm, 1e-7)))
    times = []
    for _ in range(reps):
        t0 = now()
        for _ in range(calls):
            op()
        times.append((now() - t0) / calls)
    return statistics.median(times)


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--threads", type=int, default=None, help="measure with N threads only (default: 1 and 2)")
    ap.add_argument("--reps", type=int, default=7)
    ap.add_argument("--cpu-time", action="store_true", help="time by this thread's CPU time (meaningful for --threads 1)")
    args = ap.parse_args()
    thread_counts = [args.threads] if args.threads else [1, 2]
    print(f"numpy {np.__version__}, BLAS: {json.dumps(blas_info())}", file=sys.stderr)
    print(f"{'m':>6} {'k':>6} {'n':>6} {'threads':>8} {'ms':>10} {'GFLOP/s':>9}")
    rows = []
    rng = np.random.default_rng(42)
    for m, k, n in SHAPES:
        a = rng.uniform(-1, 1, (m, k)).astype(np.float32)
        b = rng.uniform(-1, 1, (k, n)).astype(np.float32)
        c = np.empty((m, n), np.float32)
        for threads in thread_counts:
            with set_threads(threads):
                s = median_seconds(lambda: np.matmul(a, b, out=c), args.reps,
                                   time.thread_time if args.cpu_time else time.perf_counter)
            gflops = 2.0 * m * n * k / s / 1e9
            print(f"{m:>6} {k:>6} {n:>6} {threads:>8} {s * 1e3:>10.3f} {gflops:>9.1f}", flush=True)
            rows.append({"m": m, "k": k, "n": n, "threads": threads, "gflops": round(gflops, 1)})
    print(json.dumps({"gemm": rows}, separators=(",", ":")))


if __name__ == "__main__":
    main()
