import torch

from faceswap_kit.merge.blend import dst1, feather_blend, seamless_clone, solve_poisson_dirichlet


def test_dst1_against_definition():
    x = torch.rand(2, 7, dtype=torch.float64)
    n = torch.arange(7, dtype=torch.float64)
    basis = torch.sin(torch.pi * (n[:, None] + 1) * (n[None, :] + 1) / 8)
    assert torch.allclose(dst1(x), x @ basis, atol=1e-10)


def test_poisson_solver_exact():
    g = torch.Generator().manual_seed(0)
    u = torch.zeros(1, 1, 12, 15, dtype=torch.float64)
    u[..., 1:-1, 1:-1] = torch.rand(10, 13, generator=g, dtype=torch.float64)
    lap = u[..., :-2, 1:-1] + u[..., 2:, 1:-1] + u[..., 1:-1, :-2] + u[..., 1:-1, 2:]
    lap = lap - 4 * u[..., 1:-1, 1:-1]
    assert torch.allclose(solve_poisson_dirichlet(lap), u[..., 1:-1, 1:-1], atol=1e-9)


def test_seamless_removes_colour_offset(device):
    g = torch.Generator().manual_seed(0)
    frame = (torch.rand(1, 3, 40, 40, generator=g) * 0.5 + 0.2).to(device)
    face = frame + 0.2  # same detail, wrong colour
    mask = torch.zeros(1, 1, 40, 40, device=device)
    mask[..., 10:30, 10:30] = 1
    out = seamless_clone(frame, face, mask)
    assert (out - frame).abs().max() < 1e-4  # gradients equal: the offset disappears
    assert (feather_blend(frame, face, mask) - frame).abs().max() > 0.19


def test_seamless_keeps_face_detail():
    frame = torch.full((1, 3, 40, 40), 0.5)
    face = frame.clone()
    face[..., 18:22, 18:22] = 0.9  # a detail inside the mask
    mask = torch.zeros(1, 1, 40, 40)
    mask[..., 8:32, 8:32] = 1
    out = seamless_clone(frame, face, mask)
    assert float(out[..., 20, 20].mean()) > 0.85
    assert float((out[..., 0, :] - 0.5).abs().max()) < 1e-5  # border keeps the frame
