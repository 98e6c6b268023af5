"""PyTorch side of scripts/bench-trainer.sh: the same CIFAR ResNet (option A shortcuts) as EvoAct's
CifarResNet, trained with the same SGD step on random data; prints one JSON object."""
import argparse, json, sys, time
import torch
import torch.nn as nn
import torch.nn.functional as F


class Block(nn.Module):
    def __init__(self, cin, cout, stride, act):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.act1, self.act2 = act(), act()
        self.stride, self.pad = stride, cout - cin

    def forward(self, x):
        h = self.bn2(self.conv2(self.act1(self.bn1(self.conv1(x)))))
        s = x[:, :, ::self.stride, ::self.stride] if self.stride > 1 else x
        if self.pad:
            s = F.pad(s, (0, 0, 0, 0, self.pad // 2, self.pad - self.pad // 2))
        return self.act2(h + s)


class ResNet(nn.Module):
    def __init__(self, n, width, cin, classes, act):
        super().__init__()
        self.stem = nn.Conv2d(cin, width, 3, 1, 1, bias=False)
        self.bn = nn.BatchNorm2d(width)
        self.act = act()
        blocks, c = [], width
        for stage in range(3):
            out = width << stage
            for b in range(n):
                blocks.append(Block(c, out, 2 if stage > 0 and b == 0 else 1, act))
                c = out
        self.blocks = nn.Sequential(*blocks)
        self.fc = nn.Linear(c, classes)

    def forward(self, x):
        h = self.blocks(self.act(self.bn(self.stem(x))))
        return self.fc(F.adaptive_avg_pool2d(h, 1).flatten(1))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--model", default="resnet20")
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--steps", type=int, default=20)
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--in-channels", type=int, default=3)
    p.add_argument("--size", type=int, default=32)
    p.add_argument("--threads", type=int, default=torch.get_num_threads())
    p.add_argument("--activation", default="relu", choices=["relu", "silu"])
    p.add_argument("--memory-format", default="contiguous", choices=["contiguous", "channels-last"],
                   help="layout of the images and conv weights (EvoAct: evoact.training.memory-format)")
    p.add_argument("--relu-inplace", action="store_true",
                   help="nn.ReLU(inplace=True), as EvoAct's relu baseline runs (torchvision's choice too)")
    p.add_argument("--lockstep", action="store_true",
                   help="run one step per line read from stdin and print its seconds (see lockstep.py)")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    n = {"resnet20": 3, "resnet32": 5, "resnet56": 9}[a.model]
    act = {"relu": (lambda: nn.ReLU(inplace=True)) if a.relu_inplace else nn.ReLU, "silu": nn.SiLU}[a.activation]
    net = ResNet(n, 16, a.in_channels, 10, act).train()
    opt = torch.optim.SGD(net.parameters(), lr=0.01, momentum=0.9, weight_decay=5e-4)
    x = torch.randn(a.batch, a.in_channels, a.size, a.size)
    if a.memory_format == "channels-last":
        net = net.to(memory_format=torch.channels_last)
        x = x.contiguous(memory_format=torch.channels_last)
    y = torch.randint(0, 10, (a.batch,))

    def step():
        t = time.perf_counter()
        opt.zero_grad()
        F.cross_entropy(net(x), y).backward()
        opt.step()
        return time.perf_counter() - t

    if a.lockstep:
        for _ in sys.stdin:
            print(repr(step()), flush=True)
        return
    times = []
    for i in range(a.warmup + a.steps):
        t = step()
        if i >= a.warmup:
            times.append(t)
    times.sort()
    median = times[len(times) // 2]
    print(json.dumps({"framework": f"pytorch-{torch.__version__}", "model": a.model, "activation": a.activation,
                      "batch": a.batch, "threads": torch.get_num_threads(), "memory_format": a.memory_format,
                      "median_step_seconds": median, "images_per_second": a.batch / median}))


if __name__ == "__main__":
    main()
