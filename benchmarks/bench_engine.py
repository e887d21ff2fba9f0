"""How much slower is a training step of the graph library than the same step written by hand?

    .venv/bin/python benchmarks/bench_engine.py [--quick]

Three networks, each trained by full-batch gradient descent on softmax + summed
cross-entropy, from the same data and the same initial weights:

  (a)  Part V: 100 points, 2-2-2 sigmoid MLP         target: at most 1.5x hand-written NumPy
  (a′) the same, with the loss as the tutorial and Part V write it:
       softmax, then log, multiply and two reduce_sums (a2 on the command line)
                                                      target: at most 2.0x
  (b)  1,000 points, 2-64-64-2 sigmoid MLP           target: at most 1.1x
  (c)  4,096 samples, 784-256-10 sigmoid MLP         target: at most 1.1x

The library computes the loss of (a), (b) and (c) with the fused
softmax_cross_entropy_with_logits.

The hand-written NumPy step is what one would write without a library: the
forward pass, the fused softmax-cross-entropy gradient p − c, the backward
pass and in-place updates. PyTorch (CPU) is timed too when it is installed.
All implementations run in one process, interleaved in many short rounds, so
the ratios are measured under the same conditions; each figure is the median
over the rounds, and each ratio the median of the rounds' own ratios.
Before timing, one step of each is checked to give the same loss and weights.
"""

import argparse
import statistics
import time

import numpy as np

import tensorslow_edu as ts

CASES = {
    "a": ("Part V: 100 points, 2-2-2", 100, [2, 2, 2], 1.5),
    "a2": ("Part V as the tutorial writes it: softmax, log, multiply, reduce_sum", 100, [2, 2, 2], 2.0),
    "b": ("1,000 points, 2-64-64-2", 1000, [2, 64, 64, 2], 1.1),
    "c": ("4,096 samples, 784-256-10", 4096, [784, 256, 10], 1.1),
}
LEARNING_RATE = 1e-3


def make_problem(n, sizes, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, sizes[0]))
    C = np.eye(sizes[-1])[rng.integers(0, sizes[-1], n)]
    params = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        params.append(ts.mlp.glorot_uniform(n_in, n_out, rng))
        params.append(np.zeros(n_out))
    return X, C, params


# ----- the library ----------------------------------------------------------


class Library:
    name = "tensorslow_edu"

    def __init__(self, X, C, params, fused=True):
        self.graph = ts.Graph()
        with self.graph.as_default():
            x, c = ts.placeholder(name="x"), ts.placeholder(name="c")
            self.variables = [ts.Variable(p) for p in params]
            a = x
            pairs = list(zip(self.variables[::2], self.variables[1::2]))
            for i, (W, b) in enumerate(pairs):
                z = ts.matmul(a, W) + b
                a = ts.sigmoid(z) if i < len(pairs) - 1 else z
            if fused:
                self.loss = ts.reduce_sum(ts.softmax_cross_entropy_with_logits(c, a))
            else:  # J = −Σ_i Σ_j c_ij log p_ij, as Part III builds it
                self.loss = -ts.reduce_sum(ts.reduce_sum(c * ts.log(ts.softmax(a)), axis=1))
            self.step_op = ts.train.GradientDescentOptimizer(LEARNING_RATE).minimize(self.loss)
        self.session = ts.Session(self.graph)
        self.feed = {x: X, c: C}
        self.fetches = [self.loss, self.step_op]

    def step(self):
        return self.session.run(self.fetches, self.feed)[0]

    def weights(self):
        return [v.value for v in self.variables]


# ----- the same network by hand ---------------------------------------------


def _sigmoid(a):
    return 1.0 / (1.0 + np.exp(-a))


class HandNumpy:
    name = "hand-written NumPy"

    def __init__(self, X, C, params):
        self.X, self.C = X, C
        self.params = [p.copy() for p in params]

    def step(self):
        X, C, params = self.X, self.C, self.params
        activations = [X]
        a = X
        n_layers = len(params) // 2
        for i in range(n_layers):
            z = a @ params[2 * i] + params[2 * i + 1]
            a = _sigmoid(z) if i < n_layers - 1 else z
            activations.append(a)
        shifted = a - a.max(axis=1, keepdims=True)
        log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        loss = -(C * log_p).sum()
        delta = np.exp(log_p) - C  # ∂loss/∂logits for one-hot targets
        for i in reversed(range(n_layers)):
            a_in = activations[i]
            dW, db = a_in.T @ delta, delta.sum(axis=0)
            if i > 0:
                delta = (delta @ params[2 * i].T) * a_in * (1.0 - a_in)
            params[2 * i] -= LEARNING_RATE * dW
            params[2 * i + 1] -= LEARNING_RATE * db
        return loss

    def weights(self):
        return self.params


