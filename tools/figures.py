"""Draw the book's diagrams as SVG files in book/figures/ (run: python -m tools.figures).

The SVGs are committed, so building the book needs neither this script nor a kernel. Text stays
text in the SVG (``svg.fonttype: none``), and the output is deterministic (fixed hash salt, no date),
so re-running the script changes the files only when the drawing changes.
"""
from __future__ import annotations

import argparse
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch, Rectangle  # noqa: E402

FIGURES = Path(__file__).resolve().parents[1] / "book" / "figures"
STYLE = {"svg.fonttype": "none", "svg.hashsalt": "building-large-models", "font.size": 11,
         "font.family": "DejaVu Sans"}
BLUE, ORANGE, GREEN, GREY, RED = "#4c72b0", "#dd8452", "#55a868", "#d0d0d0", "#c44e52"


def _save(fig, name: str, out: Path) -> Path:
    path = out / name
    fig.savefig(path, format="svg", bbox_inches="tight", metadata={"Date": None})
    plt.close(fig)
    return path


def _grid(ax, x0, y0, values, cell=1.0, color="white", highlight=None, hcolor=ORANGE, fmt="{:g}", fontsize=10):
    """Draw a matrix of numbers with its top-left corner at (x0, y0); ``highlight`` = (row, col, h, w)."""
    rows, cols = values.shape
    for i in range(rows):
        for j in range(cols):
            inside = highlight is not None and highlight[0] <= i < highlight[0] + highlight[2] \
                and highlight[1] <= j < highlight[1] + highlight[3]
            ax.add_patch(Rectangle((x0 + j * cell, y0 - (i + 1) * cell), cell, cell,
                                   facecolor=hcolor if inside else color, edgecolor="black", lw=0.8, alpha=1))
            ax.text(x0 + (j + 0.5) * cell, y0 - (i + 0.5) * cell, fmt.format(values[i, j]),
                    ha="center", va="center", fontsize=fontsize)


def convolution(out: Path) -> Path:
    """A 3x3 filter sliding over a 5x5 image (no padding, stride 1) gives a 3x3 feature map."""
    image = np.array([[0, 1, 1, 0, 0], [0, 1, 1, 0, 0], [0, 0, 1, 0, 0], [0, 0, 1, 1, 0], [0, 0, 1, 1, 0]])
    kernel = np.array([[-1, 1, 0], [-1, 1, 0], [-1, 1, 0]])
    fmap = np.array([[np.sum(image[i:i + 3, j:j + 3] * kernel) for j in range(3)] for i in range(3)])
    with plt.style.context("default"), plt.rc_context(STYLE):  # the same drawing in any process
        fig, ax = plt.subplots(figsize=(6.0, 2.9))
        _grid(ax, 0, 5, image, highlight=(1, 1, 3, 3), hcolor="#f6d5bf", fontsize=12)
        ax.add_patch(Rectangle((1, 1), 3, 3, fill=False, edgecolor=ORANGE, lw=2.5))
        ax.text(2.5, 5.35, "image X", ha="center", fontsize=12)
        ax.text(5.6, 2.5, "⊙", ha="center", va="center", fontsize=20)
        _grid(ax, 6.3, 4, kernel, color="#fbe3d3", fontsize=12)
        ax.text(7.8, 4.35, "filter K", ha="center", fontsize=12)
        ax.text(10.0, 2.5, "=", ha="center", va="center", fontsize=20)
        _grid(ax, 10.7, 4, fmap, highlight=(1, 1, 1, 1), fontsize=12)
        ax.text(12.2, 4.35, "feature map F", ha="center", fontsize=12)
        ax.text(7.0, -0.85, "F[1,1] = Σ K[u,v] · X[1+u, 1+v] = 2\n(the orange window); slide and repeat",
                ha="center", va="center", fontsize=12)
        ax.set_xlim(-0.3, 14.0)
        ax.set_ylim(-1.7, 5.8)
        ax.set_aspect("equal")
        ax.axis("off")
        return _save(fig, "concepts-convolution.svg", out)


def _box(ax, x, y, w, h, text, color, fontsize=11):
    ax.add_patch(FancyBboxPatch((x - w / 2, y - h / 2), w, h, boxstyle="round,pad=0.02,rounding_size=0.12",
                                facecolor=color, edgecolor="black", lw=1))
    ax.text(x, y, text, ha="center", va="center", fontsize=fontsize)


