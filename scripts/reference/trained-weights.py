#!/usr/bin/env python3
"""Weights files written by other implementations, and their expected frame bounds.

For the .npz and .safetensors readers (src/formats/parse-npz.ts, parse-safetensors.ts) and the
tests of POST /v1/analyze/filterbank and `fbstab analyze-filterbank`. The filters are real
PyTorch weights (torch.nn.Conv1d(1, J, T), default init, fixed seed); .npz files are written by
numpy's np.savez / np.savez_compressed, .safetensors files by the safetensors package
(safetensors.torch.save_file, the reference Rust implementation) when it can be imported, else
by write_safetensors below, from the format's specification. expected.json says which.

Expected A, B and κ are computed here with numpy (docs/theory.md §6), independent of fbstab:
LP[k] = Σ_j |DFT_N(φ_j)[k]|², A = min LP, B = max LP at stride 1; at stride d, the extreme
eigenvalues of M_k = V_kᴴ V_k / d with V_k = [φ̂_j[k + a·N/d]]_{j,a}.

Needs numpy and torch (Debian: apt-get install python3-torch, for /usr/bin/python3). The
safetensors wheel, where pip can reach one, can go beside it in a directory of its own:

  /usr/bin/python3 -m pip install --target /tmp/st safetensors
  PYTHONPATH=/tmp/st /usr/bin/python3 scripts/reference/trained-weights.py test/fixtures/weights
"""
import json
import os
import struct
import sys

import numpy as np
import torch

J, T = 6, 24
SEED = 20241127
# The strided case of the tests: d = 3 on N = 96 (not a power of two: Bluestein in fbstab).
STRIDED = {"stride": 3, "signalLength": 96}

try:
    import safetensors
    from safetensors.torch import save_file

    SAFETENSORS_WRITER = f"safetensors {safetensors.__version__} (safetensors.torch.save_file)"
except ImportError:
    save_file = None
    SAFETENSORS_WRITER = "write_safetensors of scripts/reference/trained-weights.py (from the format's specification)"

DTYPES = {torch.float16: "F16", torch.bfloat16: "BF16", torch.float32: "F32", torch.float64: "F64"}


def write_safetensors(tensors, path):
    """The safetensors format: u64 little-endian header length, the JSON header, the buffer."""
    header, chunks, offset = {}, [], 0
    for name in sorted(tensors):
        t = tensors[name].contiguous()
        data = t.view(torch.int16).numpy().astype("<i2").tobytes() if t.dtype == torch.bfloat16 else (
            t.numpy().astype(t.numpy().dtype.newbyteorder("<")).tobytes()
        )
        header[name] = {"dtype": DTYPES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        chunks.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)  # the reference pads the header to 8 bytes
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(chunks))


def save_safetensors(tensors, path):
    if save_file is not None:
        save_file(tensors, path)
    else:
        write_safetensors(tensors, path)


def frame_bounds(filters, stride=1, signal_length=None):
    """A, B, κ of J filters (rows) on the N-point grid, by numpy's FFT (docs/theory.md §6)."""
    filters = np.asarray(filters, dtype=np.float64)
    n = signal_length or max(1024, 1 << (filters.shape[1] - 1).bit_length())
    spectra = np.fft.fft(filters, n)
    if stride == 1:
        lp = np.sum(np.abs(spectra) ** 2, axis=0)
        a, b = float(lp.min()), float(lp.max())
    else:
        k_count = n // stride
        eig = [
            np.linalg.eigvalsh(v.conj().T @ v / stride)
            for v in (spectra[:, [k + i * k_count for i in range(stride)]] for k in range(k_count))
        ]
        a, b = float(min(e[0] for e in eig)), float(max(e[-1] for e in eig))
    return {"stride": stride, "signalLength": n, "A": a, "B": b, "kappa": b / a}


def as_float64(t):
    return t.detach().to(torch.float64).numpy() if isinstance(t, torch.Tensor) else np.asarray(t, np.float64)


