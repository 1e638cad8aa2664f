#!/usr/bin/env python3
"""The job's network on PyTorch CPU, for bench/run.sh's peer rows: 3 x LSTM(128) (the first two return every step,
the third its last) and Dense(10) with softmax cross-entropy, Adam (lr 0.002), batch 64, the first N MNIST training
images as 28 row-sequences of 28 pixels / 255, no dropout or shifting. Trains --epochs epochs and prints one JSON
line: the training samples/s of the last epoch (the first warms up), the torch version and build, and the threads.

  python3 bench/peers/pytorch_lstm.py --data data/mnist --threads 1 --train-limit 12800 --epochs 2
"""
import json
import time

import torch
from torch import nn

from common import mnist, parse_args


class Net(nn.Module):
    def __init__(self, units):
        super().__init__()
        self.lstm = nn.LSTM(28, units, num_layers=3, batch_first=True)
        self.dense = nn.Linear(units, 10)

    def forward(self, x):
        out, _ = self.lstm(x)
        return self.dense(out[:, -1, :])


def main():
    a = parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(12345)
    images, labels = mnist(a.data, a.train_limit)
    x = torch.from_numpy(images)
    y = torch.from_numpy(labels)
    net = Net(a.units)
    optimizer = torch.optim.Adam(net.parameters(), lr=0.002)
    loss_fn = nn.CrossEntropyLoss()
    rates = []
    for epoch in range(a.epochs):
        order = torch.randperm(a.train_limit)
        start = time.perf_counter()
        for first in range(0, a.train_limit, a.batch):
            batch = order[first:first + a.batch]
            optimizer.zero_grad()
            loss = loss_fn(net(x[batch]), y[batch])
            loss.backward()
            optimizer.step()
        rates.append(a.train_limit / (time.perf_counter() - start))
    print(json.dumps({
        "framework": "pytorch",
        "version": torch.__version__,
        "build": torch.__config__.show().splitlines()[1].strip() if torch.__config__.show() else "",
        "onednn": bool(torch.backends.mkldnn.is_available()),
        "mkl": bool(torch.backends.mkl.is_available()),
        "threads": a.threads,
        "trainLimit": a.train_limit,
        "batch": a.batch,
        "epochs": a.epochs,
        "samplesPerSecondPerEpoch": rates,
        "samplesPerSecond": rates[-1],
        "finalLoss": float(loss),
    }))


if __name__ == "__main__":
    main()
