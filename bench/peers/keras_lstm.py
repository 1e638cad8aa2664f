#!/usr/bin/env python3
"""The job's network on Keras 3 (TensorFlow backend, CPU), for bench/run.sh's peer rows: 3 x LSTM(128) (the first
two return every step, the third its last) and Dense(10) softmax with cross-entropy, Adam (lr 0.002), batch 64, the
first N MNIST training images as 28 row-sequences of 28 pixels / 255, no dropout or shifting. Trains --epochs epochs
and prints one JSON line: the training samples/s of the last epoch (the first warms up and compiles), the versions,
and the threads.

  python3 bench/peers/keras_lstm.py --data data/mnist --threads 1 --train-limit 12800 --epochs 2
"""
import json
import os
import time

from common import mnist, parse_args


def main():
    a = parse_args()
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ["OMP_NUM_THREADS"] = str(a.threads)
    import tensorflow as tf
    import keras

    tf.config.threading.set_intra_op_parallelism_threads(a.threads)
    tf.config.threading.set_inter_op_parallelism_threads(1)
    keras.utils.set_random_seed(12345)

    x, y = mnist(a.data, a.train_limit)
    model = keras.Sequential([
        keras.Input((28, 28)),
        keras.layers.LSTM(a.units, return_sequences=True),
        keras.layers.LSTM(a.units, return_sequences=True),
        keras.layers.LSTM(a.units),
        keras.layers.Dense(10, activation="softmax"),
    ])
    model.compile(optimizer=keras.optimizers.Adam(0.002), loss="sparse_categorical_crossentropy")

    class Timer(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.rates = []

        def on_epoch_begin(self, epoch, logs=None):
            self.start = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            self.rates.append(a.train_limit / (time.perf_counter() - self.start))
            self.loss = float(logs["loss"])

    timer = Timer()
    model.fit(x, y, batch_size=a.batch, epochs=a.epochs, shuffle=True, verbose=0, callbacks=[timer])
    print(json.dumps({
        "framework": "keras",
        "version": "keras " + keras.__version__ + ", tensorflow " + tf.__version__,
        "build": "oneDNN " + ("on" if os.environ.get("TF_ENABLE_ONEDNN_OPTS", "1") != "0" else "off"),
        "threads": a.threads,
        "trainLimit": a.train_limit,
        "batch": a.batch,
        "epochs": a.epochs,
        "samplesPerSecondPerEpoch": timer.rates,
        "samplesPerSecond": timer.rates[-1],
        "finalLoss": timer.loss,
    }))


if __name__ == "__main__":
    main()
