"""Write the ONNX test fixtures of this folder with torch.onnx.export, then README.md from the written files.

Needs torch (not a dependency of sfc, and not run by the tests); from the repository root:

    python3 -m venv /tmp/torchvenv
    /tmp/torchvenv/bin/pip install torch==2.13.0 onnx numpy
    /tmp/torchvenv/bin/python tests/models/make_fixtures.py

Four small models with random, seeded weights and random BatchNormalization statistics, exported at opsets 13,
15, 17 and 18 by the TorchScript exporter (``dynamo=False``) from eval-mode modules with
``training=TrainingMode.PRESERVE`` (BatchNormalization stays a node, as ``do_constant_folding`` would otherwise
fold it into the Conv). Input ``input``: N x 3 x 20 x 20 float32 with dynamic N; output ``output``.
"""

from __future__ import annotations

from pathlib import Path

import onnx
import torch
from describe import readme_text
from torch import nn
from torch.nn import functional

FOLDER = Path(__file__).resolve().parent
SIZE = 20


def conv_bn(c_in: int, c_out: int, kernel: int, padding: int, stride: int = 1, groups: int = 1) -> list[nn.Module]:
    """A Conv without bias and the BatchNormalization after it."""
    conv = nn.Conv2d(c_in, c_out, kernel, stride=stride, padding=padding, groups=groups, bias=False)
    return [conv, nn.BatchNorm2d(c_out)]


class Plain(nn.Module):
    """7x7 (bias) + BN + ReLU, 5x5 + BN + ReLU6, MaxPool, 3x3 padding 0 (bias) + ReLU, AveragePool, Flatten, Gemm."""

    def __init__(self) -> None:
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 4, 7, padding=3),
            nn.BatchNorm2d(4),
            nn.ReLU(),
            *conv_bn(4, 6, 5, 2),
            nn.ReLU6(),
            nn.MaxPool2d(2),
            nn.Conv2d(6, 8, 3),
            nn.ReLU(),
            nn.AvgPool2d(2),
            nn.Flatten(),
            nn.Linear(8 * 4 * 4, 5),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.features(x)


class Block(nn.Module):
    """A basic residual block; with stride 2, its shortcut is a 1x1 stride-2 conv + BN."""

    def __init__(self, c_in: int, c_out: int, stride: int) -> None:
        super().__init__()
        self.body = nn.Sequential(*conv_bn(c_in, c_out, 3, 1, stride), nn.ReLU(), *conv_bn(c_out, c_out, 3, 1))
        self.shortcut = nn.Sequential(*conv_bn(c_in, c_out, 1, 0, stride)) if stride > 1 else nn.Identity()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.relu(self.body(x) + self.shortcut(x))


class Residual(nn.Module):
    """3x3 + BN + ReLU, a residual block, a stride-2 residual block, GlobalAveragePool, Flatten, Gemm."""

    def __init__(self) -> None:
        super().__init__()
        self.features = nn.Sequential(*conv_bn(3, 6, 3, 1), nn.ReLU(), Block(6, 6, 1), Block(6, 8, 2))
        self.head = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(8, 5))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.features(x))


class Branches(nn.Module):
    """Reflect Pad + 3x3 padding 0 (bias) + BN + ReLU; depthwise 3x3 + BN + ReLU6; 1x1; Mul by a per-channel scale;
    channel Slices into a 3x3 and a 5x5 branch, Concat; a spatial Slice (crop); GlobalAveragePool, Flatten, Gemm."""

    def __init__(self) -> None:
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, 8, 3), nn.BatchNorm2d(8), nn.ReLU())
        self.depthwise = nn.Sequential(*conv_bn(8, 8, 3, 1, groups=8), nn.ReLU6(), nn.Conv2d(8, 8, 1))
        self.scale = nn.Parameter(torch.rand(1, 8, 1, 1) + 0.5)
        self.left = nn.Sequential(*conv_bn(4, 4, 3, 1), nn.ReLU())
        self.right = nn.Sequential(*conv_bn(4, 4, 5, 2), nn.ReLU())
        self.head = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(8, 5))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.depthwise(self.stem(functional.pad(x, (1, 1, 1, 1), mode="reflect"))) * self.scale
        x = torch.cat([self.left(x[:, :4]), self.right(x[:, 4:])], dim=1)
        return self.head(x[:, :, 1:-1, 1:-1])


class Mixed(nn.Module):
    """3x3 padding 1 (bias) + BN + ReLU, MaxPool 3 stride 2 padding 1, constant Pad (0, 1, 0, 1) + 3x3 padding 0
    + BN + ReLU, 5x5 padding 1 + BN + ReLU, Reshape to N x features, MatMul + Add."""

    def __init__(self) -> None:
        super().__init__()
        self.first = nn.Sequential(nn.Conv2d(3, 6, 3, padding=1), nn.BatchNorm2d(6), nn.ReLU(), nn.MaxPool2d(3, 2, 1))
        self.second = nn.Sequential(*conv_bn(6, 6, 3, 0), nn.ReLU(), *conv_bn(6, 4, 5, 1), nn.ReLU())
        self.weight = nn.Parameter(torch.randn(4 * 7 * 7, 5) * 0.05)
        self.bias = nn.Parameter(torch.randn(5) * 0.1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.second(functional.pad(self.first(x), (0, 1, 0, 1)))
        return x.reshape(-1, 4 * 7 * 7) @ self.weight + self.bias


FIXTURES: list[tuple[str, type[nn.Module], int]] = [
    ("plain_opset13.onnx", Plain, 13),
    ("residual_opset15.onnx", Residual, 15),
    ("branches_opset17.onnx", Branches, 17),
    ("mixed_opset18.onnx", Mixed, 18),
]


def randomise_batch_norms(model: nn.Module) -> None:
    """Random but sane BN parameters and running statistics (identity BNs would hide folding mistakes)."""
    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, nn.BatchNorm2d):
                module.weight.uniform_(0.5, 1.5)
                module.bias.normal_(0.0, 0.1)
                module.running_mean.normal_(0.0, 0.1)
                module.running_var.uniform_(0.5, 2.0)


def export(model: nn.Module, path: Path, opset: int) -> None:
    """The eval-mode model as ONNX at ``opset``, dynamic batch, BN kept; checked with onnx."""
    model.eval()
    torch.onnx.export(
        model,
        (torch.zeros(1, 3, SIZE, SIZE),),
        str(path),
        opset_version=opset,
        dynamo=False,
        training=torch.onnx.TrainingMode.PRESERVE,
        input_names=["input"],
        output_names=["output"],
        dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}},
    )
    onnx.checker.check_model(onnx.load(path), full_check=True)


def main() -> None:
    for seed, (name, module, opset) in enumerate(FIXTURES):
        torch.manual_seed(seed)
        model = module()
        randomise_batch_norms(model)
        export(model, FOLDER / name, opset)
    (FOLDER / "README.md").write_text(readme_text(FOLDER))
    print((FOLDER / "README.md").read_text())


if __name__ == "__main__":
    main()
