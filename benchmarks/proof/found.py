import math
import torch
from torch import nn


class EvolvedActivation(nn.Module):
    """f(x) = beta * mix(cos(x), beta * x) - atan(x)  (exported by EvoAct)

    3 trainable beta(s), one value per channel (dim 1), initialised to 1.
    """

    def __init__(self, channels: int):
        super().__init__()
        self.betas = nn.ParameterList([nn.Parameter(torch.ones(channels)) for _ in range(3)])

    def _beta(self, i: int, x: torch.Tensor) -> torch.Tensor:
        return self.betas[i].view([1, -1] + [1] * (x.dim() - 2))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        t0 = self._beta(0, x).expand_as(x).contiguous()
        t1 = torch.cos(x)
        t2 = self._beta(1, x).expand_as(x).contiguous()
        t3 = t2 * x
        t4 = self._beta(2, x) * t1 + (1 - self._beta(2, x)) * t3
        t5 = t0 * t4
        t6 = torch.atan(x)
        t7 = t5 - t6
        return t7

import math
import torch
from torch import nn


class EvolvedActivation(nn.Module):
    """f(x) = beta * mix(cos(x), x^2) + atan(x)  (exported by EvoAct)

    2 trainable beta(s), one value per channel (dim 1), initialised to 1.
    """

    def __init__(self, channels: int):
        super().__init__()
        self.betas = nn.ParameterList([nn.Parameter(torch.ones(channels)) for _ in range(2)])

    def _beta(self, i: int, x: torch.Tensor) -> torch.Tensor:
        return self.betas[i].view([1, -1] + [1] * (x.dim() - 2))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        t0 = self._beta(0, x).expand_as(x).contiguous()
        t1 = torch.cos(x)
        t2 = torch.pow(x, 2)
        t3 = self._beta(1, x) * t1 + (1 - self._beta(1, x)) * t2
        t4 = t0 * t3
        t5 = torch.atan(x)
        t6 = t4 + t5
        return t6

import math
import torch
from torch import nn


class EvolvedActivation(nn.Module):
    """f(x) = -mix(gauss(x), x^2) + atan(x)  (exported by EvoAct)

    1 trainable beta(s), one value per channel (dim 1), initialised to 1.
    """

    def __init__(self, channels: int):
        super().__init__()
        self.betas = nn.ParameterList([nn.Parameter(torch.ones(channels)) for _ in range(1)])

    def _beta(self, i: int, x: torch.Tensor) -> torch.Tensor:
        return self.betas[i].view([1, -1] + [1] * (x.dim() - 2))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        t0 = torch.exp(-torch.square(x))
        t1 = torch.pow(x, 2)
        t2 = self._beta(0, x) * t0 + (1 - self._beta(0, x)) * t1
        t3 = -t2
        t4 = torch.atan(x)
        t5 = t3 + t4
        return t5