def _arrow(ax, start, end, color="black"):
    ax.add_patch(FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=13, color=color, lw=1.2,
                                 shrinkA=0, shrinkB=0))


def transformer_block(out: Path) -> Path:
    """A pre-norm (GPT-2 style) transformer block with its two residual connections."""
    with plt.style.context("default"), plt.rc_context(STYLE):  # the same drawing in any process
        fig, ax = plt.subplots(figsize=(5.2, 7.4))
        x = 2.0
        ys = {"in": 0.2, "ln1": 1.3, "attn": 2.5, "add1": 3.7, "ln2": 4.7, "mlp": 5.9, "add2": 7.1, "out": 8.1}
        ax.text(x, ys["in"], "token vectors h (T × d)", ha="center", va="center", fontsize=11)
        _box(ax, x, ys["ln1"], 2.6, 0.6, "layer norm", "#e8e8e8")
        _box(ax, x, ys["attn"], 3.2, 0.85, "multi-head attention\n(causal mask)  4d² + 4d", "#cfdcf0")
        _box(ax, x, ys["ln2"], 2.6, 0.6, "layer norm", "#e8e8e8")
        _box(ax, x, ys["mlp"], 3.2, 0.85, "MLP  d → 4d → d\n(GELU)  8d² + 5d", "#d5ecd9")
        for key in ("add1", "add2"):
            ax.add_patch(plt.Circle((x, ys[key]), 0.22, facecolor="white", edgecolor="black", lw=1.2))
            ax.text(x, ys[key], "+", ha="center", va="center", fontsize=14)
        ax.text(x, ys["out"], "to the next block (T × d)", ha="center", va="center", fontsize=11)
        _arrow(ax, (x, ys["in"] + 0.2), (x, ys["ln1"] - 0.3))
        _arrow(ax, (x, ys["ln1"] + 0.3), (x, ys["attn"] - 0.43))
        _arrow(ax, (x, ys["attn"] + 0.43), (x, ys["add1"] - 0.22))
        _arrow(ax, (x, ys["add1"] + 0.22), (x, ys["ln2"] - 0.3))
        _arrow(ax, (x, ys["ln2"] + 0.3), (x, ys["mlp"] - 0.43))
        _arrow(ax, (x, ys["mlp"] + 0.43), (x, ys["add2"] - 0.22))
        _arrow(ax, (x, ys["add2"] + 0.22), (x, ys["out"] - 0.2))
        for start, end in (("in", "add1"), ("add1", "add2")):  # residual connections around each sub-layer
            y0, y1 = ys[start] + (0.55 if start == "in" else 0.35), ys[end]
            ax.plot([x, x + 2.1, x + 2.1], [y0, y0, y1], color=RED, lw=1.4)
            _arrow(ax, (x + 2.1, y1), (x + 0.22, y1), color=RED)
        ax.text(x + 2.25, (ys["in"] + ys["add1"]) / 2 + 0.3, "residual", rotation=90, va="center", color=RED,
                fontsize=10)
        ax.text(x + 2.25, (ys["add1"] + ys["add2"]) / 2 + 0.3, "residual", rotation=90, va="center", color=RED,
                fontsize=10)
        ax.text(-0.5, 4.0, "× L blocks", rotation=90, va="center", ha="center", fontsize=12)
        ax.plot([-0.2, -0.2], [ys["ln1"] - 0.4, ys["add2"] + 0.3], color="black", lw=1)
        ax.text(x, -0.55, "one block: 12d² + 13d parameters", ha="center", fontsize=10.5)
        ax.set_xlim(-0.9, 4.7)
        ax.set_ylim(-0.9, 8.5)
        ax.axis("off")
        return _save(fig, "concepts-transformer-block.svg", out)


