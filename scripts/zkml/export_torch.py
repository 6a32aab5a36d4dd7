"""Models exported by PyTorch itself (torch.onnx.export, both exporters) and by
hummingbird, for the zkml suite: the files exactly as users bring them, where
make_suite.py writes graphs node by node.

    python3 scripts/zkml/export_torch.py --out DIR

Needs torch, onnx, onnxruntime, numpy and scikit-learn (hummingbird-ml for the
tree models; skipped when missing). Writes, per model, NAME.onnx,
NAME.calibration.json (16 inputs) and NAME.input.json (one more input, with
onnxruntime's outputs as "reference"), the same three files make_suite.py
writes, and exports.json with what each exporter did. An exporter that fails
is recorded and skipped: which exporters a torch version offers changes.

The nanoGPT decoder is trained for a few hundred steps on this repository's
own prose, so that its logits have a clear argmax to agree on.
"""

import argparse
import json
import math
import os
import traceback

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

SEED = 7


class CausalSelfAttention(nn.Module):
    """nanoGPT's attention: the explicit path (masked_fill with -inf on a
    registered lower triangle), or its flash path through
    F.scaled_dot_product_attention."""

    def __init__(self, d, heads, t, sdpa):
        super().__init__()
        self.c_attn = nn.Linear(d, 3 * d)
        self.c_proj = nn.Linear(d, d)
        self.n_head = heads
        self.sdpa = sdpa
        self.register_buffer("bias", torch.tril(torch.ones(t, t)).view(1, 1, t, t))

    def forward(self, x):
        b, t, c = x.size()
        q, k, v = self.c_attn(x).split(c, dim=2)
        q = q.view(b, t, self.n_head, c // self.n_head).transpose(1, 2)
        k = k.view(b, t, self.n_head, c // self.n_head).transpose(1, 2)
        v = v.view(b, t, self.n_head, c // self.n_head).transpose(1, 2)
        if self.sdpa:
            y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        else:
            att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(k.size(-1)))
            att = att.masked_fill(self.bias[:, :, :t, :t] == 0, float("-inf"))
            y = F.softmax(att, dim=-1) @ v
        return self.c_proj(y.transpose(1, 2).contiguous().view(b, t, c))


class Block(nn.Module):
    def __init__(self, d, heads, t, sdpa):
        super().__init__()
        self.ln_1 = nn.LayerNorm(d)
        self.attn = CausalSelfAttention(d, heads, t, sdpa)
        self.ln_2 = nn.LayerNorm(d)
        self.mlp = nn.Sequential(nn.Linear(d, 4 * d), nn.GELU(), nn.Linear(4 * d, d))

    def forward(self, x):
        x = x + self.attn(self.ln_1(x))
        return x + self.mlp(self.ln_2(x))


class Gpt(nn.Module):
    """nanoGPT's GPT: token and position embeddings, pre-norm blocks, final
    LayerNorm, an LM head tied to the token embedding."""

    def __init__(self, vocab, t, d, heads, layers, sdpa=False):
        super().__init__()
        self.wte = nn.Embedding(vocab, d)
        self.wpe = nn.Embedding(t, d)
        self.h = nn.ModuleList(Block(d, heads, t, sdpa) for _ in range(layers))
        self.ln_f = nn.LayerNorm(d)
        self.lm_head = nn.Linear(d, vocab, bias=False)
        self.lm_head.weight = self.wte.weight

    def forward(self, idx):
        _, t = idx.size()
        pos = torch.arange(0, t, dtype=torch.long, device=idx.device)
        x = self.wte(idx) + self.wpe(pos)
        for block in self.h:
            x = block(x)
        return self.lm_head(self.ln_f(x))


class Recurrent(nn.Module):
    """A time-series regressor: an LSTM or GRU over the sequence (batch first),
    a linear head on the last step."""

    def __init__(self, cell, features, hidden, layers, outputs):
        super().__init__()
        self.rnn = cell(features, hidden, num_layers=layers, batch_first=True)
        self.head = nn.Linear(hidden, outputs)

    def forward(self, x):
        y, _ = self.rnn(x)
        return self.head(y[:, -1, :])


def corpus(root):
    text = ""
    for name in ["docs/architecture.md", "README.md", "BENCHMARKS.md"]:
        path = os.path.join(root, name)
        if os.path.exists(path):
            with open(path, encoding="utf-8") as f:
                text += f.read()
    # A small alphabet: lower case, digits and common punctuation.
    keep = "abcdefghijklmnopqrstuvwxyz0123456789 .,:;()-\n"
    return "".join(ch for ch in text.lower() if ch in keep), keep


def train_gpt(model, data, t, steps, device):
    model.to(device).train()
    opt = torch.optim.AdamW(model.parameters(), lr=2e-3)
    g = torch.Generator().manual_seed(SEED)
    for _ in range(steps):
        starts = torch.randint(0, len(data) - t - 1, (64,), generator=g)
        x = torch.stack([data[s:s + t] for s in starts]).to(device)
        y = torch.stack([data[s + 1:s + t + 1] for s in starts]).to(device)
        logits = model(x)
        loss = F.cross_entropy(logits.reshape(-1, logits.size(-1)), y.reshape(-1))
        opt.zero_grad()
        loss.backward()
        opt.step()
    model.cpu().eval()
    return float(loss)


def export(model, example, path, exporter, opset):
    with torch.no_grad():
        if exporter == "dynamo":
            torch.onnx.export(model, (example,), path, dynamo=True, opset_version=opset, external_data=False)
        else:
            torch.onnx.export(model, (example,), path, dynamo=False, opset_version=opset,
                              input_names=["input"], output_names=["output"])


def write_samples(out, name, path, calibration, sample):
    import onnxruntime as ort

    sess = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    (inp,) = sess.get_inputs()
    dtype = np.int64 if "int64" in inp.type else np.float32
    feed = np.asarray(sample, dtype=dtype).reshape([d if isinstance(d, int) else 1 for d in inp.shape])
    reference = [float(v) for o in sess.run(None, {inp.name: feed}) for v in np.asarray(o, np.float64).ravel()]
    flat = lambda a: [float(v) for v in np.asarray(a).ravel()]
    with open(os.path.join(out, f"{name}.calibration.json"), "w") as f:
        json.dump({"input_data": [flat(c) for c in calibration]}, f)
    with open(os.path.join(out, f"{name}.input.json"), "w") as f:
        json.dump({"input_data": [flat(sample)], "reference": reference}, f)
    import onnx

    m = onnx.load(path)
    return sorted({n.op_type for n in m.graph.node}), m.opset_import[0].version


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", required=True)
    parser.add_argument("--root", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "../.."))
    parser.add_argument("--steps", type=int, default=600)
    parser.add_argument("--only", choices=["torch", "hummingbird"], help="one family; exports.json is merged")
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    torch.manual_seed(SEED)
    rng = np.random.default_rng(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    report = {"torch": torch.__version__, "device": device, "models": []}

    def attempt(name, model, example, calibration, sample, exporter, opset, **extra):
        path = os.path.join(args.out, f"{name}.onnx")
        entry = {"name": name, "exporter": exporter, "opset": opset, **extra}
        try:
            export(model, example, path, exporter, opset)
            entry["operators"], entry["opset"] = write_samples(args.out, name, path, calibration, sample)
            entry["ok"] = True
        except Exception as e:  # an exporter this torch lacks: recorded, not fatal
            entry["ok"] = False
            entry["error"] = f"{type(e).__name__}: {e}"[:2000]
            traceback.print_exc()
            if os.path.exists(path):
                os.remove(path)
        print(name, "ok" if entry["ok"] else "FAILED", entry.get("operators", entry.get("error", ""))[:400])
        report["models"].append(entry)

    if args.only != "hummingbird":
        export_torch_models(args, rng, device, attempt)
    if args.only != "torch":
        export_hummingbird_models(args, rng, report)

    path = os.path.join(args.out, "exports.json")
    if args.only and os.path.exists(path):
        with open(path) as f:
            earlier = json.load(f)
        fresh = {m["name"] for m in report["models"]}
        report["models"] = [m for m in earlier["models"] if m["name"] not in fresh] + report["models"]
    with open(path, "w") as f:
        json.dump(report, f, indent=1)


def export_torch_models(args, rng, device, attempt):
    # nanoGPT: 2 layers, 2 heads, width 64, context 16, trained on the repository's prose.
    text, alphabet = corpus(args.root)
    data = torch.tensor([alphabet.index(ch) for ch in text], dtype=torch.long)
    t, vocab = 16, len(alphabet)
    windows = [data[s:s + t] for s in rng.integers(0, len(data) - t - 1, 17)]
    for sdpa in [False, True]:
        torch.manual_seed(SEED)
        gpt = Gpt(vocab, t, 64, 2, 2, sdpa=sdpa)
        loss = train_gpt(gpt, data, t, args.steps, device)
        example = windows[-1][None, :]
        suffix = "_sdpa" if sdpa else ""
        attempt(f"torch_nanogpt{suffix}", gpt, example, windows[:16], windows[-1], "torchscript", 14,
                final_loss=loss, parameters=sum(p.numel() for p in gpt.parameters()))
        attempt(f"torch_nanogpt{suffix}_dynamo", gpt, example, windows[:16], windows[-1], "dynamo", 18,
                final_loss=loss)

    # LSTM and GRU over 16 steps of 8 features, random weights.
    for cell, name, layers in [(nn.LSTM, "torch_lstm", 1), (nn.GRU, "torch_gru", 2)]:
        torch.manual_seed(SEED)
        model = Recurrent(cell, 8, 16, layers, 2).eval()
        xs = [rng.uniform(-1, 1, (1, 16, 8)).astype(np.float32) for _ in range(17)]
        example = torch.from_numpy(xs[-1])
        attempt(name, model, example, xs[:16], xs[-1], "torchscript", 14)
        attempt(f"{name}_dynamo", model, example, xs[:16], xs[-1], "dynamo", 18)



def export_hummingbird_models(args, rng, report):
    # Tree ensembles through hummingbird, its three tree implementations.
    try:
        import hummingbird.ml
        from sklearn.datasets import load_breast_cancer
        from sklearn.ensemble import GradientBoostingClassifier, RandomForestClassifier

        # hummingbird calls torch.onnx.export without naming an exporter; since torch 2.9 that
        # means the dynamo exporter, which cannot trace hummingbird's executors.
        plain_export = torch.onnx.export

        def torchscript_export(*a, **kw):
            kw.setdefault("dynamo", False)
            return plain_export(*a, **kw)

        torch.onnx.export = torchscript_export
        x, y = load_breast_cancer(return_X_y=True)
        x = x.astype(np.float32)
        # Standardised, so that one input scale suits every feature.
        x = (x - x.mean(0)) / x.std(0)
        models = {"gbdt": GradientBoostingClassifier(n_estimators=24, max_depth=3, random_state=SEED).fit(x, y),
                  "forest": RandomForestClassifier(n_estimators=20, max_depth=4, random_state=SEED).fit(x, y)}
        for kind, sk in models.items():
            for impl in ["gemm", "tree_trav", "perf_tree_trav"]:
                name = f"hb_{kind}_{impl}"
                path = os.path.join(args.out, f"{name}.onnx")
                entry = {"name": name, "exporter": "hummingbird", "tree_implementation": impl}
                try:
                    hb = hummingbird.ml.convert(sk, "onnx", x[:1], extra_config={"tree_implementation": impl})
                    import onnx

                    onnx.save(hb.model, path)
                    picks = rng.integers(0, len(x), 17)
                    entry["operators"], entry["opset"] = write_samples(
                        args.out, name, path, [x[i:i + 1] for i in picks[:16]], x[picks[-1]:picks[-1] + 1])
                    entry["sklearn_accuracy"] = float(sk.score(x, y))
                    entry["ok"] = True
                except Exception as e:
                    entry["ok"] = False
                    entry["error"] = f"{type(e).__name__}: {e}"[:2000]
                    traceback.print_exc()
                print(name, "ok" if entry["ok"] else "FAILED", entry.get("operators", entry.get("error", ""))[:400])
                report["models"].append(entry)
    except ImportError as e:
        report["hummingbird"] = f"skipped: {e}"
        print("hummingbird skipped:", e)


if __name__ == "__main__":
    main()