def main(out):
    os.makedirs(out, exist_ok=True)
    torch.manual_seed(SEED)
    conv = torch.nn.Conv1d(1, J, T)  # weight (J, 1, T), bias (J,): kaiming-uniform, as trained from
    stereo = torch.nn.Conv1d(2, J, T)  # weight (J, 2, T): not a first layer of mono audio
    weight = conv.weight.detach()
    state = {k: v.detach().contiguous() for k, v in conv.state_dict().items()}
    files = {}

    def record(name, fmt, choice, array, dtype, **extra):
        taps = as_float64(array).reshape(array.shape[0], -1)  # (J, T) or (J, 1, T): J rows of T taps
        bounds = [frame_bounds(taps), frame_bounds(taps, STRIDED["stride"], STRIDED["signalLength"])]
        files[name] = {"format": fmt, "shape": list(array.shape), "dtype": dtype, **choice, **extra, "expected": bounds}

    # .npz, stored (np.savez): one unnamed array, arr_0, of shape (J, 1, T) float32.
    np.savez(os.path.join(out, "conv1d-weight.npz"), weight.numpy())
    record("conv1d-weight.npz", "npz", {}, weight, "<f4")
    # .npz, deflate (np.savez_compressed): a whole state dict, weight and bias: choose "weight".
    np.savez_compressed(os.path.join(out, "conv1d-state-dict.npz"), **{k: v.numpy() for k, v in state.items()})
    record("conv1d-state-dict.npz", "npz", {"array": "weight"}, weight, "<f4", names=list(state))
    # .npz, deflate: (J, T) float64, big-endian.
    filters_be = weight.to(torch.float64).numpy().reshape(J, T).astype(">f8")
    np.savez_compressed(os.path.join(out, "filters-f8-big-endian.npz"), filters=filters_be)
    record("filters-f8-big-endian.npz", "npz", {}, filters_be, ">f8")
    # .npz of a two-channel layer: refused (422).
    np.savez(os.path.join(out, "conv1d-2-channels.npz"), weight=stereo.weight.detach().numpy())
    files["conv1d-2-channels.npz"] = {"format": "npz", "shape": list(stereo.weight.shape), "dtype": "<f4"}

    # .safetensors: the state dict in float32 (choose "weight"), and the weight in each dtype.
    save_safetensors(state, os.path.join(out, "conv1d-state-dict.safetensors"))
    record("conv1d-state-dict.safetensors", "safetensors", {"tensor": "weight"}, weight, "F32", names=sorted(state))
    for dtype, label in ((torch.float16, "f16"), (torch.bfloat16, "bf16")):
        half = weight.to(dtype).contiguous()
        name = f"conv1d-weight-{label}.safetensors"
        save_safetensors({"weight": half}, os.path.join(out, name))
        # The exact values of the rounded weights (float16 and bfloat16 are exact in float64).
        record(name, "safetensors", {}, half, DTYPES[dtype], weights=as_float64(half).reshape(-1).tolist())
    filters64 = weight.to(torch.float64).reshape(J, T).contiguous()
    save_safetensors({"filters": filters64}, os.path.join(out, "filters-f64.safetensors"))
    record("filters-f64.safetensors", "safetensors", {}, filters64, "F64")
    save_safetensors({"weight": stereo.weight.detach().contiguous()}, os.path.join(out, "conv1d-2-channels.safetensors"))
    files["conv1d-2-channels.safetensors"] = {"format": "safetensors", "shape": list(stereo.weight.shape), "dtype": "F32"}

    # Edge values of the half formats, each decoded exactly by numpy / torch: zeros, the smallest
    # and largest subnormals, the smallest normal, 1 and its successor, the largest finite.
    f16_bits = [0x0000, 0x8000, 0x0001, 0x8001, 0x03FF, 0x0400, 0x3C00, 0x3C01, 0x7BFF, 0xFBFF, 0x3555, 0xC0A0]
    bf16_bits = [0x0000, 0x8000, 0x0001, 0x8001, 0x007F, 0x0080, 0x3F80, 0x3F81, 0x7F7F, 0xFF7F, 0x3EAB, 0xC020]
    f16 = torch.from_numpy(np.array(f16_bits, dtype=np.uint16).view(np.float16).reshape(2, 6).copy())
    bf16 = torch.tensor(np.array(bf16_bits, dtype=np.uint16).astype(np.int16), dtype=torch.int16).view(torch.bfloat16).reshape(2, 6)
    save_safetensors({"f16": f16, "bf16": bf16.contiguous()}, os.path.join(out, "half-edges.safetensors"))
    files["half-edges.safetensors"] = {
        "format": "safetensors",
        "tensors": {
            "f16": {"bits": f16_bits, "values": as_float64(f16).reshape(-1).tolist()},
            "bf16": {"bits": bf16_bits, "values": as_float64(bf16).reshape(-1).tolist()},
        },
    }
    # Non-finite values: +Inf at element 1, NaN at element 2 of each (refused, 400).
    nonfinite = {
        "f16_inf": torch.tensor([[0.5, float("inf"), 0.25]], dtype=torch.float16),
        "f16_nan": torch.tensor([[0.5, 0.25, float("nan")]], dtype=torch.float16),
        "bf16_inf": torch.tensor([[0.5, float("-inf"), 0.25]], dtype=torch.bfloat16),
        "bf16_nan": torch.tensor([[0.5, 0.25, float("nan")]], dtype=torch.bfloat16),
    }
    save_safetensors(nonfinite, os.path.join(out, "half-nonfinite.safetensors"))
    files["half-nonfinite.safetensors"] = {"format": "safetensors", "names": sorted(nonfinite)}

    generator = {
        "script": "scripts/reference/trained-weights.py",
        "numpy": np.__version__,
        "torch": torch.__version__,
        "safetensorsWriter": SAFETENSORS_WRITER,
        "seed": SEED,
        "J": J,
        "T": T,
    }
    with open(os.path.join(out, "expected.json"), "w") as f:
        json.dump({"generator": generator, "files": files}, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "test/fixtures/weights")