def attention(out: Path) -> Path:
    """Queries, keys and values for four tokens; causal scores, softmax weights, weighted sum of values."""
    tokens = ["The", "cat", "sat", "down"]
    rng = np.random.default_rng(3)
    scores = rng.normal(0, 1.2, (4, 4))
    masked = np.triu(np.ones((4, 4), bool), 1)
    weights = np.where(masked, -np.inf, scores)
    weights = np.exp(weights - weights.max(1, keepdims=True))
    weights /= weights.sum(1, keepdims=True)
    with plt.style.context("default"), plt.rc_context(STYLE):  # the same drawing in any process
        fig, ax = plt.subplots(figsize=(5.8, 5.0))
        # left: each token's vector projected three ways
        for i, tok in enumerate(tokens):
            y = 3.6 - i * 1.0
            ax.text(0.0, y, tok, ha="left", va="center", fontsize=12, weight="bold")
            for k, (name, color) in enumerate((("q", BLUE), ("k", ORANGE), ("v", GREEN))):
                ax.add_patch(Rectangle((1.25 + k * 0.75, y - 0.25), 0.6, 0.5, facecolor=color, alpha=0.75,
                                       edgecolor="black", lw=0.6))
                ax.text(1.55 + k * 0.75, y, f"{name}{i + 1}", ha="center", va="center", fontsize=9.5, color="white")
        ax.text(2.1, 4.45, "q = W_Q h, k = W_K h, v = W_V h", ha="center", fontsize=11)
        # middle: the score matrix with the causal mask
        x0, top = 4.2, 4.0
        for i in range(4):
            ax.text(x0 - 0.15, top - (i + 0.5) * 0.8, f"q{i + 1}", ha="right", va="center", fontsize=9.5, color=BLUE)
            ax.text(x0 + (i + 0.5) * 0.8, top + 0.2, f"k{i + 1}", ha="center", va="bottom", fontsize=9.5,
                    color=ORANGE)
            for j in range(4):
                cell = Rectangle((x0 + j * 0.8, top - (i + 1) * 0.8), 0.8, 0.8, edgecolor="black", lw=0.6,
                                 facecolor=GREY if masked[i, j] else plt.cm.Blues(0.15 + 0.8 * weights[i, j]))
                ax.add_patch(cell)
                label = "0" if masked[i, j] else f"{weights[i, j]:.2f}"
                ax.text(x0 + (j + 0.5) * 0.8, top - (i + 0.5) * 0.8, label, ha="center", va="center", fontsize=9,
                        color="black" if masked[i, j] or weights[i, j] < 0.6 else "white")
        ax.text(x0 + 1.6, 0.65, "softmax(q·k / √d) per row;\ngrey: later token, weight 0",
                ha="center", va="top", fontsize=10.5)
        # below: the output of token 3
        ax.text(3.7, -0.95, "output of “sat” = " + " + ".join(f"{weights[2, j]:.2f} v{j + 1}" for j in range(3)),
                ha="center", va="center", fontsize=11.5, color="#2d6a3e")
        ax.text(3.7, -1.45, "a weighted average of the values it may see", ha="center", va="center", fontsize=11)
        ax.set_xlim(-0.1, 7.6)
        ax.set_ylim(-1.8, 4.8)
        ax.set_aspect("equal")
        ax.axis("off")
        return _save(fig, "concepts-attention-qkv.svg", out)


def _node(ax, x, y, text, color="white", r=0.32, fontsize=12):
    ax.add_patch(plt.Circle((x, y), r, facecolor=color, edgecolor="black", lw=1.2, zorder=3))
    ax.text(x, y, text, ha="center", va="center", fontsize=fontsize, zorder=4)


def neuron(out: Path) -> Path:
    """One neuron: inputs times weights, summed with the bias, bent by the activation g."""
    with plt.style.context("default"), plt.rc_context(STYLE):  # the same drawing in any process
        fig, ax = plt.subplots(figsize=(6.0, 3.2))
        ys = (2.4, 1.2, 0.0)
        for i, y in enumerate(ys, start=1):
            _node(ax, 0.0, y, f"x{i}", color="#cfdcf0")
            _arrow(ax, (0.33, y), (2.55, 1.2 + (y - 1.2) * 0.18))
            ax.text(1.25, 1.2 + (y - 1.2) * 0.62 + 0.14, f"w{i}", ha="center", va="bottom", fontsize=12,
                    color=BLUE)
        _node(ax, 0.0, -1.2, "1", color=GREY)
        _arrow(ax, (0.33, -1.1), (2.62, 0.95))
        ax.text(1.05, -0.55, "b", ha="center", va="center", fontsize=12, color=BLUE)
        _node(ax, 2.95, 1.2, "Σ", color="#fbe3d3", r=0.42, fontsize=16)
        ax.text(2.8, 0.5, "z = w·x + b", ha="center", va="top", fontsize=11)
        _arrow(ax, (3.37, 1.2), (4.05, 1.2))
        _box(ax, 4.55, 1.2, 1.0, 0.7, "g", "#d5ecd9", fontsize=14)
        ax.text(4.55, 0.65, "ReLU, tanh,\nsigmoid …", ha="center", va="top", fontsize=10)
        _arrow(ax, (5.05, 1.2), (5.8, 1.2))
        ax.text(5.9, 1.2, "a = g(z)", ha="left", va="center", fontsize=12)
        ax.text(3.2, -1.95, "the weights w and the bias b are the parameters training adjusts",
                ha="center", va="center", fontsize=10.5)
        ax.set_xlim(-0.45, 7.3)
        ax.set_ylim(-2.25, 2.85)
        ax.set_aspect("equal")
        ax.axis("off")
        return _save(fig, "math-neuron.svg", out)