class Torch:
    name = "PyTorch CPU"

    def __init__(self, X, C, params):
        import torch

        self.torch = torch
        self.X = torch.tensor(X)
        self.labels = torch.tensor(C.argmax(axis=1))
        self.params = [torch.tensor(p, requires_grad=True) for p in params]

    def step(self):
        torch = self.torch
        a = self.X
        n_layers = len(self.params) // 2
        for i in range(n_layers):
            a = a @ self.params[2 * i] + self.params[2 * i + 1]
            if i < n_layers - 1:
                a = torch.sigmoid(a)
        loss = torch.nn.functional.cross_entropy(a, self.labels, reduction="sum")
        grads = torch.autograd.grad(loss, self.params)
        with torch.no_grad():
            for p, g in zip(self.params, grads):
                p -= LEARNING_RATE * g
        return loss.item()

    def weights(self):
        return [p.detach().numpy() for p in self.params]


class LibraryAsTheTutorial(Library):
    def __init__(self, X, C, params):
        super().__init__(X, C, params, fused=False)


def implementations(key):
    found = [LibraryAsTheTutorial if key == "a2" else Library, HandNumpy]
    try:
        import torch  # noqa: F401

        found.append(Torch)
    except ImportError:
        pass
    return found


def check_same_step(impls):
    """One step of each must give the same loss and the same new weights."""
    reference = impls[1]
    ref_loss = reference.step()
    for impl in impls:
        if impl is reference:
            continue
        loss = impl.step()
        assert np.isclose(loss, ref_loss, rtol=1e-9), (impl.name, loss, ref_loss)
        for mine, theirs in zip(impl.weights(), reference.weights()):
            np.testing.assert_allclose(mine, theirs, rtol=1e-8, atol=1e-12, err_msg=impl.name)


def time_case(key, rounds, seconds_per_round):
    title, n, sizes, target = CASES[key]
    X, C, params = make_problem(n, sizes)
    impls = [cls(X, C, params) for cls in implementations(key)]
    check_same_step(impls)
    # steps per round, so that one round of the slowest takes about seconds_per_round
    start = time.perf_counter()
    impls[0].step()
    steps = max(1, int(seconds_per_round / max(time.perf_counter() - start, 1e-7)))
    # Many short rounds, each timing every implementation once, in alternating order:
    # a change in the machine's speed then hits all of them alike, and each round gives
    # its own ratio. The figures are medians over the rounds.
    samples = {impl.name: [] for impl in impls}
    ratios = {impl.name: [] for impl in impls}
    for r in range(rounds):
        seconds = {}
        for impl in impls if r % 2 == 0 else impls[::-1]:
            start = time.perf_counter()
            for _ in range(steps):
                impl.step()
            seconds[impl.name] = (time.perf_counter() - start) / steps
        for name, t in seconds.items():
            samples[name].append(t)
            ratios[name].append(t / seconds[HandNumpy.name])
    print(f"({key.replace('2', '′')}) {title}: {rounds} rounds of {steps} steps")
    for name in samples:
        t, ratio = statistics.median(samples[name]), statistics.median(ratios[name])
        print(f"    {name:20s} {t * 1e6:10.1f} µs/step   {ratio:5.2f}x hand-written NumPy")
    ratio = statistics.median(ratios[Library.name])
    verdict = "meets" if ratio <= target else "MISSES"
    print(f"    ratio {ratio:.2f} {verdict} the target of {target}x")
    return ratio <= target


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer, shorter rounds")
    parser.add_argument(
        "cases", nargs="*", choices=[*CASES, []], help="a, a2 (that is a′), b and/or c (default: all)"
    )
    args = parser.parse_args()
    rounds, seconds = (30, 0.01) if args.quick else (150, 0.02)
    results = [time_case(key, rounds, seconds) for key in args.cases or CASES]
    return 0 if all(results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
