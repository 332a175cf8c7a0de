import pytest
import torch

from faceswap_kit.errors import InputError
from faceswap_kit.models import ModelConfig, SwapModel, build_network, parameter_count
from faceswap_kit.models.blocks import Upscale

SMALL = dict(encoder_dims=4, bottleneck_dims=16, decoder_dims=4, mask_dims=2)


@pytest.mark.parametrize("architecture", ["df", "liae"])
@pytest.mark.parametrize("resolution", [64, 128])
def test_render_shapes_and_range(architecture, resolution, device):
    config = ModelConfig.tiny(architecture=architecture, resolution=resolution, **SMALL)
    network = build_network(config).to(device)
    x = torch.rand(2, 3, resolution, resolution, device=device)
    with torch.no_grad():
        rgb, mask = network.render(x, "b")
    assert rgb.shape == (2, 3, resolution, resolution) and mask.shape == (
        2,
        1,
        resolution,
        resolution,
    )
    assert rgb.device.type == device.type
    assert 0 <= float(rgb.min()) and float(rgb.max()) <= 1
    assert 0 <= float(mask.min()) and float(mask.max()) <= 1


@pytest.mark.parametrize("architecture", ["df", "liae"])
def test_reconstruct_equals_render_per_identity(architecture):
    torch.manual_seed(0)
    network = build_network(ModelConfig.tiny(architecture=architecture, **SMALL)).eval()
    a, b = torch.rand(2, 3, 64, 64), torch.rand(3, 3, 64, 64)
    rgb_a, mask_a, rgb_b, mask_b = network.reconstruct(a, b)
    ref_a, ref_mask_a = network.render(a, "a")
    ref_b, ref_mask_b = network.render(b, "b")
    torch.testing.assert_close(rgb_a, ref_a, atol=1e-5, rtol=1e-4)
    torch.testing.assert_close(mask_b, ref_mask_b, atol=1e-5, rtol=1e-4)
    torch.testing.assert_close(rgb_b, ref_b, atol=1e-5, rtol=1e-4)
    torch.testing.assert_close(mask_a, ref_mask_a, atol=1e-5, rtol=1e-4)


@pytest.mark.parametrize("architecture", ["df", "liae"])
def test_identities_use_different_paths(architecture):
    torch.manual_seed(0)
    network = build_network(ModelConfig.tiny(architecture=architecture, **SMALL))
    x = torch.rand(1, 3, 64, 64)
    assert not torch.allclose(network.render(x, "a")[0], network.render(x, "b")[0])


@pytest.mark.parametrize("architecture", ["df", "liae"])
def test_every_parameter_gets_a_gradient(architecture):
    network = build_network(ModelConfig.tiny(architecture=architecture, **SMALL))
    a, b = torch.rand(2, 3, 64, 64), torch.rand(2, 3, 64, 64)
    sum(t.mean() for t in network.reconstruct(a, b)).backward()
    missing = [n for n, p in network.named_parameters() if p.grad is None or not p.grad.abs().sum()]
    assert missing == []


def test_upscale_gradcheck():
    torch.manual_seed(0)
    block = Upscale(2, 1).double()
    x = torch.rand(1, 2, 3, 3, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(block, (x,))


def test_presets_grow():
    sizes = [parameter_count(build_network(ModelConfig.preset(p))) for p in ("tiny", "lite")]
    assert sizes[0] < sizes[1]
    assert ModelConfig.default().resolution == 128


@pytest.mark.parametrize(
    "kwargs",
    [dict(architecture="vae"), dict(resolution=100), dict(face_type="torso"), dict(depth=9)],
)
def test_bad_config(kwargs):
    with pytest.raises(InputError):
        ModelConfig.tiny(**kwargs)


def test_config_round_trip():
    config = ModelConfig.lite(architecture="liae")
    assert ModelConfig.from_dict(config.to_dict()) == config


def test_swap_model_checks_input_and_follows_dtype():
    model = SwapModel(build_network(ModelConfig.tiny(**SMALL)))
    face, mask = model.swap(torch.rand(2, 3, 64, 64, dtype=torch.float64), "a_to_b")
    assert face.dtype == torch.float64 and mask.shape == (2, 1, 64, 64)
    with pytest.raises(InputError, match="expected aligned faces"):
        model.swap(torch.rand(2, 3, 32, 32))
    with pytest.raises(InputError, match="direction"):
        model.swap(torch.rand(1, 3, 64, 64), "sideways")
    # a_to_b draws B: the same as rendering with decoder B
    x = torch.rand(1, 3, 64, 64)
    torch.testing.assert_close(model.swap(x, "a_to_b")[0], model.network.render(x, "b")[0])


def test_a_channels_last_model_draws_the_same_faces():
    torch.manual_seed(1)
    network = build_network(ModelConfig.tiny(**SMALL))
    faces = torch.rand(2, 3, 64, 64)
    plain = SwapModel(network).swap(faces, "a_to_b")
    fast = SwapModel(build_network(ModelConfig.tiny(**SMALL)), channels_last=True)
    fast.network.load_state_dict(network.state_dict())
    swapped = fast.swap(faces, "a_to_b")
    for ours, theirs in zip(swapped, plain, strict=True):
        assert ours.is_contiguous() and torch.allclose(ours, theirs, atol=1e-5)


def test_the_lite_preset_is_sized_for_the_live_loop():
    """The live model's network stays cheap (the live loop's 30 FPS budget rests on it)."""
    from torch.utils.flop_counter import FlopCounterMode

    network = build_network(ModelConfig.lite())
    with FlopCounterMode(display=False) as counter, torch.no_grad():
        network.render(torch.rand(1, 3, 128, 128), "b")
    assert counter.get_total_flops() < 2.0e9  # 1.5e9; the first, wider lite: 4.0e9
    assert 4e6 < parameter_count(network) < 8e6