def mlp(out: Path) -> Path:
    """A 3-4-4-2 fully connected network: every neuron reads every neuron of the layer before."""
    widths = (3, 4, 4, 2)
    names = ("input x\n(d = 3)", "hidden A1\n(4)", "hidden A2\n(4)", "output\n(2 logits)")
    colors = ("#cfdcf0", "#d5ecd9", "#d5ecd9", "#fbe3d3")
    with plt.style.context("default"), plt.rc_context(STYLE):  # the same drawing in any process
        fig, ax = plt.subplots(figsize=(6.0, 3.9))
        xs = [0.0, 2.2, 4.4, 6.6]
        pos = [[(x, (w - 1) / 2 - k) for k in range(w)] for x, w in zip(xs, widths)]
        for layer in range(3):
            for a in pos[layer]:
                for b in pos[layer + 1]:
                    ax.plot([a[0], b[0]], [a[1], b[1]], color="0.55", lw=0.8, zorder=1)
            w0, w1 = widths[layer], widths[layer + 1]
            ax.text((xs[layer] + xs[layer + 1]) / 2, 2.25, f"W{layer + 1}: {w0}×{w1}\nb{layer + 1}: {w1}",
                    ha="center", va="center", fontsize=10.5, color=BLUE)
        for layer, points in enumerate(pos):
            for x, y in points:
                _node(ax, x, y, "", color=colors[layer], r=0.27)
            ax.text(xs[layer], -2.35, names[layer], ha="center", va="center", fontsize=10.5)
        pairs = list(zip(widths, widths[1:]))
        count = " + ".join(f"({m}·{n} + {n})" for m, n in pairs) + f" = {sum(m * n + n for m, n in pairs)} parameters"
        ax.text(3.3, -3.2, count, ha="center", va="center", fontsize=10.5)
        ax.set_xlim(-0.8, 7.4)
        ax.set_ylim(-3.5, 2.7)
        ax.set_aspect("equal")
        ax.axis("off")
        return _save(fig, "math-mlp.svg", out)


def computational_graph(out: Path) -> Path:
    """The two-layer network of the back-propagation page as a graph: values flow right (forward),
    gradients flow left (backward), and the backward pass reads the stored activations."""
    with plt.style.context("default"), plt.rc_context(STYLE):  # the same drawing in any process
        fig, ax = plt.subplots(figsize=(6.4, 4.6))
        nodes = [("X", 0.0, 3.0), ("Z1", 1.5, 3.0), ("A1", 3.0, 3.0), ("z2", 4.5, 3.0), ("ŷ", 6.0, 3.0),
                 ("J", 7.4, 3.0)]
        ops = ["·W1 + b1", "tanh", "·W2 + b2", "σ", "cross-\nentropy"]
        for name, x, y in nodes:
            _box(ax, x, y, 0.9, 0.6, name, "#cfdcf0" if name != "J" else "#fbe3d3", fontsize=12)
        for k in range(5):
            x0, x1 = nodes[k][1], nodes[k + 1][1]
            _arrow(ax, (x0 + 0.47, 3.12), (x1 - 0.47, 3.12))
            ax.text((x0 + x1) / 2, 3.35, ops[k], ha="center", va="bottom", fontsize=9.5)
            _arrow(ax, (x1 - 0.47, 2.85), (x0 + 0.47, 2.85), color=RED)
        ax.text(3.7, 4.35, "forward: compute and store every value →", ha="center", fontsize=11)
        ax.text(3.7, 2.25, "← backward: the chain rule, one local derivative per edge", ha="center",
                fontsize=11, color=RED)
        grads = [("∂J/∂z2 = (ŷ − y)/n", 6.0), ("∂J/∂W2 = A1ᵀ ∂J/∂z2", 4.5), ("∂J/∂Z1 = ∂J/∂A1 ⊙ (1 − A1²)", 3.0),
                 ("∂J/∂W1 = Xᵀ ∂J/∂Z1", 1.5)]
        for k, (text, x) in enumerate(grads):
            ax.text(7.9, 1.45 - 0.45 * k, text, ha="right", va="center", fontsize=10.5, color=RED)
        ax.text(-0.45, -0.55, "The backward pass needs X, A1 and ŷ from the forward pass: they stay in\n"
                              "memory until it has used them (one array per layer).", ha="left", va="center",
                fontsize=10)
        ax.set_xlim(-0.5, 8.0)
        ax.set_ylim(-1.0, 4.7)
        ax.axis("off")
        return _save(fig, "math-computational-graph.svg", out)


