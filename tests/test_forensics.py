import pytest
import torch

from faceswap_kit import forensics
from faceswap_kit.errors import InputError


def _square(size=48, inside=0.6, outside=0.2):
    image = torch.full((1, 3, size, size), outside)
    image[..., 12:36, 12:36] = inside
    mask = torch.zeros(1, 1, size, size)
    mask[..., 12:36, 12:36] = 1
    return image, mask


def _textured(seed, size=48):
    g = torch.Generator().manual_seed(seed)
    base = torch.rand(1, 3, size // 4, size // 4, generator=g)
    return torch.nn.functional.interpolate(base, size=(size, size), mode="bilinear")


def test_seam_is_found_on_a_pasted_patch_and_not_on_a_smooth_frame(device):
    image, mask = _square()
    assert forensics.seam_strength(image.to(device), mask.to(device)).item() > 3
    smooth = _textured(0).to(device)
    assert forensics.seam_strength(smooth, mask.to(device)).item() < 1.5


def test_sharpness_mismatch_sees_a_blurred_face(device):
    frame = torch.rand(1, 3, 48, 48, generator=torch.Generator().manual_seed(1)).to(device)
    _, mask = _square()
    mask = mask.to(device)
    blurred = torch.nn.functional.avg_pool2d(frame, 5, stride=1, padding=2)
    pasted = frame * (1 - mask) + blurred * mask
    assert abs(forensics.sharpness_mismatch(frame, mask).item()) < 0.3
    assert forensics.sharpness_mismatch(pasted, mask).item() < -1.0


def test_flicker_sees_a_face_that_changes_more_than_its_frame():
    _, mask = _square()
    g = torch.Generator().manual_seed(2)
    steady = _textured(3).repeat(6, 1, 1, 1) + 0.01 * torch.rand(6, 3, 48, 48, generator=g)
    flicker = steady + 0.2 * torch.rand(6, 1, 1, 1, generator=g) * mask
    masks = mask.repeat(6, 1, 1, 1)
    assert (
        forensics.temporal_flicker(flicker, masks).mean()
        > 3 * forensics.temporal_flicker(steady, masks).mean()
    )
    with pytest.raises(InputError, match="at least 2 frames"):
        forensics.temporal_flicker(steady[:1], masks[:1])


def test_radial_spectrum_loses_high_frequencies_when_blurred():
    image = torch.rand(2, 3, 64, 64, generator=torch.Generator().manual_seed(4))
    blurred = torch.nn.functional.avg_pool2d(image, 5, stride=1, padding=2)
    sharp, soft = forensics.radial_spectrum(image), forensics.radial_spectrum(blurred)
    assert sharp.shape == (2, 64)
    assert (sharp[:, -16:].mean() - soft[:, -16:].mean()) > 1.0
    assert abs(sharp[:, 2:8].mean() - soft[:, 2:8].mean()) < 0.5


def test_roc_auc_matches_counting():
    real, fake = torch.tensor([0.1, 0.4, 0.35]), torch.tensor([0.8, 0.3, 0.5])
    # pairs (fake > real): 0.8 beats 3, 0.3 beats 1, 0.5 beats 3 -> 7 of 9
    assert forensics.roc_auc(real, fake) == pytest.approx(7 / 9)
    with pytest.raises(InputError):
        forensics.roc_auc(torch.tensor([]), fake)


def test_bad_shapes_say_what_was_expected():
    with pytest.raises(InputError, match=r"\(B,3,H,W\)"):
        forensics.seam_strength(torch.zeros(3, 8, 8), torch.zeros(1, 1, 8, 8))
    with pytest.raises(InputError, match="mask"):
        forensics.seam_strength(torch.zeros(1, 3, 8, 8), torch.zeros(1, 1, 4, 4))


def test_a_hard_edged_2d_swap_of_generated_people_is_spotted_by_its_seam():
    from faceswap_kit.masks import face_mask
    from faceswap_kit.synth import Identity, render, render_clip
    from faceswap_kit.warp2d import warp2d_swap

    clip = list(render_clip(5, 6, size=128))
    frames = torch.cat([r.image for r in clip])
    landmarks = torch.cat([r.landmarks for r in clip])
    source = render(Identity.from_seed(9), size=128)
    fake = warp2d_swap(frames, landmarks, source.image, source.landmarks, feather=0.0)
    masks = face_mask(landmarks, 128)
    real_cues, fake_cues = forensics.cue_scores(frames, masks), forensics.cue_scores(fake, masks)
    assert set(real_cues) == set(forensics.CUES)
    assert forensics.roc_auc(real_cues["seam"], fake_cues["seam"]) > 0.9


def test_figures_report_auc_as_it_is():
    import matplotlib.pyplot as plt
    import torch

    from faceswap_kit.viz import forensics as show

    real = {"flicker": torch.tensor([2.0, 3.0, 4.0])}
    fakes = {"swap": {"flicker": torch.tensor([0.5, 1.0, 1.5])}}  # the fakes score lower
    fig = show.cue_histograms(real, fakes)
    assert "swap: 0.00" in fig.axes[0].get_title()  # not max(auc, 1 - auc)
    plt.close(fig)
    curves = {"real": torch.rand(2, 16), "fake": torch.rand(2, 16)}
    fig = show.spectra_figure(curves)
    assert len(fig.axes) == 2 and len(fig.axes[0].lines[0].get_xdata()) == 15  # no zero bin
    plt.close(fig)
