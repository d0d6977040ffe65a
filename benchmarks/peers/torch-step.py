"""The reference CNN's training step in PyTorch (CPU): conv 3x3x8 + ReLU,
max-pool 2, conv 3x3x16 + ReLU, max-pool 2, dense 64 + ReLU, dense 10;
Adam, cross-entropy, batch 64 of 28x28x1. Prints the median step time of
`steps` steps after `warmup` untimed ones, as JSON. Run by training-step.ts
beside otfgen's step; needs Debian's python3-torch (/usr/bin/python3).

    /usr/bin/python3 benchmarks/peers/torch-step.py <threads> [steps] [warmup]
"""
import json
import statistics
import sys
import time

import torch
from torch import nn

threads = int(sys.argv[1])
steps = int(sys.argv[2]) if len(sys.argv) > 2 else 100
warmup = int(sys.argv[3]) if len(sys.argv) > 3 else 10
torch.set_num_threads(threads)
torch.manual_seed(1)
model = nn.Sequential(
    nn.Conv2d(1, 8, 3), nn.ReLU(), nn.MaxPool2d(2),
    nn.Conv2d(8, 16, 3), nn.ReLU(), nn.MaxPool2d(2),
    nn.Flatten(), nn.Linear(16 * 5 * 5, 64), nn.ReLU(), nn.Linear(64, 10),
)
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
loss_fn = nn.CrossEntropyLoss()
x = torch.rand(64, 1, 28, 28)
y = torch.randint(0, 10, (64,))
times = []
for i in range(warmup + steps):
    start = time.perf_counter()
    optimizer.zero_grad()
    loss = loss_fn(model(x), y)
    loss.backward()
    optimizer.step()
    if i >= warmup:
        times.append((time.perf_counter() - start) * 1000)
print(json.dumps({"threads": threads, "steps": steps, "medianMs": statistics.median(times), "torch": torch.__version__}))
