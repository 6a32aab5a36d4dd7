"""Times NVRTC compiling the CUDA backend's kernel module, the way the
backend does at first use (headers in memory, `--std=c++17`).

    python3 scripts/nvrtc_compile_time.py [KERNELS_DIR] [--arch sm_90]

Needs libnvrtc.so.13 on LD_LIBRARY_PATH (scripts/install_nvrtc.sh prints the
directory). KERNELS_DIR defaults to backend-cuda/kernels; point it at an older
copy (`git show REV:backend-cuda/kernels/FILE`) to compare two versions, and
alternate the runs: the machine's load moves the times.
"""

import argparse
import ctypes
import os
import time

HEADERS = ["common.cuh", "field.cuh", "curve.cuh", "scan.cuh", "msm.cuh", "ntt.cuh", "lookup.cuh", "constraints.cuh"]


def main():
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("kernels", nargs="?", default=os.path.join(root, "backend-cuda", "kernels"))
    parser.add_argument("--arch", default="sm_90")
    args = parser.parse_args()
    lib = ctypes.CDLL("libnvrtc.so.13")
    read = lambda name: open(os.path.join(args.kernels, name), "rb").read()
    texts = (ctypes.c_char_p * len(HEADERS))(*[read(h) for h in HEADERS])
    names = (ctypes.c_char_p * len(HEADERS))(*[h.encode() for h in HEADERS])
    program = ctypes.c_void_p()
    if lib.nvrtcCreateProgram(ctypes.byref(program), read("zkaccel.cu"), b"zkaccel.cu", len(HEADERS), texts, names):
        raise SystemExit("nvrtcCreateProgram failed")
    options = (ctypes.c_char_p * 2)(f"--gpu-architecture={args.arch}".encode(), b"--std=c++17")
    start = time.time()
    status = lib.nvrtcCompileProgram(program, 2, options)
    elapsed = time.time() - start
    lib.nvrtcDestroyProgram(ctypes.byref(program))
    if status:
        raise SystemExit(f"NVRTC failed ({status}) after {elapsed:.1f} s")
    print(f"{args.kernels}: {args.arch} in {elapsed:.1f} s")


if __name__ == "__main__":
    main()
