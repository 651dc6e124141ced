"""PyTorch reference for `npm run bench:train -- --pytorch`.

The modified LeNet-5 of src/core/model/models.ts (389,434 parameters, 32x32 input),
trained with Adam at the given batch size on random data, on 2 threads as in
DESIGN.md's table, then inference at batch 250. Prints one JSON line.
Needs Debian's python3-torch (apt-get install -y python3-torch).
"""
import argparse
import json
import time

import torch
from torch import nn

parser = argparse.ArgumentParser()
parser.add_argument("--steps", type=int, default=60)
parser.add_argument("--warmup", type=int, default=10)
parser.add_argument("--batch", type=int, default=64)
parser.add_argument("--threads", type=int, default=2)
args = parser.parse_args()
torch.set_num_threads(args.threads)
torch.manual_seed(1)


def conv_block(cin, cout, k):
    # conv + ReLU, then conv without bias + BatchNorm + ReLU + pool + dropout, as in the tfjs model.
    return [nn.Conv2d(cin, cout, k), nn.ReLU(), nn.Conv2d(cout, cout, k, bias=False), nn.BatchNorm2d(cout),
            nn.ReLU(), nn.MaxPool2d(2), nn.Dropout(0.25)]


def dense_bn(n_in, n_out):
    return [nn.Linear(n_in, n_out, bias=False), nn.BatchNorm1d(n_out), nn.ReLU()]


model = nn.Sequential(*conv_block(1, 32, 5), *conv_block(32, 64, 3), nn.Flatten(),
                      *dense_bn(1024, 256), *dense_bn(256, 128), *dense_bn(128, 84), nn.Dropout(0.25), nn.Linear(84, 10))
params = sum(p.numel() for p in model.parameters())
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
loss_fn = nn.CrossEntropyLoss()
x = torch.randn(args.batch, 1, 32, 32)
y = torch.randint(0, 10, (args.batch,))

for i in range(args.warmup + args.steps):
    if i == args.warmup:
        t0 = time.perf_counter()
    optimizer.zero_grad()
    loss_fn(model(x), y).backward()
    optimizer.step()
train_ips = args.steps * args.batch / (time.perf_counter() - t0)

model.eval()
xi = torch.randn(250, 1, 32, 32)
with torch.no_grad():
    model(xi)
    t0 = time.perf_counter()
    for _ in range(20):
        model(xi)
infer_ips = 20 * 250 / (time.perf_counter() - t0)
print(json.dumps({"torch": torch.__version__, "threads": args.threads, "params": params,
                  "imagesPerSecond": train_ips, "inferenceImagesPerSecond": infer_ips}))
