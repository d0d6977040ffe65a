"""torchvision's ImageFolder over a folder of class folders of PNGs: one pass
in batches of 64 through a DataLoader (PIL decode, ToTensor), printing JSON.
Run by disk-baseline.ts beside otfgen's imageFolder; needs Debian's
python3-torch and python3-torchvision (/usr/bin/python3).

    /usr/bin/python3 benchmarks/peers/imagefolder.py <dir> [workers]
"""
import json
import sys
import time

import torch
from torchvision import datasets, transforms

folder = sys.argv[1]
workers = int(sys.argv[2]) if len(sys.argv) > 2 else 0
torch.set_num_threads(1)
start = time.perf_counter()
data = datasets.ImageFolder(folder, transform=transforms.Compose([transforms.Grayscale(), transforms.ToTensor()]))
loader = torch.utils.data.DataLoader(data, batch_size=64, shuffle=True, num_workers=workers)
listed = time.perf_counter()
count = 0
for x, y in loader:
    count += x.shape[0]
end = time.perf_counter()
print(json.dumps({"images": count, "listMs": (listed - start) * 1000, "passMs": (end - listed) * 1000, "imagesPerSecond": count / (end - listed)}))
