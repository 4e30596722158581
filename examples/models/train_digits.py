"""Train the shipped demo model: a small residual CNN on scikit-learn's digits, exported to ONNX.

Writes, next to this script:
- ``digits_cnn.onnx``: opset 17, input ``input`` (N x 1 x 24 x 24 float32, pixels / 255, no further
  normalisation), output ``logits`` (N x 10), dynamic batch, BatchNormalization kept (not folded into the convs);
- ``digits-test/<class>/<index>.png``: the held-out quarter of the data set as 8-bit grayscale 24 x 24 PNGs in
  ImageFolder layout (classes ``0`` .. ``9``, sorted order = class index; ``<index>`` is the image's index in
  ``sklearn.datasets.load_digits``, zero-padded to 4 digits). These PNGs are exactly the model's test inputs:
  the script trains and evaluates on the same 8-bit images it writes.

The 8 x 8 digits (values 0..16) are scaled to 0..255 and upscaled to 24 x 24, bilinear (Pillow): 8 x 8 leaves no
room for several 3 x 3 layers and a pooling, and 24 (then 12 after the pooling) is a multiple of the fast
algorithms' output tiles 2, 4 and 6, so every catalog tile size covers the feature maps without cropping.

Deterministic: fixed seeds, a fixed stratified split (``train_test_split(test_size=0.25, stratify=labels,
random_state=0)``: 1347 training, 450 test images), deterministic torch kernels, one thread. Torch is not a
dependency of the project; run this in a separate environment:

    python3 -m venv /tmp/torchvenv
    /tmp/torchvenv/bin/pip install torch==2.13.0 scikit-learn onnx onnxruntime numpy pillow
    /tmp/torchvenv/bin/python examples/models/train_digits.py

It prints the FP32 test accuracy of the trained network (torch) and of the exported ONNX file (onnxruntime).
"""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import numpy as np
import onnx
import onnxruntime
import torch
from PIL import Image
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from torch import nn

HERE = Path(__file__).resolve().parent
MODEL_PATH = HERE / "digits_cnn.onnx"
TEST_DIR = HERE / "digits-test"
SIZE = 24
SEED = 0
EPOCHS = 40
BATCH = 64


def digit_images() -> tuple[np.ndarray, np.ndarray]:
    """The 1797 digits as uint8 SIZE x SIZE images (0..16 scaled to 0..255, bilinear upscaling) and their labels."""
    digits = load_digits()
    small = np.rint(digits.images * (255 / 16)).astype(np.uint8)
    large = np.stack([np.asarray(Image.fromarray(image).resize((SIZE, SIZE), Image.BILINEAR)) for image in small])
    return large, digits.target.astype(np.int64)


def conv_bn(c_in: int, c_out: int) -> list[nn.Module]:
    """A 3 x 3 stride-1 convolution (padding 1, no bias: the BatchNormalization after it has one) and its BN."""
    return [nn.Conv2d(c_in, c_out, 3, padding=1, bias=False), nn.BatchNorm2d(c_out)]


class Residual(nn.Module):
    """A basic residual block: relu(x + BN(conv(relu(BN(conv(x))))))."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.body = nn.Sequential(*conv_bn(channels, channels), nn.ReLU(), *conv_bn(channels, channels))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.relu(x + self.body(x))


def digits_cnn() -> nn.Sequential:
    """24 x 24 x 1 -> conv 16 -> residual 16 -> max-pool 2 -> conv 32 -> residual 32 -> global average -> 10."""
    return nn.Sequential(
        *conv_bn(1, 16),
        nn.ReLU(),
        Residual(16),
        nn.MaxPool2d(2),
        *conv_bn(16, 32),
        nn.ReLU(),
        Residual(32),
        nn.AdaptiveAvgPool2d(1),
        nn.Flatten(),
        nn.Linear(32, 10),
    )


def as_input(images: np.ndarray) -> torch.Tensor:
    """uint8 N x H x W images as the model's float32 N x 1 x H x W input, pixels / 255."""
    return torch.from_numpy(images[:, None].astype(np.float32) / 255)


def train(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> None:
    """Adam with cosine decay and weight decay; a seeded shuffle per epoch."""
    optimiser = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-4)
    steps = EPOCHS * ((len(x) + BATCH - 1) // BATCH)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimiser, steps)
    shuffle = torch.Generator().manual_seed(SEED)
    loss_function = nn.CrossEntropyLoss()
    model.train()
    for epoch in range(EPOCHS):
        total = 0.0
        for batch in torch.randperm(len(x), generator=shuffle).split(BATCH):
            optimiser.zero_grad()
            loss = loss_function(model(x[batch]), y[batch])
            loss.backward()
            optimiser.step()
            schedule.step()
            total += loss.item() * len(batch)
        if epoch % 10 == 9:
            print(f"epoch {epoch + 1}: training loss {total / len(x):.4f}")


def export(model: nn.Module) -> bytes:
    """The eval-mode model as ONNX opset 17 bytes, BatchNormalization kept as nodes (TrainingMode.PRESERVE)."""
    model.eval()
    buffer = io.BytesIO()
    torch.onnx.export(
        model,
        (torch.zeros(1, 1, SIZE, SIZE),),
        buffer,
        opset_version=17,
        dynamo=False,
        training=torch.onnx.TrainingMode.PRESERVE,
        input_names=["input"],
        output_names=["logits"],
        dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}},
    )
    return buffer.getvalue()


def write_test_images(images: np.ndarray, labels: np.ndarray, indices: np.ndarray) -> None:
    """The held-out images as TEST_DIR/<class>/<index>.png (the folder is rebuilt from scratch)."""
    shutil.rmtree(TEST_DIR, ignore_errors=True)
    for index in indices:
        folder = TEST_DIR / str(labels[index])
        folder.mkdir(parents=True, exist_ok=True)
        Image.fromarray(images[index], mode="L").save(folder / f"{index:04d}.png")


def main() -> None:
    torch.manual_seed(SEED)
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(1)
    images, labels = digit_images()
    train_indices, test_indices = train_test_split(
        np.arange(len(labels)), test_size=0.25, stratify=labels, random_state=SEED
    )
    test_indices = np.sort(test_indices)
    model = digits_cnn()
    train(model, as_input(images[train_indices]), torch.from_numpy(labels[train_indices]))

    model.eval()
    x_test, y_test = as_input(images[test_indices]), labels[test_indices]
    with torch.no_grad():
        torch_accuracy = float((model(x_test).argmax(1).numpy() == y_test).mean())

    data = export(model)
    onnx_model = onnx.load_from_string(data)
    onnx.checker.check_model(onnx_model, full_check=True)
    ops = sorted({node.op_type for node in onnx_model.graph.node})
    assert "BatchNormalization" in ops, ops
    MODEL_PATH.write_bytes(data)
    write_test_images(images, labels, test_indices)

    session = onnxruntime.InferenceSession(data, providers=["CPUExecutionProvider"])
    onnx_logits = session.run(["logits"], {"input": x_test.numpy()})[0]
    onnx_accuracy = float((onnx_logits.argmax(1) == y_test).mean())
    print(f"training images {len(train_indices)}, test images {len(test_indices)} ({SIZE}x{SIZE})")
    print(f"FP32 test accuracy: torch {100 * torch_accuracy:.2f}%, onnxruntime {100 * onnx_accuracy:.2f}%")
    print(f"{MODEL_PATH.name}: {len(data)} bytes, opset 17, ops {', '.join(ops)}")


if __name__ == "__main__":
    main()
