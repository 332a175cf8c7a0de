"""How good is a swap: models scored against the ideal swap of generated people.

``score_model`` renders scenes of two generated people, swaps them with the model and compares
the result with the generator's ideal swap (masked PSNR and SSIM, the landmark error, and who an
independent judge sees: :mod:`.judge`), beside the 2D warp and the unchanged frame.
``score_anyface`` does the same for an any-face model on people it never saw. ``synth_scorer``
and ``anyface_scorer`` wrap them for :attr:`faceswap_kit.train.Trainer.scorer`, so every
checkpoint's card carries its score; training itself never imports this package.

>>> from faceswap_kit.evaluate import score_table
>>> score_table({"methods": {"model": {"ssim": 0.8}}})[2]
'| model | – | – | – | – | – | 0.800 | – |'
"""

from .anyface import anyface_on_frames, anyface_scorer, score_anyface, unseen_people
from .judge import identity_scores, judge_video, reference_embedding
from .score import (
    METHOD_LABELS,
    score_model,
    score_summary,
    score_table,
    synth_scorer,
    synthetic_seeds,
)

__all__ = [
    "METHOD_LABELS",
    "anyface_on_frames",
    "anyface_scorer",
    "identity_scores",
    "judge_video",
    "reference_embedding",
    "score_anyface",
    "score_model",
    "score_summary",
    "score_table",
    "synth_scorer",
    "synthetic_seeds",
    "unseen_people",
]
