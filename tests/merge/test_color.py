import pytest
import torch

from faceswap_kit.errors import InputError
from faceswap_kit.merge.color import match_quantiles, transfer_color
from faceswap_kit.merge.config import COLOR_MODES

MODES = [m for m in COLOR_MODES if m != "none"]


def _pair(device, size=48, seed=0):
    g = torch.Generator().manual_seed(seed)
    source = (torch.rand(2, 3, size, size, generator=g) * 0.5 + 0.25).to(device)
    # target: a different mean, spread and channel mix
    base = torch.rand(2, 3, size, size, generator=g)
    mix = torch.tensor([[0.6, 0.3, 0.1], [0.2, 0.5, 0.1], [0.1, 0.1, 0.3]])
    target = (torch.einsum("ij,bjhw->bihw", mix, base) + 0.1).clamp(0, 1).to(device)
    return source, target


@pytest.mark.parametrize("mode", MODES)
def test_statistics_move_to_target(mode, device):
    source, target = _pair(device)
    out = transfer_color(source, target, mode)
    assert out.shape == source.shape and out.device == source.device
    assert 0 <= float(out.min()) and float(out.max()) <= 1
    err_before = (source.mean((2, 3)) - target.mean((2, 3))).abs().max()
    err_after = (out.mean((2, 3)) - target.mean((2, 3))).abs().max()
    assert err_after < 0.25 * err_before
    assert err_after < 0.02
    if mode == "rct":  # rct matches spread in Lab, not in RGB
        from kornia.color import rgb_to_lab

        out, target = rgb_to_lab(out) / 100, rgb_to_lab(target) / 100
    std_err = (out.std((2, 3)) - target.std((2, 3))).abs().max()
    assert std_err < 0.03


@pytest.mark.parametrize("mode", ["lct", "mkl", "idt", "sot"])
def test_covariance_matched(mode):
    source, target = _pair("cpu", size=64)
    out = transfer_color(source, target, mode)

    def cov(x):
        p = x.reshape(2, 3, -1)
        p = p - p.mean(2, keepdim=True)
        return p @ p.transpose(1, 2) / p.shape[2]

    assert (cov(out) - cov(target)).abs().max() < 0.004
    assert (cov(source) - cov(target)).abs().max() > 0.01


@pytest.mark.parametrize("mode", MODES)
def test_mask_restricts_statistics(mode):
    source, target = _pair("cpu")
    mask = torch.zeros(2, 1, 48, 48)
    mask[..., 10:30, 10:30] = 1
    # outside the mask the target is garbage that must not influence the result
    polluted = target.clone()
    polluted[..., 35:, :] = 1.0
    a = transfer_color(source, target, mode, mask=mask)
    b = transfer_color(source, polluted, mode, mask=mask)
    assert torch.allclose(a, b, atol=1e-4)


def test_none_is_identity():
    source, target = _pair("cpu")
    assert transfer_color(source, target, "none") is source


def test_identity_when_source_equals_target():
    source, _ = _pair("cpu")
    for mode in ("rct", "lct", "mkl"):
        assert torch.allclose(transfer_color(source, source, mode), source, atol=2e-3), mode


def test_target_of_other_size():
    source, target = _pair("cpu")
    out = transfer_color(source, target[..., ::2, ::2], "rct")
    assert (out.mean((2, 3)) - target.mean((2, 3))).abs().max() < 0.02


@pytest.mark.parametrize("mode", ["rct", "lct", "mkl"])
def test_gradcheck(mode):
    g = torch.Generator().manual_seed(1)
    source = torch.rand(1, 3, 4, 4, generator=g, dtype=torch.float64) * 0.6 + 0.2
    target = torch.rand(1, 3, 4, 4, generator=g, dtype=torch.float64) * 0.6 + 0.2
    source.requires_grad_(True)
    assert torch.autograd.gradcheck(lambda s: transfer_color(s, target, mode), (source,))


def test_float64_and_dtype_follow():
    source, target = _pair("cpu")
    out = transfer_color(source.double(), target.double(), "idt")
    assert out.dtype == torch.float64


def test_match_quantiles_weighted():
    g = torch.Generator().manual_seed(0)
    s = torch.rand(2, 5000, generator=g)
    t = torch.randn(2, 6000, generator=g) * 0.1 + 3
    out = match_quantiles(s, t)
    assert torch.allclose(out.mean(1), t.mean(1), atol=0.01)
    assert torch.allclose(out.std(1), t.std(1), atol=0.01)
    # monotone: the order of values is kept
    order = s[0].argsort()
    assert bool((out[0][order].diff() >= -1e-6).all())


@pytest.mark.parametrize(
    "args",
    [
        (torch.rand(3, 8, 8), torch.rand(1, 3, 8, 8), "rct"),
        (torch.rand(1, 1, 8, 8), torch.rand(1, 3, 8, 8), "rct"),
        (torch.rand(2, 3, 8, 8), torch.rand(1, 3, 8, 8), "rct"),
        (torch.rand(1, 3, 8, 8), torch.rand(1, 3, 8, 8), "fancy"),
    ],
)
def test_bad_inputs(args):
    with pytest.raises(InputError):
        transfer_color(*args)


def test_bad_mask():
    source, target = _pair("cpu")
    with pytest.raises(InputError):
        transfer_color(source, target, "rct", mask=torch.ones(2, 3, 48, 48))


@pytest.mark.parametrize("mode", ["lct", "mkl"])
def test_nearly_grey_source_does_not_blow_up(mode):
    """A flat, grey-ish prediction has a nearly singular covariance: noise must not explode."""
    g = torch.Generator().manual_seed(0)
    base = torch.rand(1, 1, 64, 64, generator=g) * 0.3 + 0.3
    source = (
        torch.cat([base, base * 0.8, base * 0.7], 1) + torch.rand(1, 3, 64, 64, generator=g) * 0.002
    )
    target = torch.rand(1, 3, 64, 64, generator=g) * 0.4 + 0.3
    out = transfer_color(source, target, mode)
    assert float(out.std((2, 3)).max()) < 1.2 * float(target.std((2, 3)).max())
