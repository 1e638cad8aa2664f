"""What the peer scripts share: their command line and the MNIST slice they train on (the first N training images
as 28 row-sequences of 28 pixels / 255, and their labels), read straight from the IDX files."""
import argparse


def parse_args():
    p = argparse.ArgumentParser()
    p.add_argument("--data", default="data/mnist")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--train-limit", type=int, default=12800)
    p.add_argument("--epochs", type=int, default=2)
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--units", type=int, default=128)
    return p.parse_args()


def mnist(data, count):
    """(images float32 [count, 28, 28] in [0, 1], labels int64 [count])."""
    import numpy as np

    def idx(path, header, shape):
        with open(path, "rb") as f:
            f.seek(header)
            raw = np.frombuffer(f.read(count * int(np.prod(shape))), dtype=np.uint8)
        return raw.reshape((count,) + shape)

    images = idx(data + "/train-images-idx3-ubyte", 16, (28, 28)).astype(np.float32) / 255.0
    labels = idx(data + "/train-labels-idx1-ubyte", 8, ()).astype(np.int64)
    return images, labels
