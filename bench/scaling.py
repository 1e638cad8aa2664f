#!/usr/bin/env python3
"""docs/scaling.md's model of parameter averaging through the driver, calibrated from one bench results file.

  python3 bench/scaling.py bench/results/<timestamp>.json [--bandwidth-gbit 10]

Reads (b) (the bare single-thread fit rate) and the standalone-cluster runs (e1) (1 executor) and (e) (2 executors):
their per-round timings from the bench's Spark listener. Calibrates the model on (e1), predicts (e), prints both, then
predicts 4 to 256 executors. Python's standard library only.
"""
import argparse
import json
import math
from statistics import NormalDist

UNITS, INPUTS, CLASSES = 128, 28, 10


def parameters(units=UNITS):
    lstm1 = 4 * units * (INPUTS + units + 1)
    lstm23 = 2 * 4 * units * (units + units + 1)
    return lstm1 + lstm23 + units * CLASSES + CLASSES


def driver_fan_in(tasks, depth=2):
    """How many results Spark's treeAggregate (dl4j-spark's depth 2) leaves for the driver: its own loop."""
    scale = max(math.ceil(tasks ** (1 / depth)), 2)
    while tasks > scale + math.ceil(tasks / scale):
        tasks //= scale
    return tasks


def main():
    p = argparse.ArgumentParser()
    p.add_argument("results")
    p.add_argument("--bandwidth-gbit", type=float, default=10.0, help="driver NIC for the extrapolation")
    a = p.parse_args()
    r = json.load(open(a.results))
    d = r["derived"]
    e1, e2 = d.get("e1"), d.get("e")
    if not e1 or not e2 or not e1.get("ok") or not e2.get("ok"):
        raise SystemExit("scaling.py: the results file lacks the standalone runs (e1) and (e): run bench/run.sh"
                         " without --no-cluster")
    rate_b = r["ab"]["result"]["trainSamplesPerSecond"]["fast"]["best"]
    batch, freq = e1["batchSize"], e1["averagingFrequency"]
    params = parameters()
    state_bytes = params * 4 * 3  # FP32 parameters + Adam's two moment vectors
    mb = state_bytes / 1e6

    # --- calibration on one executor (times in seconds)
    t_fit = freq * batch / rate_b                       # fitting F minibatches at the bare rate
    task1 = e1["roundTaskMs"] / 1e3
    inside = task1 - t_fit                              # in the task, not fitting: broadcast, rebuild, loading
    outside1 = (e1["roundWallMs"] - e1["roundTaskMs"] + e1["roundGapMs"]) / 1e3  # driver + scheduling per round
    # per extra executor: one more result into the driver and one more broadcast fetch, ~2 x state bytes over
    # loopback plus Kryo (de)serialisation; 0.5 GB/s all in is the prior, replaced by the measured value below
    per_exec_prior = 2 * state_bytes / 0.5e9

    def expected_max(w):
        """E[max of w standard normals] (Blom's approximation); 0 for one."""
        return NormalDist().inv_cdf((w - 0.375) / (w + 0.25)) if w > 1 else 0.0

    def round_time(w, outside_w, sigma):
        return t_fit + inside + outside_w + sigma * expected_max(w)  # the round waits for its slowest task

    # task-time spread across executors: the slowest of 2 exceeds their mean by sigma * E[max of 2]
    sigma = (e2["roundMaxTaskMs"] - e2["roundTaskMs"]) / 1e3 / expected_max(2)
    pred2 = round_time(2, outside1 + per_exec_prior, 0.0)
    meas2 = (e2["roundWallMs"] + e2["roundGapMs"]) / 1e3
    print(f"model inputs: {params:,} parameters, {mb:.2f} MB per copy (parameters + Adam state), batch {batch},"
          f" averaging every {freq} minibatches")
    print(f"  (b) bare fit {rate_b:.0f} samples/s per core -> fitting {t_fit * 1e3:.0f} ms per round")
    print(f"  (e1) 1 executor: task {task1 * 1e3:.0f} ms (of which not fitting {inside * 1e3:.0f} ms),"
          f" outside tasks {outside1 * 1e3:.0f} ms per round, {e1['steadySamplesPerSecond']:.0f} samples/s")
    print(f"prediction for 2 executors from (e1) alone: round {pred2 * 1e3:.0f} ms,"
          f" {2 * freq * batch / pred2:.0f} samples/s")
    print(f"measured (e) 2 executors: round {meas2 * 1e3:.0f} ms, {e2['steadySamplesPerSecond']:.0f} samples/s"
          f" (slowest task {e2['roundMaxTaskMs'] - e2['roundTaskMs']:.0f} ms over the mean)")
    outside2 = (e2["roundWallMs"] - e2["roundMaxTaskMs"] + e2["roundGapMs"]) / 1e3
    per_exec = max(0.0, outside2 - outside1)
    print(f"calibrated: driver cost per extra executor {per_exec * 1e3:.1f} ms/round (prior {per_exec_prior * 1e3:.1f}),"
          f" task-time spread sigma {sigma * 1e3:.0f} ms")

    # the same spread between two workers on dedicated cores: (d), local[2], one JVM and nothing else running
    dl = d.get("d", {})
    sigma_dedicated = (dl.get("roundMaxTaskMs", float("nan")) - dl.get("roundTaskMs", float("nan"))) / 1e3 \
        / expected_max(2)
    contention = e2["roundTaskMs"] / e1["roundTaskMs"] - 1
    print(f"  the 2-executor tasks ran {contention:.0%} longer than the 1-executor task: the 2 cores also carry the"
          f" driver, HDFS, the Master and the Workers (task CPU share {e2['taskCpuShare']:.0%} against"
          f" {e1['taskCpuShare']:.0%}); dedicated hosts do not have that. Spread between two workers on dedicated"
          f" cores (local[2]): sigma {sigma_dedicated * 1e3:.0f} ms")

    nic = a.bandwidth_gbit * 1e9 / 8
    print()
    print(f"extrapolation (uncontended tasks as in (e1); driver NIC {a.bandwidth_gbit:g} Gbit/s; treeAggregate"
          f" depth 2 = dl4j-spark's default); efficiency and the averaging frequency for 90 %, with the task spread"
          f" measured on the cluster (sigma {sigma * 1e3:.0f} ms) / on dedicated cores (sigma"
          f" {sigma_dedicated * 1e3:.0f} ms):")
    print("  W     driver in   outside     eff@F=%d        samples/s          F for 90%%" % freq)
    for w in (1, 2, 4, 8, 16, 32, 64, 128, 256):
        fan_in = driver_fan_in(w)  # results the driver itself receives
        bytes_in = fan_in * state_bytes
        tree_stage = 0.0 if fan_in == w else 0.05 + w * state_bytes / (nic * max(1, fan_in))
        outside = outside1 + per_exec * (fan_in - 1) + bytes_in / nic + tree_stage + state_bytes / nic
        cells = []
        for s in (sigma, sigma_dedicated):
            t = round_time(w, outside, s)
            cells.append((t_fit / t, w * freq * batch / t, math.ceil(9 * (t - t_fit) * rate_b / batch)))
        print(f"  {w:<4} {bytes_in / 1e6:>6.1f} MB {outside * 1e3:>6.0f} ms   {cells[0][0]:>5.1%} / {cells[1][0]:>5.1%}"
              f"   {cells[0][1]:>8,.0f} / {cells[1][1]:>8,.0f}   {cells[0][2]:>4} / {cells[1][2]:>4}")


if __name__ == "__main__":
    main()