def l1_l2_balls(out: Path) -> Path:
    """Loss contours meet the L1 diamond at a corner (a zero weight) and the L2 circle at a point
    where both weights are non-zero."""
    centre = np.array([1.6, 0.7])
    hess = np.array([[1.0, 0.35], [0.35, 0.6]])

    def loss(w):
        d = w - centre
        return np.einsum("...i,ij,...j->...", d, hess, d)

    t = np.linspace(0, 2 * np.pi, 4001)
    circle = np.stack([np.cos(t), np.sin(t)], axis=1)
    diamond = circle / np.abs(circle).sum(axis=1, keepdims=True)
    best_l2 = circle[np.argmin(loss(circle))]
    best_l1 = diamond[np.argmin(loss(diamond))]
    t = np.linspace(0, 2 * np.pi, 361)  # drawn outlines: fewer points than the search above
    circle = np.stack([np.cos(t), np.sin(t)], axis=1)
    diamond = circle / np.abs(circle).sum(axis=1, keepdims=True)
    g = np.linspace(-1.6, 3.2, 121)
    xx, yy = np.meshgrid(g, g)
    zz = loss(np.stack([xx, yy], axis=-1))
    with plt.style.context("default"), plt.rc_context(STYLE):  # the same drawing in any process
        fig, axes = plt.subplots(1, 2, figsize=(6.4, 3.5))
        for ax, shape, best, title in ((axes[0], diamond, best_l1, "L1: |w1| + |w2| ≤ 1"),
                                       (axes[1], circle, best_l2, "L2: w1² + w2² ≤ 1")):
            ax.contour(xx, yy, zz, levels=[0.1 * loss(best), 0.4 * loss(best), loss(best)], colors=BLUE,
                       linewidths=1.1)
            ax.fill(shape[:, 0], shape[:, 1], color="#fbe3d3", ec=ORANGE, lw=1.6)
            ax.plot(*centre, "x", color=BLUE, ms=9, mew=2)
            ax.plot(*best, "o", color=RED, ms=8, zorder=5)
            ax.axhline(0, color="0.6", lw=0.7)
            ax.axvline(0, color="0.6", lw=0.7)
            ax.set_title(title, fontsize=12)
            ax.set_xlim(-1.4, 2.9)
            ax.set_ylim(-1.95, 2.4)
            ax.set_aspect("equal")
            ax.set_xticks([])
            ax.set_yticks([])
            ax.set_xlabel("w1")
        axes[0].set_ylabel("w2")
        axes[0].annotate(f"corner: w2 = {abs(best_l1[1]):.0f}", best_l1, xytext=(-1.25, -1.75), fontsize=10.5,
                         color=RED)
        axes[1].annotate(f"w = ({best_l2[0]:.2f}, {best_l2[1]:.2f})", best_l2, xytext=(-1.25, -1.75),
                         fontsize=10.5, color=RED)
        fig.text(0.5, -0.06, "×: the loss's minimum, blue: its contours,\nred: the best weights within the budget",
                 ha="center", fontsize=10)
        return _save(fig, "math-l1-l2.svg", out)


DRAWINGS = (convolution, transformer_block, attention, neuron, mlp, computational_graph, l1_l2_balls)


def main(argv: list[str] | None = None) -> list[Path]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=FIGURES, help="folder for the SVG files (default book/figures)")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    paths = [draw(args.out) for draw in DRAWINGS]
    for path in paths:
        print(path)
    return paths


if __name__ == "__main__":
    main()
